#include "libs/common/call_deadline.h"

#include <algorithm>

namespace kla {
namespace {

// Per thread: a gRPC handler runs a call on one thread from start to end.
thread_local absl::Time current = absl::InfiniteFuture();

}  // namespace

ScopedCallDeadline::ScopedCallDeadline(absl::Time deadline) : previous_(current) {
  current = std::min(current, deadline);
}

ScopedCallDeadline::~ScopedCallDeadline() { current = previous_; }

absl::Time CallDeadline() { return current; }

absl::Time OutboundDeadline(absl::Duration budget) { return std::min(current, absl::Now() + budget); }

}  // namespace kla
