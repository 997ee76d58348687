#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <memory>

#include "absl/time/time.h"
#include "kla/notification/v1/notification_service.grpc.pb.h"
#include "libs/gateway/routes.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace kla::gateway {

// NotificationService.Watch as Server-Sent Events: each notification is an
// event whose id is its sequence and whose data is its JSON; a browser's
// EventSource (or any SSE client) resumes after a drop by sending the last id
// as Last-Event-ID. A comment line every `heartbeat` keeps proxies from
// closing a quiet feed and notices a client that went away.
class EventStream {
 public:
  // `stopping`: set when the gateway stops; open feeds then end at once.
  EventStream(const std::shared_ptr<grpc::Channel>& channel, absl::Duration heartbeat,
              const std::atomic<bool>* stopping)
      : stub_(notification::v1::NotificationService::NewStub(channel)), heartbeat_(heartbeat), stopping_(stopping) {}

  // `hold` is kept until the answer is written (after Serve returns).
  void Serve(const RouteMatch& match, const httplib::Request& req, httplib::Response& res,
             std::shared_ptr<void> hold) const;

 private:
  std::unique_ptr<notification::v1::NotificationService::Stub> stub_;
  absl::Duration heartbeat_;
  const std::atomic<bool>* stopping_;
};

}  // namespace kla::gateway
