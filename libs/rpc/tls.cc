#include "libs/rpc/tls.h"

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/common/files.h"

namespace kla::rpc {
namespace {

absl::Status CheckPem(const std::string& path, absl::string_view flag) {
  absl::StatusOr<std::string> text = ReadWholeFile(path);
  if (!text.ok()) return absl::InvalidArgumentError(absl::StrCat(flag, ": cannot read ", path));
  if (!absl::StrContains(*text, "-----BEGIN ")) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": ", path, " is not a PEM file"));
  }
  return absl::OkStatus();
}

unsigned int Seconds(absl::Duration d) { return static_cast<unsigned int>(std::max<int64_t>(1, d / absl::Seconds(1))); }

}  // namespace

absl::Status ValidateTls(const TlsConfig& c) {
  if (c.cert_file.empty() != c.key_file.empty()) {
    return absl::InvalidArgumentError("--tls-cert and --tls-key go together");
  }
  if (!c.client_ca_file.empty() && c.cert_file.empty()) {
    return absl::InvalidArgumentError("--tls-client-ca needs --tls-cert and --tls-key (client certificates need TLS)");
  }
  if (!c.cert_file.empty()) {
    if (absl::Status s = CheckPem(c.cert_file, "--tls-cert"); !s.ok()) return s;
    if (absl::Status s = CheckPem(c.key_file, "--tls-key"); !s.ok()) return s;
  }
  if (!c.client_ca_file.empty()) {
    if (absl::Status s = CheckPem(c.client_ca_file, "--tls-client-ca"); !s.ok()) return s;
  }
  if (!c.ca_file.empty() && c.ca_file != "system") return CheckPem(c.ca_file, "--tls-ca");
  return absl::OkStatus();
}

std::shared_ptr<grpc::ServerCredentials> ServerCredentials(const TlsConfig& c) {
  if (!c.serves_tls()) return grpc::InsecureServerCredentials();
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      c.key_file, c.cert_file, c.client_ca_file, Seconds(c.reload_interval));
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (!c.client_ca_file.empty()) {
    options.watch_root_certs();
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  } else {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials(const TlsConfig& c) {
  if (!c.calls_tls()) return grpc::InsecureChannelCredentials();
  if (c.ca_file == "system") {
    grpc::SslCredentialsOptions ssl;  // empty roots: the system trust store
    if (c.serves_tls()) {
      ssl.pem_cert_chain = ReadWholeFile(c.cert_file).value_or("");
      ssl.pem_private_key = ReadWholeFile(c.key_file).value_or("");
    }
    return grpc::SslCredentials(ssl);
  }
  auto provider = c.serves_tls() ? std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
                                       c.key_file, c.cert_file, c.ca_file, Seconds(c.reload_interval))
                                 : std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
                                       c.ca_file, Seconds(c.reload_interval));
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(provider);
  options.watch_root_certs();
  if (c.serves_tls()) options.watch_identity_key_cert_pairs();
  options.set_verify_server_certs(true);
  return grpc::experimental::TlsCredentials(options);
}

}  // namespace kla::rpc
