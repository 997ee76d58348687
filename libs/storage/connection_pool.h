#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/metrics/metrics.h"

namespace kla::storage {

// A fixed-capacity pool of connections created lazily by `factory`. Broken
// connections are dropped by the borrower (Lease::Discard) and replaced on
// demand, so a database restart heals without restarting the service.
template <typename Conn>
class ConnectionPool {
 public:
  using Factory = std::function<absl::StatusOr<std::unique_ptr<Conn>>()>;

  ConnectionPool(int capacity, absl::Duration acquire_timeout, Factory factory)
      : capacity_(capacity), acquire_timeout_(acquire_timeout), factory_(std::move(factory)) {}

  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<Conn> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(std::move(other.conn_)) { other.pool_ = nullptr; }
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease() {
      if (pool_ != nullptr) pool_->Return(std::move(conn_));
    }
    Conn* operator->() const { return conn_.get(); }
    Conn& operator*() const { return *conn_; }
    // The connection is broken: do not return it to the pool.
    void Discard() { conn_.reset(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Conn> conn_;
  };

  absl::StatusOr<Lease> Acquire() ABSL_LOCKS_EXCLUDED(mu_) {
    {
      absl::MutexLock lock(&mu_);
      const bool waited = !CanLend();
      const bool lent = mu_.AwaitWithTimeout(absl::Condition(this, &ConnectionPool::CanLend), acquire_timeout_);
      if (waited) metrics::CountPoolWait(!lent);
      if (!lent) {
        return absl::UnavailableError(
            absl::StrCat("no database connection free after ", absl::FormatDuration(acquire_timeout_)));
      }
      if (!idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        return Lease(this, std::move(conn));
      }
      ++open_;  // a slot for a new connection
    }
    auto conn = factory_();  // a round trip: not under the lock
    if (!conn.ok()) {
      absl::MutexLock lock(&mu_);
      --open_;
      return conn.status();
    }
    return Lease(this, *std::move(conn));
  }

 private:
  bool CanLend() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !idle_.empty() || open_ < capacity_; }

  void Return(std::unique_ptr<Conn> conn) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (conn) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;
    }
  }

  const int capacity_;
  const absl::Duration acquire_timeout_;
  const Factory factory_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<Conn>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace kla::storage
