#include "libs/webhook/url.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace kla::webhook {
namespace {

bool ForbiddenV4(uint32_t host_order) {
  return (host_order >> 16) == ((169u << 8) | 254u)  // 169.254.0.0/16 link-local, incl. 169.254.169.254
         || host_order == 0                          // 0.0.0.0
         || host_order == ((100u << 24) | (100u << 16) | (100u << 8) | 200u);  // Alibaba Cloud metadata
}

bool ForbiddenV6(const in6_addr& a) {
  if (a.s6_addr[0] == 0xfe && (a.s6_addr[1] & 0xc0) == 0x80) return true;  // fe80::/10
  // fd00:ec2::254 (AWS metadata over IPv6).
  static const unsigned char kAws[16] = {0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x54};
  if (std::equal(std::begin(kAws), std::end(kAws), a.s6_addr)) return true;
  // IPv4-mapped (::ffff:a.b.c.d).
  static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(std::begin(kMapped), std::end(kMapped), a.s6_addr)) {
    const uint32_t v4 = (static_cast<uint32_t>(a.s6_addr[12]) << 24) | (static_cast<uint32_t>(a.s6_addr[13]) << 16) |
                        (static_cast<uint32_t>(a.s6_addr[14]) << 8) | a.s6_addr[15];
    return ForbiddenV4(v4);
  }
  return false;
}

absl::Status Bad(absl::string_view why) { return absl::InvalidArgumentError(absl::StrCat("webhook url: ", why)); }

}  // namespace

bool ForbiddenAddress(const struct sockaddr* address) {
  if (address == nullptr) return true;
  if (address->sa_family == AF_INET) {
    return ForbiddenV4(ntohl(reinterpret_cast<const sockaddr_in*>(address)->sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) return ForbiddenV6(reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr);
  return true;  // only IP
}

absl::Status ValidateUrl(absl::string_view url) {
  if (url.size() > 2048) return Bad("at most 2048 characters");
  absl::string_view rest = url;
  const std::string lower = absl::AsciiStrToLower(url);
  if (absl::StartsWith(lower, "https://")) {
    rest.remove_prefix(8);
  } else if (absl::StartsWith(lower, "http://")) {
    rest.remove_prefix(7);
  } else {
    return Bad("must start with http:// or https://");
  }
  absl::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (absl::StrContains(authority, "@")) return Bad("no user name or password in the address");
  std::string host;
  if (absl::StartsWith(authority, "[")) {
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) return Bad("unclosed IPv6 address");
    host = std::string(authority.substr(1, close - 1));
    in6_addr a6{};
    if (inet_pton(AF_INET6, host.c_str(), &a6) != 1) return Bad("not an IPv6 address");
    if (ForbiddenV6(a6)) return Bad("link-local and metadata addresses are not allowed");
    return absl::OkStatus();
  }
  host = absl::AsciiStrToLower(authority.substr(0, authority.find(':')));
  if (host.empty()) return Bad("no host");
  const absl::string_view port =
      authority.find(':') == absl::string_view::npos ? absl::string_view() : authority.substr(authority.find(':') + 1);
  int port_number = 0;
  if (!port.empty() && (!absl::SimpleAtoi(port, &port_number) || port_number < 1 || port_number > 65535)) {
    return Bad("bad port");
  }
  for (absl::string_view metadata : {"metadata.google.internal", "metadata", "metadata.azure.internal"}) {
    if (absl::StripSuffix(host, ".") == metadata) return Bad("cloud metadata addresses are not allowed");
  }
  in_addr a4{};
  if (inet_pton(AF_INET, host.c_str(), &a4) == 1 && ForbiddenV4(ntohl(a4.s_addr))) {
    return Bad("link-local and metadata addresses are not allowed");
  }
  for (char c : host) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') {
      return Bad("not a host name");
    }
  }
  return absl::OkStatus();
}

}  // namespace kla::webhook
