#pragma once

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kla/event/v1/event.pb.h"
#include "kla/notification/v1/notification.pb.h"

namespace kla::notification {

// The notification an event from submission or scoring becomes: its type,
// cycle, region, times and the event itself. The id derives from the event
// id, so the same event always makes the same message. FAILED_PRECONDITION
// for an event type notification does not know.
absl::StatusOr<v1::Notification> FromEvent(const event::v1::EventEnvelope& event, absl::Time accepted);

// Whether `n` passes a subscription's or a watcher's filters (empty: all).
// National notifications pass any region filter.
bool Matches(const v1::Notification& n, const google::protobuf::RepeatedField<int>& types,
             const google::protobuf::RepeatedPtrField<std::string>& regions);

}  // namespace kla::notification
