#include "services/registry/domain/rulebook_library.h"

#include "absl/strings/str_cat.h"
#include "libs/common/errors.h"
#include "libs/common/page_token.h"
#include "libs/common/status_macros.h"
#include "services/registry/domain/rulebook.h"

namespace kla::registry {

absl::StatusOr<v1::Rulebook> RulebookLibrary::Resolve(const RulebookSource& source) {
  if (source.rulebook) return *source.rulebook;
  if (source.textproto) return ParseRulebookText(*source.textproto);
  return InvalidField("source", "required: a rulebook message or its textproto");
}

absl::StatusOr<ValidationReport> RulebookLibrary::Validate(const RulebookSource& source) {
  KLA_ASSIGN_OR_RETURN(v1::Rulebook rb, Resolve(source));
  return ValidationReport{
      .violations = ValidateRulebook(rb), .indicator_count = rb.indicators_size(), .item_count = ItemCount(rb)};
}

absl::StatusOr<std::pair<RulebookRecord, bool>> RulebookLibrary::Upload(absl::string_view request_id,
                                                                        const RulebookSource& source) {
  if (request_id.empty()) return InvalidField("request_id", "required: a client-chosen id such as a UUID");
  KLA_ASSIGN_OR_RETURN(v1::Rulebook rb, Resolve(source));
  if (auto violations = ValidateRulebook(rb); !violations.empty()) {
    return InvalidArgumentWithViolations(
        absl::StrCat("the rulebook breaks ", violations.size(), " rule", violations.size() == 1 ? "" : "s"),
        violations);
  }
  RulebookRecord record{
      .rulebook = rb, .sha256 = RulebookHash(rb), .uploaded_at = clock_->Now(), .item_count = ItemCount(rb)};
  KLA_ASSIGN_OR_RETURN(auto stored, store_->PutIfAbsent(record));
  if (!stored.second && stored.first.sha256 != record.sha256) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat(
                          "rulebook version ", rb.version(),
                          " already exists with other content; rulebooks never change: upload it as a new version")),
                      "RULEBOOK_VERSION_TAKEN", {{"version", rb.version()}});
  }
  return stored;
}

absl::StatusOr<RulebookRecord> RulebookLibrary::Get(absl::string_view version) {
  if (version.empty()) return InvalidField("version", "required");
  KLA_ASSIGN_OR_RETURN(std::optional<RulebookRecord> r, store_->Get(version));
  if (!r) return NotFound("rulebook", version);
  return *r;
}

absl::StatusOr<RulebookPage> RulebookLibrary::List(int page_size, absl::string_view page_token) {
  KLA_ASSIGN_OR_RETURN(const int size, ResolvePageSize(page_size));
  KLA_ASSIGN_OR_RETURN(const std::string after, DecodePageToken(page_token, "rulebooks"));
  KLA_ASSIGN_OR_RETURN(std::vector<RulebookRecord> rows, store_->List(after, size + 1));
  RulebookPage page;
  if (static_cast<int>(rows.size()) > size) {
    rows.resize(static_cast<size_t>(size));
    page.next_page_token = EncodePageToken("rulebooks", rows.back().rulebook.version());
  }
  page.rulebooks = std::move(rows);
  return page;
}

}  // namespace kla::registry
