#include "libs/webhook/http_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace kla::webhook {

absl::StatusOr<std::unique_ptr<HttpReceiver>> HttpReceiver::Start(int port) {
  std::unique_ptr<HttpReceiver> r(new HttpReceiver());
  r->listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(r->listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (bind(r->listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(r->listen_fd_, 256) != 0) {
    close(r->listen_fd_);
    return absl::UnavailableError(absl::StrCat("receiver cannot listen on port ", port));
  }
  socklen_t len = sizeof(addr);
  getsockname(r->listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  r->port_ = ntohs(addr.sin_port);
  r->acceptor_ = std::thread([p = r.get()] { p->AcceptLoop(); });
  return r;
}

HttpReceiver::~HttpReceiver() { Stop(); }

std::string HttpReceiver::Url(const std::string& path) const { return absl::StrCat("http://127.0.0.1:", port_, path); }

void HttpReceiver::FailNext(int n, int status, const std::string& retry_after) {
  absl::MutexLock lock(&mu_);
  fail_left_ = n;
  fail_status_ = status;
  fail_retry_after_ = retry_after;
}

void HttpReceiver::SetMode(Mode mode) {
  absl::MutexLock lock(&mu_);
  mode_ = mode;
}

void HttpReceiver::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
    shutdown(listen_fd_, SHUT_RDWR);
    close(listen_fd_);
    for (int fd : connections_) shutdown(fd, SHUT_RDWR);
  }
  if (acceptor_.joinable()) acceptor_.join();
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(this, &HttpReceiver::AllClosed));  // every connection's thread closed its socket
}

std::vector<HttpReceiver::Request> HttpReceiver::requests() const {
  absl::MutexLock lock(&mu_);
  return requests_;
}

bool HttpReceiver::WaitForRequests(size_t n, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  struct Args {
    const HttpReceiver* self;
    size_t n;
  } args{this, n};
  return mu_.AwaitWithTimeout(
      absl::Condition(
          +[](Args* a) ABSL_NO_THREAD_SAFETY_ANALYSIS { return a->self->requests_.size() >= a->n; }, &args),
      timeout);
}

void HttpReceiver::AcceptLoop() {
  while (true) {
    const int fd = accept(listen_fd_, nullptr, nullptr);
    absl::MutexLock lock(&mu_);
    if (fd < 0 || stopping_) {
      if (fd >= 0) close(fd);
      return;
    }
    connections_.push_back(fd);
    ++active_;
    std::thread([this, fd] {
      Serve(fd);
      close(fd);
      absl::MutexLock done(&mu_);
      connections_.erase(std::find(connections_.begin(), connections_.end(), fd));
      --active_;
    }).detach();
  }
}

void HttpReceiver::Serve(int fd) {
  std::string buffer;
  char chunk[8192];
  while (true) {
    // One request: headers, then Content-Length bytes.
    size_t header_end;
    while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      const ssize_t n = read(fd, chunk, sizeof(chunk));
      if (n <= 0) return;
      buffer.append(chunk, static_cast<size_t>(n));
    }
    Request req;
    std::vector<std::string> lines = absl::StrSplit(buffer.substr(0, header_end), "\r\n");
    std::vector<std::string> first = absl::StrSplit(lines[0], ' ');
    req.method = first.size() > 0 ? first[0] : "";
    req.path = first.size() > 1 ? first[1] : "";
    size_t length = 0;
    for (size_t i = 1; i < lines.size(); ++i) {
      const size_t colon = lines[i].find(':');
      if (colon == std::string::npos) continue;
      const std::string name = absl::AsciiStrToLower(lines[i].substr(0, colon));
      const std::string value(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
      req.headers[name] = value;
      if (name == "content-length") absl::SimpleAtoi(value, &length);
    }
    buffer.erase(0, header_end + 4);
    while (buffer.size() < length) {
      const ssize_t n = read(fd, chunk, sizeof(chunk));
      if (n <= 0) return;
      buffer.append(chunk, static_cast<size_t>(n));
    }
    req.body = buffer.substr(0, length);
    buffer.erase(0, length);
    int status = 200;
    std::string extra;
    {
      absl::MutexLock lock(&mu_);
      if (mode_ == Mode::kClose) return;  // the connection drops without an answer
      if (mode_ == Mode::kHang) {
        mu_.Await(absl::Condition(this, &HttpReceiver::HangEnded));
        return;
      }
      if (fail_left_ > 0) {
        --fail_left_;
        status = fail_status_;
        if (!fail_retry_after_.empty()) extra = absl::StrCat("Retry-After: ", fail_retry_after_, "\r\n");
      }
      req.answered = status;
      requests_.push_back(req);
    }
    const std::string body = status == 200 ? "ok" : "error";
    const std::string answer = absl::StrCat("HTTP/1.1 ", status, " X\r\nContent-Length: ", body.size(),
                                            "\r\nContent-Type: text/plain\r\n", extra, "\r\n", body);
    // MSG_NOSIGNAL: a client gone meanwhile is an error here, not a SIGPIPE.
    if (send(fd, answer.data(), answer.size(), MSG_NOSIGNAL) < 0) return;
  }
}

}  // namespace kla::webhook
