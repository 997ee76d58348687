#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace kla::rpc {

// TLS of one process: what it serves with and how it calls others.
struct TlsConfig {
  // Serving: PEM certificate chain and private key (both or neither);
  // empty: plaintext (only when chosen, e.g. `./kla up` on loopback).
  std::string cert_file;
  std::string key_file;
  // Serving: when set, clients must present a certificate signed by this CA
  // (mTLS between services).
  std::string client_ca_file;
  // Calling: "" plaintext; "system" the system trust store; else a PEM file
  // with the CA that signed the servers' certificates. With cert_file set,
  // outbound calls present this process's certificate too.
  std::string ca_file;
  // How often certificate files are re-read (rotation without a restart).
  absl::Duration reload_interval = absl::Minutes(1);

  bool serves_tls() const { return !cert_file.empty(); }
  bool calls_tls() const { return !ca_file.empty(); }
};

// INVALID_ARGUMENT naming the flag when a file is missing, unreadable or
// not PEM, or a half-configured pair (a certificate without its key).
absl::Status ValidateTls(const TlsConfig& config);

// Credentials for the listening port: TLS with the files watched (a new
// certificate is served from the next handshake on), or plaintext.
std::shared_ptr<grpc::ServerCredentials> ServerCredentials(const TlsConfig& config);

// Credentials for outbound channels, or plaintext.
std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials(const TlsConfig& config);

}  // namespace kla::rpc
