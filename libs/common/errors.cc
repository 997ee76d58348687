#include "libs/common/errors.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace kla {
namespace {

// Payload keys. Values are simple line-based encodings: the domain layer must
// not depend on protobuf, and the mapper is the only reader.
constexpr absl::string_view kViolationsKey = "kla/field-violations";
constexpr absl::string_view kResourceKey = "kla/resource";
constexpr absl::string_view kPreconditionsKey = "kla/precondition-violations";
constexpr absl::string_view kRetryKey = "kla/retry-after-ms";
constexpr absl::string_view kConcealedKey = "kla/concealed";
constexpr absl::string_view kReasonKey = "kla/reason";

std::string Escape(absl::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Unescape(absl::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      char n = s[++i];
      out += n == 'n' ? '\n' : n == 't' ? '\t' : n;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

void Violations::Add(std::string field, std::string description) {
  list_.push_back({std::move(field), std::move(description)});
}

absl::Status Violations::ToStatus(absl::string_view message) const {
  if (list_.empty()) return absl::OkStatus();
  return InvalidArgumentWithViolations(message, list_);
}

absl::Status InvalidField(absl::string_view field, absl::string_view description) {
  return InvalidArgumentAsIs(absl::StrCat(field, ": ", description), {{std::string(field), std::string(description)}});
}

absl::Status InvalidArgumentWithViolations(absl::string_view summary, const std::vector<FieldViolation>& violations) {
  if (violations.empty()) return InvalidArgumentAsIs(summary, violations);
  const FieldViolation& first = violations.front();
  std::string message = absl::StrCat(summary, ": ", first.field, ": ", first.description);
  if (violations.size() > 1) absl::StrAppend(&message, " (and ", violations.size() - 1, " more)");
  return InvalidArgumentAsIs(message, violations);
}

absl::Status InvalidArgumentAsIs(absl::string_view message, const std::vector<FieldViolation>& violations) {
  absl::Status status = absl::InvalidArgumentError(message);
  std::string encoded;
  for (const auto& v : violations) {
    absl::StrAppend(&encoded, Escape(v.field), "\t", Escape(v.description), "\n");
  }
  status.SetPayload(kViolationsKey, absl::Cord(encoded));
  return status;
}

absl::Status FailedPreconditionWithViolations(absl::string_view message,
                                              const std::vector<PreconditionViolation>& violations) {
  absl::Status status = absl::FailedPreconditionError(message);
  std::string encoded;
  for (const auto& v : violations) {
    absl::StrAppend(&encoded, Escape(v.type), "\t", Escape(v.subject), "\t", Escape(v.description), "\n");
  }
  status.SetPayload(kPreconditionsKey, absl::Cord(encoded));
  return status;
}

std::vector<PreconditionViolation> GetPreconditionViolations(const absl::Status& status) {
  std::vector<PreconditionViolation> out;
  auto payload = status.GetPayload(kPreconditionsKey);
  if (!payload) return out;
  for (absl::string_view line : absl::StrSplit(std::string(*payload), '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> parts = absl::StrSplit(line, absl::MaxSplits('\t', 2));
    if (parts.size() == 3) out.push_back({Unescape(parts[0]), Unescape(parts[1]), Unescape(parts[2])});
  }
  return out;
}

std::vector<FieldViolation> GetFieldViolations(const absl::Status& status) {
  std::vector<FieldViolation> out;
  auto payload = status.GetPayload(kViolationsKey);
  if (!payload) return out;
  for (absl::string_view line : absl::StrSplit(std::string(*payload), '\n', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(line, absl::MaxSplits('\t', 1));
    out.push_back({Unescape(parts.first), Unescape(parts.second)});
  }
  return out;
}

absl::Status NotFound(absl::string_view resource_type, absl::string_view name) {
  absl::Status status = absl::NotFoundError(absl::StrCat(resource_type, " ", name, " not found"));
  status.SetPayload(kResourceKey, absl::Cord(absl::StrCat(Escape(resource_type), "\t", Escape(name))));
  return status;
}

ResourceRef GetResourceRef(const absl::Status& status) {
  auto payload = status.GetPayload(kResourceKey);
  if (!payload) return {};
  std::pair<std::string, std::string> parts = absl::StrSplit(std::string(*payload), absl::MaxSplits('\t', 1));
  return {Unescape(parts.first), Unescape(parts.second)};
}

absl::Status ResourceExhaustedRetryAfter(absl::string_view message, absl::Duration retry_after) {
  return WithRetryAfter(absl::ResourceExhaustedError(message), retry_after);
}

absl::Status WithRetryAfter(absl::Status status, absl::Duration retry_after) {
  if (!status.ok()) status.SetPayload(kRetryKey, absl::Cord(absl::StrCat(absl::ToInt64Milliseconds(retry_after))));
  return status;
}

absl::Status Concealed(absl::Status status) {
  if (!status.ok()) status.SetPayload(kConcealedKey, absl::Cord("1"));
  return status;
}

bool IsConcealed(const absl::Status& status) { return status.GetPayload(kConcealedKey).has_value(); }

std::optional<absl::Duration> GetRetryAfter(const absl::Status& status) {
  auto payload = status.GetPayload(kRetryKey);
  int64_t ms = 0;
  if (!payload || !absl::SimpleAtoi(std::string(*payload), &ms)) return std::nullopt;
  return absl::Milliseconds(ms);
}

absl::Status WithReason(absl::Status status, absl::string_view reason, std::map<std::string, std::string> metadata) {
  if (status.ok()) return status;
  std::string encoded = Escape(reason);
  for (const auto& [k, v] : metadata) absl::StrAppend(&encoded, "\n", Escape(k), "\t", Escape(v));
  status.SetPayload(kReasonKey, absl::Cord(encoded));
  return status;
}

std::optional<ErrorReason> GetReason(const absl::Status& status) {
  auto payload = status.GetPayload(kReasonKey);
  if (!payload) return std::nullopt;
  std::vector<std::string> lines = absl::StrSplit(std::string(*payload), '\n');
  ErrorReason out{Unescape(lines[0]), {}};
  for (size_t i = 1; i < lines.size(); ++i) {
    std::pair<std::string, std::string> kv = absl::StrSplit(lines[i], absl::MaxSplits('\t', 1));
    out.metadata[Unescape(kv.first)] = Unescape(kv.second);
  }
  return out;
}

absl::Status StaleEtag(absl::string_view message) { return WithReason(absl::AbortedError(message), "ETAG_MISMATCH"); }

}  // namespace kla
