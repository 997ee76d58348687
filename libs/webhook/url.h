#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kla::webhook {

// Where webhooks may go (OWASP SSRF prevention: deny by default). Only
// public unicast addresses, unless a range is explicitly allowed (a private
// government network, a receiver on loopback in tests); cloud metadata
// addresses never. Every spelling of an address counts as the address:
// IPv4 in decimal, octal or hex forms is refused in URLs, and IPv4-mapped,
// NAT64 and 6to4 IPv6 addresses are judged by the IPv4 address inside.
class AddressPolicy {
 public:
  // `allowed`: CIDR ranges such as "10.20.0.0/16", "127.0.0.1/32",
  // "::1/128". INVALID_ARGUMENT naming a malformed one.
  static absl::StatusOr<AddressPolicy> Create(const std::vector<std::string>& allowed);
  // Public addresses only.
  AddressPolicy() = default;

  // Whether `url` may receive webhooks: http or https, at most 2048
  // characters of printable ASCII (no spaces, CR or LF), a host and an
  // optional port 1-65535, no user info, the host a DNS name (not
  // localhost or a metadata name) or an IP address this policy allows.
  // INVALID_ARGUMENT naming the problem.
  absl::Status CheckUrl(absl::string_view url) const;

  // The same rule for the address a connection is about to open to,
  // checked again at connect time (a name may resolve anywhere).
  bool Allows(const struct sockaddr* address) const;

 private:
  struct Range {
    std::array<uint8_t, 16> bytes{};  // IPv4 as ::ffff:a.b.c.d
    int prefix = 0;                   // over the 128 bits
  };
  bool AllowsIp(const std::array<uint8_t, 16>& address) const;
  std::vector<Range> allowed_;
};

}  // namespace kla::webhook
