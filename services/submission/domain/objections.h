#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/auth/principal.h"
#include "services/submission/domain/submission_steps.h"

namespace kla::submission {

struct ObjectionCommand {
  std::string request_id;
  std::string cycle_id;
  std::string region_code;
  std::string etag;
  int indicator = 0;
  std::string reason;
  std::vector<std::string> evidence_ids;
};

struct ResolveCommand {
  std::string request_id;
  std::string cycle_id;
  std::string region_code;
  std::string etag;
  std::string objection_id;
  v1::ObjectionDecision decision = v1::OBJECTION_DECISION_UNSPECIFIED;
  std::string reason;
  std::vector<v1::Adjustment> adjustments;  // on acceptance
};

struct ObjectionOutcome {
  v1::Submission submission;
  v1::Objection objection;
};

// Objections (masa sanggah): filed by the region's operator in the
// objection window while the submission awaits final verification, one per
// indicator with the evidence behind it; decided by a central reviewer
// before final verification, an accepted one adjusting answers.
class Objections {
 public:
  explicit Objections(SubmissionSteps* steps) : steps_(steps) {}

  absl::StatusOr<ObjectionOutcome> File(const ObjectionCommand& cmd, const auth::Principal& caller);
  absl::StatusOr<ObjectionOutcome> Resolve(const ResolveCommand& cmd, const auth::Principal& caller);

 private:
  absl::Status ValidateFiling(const ObjectionCommand& cmd, const RulebookIndex& rb);

  SubmissionSteps* steps_;
};

}  // namespace kla::submission
