#include "libs/auth/token_source.h"

#include "absl/synchronization/mutex.h"

namespace kla::auth {

absl::StatusOr<std::string> CachedToken::Get() {
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_->Now();
  if (!current_.token.empty() && now < refresh_at_) return current_.token;
  auto fresh = fetch_();
  if (!fresh.ok()) return fresh.status();
  current_ = *std::move(fresh);
  refresh_at_ = now + (current_.expires - now) * 2 / 3;
  return current_.token;
}

void CachedToken::Invalidate() {
  absl::MutexLock lock(&mu_);
  current_ = {};
  refresh_at_ = absl::InfinitePast();
}

}  // namespace kla::auth
