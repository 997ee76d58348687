#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"

namespace kla::rpc {

struct StreamLimits {
  // A stream that moves no message for this long is cancelled (a stalled
  // upload, a client that stopped reading a download or the feed).
  absl::Duration idle_timeout = absl::Seconds(60);
  // No stream lives longer; Watch ends before it with a resumable
  // UNAVAILABLE, others are cancelled.
  absl::Duration max_lifetime = absl::Hours(1);
  // Streams open at once per account (anonymous callers: per address).
  int per_account = 8;
  // Streams open at once in the process: kept below the handler threads, so
  // streams can never take every thread from unary calls.
  int total = 96;
};

class StreamTracker;

// One admitted stream, held by its handler for the stream's duration.
class StreamLease {
 public:
  ~StreamLease();
  StreamLease(const StreamLease&) = delete;
  StreamLease& operator=(const StreamLease&) = delete;
  // The stream made progress (a message read or written).
  void Touch();
  // Its lifetime is over: end the stream (resumably) now.
  bool Expired() const;

 private:
  friend class StreamTracker;
  StreamLease(StreamTracker* tracker, uint64_t id) : tracker_(tracker), id_(id) {}
  StreamTracker* tracker_;
  uint64_t id_;
};

// Admission and time limits for every streaming call of a process. A
// watchdog thread cancels streams past their idle timeout or lifetime
// (ServerContext::TryCancel, which unblocks a handler stuck in Read or
// Write), so no stream holds a thread for ever.
class StreamTracker {
 public:
  explicit StreamTracker(StreamLimits limits, const Clock* clock = SystemClock::Get());
  ~StreamTracker();
  StreamTracker(const StreamTracker&) = delete;
  StreamTracker& operator=(const StreamTracker&) = delete;

  // Admits a stream of `account`. RESOURCE_EXHAUSTED with RetryInfo when the
  // account or the process has as many open as allowed.
  absl::StatusOr<std::unique_ptr<StreamLease>> Open(grpc::ServerContextBase* ctx, const std::string& account);
  // The same with the action that cancels the stream (tests).
  absl::StatusOr<std::unique_ptr<StreamLease>> Open(std::function<void()> cancel, const std::string& account);

  // Starts / stops the watchdog (tests call Sweep themselves).
  void Start();
  void Stop();
  // Cancels the streams past their limits; returns how many.
  int Sweep();

  int open() const;
  const StreamLimits& limits() const { return limits_; }

 private:
  friend class StreamLease;
  struct Entry {
    std::function<void()> cancel;
    std::string account;
    absl::Time opened;
    absl::Time last_progress;
    bool cancelled = false;
  };
  void Close(uint64_t id);
  void Touch(uint64_t id);
  bool Expired(uint64_t id) const;
  void Loop();

  const StreamLimits limits_;
  const Clock* clock_;
  mutable absl::Mutex mu_;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<uint64_t, Entry> open_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> per_account_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread watchdog_;
};

}  // namespace kla::rpc
