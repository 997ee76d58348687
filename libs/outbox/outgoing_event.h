#pragma once

#include <google/protobuf/message.h>

#include <memory>
#include <string>

namespace kla::outbox {

// An event a domain hands to another service through its store's outbox,
// in the same transaction as the change that caused it. Plain data, so
// domain code can build events without knowing about the outbox.
struct OutgoingEvent {
  std::string target;  // "scoring", "notification"
  std::shared_ptr<const google::protobuf::Message> payload;
};

}  // namespace kla::outbox
