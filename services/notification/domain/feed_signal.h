#pragma once

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace kla::notification {

// Wakes feed readers (Watch streams) when notifications are released, so
// they do not poll the database in a tight loop. Readers still look every
// `Wait` timeout: another process may have released some.
class FeedSignal {
 public:
  void Notify() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    ++generation_;
  }
  uint64_t generation() const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return generation_;
  }
  // Until a Notify after `seen`, Close, or `timeout`.
  void Wait(uint64_t seen, absl::Duration timeout) const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    struct Args {
      const FeedSignal* self;
      uint64_t seen;
    } args{this, seen};
    mu_.AwaitWithTimeout(absl::Condition(
                             +[](Args* a) ABSL_NO_THREAD_SAFETY_ANALYSIS {  // runs with mu_ held
                               return a->self->closed_ || a->self->generation_ != a->seen;
                             },
                             &args),
                         timeout);
  }
  // Shutdown: every reader returns.
  void Close() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }
  bool closed() const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return closed_;
  }

 private:
  mutable absl::Mutex mu_;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace kla::notification
