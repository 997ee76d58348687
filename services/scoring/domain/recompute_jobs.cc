#include "services/scoring/domain/recompute_jobs.h"

#include "absl/strings/str_cat.h"
#include "libs/common/errors.h"
#include "libs/common/ids.h"
#include "libs/common/status_macros.h"
#include "libs/kernel/time.h"
#include "services/scoring/domain/audience.h"
#include "services/scoring/domain/publication_log.h"
#include "services/scoring/domain/region_score.h"

namespace kla::scoring {

absl::StatusOr<v1::RecomputeJob> RecomputeJobs::Recompute(const std::string& cycle_id, const std::string& request_id,
                                                          const auth::Principal& who) {
  KLA_RETURN_IF_ERROR(CheckCycleId(cycle_id));
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const registry::v1::Cycle> shared_cycle, directory_->GetCycle(cycle_id, true));
  const registry::v1::Cycle& cycle = *shared_cycle;
  KLA_ASSIGN_OR_RETURN(std::vector<v1::Publication> pubs, store_->ListPublications(cycle_id));
  const CyclePublications published =
      Classify(std::make_shared<const std::vector<v1::Publication>>(std::move(pubs)), clock_->Now());
  if (published.final != nullptr) {
    return WithReason(absl::FailedPreconditionError(
                          absl::StrCat("the final results of cycle ", cycle_id, " are published and frozen")),
                      "RESULTS_FROZEN", {{"cycle_id", cycle_id}});
  }
  v1::RecomputeJob job;
  job.set_job_id(NewUuid());
  job.set_cycle_id(cycle_id);
  job.set_state(v1::JOB_STATE_QUEUED);
  job.set_rulebook_version(cycle.rulebook_version());
  job.set_requested_by(who.subject);
  *job.mutable_create_time() = ToProtoTime(clock_->Now());
  return store_->CreateJob(job, request_id.empty() ? job.job_id() : request_id);
}

absl::StatusOr<v1::RecomputeJob> RecomputeJobs::GetJob(const std::string& job_id) {
  if (job_id.empty()) return InvalidField("job_id", "required");
  KLA_ASSIGN_OR_RETURN(std::optional<v1::RecomputeJob> job, store_->GetJob(job_id));
  if (!job) return NotFound("recompute job", job_id);
  return *job;
}

absl::StatusOr<int> RecomputeJobs::RunPendingJobs() {
  absl::MutexLock lock(&running_);
  KLA_ASSIGN_OR_RETURN(std::vector<v1::RecomputeJob> jobs, store_->UnfinishedJobs());
  for (auto& job : jobs) KLA_RETURN_IF_ERROR(RunJob(std::move(job)));
  return static_cast<int>(jobs.size());
}

absl::Status RecomputeJobs::RunJob(v1::RecomputeJob job) {
  auto fail = [&](const absl::Status& st) {
    job.set_state(v1::JOB_STATE_FAILED);
    job.set_error(std::string(st.message()));
    *job.mutable_finish_time() = ToProtoTime(clock_->Now());
    return store_->UpdateJob(job);
  };
  // The rulebook as the registry has it now (the point of a recompute).
  auto fetched = directory_->GetCycle(job.cycle_id(), true);
  if (!fetched.ok()) return fail(fetched.status());
  const std::shared_ptr<const registry::v1::Cycle>& cycle = *fetched;
  auto rulebook = directory_->GetRulebook(cycle->rulebook_version());
  if (!rulebook.ok()) return fail(rulebook.status());
  auto scores = store_->ListCycle(job.cycle_id(), /*with_answers=*/true);
  if (!scores.ok()) return fail(scores.status());
  job.set_state(v1::JOB_STATE_RUNNING);
  job.set_rulebook_version(cycle->rulebook_version());
  job.set_total(static_cast<int>(scores->size()));
  job.set_done(0);
  job.set_changed(0);
  KLA_RETURN_IF_ERROR(store_->UpdateJob(job));
  for (StageScore& s : *scores) {
    const RegionInfo info{s.score.region().code(), s.score.region().name(), s.score.province().code(),
                          s.score.province().name()};
    submission::v1::StageAnswers answers = s.answers;
    answers.set_rulebook_version(cycle->rulebook_version());
    v1::RegionScore fresh = ScoreStage(**rulebook, answers, info, absl::StrCat("job:", job.job_id()));
    *fresh.mutable_compute_time() = ToProtoTime(clock_->Now());
    const bool changed = fresh.total().hundredths() != s.score.total().hundredths() ||
                         fresh.predicate() != s.score.predicate() ||
                         fresh.rulebook_version() != s.score.rulebook_version();
    if (changed) {
      auto stored = store_->Replace(fresh);
      if (!stored.ok()) return fail(stored.status());
      if (*stored) job.set_changed(job.changed() + 1);
    }
    job.set_done(job.done() + 1);
    if (job.done() % 50 == 0) KLA_RETURN_IF_ERROR(store_->UpdateJob(job));
  }
  job.set_state(v1::JOB_STATE_SUCCEEDED);
  *job.mutable_finish_time() = ToProtoTime(clock_->Now());
  return store_->UpdateJob(job);
}

}  // namespace kla::scoring
