#pragma once

#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace kla {

// A background thread that runs one pass of work at an interval, at once
// when woken, and ends promptly on Stop: the loop every module's worker
// (outbox relay, delivery, rankings, key refresh, sweeping) shares.
class PeriodicWorker {
 public:
  // One pass; returns how long until the next (e.g. zero while more work
  // waits, the interval otherwise).
  using Pass = std::function<absl::Duration()>;

  struct Options {
    absl::Duration interval = absl::Seconds(1);
    // The first pass as the thread starts; else after one interval.
    bool first_pass_at_start = true;
  };

  PeriodicWorker(Options options, Pass pass);
  // A pass that is always followed by one interval of rest.
  PeriodicWorker(Options options, const std::function<void()>& pass);
  ~PeriodicWorker();  // stops
  PeriodicWorker(const PeriodicWorker&) = delete;
  PeriodicWorker& operator=(const PeriodicWorker&) = delete;

  // Starts the thread (again after Stop); a no-op while it runs.
  void Start() ABSL_LOCKS_EXCLUDED(mu_);
  // Ends the rest at once, lets a pass under way finish, joins.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);
  // Runs the next pass now (after the one under way, if any).
  void Wake() ABSL_LOCKS_EXCLUDED(mu_);

  const Options& options() const { return options_; }

 private:
  void Loop() ABSL_LOCKS_EXCLUDED(mu_);
  bool StopOrWoken() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_ || woken_; }

  const Options options_;
  const Pass pass_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kla
