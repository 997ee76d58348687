#pragma once

// Domain-level errors. Domain code returns absl::Status; these helpers attach
// structured details (which fields were wrong, which resource was missing) as
// status payloads that the single gRPC error mapper (libs/rpc/error_mapping)
// turns into google.rpc details. No gRPC types here.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kla {

// One bad field of a request, as in google.rpc.BadRequest.FieldViolation.
struct FieldViolation {
  std::string field;        // path of the field, e.g. "code" or "items[3].value"
  std::string description;  // what is wrong, for a person to read

  friend bool operator==(const FieldViolation&, const FieldViolation&) = default;
};

// Collects violations so that validation reports every mistake, not the first.
class Violations {
 public:
  void Add(std::string field, std::string description);
  bool empty() const { return list_.empty(); }
  size_t size() const { return list_.size(); }
  const std::vector<FieldViolation>& list() const { return list_; }
  // OK when empty, otherwise INVALID_ARGUMENT carrying all violations.
  absl::Status ToStatus(absl::string_view message = "invalid request") const;

 private:
  std::vector<FieldViolation> list_;
};

// INVALID_ARGUMENT with one field violation.
absl::Status InvalidField(absl::string_view field, absl::string_view description);

// INVALID_ARGUMENT with field violations. The message names the first one
// after `summary` ("invalid return: items[0].reason: required ... (and 2
// more)"); the details list all.
absl::Status InvalidArgumentWithViolations(absl::string_view summary, const std::vector<FieldViolation>& violations);
// The same with `message` as it is (a status passed on from another service).
absl::Status InvalidArgumentAsIs(absl::string_view message, const std::vector<FieldViolation>& violations);

// The field violations attached to a status (empty if none).
std::vector<FieldViolation> GetFieldViolations(const absl::Status& status);

// One unmet precondition, as in google.rpc.PreconditionFailure.Violation:
// e.g. {"MISSING_ANSWER", "2.2", "belum dijawab"}.
struct PreconditionViolation {
  std::string type;
  std::string subject;
  std::string description;

  friend bool operator==(const PreconditionViolation&, const PreconditionViolation&) = default;
};

// FAILED_PRECONDITION listing every unmet precondition.
absl::Status FailedPreconditionWithViolations(absl::string_view message,
                                              const std::vector<PreconditionViolation>& violations);

// The precondition violations attached to a status (empty if none).
std::vector<PreconditionViolation> GetPreconditionViolations(const absl::Status& status);

// NOT_FOUND naming the resource, e.g. NotFound("region", "99.99").
absl::Status NotFound(absl::string_view resource_type, absl::string_view name);

// Resource type and name attached by NotFound (empty if none).
struct ResourceRef {
  std::string type;
  std::string name;
};
ResourceRef GetResourceRef(const absl::Status& status);

// RESOURCE_EXHAUSTED (a limit reached: too many attempts, streams, sign-ins
// being checked) telling the caller when to try again, as
// google.rpc.RetryInfo.
absl::Status ResourceExhaustedRetryAfter(absl::string_view message, absl::Duration retry_after);
std::optional<absl::Duration> GetRetryAfter(const absl::Status& status);

// `status` (any code) with a RetryInfo delay, e.g. UNAVAILABLE while a disk
// is full.
absl::Status WithRetryAfter(absl::Status status, absl::Duration retry_after);

// Marks `status` as carrying text for operators only: a database driver's or
// the file system's words, which may name hosts, ports, users, paths or SQL.
// The code is kept; the mapper shows callers a generic message for it and
// logs the text under a reference. Storage implementations mark every error
// they take from a driver.
absl::Status Concealed(absl::Status status);
bool IsConcealed(const absl::Status& status);

// ABORTED because the caller's etag is stale (reason ETAG_MISMATCH).
absl::Status StaleEtag(absl::string_view message);

// Why a call failed, for programs: a stable UPPER_SNAKE_CASE reason (e.g.
// "RETURN_DEADLINE_PASSED") with facts about it (e.g. {"deadline": "2025-04-17
// 23:59 WIB"}), sent as google.rpc.ErrorInfo and used to write the
// caller's localized message. Errors without one get a reason from their
// code and details (docs/errors.md lists them all).
struct ErrorReason {
  std::string reason;
  std::map<std::string, std::string> metadata;
};
absl::Status WithReason(absl::Status status, absl::string_view reason,
                        std::map<std::string, std::string> metadata = {});
std::optional<ErrorReason> GetReason(const absl::Status& status);

}  // namespace kla
