#include "libs/webhook/url.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace kla::webhook {
namespace {

using Ip = std::array<uint8_t, 16>;

// An IPv4 address in the IPv4-mapped IPv6 form, so one table holds both.
Ip Mapped(const in_addr& a) {
  Ip ip{};
  ip[10] = ip[11] = 0xff;
  std::memcpy(ip.data() + 12, &a, 4);
  return ip;
}

Ip FromV6(const in6_addr& a) {
  Ip ip{};
  std::memcpy(ip.data(), a.s6_addr, 16);
  return ip;
}

bool InPrefix(const Ip& ip, const Ip& net, int prefix) {
  for (int bit = 0; bit < prefix; ++bit) {
    const auto mask = static_cast<uint8_t>(0x80 >> (bit % 8));
    if ((ip[bit / 8] & mask) != (net[bit / 8] & mask)) return false;
  }
  return true;
}

// An IPv6 address that carries an IPv4 one (NAT64 64:ff9b::/96, 6to4
// 2002::/16) stands for that IPv4 address.
Ip Normalise(const Ip& ip) {
  static const Ip kNat64 = {0x00, 0x64, 0xff, 0x9b};
  static const Ip k6to4 = {0x20, 0x02};
  in_addr v4{};
  if (InPrefix(ip, kNat64, 96)) {
    std::memcpy(&v4, ip.data() + 12, 4);
    return Mapped(v4);
  }
  if (InPrefix(ip, k6to4, 16)) {
    std::memcpy(&v4, ip.data() + 2, 4);
    return Mapped(v4);
  }
  return ip;
}

struct Block {
  const char* cidr;
  bool metadata;  // never allowed, whatever the configuration
};

// Not public unicast (IANA special-purpose registries), and the clouds'
// metadata services.
constexpr Block kBlocked[] = {
    {"169.254.169.254/32", true},
    {"100.100.100.200/32", true},
    {"fd00:ec2::254/128", true},
    {"0.0.0.0/8", false},
    {"10.0.0.0/8", false},
    {"100.64.0.0/10", false},
    {"127.0.0.0/8", false},
    {"169.254.0.0/16", false},
    {"172.16.0.0/12", false},
    {"192.0.0.0/24", false},
    {"192.0.2.0/24", false},
    {"192.88.99.0/24", false},
    {"192.168.0.0/16", false},
    {"198.18.0.0/15", false},
    {"198.51.100.0/24", false},
    {"203.0.113.0/24", false},
    {"224.0.0.0/4", false},
    {"240.0.0.0/4", false},
    {"::/96", false},
    {"::1/128", false},
    {"100::/64", false},
    {"2001::/23", false},
    {"2001:db8::/32", false},
    {"fc00::/7", false},
    {"fe80::/10", false},
    {"fec0::/10", false},
    {"ff00::/8", false},
};

bool ParseCidr(absl::string_view text, Ip* net, int* prefix) {
  const size_t slash = text.find('/');
  if (slash == absl::string_view::npos) return false;
  const std::string address(text.substr(0, slash));
  int bits = 0;
  if (!absl::SimpleAtoi(text.substr(slash + 1), &bits)) return false;
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) {
    if (bits < 0 || bits > 32) return false;
    *net = Mapped(v4);
    *prefix = 96 + bits;
    return true;
  }
  if (inet_pton(AF_INET6, address.c_str(), &v6) != 1 || bits < 0 || bits > 128) return false;
  *net = FromV6(v6);
  *prefix = bits;
  return true;
}

struct BlockedRange {
  Ip net;
  int prefix;
  bool metadata;
};

const std::vector<BlockedRange>& Blocked() {
  static const std::vector<BlockedRange>* const kRanges = [] {
    auto* out = new std::vector<BlockedRange>();
    for (const Block& b : kBlocked) {
      BlockedRange r{};
      ParseCidr(b.cidr, &r.net, &r.prefix);
      r.metadata = b.metadata;
      out->push_back(r);
    }
    return out;
  }();
  return *kRanges;
}

absl::Status Bad(absl::string_view why) { return absl::InvalidArgumentError(absl::StrCat("webhook url: ", why)); }

bool IsHostChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

// inet_aton takes "2130706433", "0x7f.1", "0177.0.0.1", "127.1" as
// 127.0.0.1; curl and resolvers may too. Such a host is an address.
bool LooksNumeric(const std::string& host) {
  in_addr a{};
  return inet_aton(host.c_str(), &a) != 0;
}

}  // namespace

absl::StatusOr<AddressPolicy> AddressPolicy::Create(const std::vector<std::string>& allowed) {
  AddressPolicy policy;
  for (const std::string& cidr : allowed) {
    Range r;
    if (!ParseCidr(absl::StripAsciiWhitespace(cidr), &r.bytes, &r.prefix)) {
      return absl::InvalidArgumentError(
          absl::StrCat("not a CIDR range (like 10.20.0.0/16 or ::1/128): \"", cidr, "\""));
    }
    policy.allowed_.push_back(r);
  }
  return policy;
}

bool AddressPolicy::AllowsIp(const Ip& raw) const {
  const Ip ip = Normalise(raw);
  bool blocked = false;
  for (const BlockedRange& b : Blocked()) {
    if (!InPrefix(ip, b.net, b.prefix)) continue;
    if (b.metadata) return false;
    blocked = true;
  }
  // IPv4-mapped addresses are otherwise public IPv4 (::/96 is blocked, but
  // ::ffff:0:0/96 is the table's own form).
  if (!blocked) return true;
  return std::any_of(allowed_.begin(), allowed_.end(), [&](const Range& r) { return InPrefix(ip, r.bytes, r.prefix); });
}

bool AddressPolicy::Allows(const struct sockaddr* address) const {
  if (address == nullptr) return false;
  if (address->sa_family == AF_INET) {
    return AllowsIp(Mapped(reinterpret_cast<const sockaddr_in*>(address)->sin_addr));
  }
  if (address->sa_family == AF_INET6) {
    return AllowsIp(FromV6(reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr));
  }
  return false;  // IP only
}

absl::Status AddressPolicy::CheckUrl(absl::string_view url) const {
  if (url.size() > 2048) return Bad("at most 2048 characters");
  for (char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return Bad("only printable ASCII without spaces (percent-encode the rest)");
  }
  absl::string_view rest = url;
  const std::string lower = absl::AsciiStrToLower(url);
  if (absl::StartsWith(lower, "https://")) {
    rest.remove_prefix(8);
  } else if (absl::StartsWith(lower, "http://")) {
    rest.remove_prefix(7);
  } else {
    return Bad("must start with http:// or https://");
  }
  const absl::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (absl::StrContains(authority, "@")) return Bad("no user name or password in the address");
  std::string host;
  absl::string_view port;
  if (absl::StartsWith(authority, "[")) {
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) return Bad("unclosed IPv6 address");
    host = std::string(authority.substr(1, close - 1));
    port = authority.substr(close + 1);
    if (!port.empty() && !absl::ConsumePrefix(&port, ":")) return Bad("bad port");
    in6_addr a6{};
    if (inet_pton(AF_INET6, host.c_str(), &a6) != 1) return Bad("not an IPv6 address (zone ids are not allowed)");
    if (!AllowsIp(FromV6(a6))) return Bad("private, loopback, link-local and metadata addresses are not allowed");
  } else {
    const size_t colon = authority.find(':');
    host = absl::AsciiStrToLower(authority.substr(0, colon));
    port = colon == absl::string_view::npos ? absl::string_view() : authority.substr(colon + 1);
    if (host.empty()) return Bad("no host");
    if (!std::all_of(host.begin(), host.end(), IsHostChar) || host.size() > 253) return Bad("not a host name");
    const std::string name(absl::StripSuffix(host, "."));
    if (name == "localhost" || absl::EndsWith(name, ".localhost")) return Bad("loopback addresses are not allowed");
    for (absl::string_view metadata : {"metadata.google.internal", "metadata", "metadata.azure.internal"}) {
      if (name == metadata) return Bad("cloud metadata addresses are not allowed");
    }
    if (LooksNumeric(host)) {
      in_addr a4{};
      if (inet_pton(AF_INET, host.c_str(), &a4) != 1) return Bad("write an IPv4 address as four decimal numbers");
      if (!AllowsIp(Mapped(a4))) return Bad("private, loopback, link-local and metadata addresses are not allowed");
    }
  }
  if (authority.size() > 0 && absl::EndsWith(authority, ":")) return Bad("bad port");
  int port_number = 0;
  if (!port.empty() && (!std::all_of(port.begin(), port.end(), absl::ascii_isdigit) ||
                        !absl::SimpleAtoi(port, &port_number) || port_number < 1 || port_number > 65535)) {
    return Bad("bad port (1 to 65535)");
  }
  return absl::OkStatus();
}

}  // namespace kla::webhook
