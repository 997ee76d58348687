#pragma once

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/strings/string_view.h"

namespace kla::rpc {

// The metadata by which the HTTP gateway, calling over the in-process
// channel, names the HTTP client it serves ("ipv4:10.0.0.1:5000"). Trusted
// only on in-process calls: no remote client can set it for itself.
inline constexpr char kHttpPeerMetadata[] = "kla-http-peer";

// Initial metadata a server stream sends once admitted, before its first
// message (Watch): a client learns the stream is open, which an empty
// initial metadata cannot say (a refusal carries one too).
inline constexpr char kStreamOpenMetadata[] = "kla-stream-open";

// The peer of a call as gRPC names it ("ipv4:10.0.0.1:5000"); for a call
// from the HTTP gateway, the HTTP client's. Sign-in limits per address and
// the logs use it, so HTTP clients are not all one address.
std::string PeerOf(const grpc::ServerContextBase& ctx);

// The IP address of a gRPC peer string ("ipv4:10.0.0.1:5000" -> "10.0.0.1",
// "ipv6:[::1]:5000" -> "::1"); empty for other transports.
std::string PeerAddress(absl::string_view peer);

// The gRPC peer string of an IP client: ("10.0.0.1", 5000) -> "ipv4:10.0.0.1:5000",
// ("::1", 5000) -> "ipv6:[::1]:5000".
std::string IpPeer(absl::string_view address, int port);

}  // namespace kla::rpc
