#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/auth/principal.h"
#include "services/submission/domain/submission_steps.h"

namespace kla::submission {

struct SaveCommand {
  std::string request_id;
  std::string cycle_id;
  std::string region_code;
  std::string etag;
  std::vector<v1::Answer> answers;
  std::vector<std::string> clear_item_ids;
};

struct SubmissionPage {
  std::vector<v1::Submission> submissions;
  std::string next_page_token;
};

struct AuditPage {
  std::vector<v1::AuditEntry> entries;
  std::string next_page_token;
};

// Reading submissions and answering the self-evaluation: a region's
// operator and its OPD contributors save answers in the self-evaluation
// window (or while a return is open), guarded by the etag.
class Answers {
 public:
  explicit Answers(SubmissionSteps* steps) : steps_(steps) {}

  absl::StatusOr<v1::Submission> Get(const std::string& cycle_id, const std::string& region_code,
                                     const auth::Principal& caller);
  // `full`: with answers; else progress only (a national overview).
  absl::StatusOr<SubmissionPage> List(const SubmissionFilter& filter, bool full, int page_size,
                                      const std::string& page_token, const auth::Principal& caller);
  absl::StatusOr<v1::Submission> Save(const SaveCommand& cmd, const auth::Principal& caller);
  absl::StatusOr<v1::StageAnswers> StageAnswersOf(const std::string& cycle_id, const std::string& region_code,
                                                  type::v1::Stage stage);
  absl::StatusOr<AuditPage> Audit(const std::string& cycle_id, const std::string& region_code,
                                  const std::string& item_id, int page_size, const std::string& page_token);

 private:
  SubmissionSteps* steps_;
};

// The answers in force: the region's, with the latest adjustment per item
// applied, in rulebook order.
std::vector<v1::Answer> AnswersInForce(const RulebookIndex& rulebook, const v1::Submission& s);

// Records a verifier's adjustments on the submission being changed, each
// audited with the answer it replaces; `objection_id` when an accepted
// objection makes them (an adjustment without a reason takes
// `default_reason`).
void ApplyAdjustments(const std::vector<v1::Adjustment>& adjustments, const std::string& objection_id,
                      const std::string& default_reason, const auth::Principal& caller, const std::string& request_id,
                      PreparedChange& p);

}  // namespace kla::submission
