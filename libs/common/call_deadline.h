#pragma once

#include "absl/time/clock.h"
#include "absl/time/time.h"

// The deadline of the call a thread is serving, carried to every call it
// makes on the caller's behalf (userver's "task-inherited deadline"): the
// handler helpers (libs/rpc) set it for the whole of a call, and every
// client derives its outbound deadline from it, so a call with 300 ms left
// never waits 5 s on another service. The domain in between stays free of
// deadlines and gRPC.

namespace kla {

// Sets the call deadline of this thread until destroyed (never later than
// one already set: a nested scope only shortens it).
class ScopedCallDeadline {
 public:
  explicit ScopedCallDeadline(absl::Time deadline);
  ~ScopedCallDeadline();
  ScopedCallDeadline(const ScopedCallDeadline&) = delete;
  ScopedCallDeadline& operator=(const ScopedCallDeadline&) = delete;

 private:
  absl::Time previous_;
};

// The deadline of the call this thread serves; InfiniteFuture outside one
// (background work).
absl::Time CallDeadline();

// The deadline of a call made now with `budget` of its own: the earlier of
// the served call's deadline and now + budget, in real time.
absl::Time OutboundDeadline(absl::Duration budget);

}  // namespace kla
