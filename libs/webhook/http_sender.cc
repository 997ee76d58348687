#include "libs/webhook/http_sender.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "libs/webhook/url.h"

namespace kla::webhook {
namespace {

size_t KeepPrefix(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  const size_t len = size * n;
  if (out->size() < 512) out->append(data, std::min(len, 512 - out->size()));
  return len;
}

struct Connect {
  const AddressPolicy* policy;
  bool refused = false;
};

// Every connection's address, as resolved, against the policy: a name
// that resolves to loopback or a metadata address is never connected to.
curl_socket_t OpenSocket(void* user, curlsocktype /*purpose*/, struct curl_sockaddr* address) {
  auto* c = static_cast<Connect*>(user);
  if (!c->policy->Allows(&address->addr)) {
    c->refused = true;
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype, address->protocol);
}

// Retry-After (RFC 9110 10.2.3): delay-seconds or an HTTP-date.
size_t KeepRetryAfter(char* data, size_t size, size_t n, void* user) {
  const size_t len = size * n;
  absl::string_view line(data, len);
  if (absl::StartsWithIgnoreCase(line, "retry-after:")) {
    const absl::string_view value = absl::StripAsciiWhitespace(line.substr(12));
    auto* out = static_cast<std::optional<absl::Duration>*>(user);
    int64_t seconds = 0;
    absl::Time when;
    std::string error;
    if (absl::SimpleAtoi(value, &seconds) && seconds >= 0) {
      *out = absl::Seconds(seconds);
    } else if (absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", value, absl::UTCTimeZone(), &when, &error)) {
      *out = std::max(absl::ZeroDuration(), when - absl::Now());
    }
  }
  return len;
}

// What the delivery log says: a few plain categories, never curl's own text
// (which told an attacker a port was open, closed or filtered).
std::string Describe(CURLcode rc, bool refused) {
  if (refused) return "the endpoint's address is not allowed for webhooks";
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
      return "the host name could not be resolved";
    case CURLE_OPERATION_TIMEDOUT:
      return "no answer within the timeout";
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
      return "the TLS handshake with the endpoint failed";
    default:
      return "the endpoint could not be reached";
  }
}

}  // namespace

CurlHttpSender::CurlHttpSender(const AddressPolicy* policy) : policy_(policy) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

HttpResult CurlHttpSender::Post(const std::string& url, const std::map<std::string, std::string>& headers,
                                absl::string_view body, absl::Duration timeout) {
  HttpResult out;
  const absl::Time start = absl::Now();
  // One handle per thread, reset between calls: its connection cache keeps
  // connections to a receiver alive across deliveries (many subscriptions
  // of one agency share a host).
  thread_local std::unique_ptr<CURL, void (*)(CURL*)> handle(curl_easy_init(), curl_easy_cleanup);
  CURL* curl = handle.get();
  if (curl == nullptr) {
    out.error = "curl_easy_init failed";
    return out;
  }
  curl_easy_reset(curl);
  curl_slist* list = nullptr;
  for (const auto& [k, v] : headers) list = curl_slist_append(list, absl::StrCat(k, ": ", v).c_str());
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(absl::ToInt64Milliseconds(timeout)));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(absl::ToInt64Milliseconds(timeout), 5000)));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for timeouts
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  Connect connect{policy_};
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, OpenSocket);
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &connect);
  curl_easy_setopt(curl, CURLOPT_PROXY, "");  // no proxy from the environment: the address is the endpoint's
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, KeepRetryAfter);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &out.retry_after);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "kla-notification/1 (KemenPPPA)");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, KeepPrefix);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out.body_prefix);
  const CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    out.status = static_cast<int>(status);
  } else {
    out.error = Describe(rc, connect.refused);
  }
  curl_slist_free_all(list);
  out.latency = absl::Now() - start;
  return out;
}

}  // namespace kla::webhook
