#pragma once

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "kla/scoring/v1/scoring.pb.h"
#include "libs/auth/principal.h"
#include "libs/common/clock.h"
#include "services/scoring/domain/score_store.h"
#include "services/scoring/domain/scoring_directory.h"

namespace kla::scoring {

// Recomputing a cycle's scores with the rulebook as the registry has it now
// (after a correction): queued, then run by the scoring worker. A job cut
// short by a restart runs again (recomputing is idempotent).
class RecomputeJobs {
 public:
  RecomputeJobs(ScoreStore* store, ScoringDirectory* directory, const Clock* clock)
      : store_(store), directory_(directory), clock_(clock) {}

  // Queues a full recompute of a cycle; FAILED_PRECONDITION once its final
  // results are published.
  absl::StatusOr<v1::RecomputeJob> Recompute(const std::string& cycle_id, const std::string& request_id,
                                             const auth::Principal& who);
  absl::StatusOr<v1::RecomputeJob> GetJob(const std::string& job_id);
  // Runs queued (and interrupted) jobs to the end. Returns how many ran.
  absl::StatusOr<int> RunPendingJobs();

 private:
  absl::Status RunJob(v1::RecomputeJob job) ABSL_EXCLUSIVE_LOCKS_REQUIRED(running_);

  ScoreStore* store_;
  ScoringDirectory* directory_;
  const Clock* clock_;
  // Jobs run one at a time in a process.
  absl::Mutex running_;
};

}  // namespace kla::scoring
