#include "libs/rpc/streams.h"

#include "absl/strings/str_cat.h"
#include "libs/common/errors.h"
#include "libs/common/log.h"

namespace kla::rpc {

StreamLease::~StreamLease() { tracker_->Close(id_); }
void StreamLease::Touch() { tracker_->Touch(id_); }
bool StreamLease::Expired() const { return tracker_->Expired(id_); }

StreamTracker::StreamTracker(StreamLimits limits, const Clock* clock) : limits_(limits), clock_(clock) {}

StreamTracker::~StreamTracker() { Stop(); }

absl::StatusOr<std::unique_ptr<StreamLease>> StreamTracker::Open(grpc::ServerContextBase* ctx,
                                                                 const std::string& account) {
  // TryCancel may be called from any thread; it unblocks Read and Write.
  return Open([ctx] { ctx->TryCancel(); }, account);
}

absl::StatusOr<std::unique_ptr<StreamLease>> StreamTracker::Open(std::function<void()> cancel,
                                                                 const std::string& account) {
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  int& mine = per_account_[account];
  if (mine >= limits_.per_account) {
    return ResourceExhaustedRetryAfter(absl::StrCat("this account already has ", mine, " streams open (at most ",
                                                    limits_.per_account, "): close one, or resume later"),
                                       absl::Seconds(5));
  }
  if (static_cast<int>(open_.size()) >= limits_.total) {
    if (mine == 0) per_account_.erase(account);
    return ResourceExhaustedRetryAfter("the server has as many streams open as it serves: try again shortly",
                                       absl::Seconds(5));
  }
  ++mine;
  const uint64_t id = next_id_++;
  open_.emplace(id, Entry{std::move(cancel), account, now, now});
  return std::unique_ptr<StreamLease>(new StreamLease(this, id));
}

void StreamTracker::Close(uint64_t id) {
  absl::MutexLock lock(&mu_);
  auto it = open_.find(id);
  if (it == open_.end()) return;
  if (--per_account_[it->second.account] <= 0) per_account_.erase(it->second.account);
  open_.erase(it);
}

void StreamTracker::Touch(uint64_t id) {
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  if (auto it = open_.find(id); it != open_.end()) it->second.last_progress = now;
}

bool StreamTracker::Expired(uint64_t id) const {
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  auto it = open_.find(id);
  return it == open_.end() || now - it->second.opened >= limits_.max_lifetime;
}

int StreamTracker::Sweep() {
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  int cancelled = 0;
  for (auto& [id, e] : open_) {
    if (e.cancelled) continue;
    const bool idle = now - e.last_progress >= limits_.idle_timeout;
    // Past its lifetime by an idle timeout: the handler did not end it.
    const bool old = now - e.opened >= limits_.max_lifetime + limits_.idle_timeout;
    if (!idle && !old) continue;
    // Under the lock: the lease (and so the call) cannot end meanwhile.
    e.cancel();
    e.cancelled = true;
    ++cancelled;
    log::Info("stream cancelled", {{"account", e.account}, {"why", idle ? "idle" : "lifetime"}});
  }
  return cancelled;
}

int StreamTracker::open() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(open_.size());
}

void StreamTracker::Start() {
  absl::MutexLock lock(&mu_);
  if (watchdog_.joinable()) return;
  stopping_ = false;
  watchdog_ = std::thread([this] { Loop(); });
}

void StreamTracker::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (watchdog_.joinable()) watchdog_.join();
}

void StreamTracker::Loop() {
  // A tenth of the idle timeout (at most a second) between sweeps.
  const absl::Duration every = std::min(limits_.idle_timeout / 10, absl::Seconds(1));
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), every)) return;
    }
    Sweep();
  }
}

}  // namespace kla::rpc
