#pragma once

#include <map>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/webhook/url.h"

namespace kla::webhook {

// The outcome of one POST.
struct HttpResult {
  int status = 0;           // HTTP status; 0 when no answer came
  std::string error;        // why there was no answer (connect, timeout, ...)
  absl::Duration latency;   // until the answer or the failure
  std::string body_prefix;  // the first bytes of the answer, for the delivery log
  // The receiver's Retry-After (429, 503), if it sent one.
  std::optional<absl::Duration> retry_after;
};

// Sends webhooks. An interface so the delivery engine is tested without a
// network and a bench can compare against plain POSTs.
class HttpSender {
 public:
  virtual ~HttpSender() = default;
  virtual HttpResult Post(const std::string& url, const std::map<std::string, std::string>& headers,
                          absl::string_view body, absl::Duration timeout) = 0;
};

// libcurl: one easy handle per thread (thread-safe; connections kept alive
// across calls), no redirects followed (a redirect is an answer, not a new
// destination), no proxy, the connect address checked against the
// AddressPolicy when a connection opens (a name may resolve anywhere), and
// errors described in a few generic words.
class CurlHttpSender final : public HttpSender {
 public:
  explicit CurlHttpSender(const AddressPolicy* policy);
  HttpResult Post(const std::string& url, const std::map<std::string, std::string>& headers, absl::string_view body,
                  absl::Duration timeout) override;

 private:
  const AddressPolicy* policy_;
};

}  // namespace kla::webhook
