#include "libs/common/periodic_worker.h"

#include <utility>

namespace kla {

PeriodicWorker::PeriodicWorker(Options options, Pass pass) : options_(options), pass_(std::move(pass)) {}

PeriodicWorker::PeriodicWorker(Options options, const std::function<void()>& pass)
    : PeriodicWorker(options, Pass([pass, interval = options.interval] {
                       pass();
                       return interval;
                     })) {}

PeriodicWorker::~PeriodicWorker() { Stop(); }

void PeriodicWorker::Start() {
  absl::MutexLock lock(&mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  woken_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void PeriodicWorker::Stop() {
  std::thread thread;
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
    thread = std::move(thread_);
  }
  if (thread.joinable()) thread.join();
}

void PeriodicWorker::Wake() {
  absl::MutexLock lock(&mu_);
  woken_ = true;
}

void PeriodicWorker::Loop() {
  absl::Duration rest = options_.first_pass_at_start ? absl::ZeroDuration() : options_.interval;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(this, &PeriodicWorker::StopOrWoken), rest);
      if (stop_) return;
      woken_ = false;
    }
    rest = pass_();
  }
}

}  // namespace kla
