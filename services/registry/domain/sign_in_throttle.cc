#include "services/registry/domain/sign_in_throttle.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/common/errors.h"
#include "libs/kernel/time.h"

namespace kla::registry {
namespace {

absl::Status TryLater(absl::Time until, absl::Time now) {
  const absl::Duration wait = std::max(until - now, absl::Seconds(1));
  return ResourceExhaustedRetryAfter(
      absl::StrCat("too many failed sign-ins: try again after ", FormatWibClock(now + wait)), wait);
}

}  // namespace

std::string SignInThrottle::PairKey(absl::string_view name, absl::string_view source) {
  return absl::StrCat(name, "\n", source);
}

absl::Duration SignInThrottle::Delay(int lockouts, absl::Duration first) const {
  absl::Duration d = first;
  for (int i = 0; i < lockouts && d < limits_.max_delay; ++i) d *= 2;
  return std::min(d, limits_.max_delay);
}

SignInThrottle::Counter& SignInThrottle::Get(Counters& counters, absl::string_view key, absl::Time now) {
  auto it = counters.find(key);
  if (it == counters.end()) it = counters.emplace(std::string(key), Counter{}).first;
  Counter& c = it->second;
  if (now - c.first_failure > limits_.window && c.blocked_until <= now) {
    c.failures = 0;
    c.first_failure = absl::InfinitePast();
  }
  if (now - c.last_seen > 4 * limits_.max_delay) c.lockouts = 0;
  c.last_seen = now;
  return c;
}

void SignInThrottle::Forget(absl::Time now) {
  const size_t size = by_pair_.size() + by_name_.size() + by_source_.size();
  if (size <= limits_.max_tracked) return;
  // Idle entries first; if an attack keeps that many blocked, the oldest
  // blocks go too (the account's own checks still apply).
  for (const bool keep_blocked : {true, false}) {
    for (Counters* counters : {&by_pair_, &by_name_, &by_source_}) {
      std::erase_if(*counters, [&](const auto& entry) {
        const Counter& c = entry.second;
        return c.in_flight == 0 && (!keep_blocked || c.blocked_until <= now);
      });
    }
    if (by_pair_.size() + by_name_.size() + by_source_.size() <= limits_.max_tracked) return;
  }
}

absl::Status SignInThrottle::Claim(absl::string_view name, absl::string_view source) {
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  Forget(now);
  Counter& pair = Get(by_pair_, PairKey(name, source), now);
  Counter& by_name = Get(by_name_, name, now);
  Counter& by_source = Get(by_source_, source, now);
  for (const Counter* c : {&pair, &by_name, &by_source}) {
    if (c->blocked_until > now) return TryLater(c->blocked_until, now);
  }
  // Attempts in flight count as failures until they are known: a burst of
  // guesses gets no more checks than the limit.
  if (pair.failures + pair.in_flight >= limits_.failures_per_name_and_source ||
      by_name.failures + by_name.in_flight >= limits_.failures_per_name ||
      // Past its limit a source has one attempt at a time, each after its delay.
      (by_source.in_flight > 0 && by_source.failures + by_source.in_flight >= limits_.failures_per_source)) {
    return TryLater(now + absl::Seconds(1), now);
  }
  ++pair.in_flight;
  ++by_name.in_flight;
  ++by_source.in_flight;
  return absl::OkStatus();
}

void SignInThrottle::Finish(absl::string_view name, absl::string_view source, Result result) {
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  if (result == Result::kWrong) return Failed(name, source, now);
  Counter& pair = Get(by_pair_, PairKey(name, source), now);
  // The right password clears the pair: the owner's own typos are forgiven.
  if (result == Result::kRight) pair = Counter{.last_seen = now};
  for (Counter* c : {&pair, &Get(by_name_, name, now), &Get(by_source_, source, now)}) {
    c->in_flight = std::max(0, c->in_flight - 1);
  }
}

void SignInThrottle::Failed(absl::string_view name, absl::string_view source, absl::Time now) {
  Counter& pair = Get(by_pair_, PairKey(name, source), now);
  Counter& by_name = Get(by_name_, name, now);
  Counter& by_source = Get(by_source_, source, now);
  for (Counter* c : {&pair, &by_name, &by_source}) {
    c->in_flight = std::max(0, c->in_flight - 1);
    if (c->failures++ == 0) c->first_failure = now;
  }
  if (pair.failures >= limits_.failures_per_name_and_source) {
    pair.blocked_until = now + Delay(pair.lockouts++, limits_.lockout);
    pair.failures = 0;
  }
  if (by_name.failures >= limits_.failures_per_name) {
    by_name.blocked_until = now + limits_.lockout;
    by_name.failures = 0;
  }
  if (by_source.failures >= limits_.failures_per_source) {
    by_source.blocked_until = now + Delay(by_source.failures - limits_.failures_per_source, absl::Seconds(1));
  }
}

absl::Status SignInThrottle::AcquireHash(std::optional<HashSlot>* slot) {
  absl::MutexLock lock(&mu_);
  if (!mu_.AwaitWithTimeout(absl::Condition(this, &SignInThrottle::HashFree), limits_.hash_wait)) {
    return ResourceExhaustedRetryAfter("the sign-in service is busy: try again in a few seconds", absl::Seconds(2));
  }
  ++hashing_;
  slot->emplace(this);
  return absl::OkStatus();
}

SignInThrottle::HashSlot::~HashSlot() {
  if (owner_ == nullptr) return;
  absl::MutexLock lock(&owner_->mu_);
  --owner_->hashing_;
}

}  // namespace kla::registry
