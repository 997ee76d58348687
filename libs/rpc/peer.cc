#include "libs/rpc/peer.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace kla::rpc {

std::string PeerOf(const grpc::ServerContextBase& ctx) {
  std::string peer = ctx.peer();
  // An in-process call has no transport peer (gRPC says "unknown"); every
  // remote one has its socket's address, which no client can choose.
  if (peer != "unknown" && !absl::StartsWith(peer, "inproc")) return peer;
  const auto& md = ctx.client_metadata();
  if (auto it = md.find(kHttpPeerMetadata); it != md.end()) return std::string(it->second.data(), it->second.size());
  return peer;
}

std::string PeerAddress(absl::string_view peer) {
  if (absl::ConsumePrefix(&peer, "ipv4:")) return std::string(peer.substr(0, peer.rfind(':')));
  if (absl::ConsumePrefix(&peer, "ipv6:[")) return std::string(peer.substr(0, peer.find(']')));
  return std::string();
}

std::string IpPeer(absl::string_view address, int port) {
  if (absl::StrContains(address, ':')) return absl::StrCat("ipv6:[", address, "]:", port);
  return absl::StrCat("ipv4:", address, ":", port);
}

}  // namespace kla::rpc
