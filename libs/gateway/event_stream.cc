#include "libs/gateway/event_stream.h"

#include <httplib.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/gateway/http_call.h"
#include "libs/gateway/server_stream.h"
#include "libs/gateway/transcode.h"

namespace kla::gateway {
namespace {

using Feed = ServerStream<notification::v1::WatchRequest, notification::v1::Notification>;

// A browser reconnects this long after the feed ended (SSE "retry").
constexpr int kRetryMillis = 3000;
// How long the service may take to admit or refuse the feed before the
// answer is committed to 200 (a refusal comes at once).
constexpr absl::Duration kAdmitWait = absl::Seconds(5);

// Builds the WatchRequest; Last-Event-ID, when later than after_sequence,
// is where the feed resumes.
absl::Status BuildWatch(const RouteMatch& match, const httplib::Request& req, notification::v1::WatchRequest* out) {
  std::multimap<std::string, std::string> query(req.params.begin(), req.params.end());
  auto built = BuildRequest(match, query, "");
  if (!built.ok()) return built.status();
  out->CopyFrom(**built);
  if (!req.has_header("Last-Event-ID")) return absl::OkStatus();
  int64_t last = 0;
  if (!absl::SimpleAtoi(req.get_header_value("Last-Event-ID"), &last) || last < 0) {
    return absl::InvalidArgumentError("Last-Event-ID must be the sequence of the last event received");
  }
  out->set_after_sequence(std::max(out->after_sequence(), last));
  return absl::OkStatus();
}

std::string EventOf(const notification::v1::Notification& n) {
  return absl::StrCat("id: ", n.sequence(), "\ndata: ", ToJson(n), "\n\n");
}

// Streams the feed into `sink` until it ends or the client goes away.
bool Pump(Feed& feed, absl::Duration heartbeat, httplib::DataSink& sink) {
  auto write = [&](const std::string& text) { return sink.write(text.data(), text.size()); };
  if (!write(absl::StrCat("retry: ", kRetryMillis, "\n\n"))) return false;
  notification::v1::Notification n;
  while (true) {
    switch (feed.Wait(heartbeat, &n)) {
      case Feed::Next::kMessage:
        if (!write(EventOf(n))) return false;
        break;
      case Feed::Next::kTimeout:
        if (!write(": keep-alive\n\n")) return false;
        break;
      case Feed::Next::kStopping:
        write(": the server is stopping; reconnect with Last-Event-ID\n\n");
        sink.done();
        return true;
      case Feed::Next::kEnd: {
        // The feed ends (its lifetime, a shutdown, a revoked token); the
        // client reconnects with Last-Event-ID and hears why if refused.
        const grpc::Status status = feed.status();
        write(absl::StrCat(": ended: ", status.error_message(), "\n\n"));
        sink.done();
        return true;
      }
    }
  }
}

}  // namespace

void EventStream::Serve(const RouteMatch& match, const httplib::Request& req, httplib::Response& res,
                        std::shared_ptr<void> hold) const {
  auto feed = std::make_shared<Feed>(stopping_);
  if (absl::Status built = BuildWatch(match, req, feed->request()); !built.ok()) {
    WriteError(grpc::StatusCode::INVALID_ARGUMENT, built.message(), res);
    return;
  }
  ForwardCall(req, feed->context());
  stub_->async()->Watch(feed->context(), feed->request(), feed.get());
  feed->Start();
  if (!feed->WaitAdmitted(kAdmitWait)) {
    WriteError(feed->status(), res);
    return;
  }
  res.status = 200;
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Accel-Buffering", "no");  // proxies pass events on at once
  const absl::Duration heartbeat = heartbeat_;
  res.set_chunked_content_provider(
      "text/event-stream; charset=utf-8",
      [feed, heartbeat](size_t /*offset*/, httplib::DataSink& sink) { return Pump(*feed, heartbeat, sink); },
      [feed, hold = std::move(hold)](bool /*success*/) { feed->Close(); });
}

}  // namespace kla::gateway
