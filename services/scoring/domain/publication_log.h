#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "kla/scoring/v1/scoring.pb.h"
#include "libs/common/clock.h"
#include "services/scoring/domain/score_store.h"

namespace kla::scoring {

// A cycle's publications and what they make visible.
struct CyclePublications {
  std::shared_ptr<const std::vector<v1::Publication>> all;
  const v1::Publication* provisional = nullptr;  // into `all`
  const v1::Publication* final = nullptr;        // into `all`
  bool announced = false;                        // final and past its embargo
};

// `pubs` read as of `now`.
CyclePublications Classify(std::shared_ptr<const std::vector<v1::Publication>> pubs, absl::Time now);

// Publications read from memory for `ttl`: every ranking and score read
// needs them, and they change twice per cycle (another replica's
// publication shows within the ttl; this process's at once, by Forget).
class PublicationLog {
 public:
  PublicationLog(ScoreStore* store, const Clock* clock, absl::Duration ttl) : store_(store), clock_(clock), ttl_(ttl) {}

  absl::StatusOr<CyclePublications> Read(const std::string& cycle_id);
  // The next Read goes to the store.
  void Forget(const std::string& cycle_id);

 private:
  ScoreStore* store_;
  const Clock* clock_;
  const absl::Duration ttl_;
  absl::Mutex mu_;
  std::map<std::string, std::pair<std::shared_ptr<const std::vector<v1::Publication>>, absl::Time>> cached_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace kla::scoring
