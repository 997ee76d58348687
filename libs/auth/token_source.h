#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/clock.h"

namespace kla::auth {

// A bearer token with its expiry.
struct ExpiringToken {
  std::string token;
  absl::Time expires;
};

// A service's own token for outbound calls: fetched (minted in-process, or
// obtained with an API key) when needed and reused until a third of its
// lifetime is left, so calls never carry a token about to expire.
class CachedToken {
 public:
  using Fetch = std::function<absl::StatusOr<ExpiringToken>()>;
  CachedToken(Fetch fetch, const Clock* clock) : fetch_(std::move(fetch)), clock_(clock) {}

  absl::StatusOr<std::string> Get();
  // Forgets the token (after the receiver refused it).
  void Invalidate();

 private:
  Fetch fetch_;
  const Clock* clock_;
  absl::Mutex mu_;
  ExpiringToken current_ ABSL_GUARDED_BY(mu_);
  absl::Time refresh_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace kla::auth
