#pragma once

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace kla::webhook {

// A webhook receiver on 127.0.0.1 for tests, benchmarks and klactl
// simulate: records every request and answers as scripted (fail the next N,
// hang, close the connection). HTTP/1.1 with keep-alive; one thread per
// connection, gone with its connection.
class HttpReceiver {
 public:
  struct Request {
    std::string method;
    std::string path;
    std::map<std::string, std::string> headers;  // names lower-case
    std::string body;
    int answered = 0;  // the status it was answered with
  };
  enum class Mode { kAnswer, kHang, kClose };

  // Listens on a free port (or `port`, to come back on the same address).
  static absl::StatusOr<std::unique_ptr<HttpReceiver>> Start(int port = 0);
  ~HttpReceiver();

  int port() const { return port_; }
  std::string Url(const std::string& path = "/hook") const;

  // The next `n` requests are answered with `status` (and a Retry-After
  // header when `retry_after` is not empty); then 200 again.
  void FailNext(int n, int status = 500, const std::string& retry_after = "");
  void SetMode(Mode mode);
  // Stops listening and drops connections (a receiver going down).
  void Stop();

  std::vector<Request> requests() const;
  // Waits until at least `n` requests arrived (or `timeout`); true if so.
  bool WaitForRequests(size_t n, absl::Duration timeout) const;

 private:
  HttpReceiver() = default;
  void AcceptLoop();
  void Serve(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  std::thread acceptor_;
  bool AllClosed() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return active_ == 0; }
  bool HangEnded() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || mode_ != Mode::kHang; }

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  Mode mode_ ABSL_GUARDED_BY(mu_) = Mode::kAnswer;
  int fail_left_ ABSL_GUARDED_BY(mu_) = 0;
  int fail_status_ ABSL_GUARDED_BY(mu_) = 500;
  std::string fail_retry_after_ ABSL_GUARDED_BY(mu_);
  std::vector<Request> requests_ ABSL_GUARDED_BY(mu_);
  std::vector<int> connections_ ABSL_GUARDED_BY(mu_);  // open ones; each served by a detached thread
  int active_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace kla::webhook
