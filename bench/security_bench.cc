// Security benchmark (not a test): what one hostile account can do to the
// service, measured.
//   1. Public GetRegion p99 with 16 clients, then again while one region
//      operator holds 500 stalled UploadEvidence streams.
//   2. Peak memory (VmHWM) of the process hosting the registry during 1,000
//      wrong sign-ins: over gRPC from one address, then straight to the
//      domain from 1,000 addresses (64 at once), which only the bound on
//      concurrent Argon2id checks limits.
//
//   build/bench/kla_security_bench [--clients 16] [--seconds 3] [--streams 500]

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/load.h"
#include "kla/registry/v1/account.grpc.pb.h"
#include "kla/registry/v1/registry_service.grpc.pb.h"
#include "kla/submission/v1/submission_service.grpc.pb.h"
#include "libs/testing/auth.h"
#include "libs/testing/process.h"
#include "services/server/suite.h"

namespace kla {
namespace {

struct Flags {
  int clients = 16;
  int seconds = 3;
  int streams = 500;
};

// Peak resident memory of this process so far, in MiB (VmHWM).
double PeakRssMib() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
  }
  return 0;
}

// Resets the peak to the current RSS (Linux 4.0+).
void ResetPeakRss() { std::ofstream("/proc/self/clear_refs") << "5"; }

grpc::Status GetRegion(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = registry::v1::RegistryService::NewStub(channel);
  registry::v1::GetRegionRequest req;
  req.set_code("35.72");
  registry::v1::GetRegionResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  return stub->GetRegion(&ctx, req, &resp);
}

// Opens `n` UploadEvidence streams that never send a byte; they stay open
// until the server cuts them.
class StalledStreams {
 public:
  StalledStreams(const std::shared_ptr<grpc::Channel>& channel, const std::string& token, int n) {
    auto stub = submission::v1::SubmissionService::NewStub(channel);
    for (int i = 0; i < n; ++i) {
      auto s = std::make_unique<Stream>();
      s->ctx.AddMetadata("authorization", "Bearer " + token);
      s->ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(5));
      s->writer = stub->AsyncUploadEvidence(&s->ctx, &s->resp, &cq_, s.get());
      streams_.push_back(std::move(s));
    }
  }
  ~StalledStreams() {
    for (auto& s : streams_) s->ctx.TryCancel();
    cq_.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (cq_.Next(&tag, &ok)) {
    }
  }

 private:
  struct Stream {
    grpc::ClientContext ctx;
    submission::v1::UploadEvidenceResponse resp;
    std::unique_ptr<grpc::ClientAsyncWriter<submission::v1::UploadEvidenceRequest>> writer;
  };
  grpc::CompletionQueue cq_;
  std::vector<std::unique_ptr<Stream>> streams_;
};

void Line(const char* what, const bench::LoadResult& r) {
  std::cout << absl::StrFormat("  %-40s %8.0f calls/s  p50 %6.2f ms  p99 %6.2f ms  failures %d\n", what, r.rps,
                               r.p50_ms, r.p99_ms, r.failures);
}

int Run(const Flags& flags) {
  testing::TempDir dir;
  server::ServerConfig config;
  config.listen = "127.0.0.1:0";
  config.db = "sqlite:" + dir.path() + "/{service}.db";
  config.evidence_dir = dir.path() + "/evidence";
  config.regions_dir = testing::SourcePath("data/regions");
  auto suite = server::Suite::Create(config);
  if (!suite.ok() || !(*suite)->Start().ok()) {
    std::cerr << "cannot start the suite: " << suite.status() << "\n";
    return 1;
  }
  const std::string address = absl::StrCat("127.0.0.1:", (*suite)->port());
  testing::TestTokens tokens(&(*suite)->verifier());
  const std::string op = tokens.For(testing::TestTokens::Operator("35.72"));

  std::cout << absl::StrFormat("Security: public GetRegion, %d clients, %d s each\n", flags.clients, flags.seconds);
  const bench::LoadResult quiet = bench::Measure(address, flags.clients, flags.seconds, GetRegion);
  Line("no streams", quiet);
  bench::LoadResult loaded;
  {
    grpc::ChannelArguments args;
    args.SetInt("kla.bench.attacker", 1);
    StalledStreams held(grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args), op,
                        flags.streams);
    loaded = bench::Measure(address, flags.clients, flags.seconds, GetRegion);
  }
  Line(absl::StrCat(flags.streams, " stalled uploads of one account").c_str(), loaded);

  // Sign-ins: an account to guess at, then 1,000 wrong passwords.
  auto accounts =
      registry::v1::AccountService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  registry::v1::CreateAccountRequest create;
  create.set_request_id("bench");
  auto* a = create.mutable_account();
  a->set_name("op.kota-blitar");
  a->set_display_name("Kota Blitar");
  a->set_kind(registry::v1::ACCOUNT_KIND_PERSON);
  a->set_role(registry::v1::ROLE_REGION_OPERATOR);
  a->set_region_code("35.72");
  registry::v1::CreateAccountResponse created;
  grpc::ClientContext cctx;
  cctx.AddMetadata("authorization", "Bearer " + tokens.Admin());
  if (!accounts->CreateAccount(&cctx, create, &created).ok()) {
    std::cerr << "cannot create the account\n";
    return 1;
  }
  const double base = PeakRssMib();
  auto burst = [&](const std::function<absl::StatusCode(int)>& attempt) {
    ResetPeakRss();
    std::atomic<int> next{0}, checked{0}, refused{0};
    const absl::Time t0 = absl::Now();
    std::vector<std::thread> threads;
    for (int t = 0; t < 64; ++t) {
      threads.emplace_back([&] {
        for (int i = next++; i < 1000; i = next++) {
          const absl::StatusCode code = attempt(i);
          if (code == absl::StatusCode::kUnauthenticated) ++checked;
          if (code == absl::StatusCode::kResourceExhausted) ++refused;
        }
      });
    }
    for (auto& t : threads) t.join();
    std::cout << absl::StrFormat("  %5d checked  %5d refused  in %5.1f s  peak RSS %6.0f MiB (before %4.0f MiB)\n",
                                 checked.load(), refused.load(), absl::ToDoubleSeconds(absl::Now() - t0), PeakRssMib(),
                                 base);
  };
  std::cout << "Security: 1,000 wrong sign-ins, 64 at once (Argon2id 64 MiB each; the review saw 1.15 GiB at 16)\n";
  std::cout << "  over gRPC from one address:\n";
  burst([&](int i) {
    registry::v1::LoginRequest req;
    req.set_name(i % 2 == 0 ? "op.kota-blitar" : absl::StrCat("op.tebakan-", i));
    req.set_password(absl::StrCat("tebakan-", i));
    registry::v1::LoginResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return static_cast<absl::StatusCode>(accounts->Login(&ctx, req, &resp).error_code());
  });
  std::cout << "  to the registry's domain from 1,000 addresses (only the hashing bound applies):\n";
  burst([&](int i) {
    return (*suite)
        ->registry()
        ->accounts()
        .Login(absl::StrCat("op.acak-", i), "tebakan-salah", "", absl::StrCat("198.51.", i / 250, ".", i % 250))
        .status()
        .code();
  });
  (*suite)->Shutdown();
  return 0;
}

}  // namespace
}  // namespace kla

int main(int argc, char** argv) {
  kla::Flags flags;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (k == "--clients" && i + 1 < argc) flags.clients = std::atoi(argv[++i]);
    if (k == "--seconds" && i + 1 < argc) flags.seconds = std::atoi(argv[++i]);
    if (k == "--streams" && i + 1 < argc) flags.streams = std::atoi(argv[++i]);
  }
  return kla::Run(flags);
}
