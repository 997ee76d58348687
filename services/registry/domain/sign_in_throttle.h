#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"

namespace kla::registry {

struct SignInLimits {
  // Argon2id checks at once (64 MiB each): beyond them a sign-in waits up to
  // `hash_wait`, then is refused with RESOURCE_EXHAUSTED. Sized so that the
  // registry stays within its memory limit (4 x 64 MiB under a 1 GiB pod).
  int concurrent_hashes = 4;
  absl::Duration hash_wait = absl::Seconds(2);
  // Wrong passwords for one name from one source address: then that source
  // waits `lockout` for that name, doubling with every further lockout (up
  // to `max_delay`). Other sources, the owner's among them, are unaffected.
  int failures_per_name_and_source = 5;
  absl::Duration lockout = absl::Minutes(5);
  // Wrong passwords for one name from all sources in `window`: then the name
  // waits `lockout` (not doubled: a distributed guesser delays the owner by
  // minutes, never for good).
  int failures_per_name = 50;
  // Wrong passwords from one source for any names in `window`: then every
  // further failure doubles that source's delay from 1 s (to `max_delay`).
  int failures_per_source = 20;
  absl::Duration window = absl::Minutes(15);
  absl::Duration max_delay = absl::Minutes(15);
  // Names and sources remembered at most (oldest forgotten first).
  size_t max_tracked = 100000;
};

// Bounds on guessing passwords, kept in memory by each registry process.
// Attempts are claimed before the password is checked, so concurrent
// guesses count as they start (none slips past the limit), and names that
// do not exist are treated exactly as names that do: the answers never tell
// which accounts exist.
class SignInThrottle {
 public:
  SignInThrottle(SignInLimits limits, const Clock* clock) : limits_(limits), clock_(clock) {}

  // An attempt about to check a password of `name` from `source` (an IP
  // address; empty when unknown). RESOURCE_EXHAUSTED with RetryInfo while
  // the name, the source or the pair must wait. Every OK must be followed
  // by Finish.
  absl::Status Claim(absl::string_view name, absl::string_view source);
  enum class Result { kWrong, kRight, kNotChecked };
  void Finish(absl::string_view name, absl::string_view source, Result result);

  // A slot for one Argon2id computation, held while it runs.
  class HashSlot {
   public:
    explicit HashSlot(SignInThrottle* owner) : owner_(owner) {}
    HashSlot(HashSlot&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)) {}
    HashSlot& operator=(HashSlot&&) = delete;
    ~HashSlot();

   private:
    SignInThrottle* owner_;
  };
  // RESOURCE_EXHAUSTED with RetryInfo when no slot frees within hash_wait.
  absl::Status AcquireHash(std::optional<HashSlot>* slot);

 private:
  struct Counter {
    int failures = 0;
    int in_flight = 0;
    int lockouts = 0;  // consecutive lockouts, for the doubling
    absl::Time first_failure = absl::InfinitePast();
    absl::Time blocked_until = absl::InfinitePast();
    absl::Time last_seen = absl::InfinitePast();
  };
  using Counters = std::map<std::string, Counter, std::less<>>;

  // The counter of `key`, started afresh when its window has passed.
  Counter& Get(Counters& counters, absl::string_view key, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Forget(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Duration Delay(int lockouts, absl::Duration first) const;
  static std::string PairKey(absl::string_view name, absl::string_view source);
  void Failed(absl::string_view name, absl::string_view source, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool HashFree() const ABSL_SHARED_LOCKS_REQUIRED(mu_) { return hashing_ < limits_.concurrent_hashes; }

  const SignInLimits limits_;
  const Clock* clock_;
  absl::Mutex mu_;
  Counters by_pair_ ABSL_GUARDED_BY(mu_);
  Counters by_name_ ABSL_GUARDED_BY(mu_);
  Counters by_source_ ABSL_GUARDED_BY(mu_);
  int hashing_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace kla::registry
