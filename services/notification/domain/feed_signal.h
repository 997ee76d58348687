#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "absl/time/time.h"

namespace kla::notification {

// Wakes feed readers (Watch streams) when notifications are released, so
// they do not poll the database in a tight loop. Readers still look every
// `Wait` timeout: another process may have released some.
class FeedSignal {
 public:
  void Notify() {
    {
      std::lock_guard lock(mu_);
      ++generation_;
    }
    cv_.notify_all();
  }
  uint64_t generation() const {
    std::lock_guard lock(mu_);
    return generation_;
  }
  // Until a Notify after `seen`, Close, or `timeout`.
  void Wait(uint64_t seen, absl::Duration timeout) const {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, absl::ToChronoMilliseconds(timeout), [&] { return closed_ || generation_ != seen; });
  }
  // Shutdown: every reader returns.
  void Close() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
  }
  bool closed() const {
    std::lock_guard lock(mu_);
    return closed_;
  }

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  uint64_t generation_ = 0;
  bool closed_ = false;
};

}  // namespace kla::notification
