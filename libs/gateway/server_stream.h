#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/client_callback.h>

#include <algorithm>
#include <atomic>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/rpc/peer.h"

namespace kla::gateway {

// A server-streaming call read one message at a time by an HTTP response
// that must also notice time passing (heartbeats, a client gone quiet). The
// next message is requested only once the last was taken, so the service
// never runs ahead of the HTTP client.
template <class Request, class Response>
class ServerStream final : public grpc::ClientReadReactor<Response> {
 public:
  enum class Next { kMessage, kEnd, kTimeout, kStopping };

  // `stopping`, when given, ends waits within a fraction of a second once
  // set (the gateway stops), before the services stop their streams.
  explicit ServerStream(const std::atomic<bool>* stopping = nullptr) : stopping_(stopping) {}
  ServerStream(const ServerStream&) = delete;
  ServerStream& operator=(const ServerStream&) = delete;
  ~ServerStream() override { Close(); }

  grpc::ClientContext* context() { return &ctx_; }
  // Lives as long as the call, as gRPC needs.
  Request* request() { return &request_; }

  // After the stub registered the call with this reactor
  // (stub.async()->Method(context(), request(), this)).
  void Start() {
    {
      absl::MutexLock lock(&mu_);
      holding_ = true;
      started_ = true;
    }
    // Held until no read will follow, so the call cannot end (and gRPC
    // let go of it) between a message taken and the next read started.
    this->AddHold();
    this->StartRead(&incoming_);
    this->StartCall();
  }

  // Waits until the service admitted the stream (sent kStreamOpenMetadata
  // or a message: true) or ended it before (false: status() says how), at
  // most `timeout` (true then: nothing was refused).
  bool WaitAdmitted(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(this, &ServerStream::AdmittedOrDone), timeout);
    return !done_ || has_message_;
  }

  // The next message into `out`, the end of the stream, nothing for
  // `timeout`, or the gateway stopping.
  Next Wait(absl::Duration timeout, Response* out) {
    {
      absl::MutexLock lock(&mu_);
      const absl::Time until = absl::Now() + timeout;
      while (!MessageOrDone() && absl::Now() < until) {
        if (stopping_ != nullptr && stopping_->load()) return Next::kStopping;
        mu_.AwaitWithTimeout(absl::Condition(this, &ServerStream::MessageOrDone),
                             std::min(kStopCheck, until - absl::Now()));
      }
      if (!has_message_) return done_ ? Next::kEnd : Next::kTimeout;
      *out = std::move(incoming_);
      incoming_.Clear();
      has_message_ = false;
    }
    this->StartRead(&incoming_);
    return Next::kMessage;
  }

  // How the stream ended; only after Wait answered kEnd.
  grpc::Status status() {
    absl::MutexLock lock(&mu_);
    return status_;
  }

  // Cancels the call (the HTTP client went away, or the answer is written)
  // and waits until gRPC let go of this reactor. Idempotent.
  void Close() {
    bool release = false;
    {
      absl::MutexLock lock(&mu_);
      if (!started_) return;
      // A message not taken: no read is pending to end the hold.
      release = has_message_ && holding_;
      if (release) holding_ = false;
    }
    ctx_.TryCancel();
    if (release) this->RemoveHold();
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&done_));
  }

 private:
  bool AdmittedOrDone() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return admitted_ || has_message_ || done_; }
  bool MessageOrDone() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return has_message_ || done_; }

  void OnReadInitialMetadataDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    admitted_ = ok && ctx_.GetServerInitialMetadata().contains(rpc::kStreamOpenMetadata);
  }
  void OnReadDone(bool ok) override {
    bool release = false;
    {
      absl::MutexLock lock(&mu_);
      has_message_ = ok;
      release = !ok && holding_;
      if (release) holding_ = false;
    }
    if (release) this->RemoveHold();  // outside the lock: OnDone may run inline
  }
  void OnDone(const grpc::Status& status) override {
    absl::MutexLock lock(&mu_);
    status_ = status;
    done_ = true;
  }

  static constexpr absl::Duration kStopCheck = absl::Milliseconds(250);

  const std::atomic<bool>* stopping_;
  grpc::ClientContext ctx_;
  Request request_;
  absl::Mutex mu_;
  // Written by gRPC between StartRead and OnReadDone, taken by Wait after.
  Response incoming_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool holding_ ABSL_GUARDED_BY(mu_) = false;
  bool has_message_ ABSL_GUARDED_BY(mu_) = false;
  bool admitted_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kla::gateway
