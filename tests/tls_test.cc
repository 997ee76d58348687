// TLS on every hop, with a throwaway CA made by openssl: the real
// kla-server serves TLS (all four services, their own calls to each other
// included), clients with the right CA get in, a wrong CA and plaintext do
// not, client certificates are required when asked for, a rotated
// certificate is served without a restart, and klactl never sends a secret
// in clear to another machine.

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "kla/registry/v1/registry_service.grpc.pb.h"
#include "libs/testing/process.h"
#include "tests/harness.h"

namespace kla {
namespace {

using ::testing::HasSubstr;
using testing::ReadFile;

// Runs openssl; fails the test when it fails.
void OpenSsl(const testing::TempDir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), "/usr/bin/openssl");
  auto rc = testing::RunCommand({.argv = args, .log_path = dir.path() + "/openssl.log"});
  ASSERT_TRUE(rc.ok() && *rc == 0) << ReadFile(dir.path() + "/openssl.log");
}

// A certificate "<name>.pem"/"<name>.key" for 127.0.0.1 and localhost,
// signed by CA "<ca>-ca.pem", with common name `cn`.
void MakeCert(const testing::TempDir& dir, const std::string& ca, const std::string& name, const std::string& cn) {
  const std::string p = dir.path() + "/" + name;
  const std::string c = dir.path() + "/" + ca;
  OpenSsl(dir, {"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", p + ".key", "-out",
                p + ".csr", "-subj", "/CN=" + cn});
  std::ofstream(p + ".ext") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
  OpenSsl(dir, {"x509", "-req", "-in", p + ".csr", "-CA", c + "-ca.pem", "-CAkey", c + "-ca.key", "-CAcreateserial",
                "-out", p + ".pem", "-days", "1", "-extfile", p + ".ext"});
}

// A CA "<name>-ca.pem" and a certificate "<name>.pem" it signed.
void MakeCa(const testing::TempDir& dir, const std::string& name) {
  const std::string p = dir.path() + "/" + name;
  OpenSsl(dir, {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                p + "-ca.key", "-out", p + "-ca.pem", "-days", "1", "-subj", "/CN=kla test CA " + name});
  MakeCert(dir, name, name, "localhost");
}

std::shared_ptr<grpc::Channel> TlsChannel(const std::string& addr, const std::string& ca_file,
                                          const std::string& cert = "", const std::string& key = "") {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadFile(ca_file);
  if (!cert.empty()) {
    ssl.pem_cert_chain = ReadFile(cert);
    ssl.pem_private_key = ReadFile(key);
  }
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a new handshake per channel
  return grpc::CreateCustomChannel(addr, grpc::SslCredentials(ssl), args);
}

grpc::Status GetRegion(const std::shared_ptr<grpc::Channel>& channel, std::string* name = nullptr) {
  auto stub = registry::v1::RegistryService::NewStub(channel);
  registry::v1::GetRegionRequest req;
  req.set_code("35.72");
  registry::v1::GetRegionResponse resp;
  grpc::Status s = stub->GetRegion(it::Ctx().get(), req, &resp);
  if (name != nullptr) *name = resp.region().name();
  return s;
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MakeCa(dir_, "a");
    MakeCa(dir_, "b");
    // The served certificate lives in files of its own, so rotating it is
    // copying other files over them.
    std::filesystem::copy_file(Path("a.pem"), Path("server.pem"));
    std::filesystem::copy_file(Path("a.key"), Path("server.key"));
  }
  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }
  std::unique_ptr<it::Server> Start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--regions-dir",
                                     it::kSrc + "/data/regions",
                                     "--tls-cert",
                                     Path("server.pem"),
                                     "--tls-key",
                                     Path("server.key"),
                                     "--tls-ca",
                                     Path("a-ca.pem"),
                                     "--tls-reload-interval",
                                     "1s"};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<it::Server>(dir_, args);
  }
  testing::TempDir dir_;
};

TEST_F(TlsTest, TheRightCaGetsInAWrongCaAndPlaintextDoNot) {
  auto server = Start();
  std::string name;
  grpc::Status s = GetRegion(TlsChannel(server->address(), Path("a-ca.pem")), &name);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(name, "Kota Blitar");
  EXPECT_EQ(GetRegion(TlsChannel(server->address(), Path("b-ca.pem"))).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(GetRegion(server->channel()).error_code(), grpc::StatusCode::UNAVAILABLE);  // plaintext

  // klactl: plaintext to a TLS server says what to do; with the CA it works,
  // and the first admin signs in over TLS.
  std::string out;
  EXPECT_EQ(it::Klactl(dir_, server->address(), {"regions", "get", "35.72"}, &out), 1);
  EXPECT_THAT(out, HasSubstr("--tls-ca"));
  ASSERT_EQ(it::Klactl(dir_, server->address(), {"regions", "get", "35.72", "--tls-ca", Path("a-ca.pem")}, &out), 0)
      << out;
  EXPECT_THAT(out, HasSubstr("Kota Blitar"));
  std::ofstream(Path("new-password")) << "Admin-KemenPPPA-2025\n";
  ASSERT_EQ(it::Klactl(dir_, server->address(),
                       {"login", "--credentials-file", Path("first-admin.txt"), "--new-password-file",
                        Path("new-password"), "--tls-ca", Path("a-ca.pem")},
                       &out),
            0)
      << out;
  ASSERT_EQ(it::Klactl(dir_, server->address(), {"rulebook", "list", "--tls-ca", Path("a-ca.pem")}, &out), 0) << out;
  // The probes of deploy/k8s: the health service over TLS, the process and one service.
  EXPECT_EQ(it::Klactl(dir_, server->address(), {"health", "--service", "server", "--tls-ca", Path("a-ca.pem")}, &out),
            0)
      << out;
  EXPECT_EQ(
      it::Klactl(dir_, server->address(), {"health", "--service", "registry", "--tls-ca", Path("a-ca.pem")}, &out), 0)
      << out;
}

// deploy/make-certs.sh, as an operator runs it for compose: its
// certificates serve TLS, and the probe of deploy/k8s passes over them.
TEST_F(TlsTest, TheDeployCertificateScriptMakesWorkingCertificates) {
  std::filesystem::create_directories(Path("deploy"));
  std::filesystem::copy_file(it::kSrc + "/deploy/make-certs.sh", Path("deploy/make-certs.sh"));
  auto rc = testing::RunCommand({.argv = {"/bin/bash", Path("deploy/make-certs.sh")}, .log_path = Path("certs.log")});
  ASSERT_TRUE(rc.ok() && *rc == 0) << ReadFile(Path("certs.log"));
  const std::string tls = Path("deploy/tls/registry");
  auto server = std::make_unique<it::Server>(
      dir_, std::vector<std::string>{"--regions-dir", it::kSrc + "/data/regions", "--tls-cert", tls + "/tls.crt",
                                     "--tls-key", tls + "/tls.key", "--tls-ca", tls + "/ca.crt"});
  std::string out;
  EXPECT_EQ(it::Klactl(dir_, server->address(), {"health", "--service", "registry", "--tls-ca", tls + "/ca.crt"}, &out),
            0)
      << out;
  EXPECT_EQ(GetRegion(TlsChannel(server->address(), Path("a-ca.pem"))).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, ClientCertificatesAreRequiredWhenAskedFor) {
  auto server = Start({"--tls-client-ca", Path("a-ca.pem")});
  EXPECT_EQ(GetRegion(TlsChannel(server->address(), Path("a-ca.pem"))).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(GetRegion(TlsChannel(server->address(), Path("a-ca.pem"), Path("a.pem"), Path("a.key"))).ok());
  EXPECT_EQ(GetRegion(TlsChannel(server->address(), Path("a-ca.pem"), Path("b.pem"), Path("b.key"))).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

// The common name of the certificate the server presents.
std::string ServedName(const std::string& addr, const std::string& ca_file) {
  auto stub = registry::v1::RegistryService::NewStub(TlsChannel(addr, ca_file));
  registry::v1::GetRegionRequest req;
  req.set_code("35.72");
  registry::v1::GetRegionResponse resp;
  auto ctx = it::Ctx();
  if (!stub->GetRegion(ctx.get(), req, &resp).ok()) return "";
  const auto names = ctx->auth_context()->FindPropertyValues("x509_common_name");
  return names.empty() ? "" : std::string(names[0].data(), names[0].size());
}

TEST_F(TlsTest, ARotatedCertificateIsServedWithoutARestart) {
  auto server = Start();
  EXPECT_EQ(ServedName(server->address(), Path("a-ca.pem")), "localhost");
  // cert-manager renews: a new key and certificate from the same CA are
  // written over the old files.
  MakeCert(dir_, "a", "renewed", "kla-renewed");
  std::filesystem::copy_file(Path("renewed.key"), Path("server.key"),
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(Path("renewed.pem"), Path("server.pem"),
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_TRUE(
      testing::WaitUntil([&] { return ServedName(server->address(), Path("a-ca.pem")) == "kla-renewed"; }, 20000));
  EXPECT_TRUE(server->process().TryWait() == std::nullopt);  // the same process, still serving
  EXPECT_TRUE(GetRegion(TlsChannel(server->address(), Path("a-ca.pem"))).ok());
}

TEST_F(TlsTest, KlactlRefusesToSendSecretsInClearToAnotherMachine) {
  std::string out;
  // Refused before any connection is made (192.0.2.1 is a documentation
  // address: nothing is sent anywhere).
  EXPECT_EQ(it::Klactl(dir_, "192.0.2.1:7400", {"login", "--user", "admin", "--password-file", "/dev/null"}, &out), 2);
  EXPECT_THAT(out, HasSubstr("tanpa enkripsi"));
  EXPECT_THAT(out, HasSubstr("--insecure"));
}

TEST_F(TlsTest, BadTlsFlagsAreClearStartupErrors) {
  for (const std::vector<std::string>& flags :
       {std::vector<std::string>{"--tls-cert", Path("server.pem")},
        {"--tls-cert", Path("server.pem"), "--tls-key", Path("server.key")},
        {"--tls-cert", Path("missing.pem"), "--tls-key", Path("server.key"), "--tls-ca", "system"},
        {"--tls-cert", Path("a.ext"), "--tls-key", Path("server.key"), "--tls-ca", "system"},
        {"--tls-client-ca", Path("a-ca.pem")}}) {
    std::vector<std::string> argv = {it::kBin + "/services/server/kla-server", "--listen", "127.0.0.1:0", "--db",
                                     "sqlite:" + Path("bad-{service}.db")};
    argv.insert(argv.end(), flags.begin(), flags.end());
    auto rc = testing::RunCommand({.argv = argv, .log_path = Path("bad.log")});
    ASSERT_TRUE(rc.ok());
    EXPECT_NE(*rc, 0) << flags[0];
    EXPECT_THAT(ReadFile(Path("bad.log")), HasSubstr("--tls-")) << ReadFile(Path("bad.log"));
  }
}

}  // namespace
}  // namespace kla
