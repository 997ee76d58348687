// Evidence upload benchmark (not a test): the same files uploaded by Kota
// Blitar's operator over the gRPC stream (1 MiB messages, as klactl sends
// them) and as tus uploads over HTTP (a creation, then one PATCH with the
// whole file streamed, as tus-js-client sends it by default), in the same
// run.
//
//   build/bench/kla_upload_bench [--files 2] [--mib 24] [--rounds 3]
//
// Files are at most the service's 25 MiB limit: two of 24 MiB move about
// 50 MB each way.

#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <algorithm>
#include <iostream>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "kla/submission/v1/submission_service.grpc.pb.h"
#include "libs/common/files.h"
#include "libs/testing/auth.h"
#include "libs/testing/process.h"
#include "services/registry/testing/cycles.h"
#include "services/server/suite.h"

namespace kla {
namespace {

namespace v1 = submission::v1;

struct Flags {
  int files = 2;
  int mib = 24;
  int rounds = 3;
};

// `n` bytes unlike any other file of the run (content is stored once per
// SHA-256, so every file must be new).
std::string Content(size_t n, int seed) {
  std::string out(n, '\0');
  uint64_t x = 0x9E3779B97F4A7C15ULL * static_cast<uint64_t>(seed + 1);
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    out[i] = static_cast<char>(x);
  }
  return out;
}

v1::UploadHeader Header(const std::string& id, const std::string& item, const std::string& content) {
  v1::UploadHeader h;
  h.set_upload_id(id);
  h.set_cycle_id("2025");
  h.set_region_code("35.72");
  h.set_item_id(item);
  h.set_file_name(id + ".pdf");
  h.set_media_type("application/pdf");
  h.set_size_bytes(static_cast<int64_t>(content.size()));
  h.set_sha256(Sha256Hex(content));
  return h;
}

bool UploadGrpc(v1::SubmissionService::Stub& stub, const std::string& token, const v1::UploadHeader& header,
                const std::string& content) {
  auto ctx = testing::AuthedContext(token);
  v1::UploadEvidenceResponse resp;
  auto writer = stub.UploadEvidence(ctx.get(), &resp);
  v1::UploadEvidenceRequest first;
  *first.mutable_header() = header;
  writer->Write(first);
  for (size_t at = 0; at < content.size(); at += 1 << 20) {
    v1::UploadEvidenceRequest chunk;
    chunk.set_chunk(content.substr(at, 1 << 20));
    if (!writer->Write(chunk)) break;
  }
  writer->WritesDone();
  return writer->Finish().ok() && resp.has_evidence();
}

bool UploadTus(int port, const std::string& token, const v1::UploadHeader& h, const std::string& content) {
  httplib::Client client("127.0.0.1", port);
  client.set_tcp_nodelay(true);
  client.set_read_timeout(60, 0);
  client.set_write_timeout(60, 0);
  const httplib::Headers auth = {{"Authorization", "Bearer " + token}, {"Tus-Resumable", "1.0.0"}};
  httplib::Headers create = auth;
  create.emplace("Upload-Length", std::to_string(content.size()));
  create.emplace(
      "Upload-Metadata",
      absl::StrCat("filename ", absl::Base64Escape(h.file_name()), ",filetype ", absl::Base64Escape(h.media_type()),
                   ",item_id ", absl::Base64Escape(h.item_id()), ",sha256 ", absl::Base64Escape(h.sha256()),
                   ",upload_id ", absl::Base64Escape(h.upload_id())));
  auto made = client.Post("/v1/cycles/2025/submissions/35.72/uploads", create, "", "text/plain");
  if (!made || made->status != 201) return false;
  httplib::Headers patch = auth;
  patch.emplace("Upload-Offset", "0");
  // Streamed from the bytes in 1 MiB pieces as tus-js-client reads a file
  // (httplib's string form would first copy the whole file into its request).
  auto sent = client.Patch(
      made->get_header_value("Location"), patch, content.size(),
      [&](size_t offset, size_t length, httplib::DataSink& sink) {
        return sink.write(content.data() + offset, std::min(length, size_t{1} << 20));
      },
      "application/offset+octet-stream");
  return sent && sent->status == 204 && sent->get_header_value("Upload-Offset") == std::to_string(content.size());
}

int Run(const Flags& flags) {
  testing::TempDir dir;
  SystemClock clock;
  server::ServerConfig config;
  config.listen = "127.0.0.1:0";
  config.http_listen = "127.0.0.1:0";
  config.db = "sqlite:" + dir.path() + "/{service}.db";
  config.evidence_dir = dir.path() + "/evidence";
  config.regions_dir = testing::SourcePath("data/regions");
  auto suite = server::Suite::Create(config, &clock);
  if (!suite.ok() || !(*suite)->Start().ok()) {
    std::cerr << "cannot start the suite: " << suite.status() << "\n";
    return 1;
  }
  const std::string address = "127.0.0.1:" + std::to_string((*suite)->port());
  testing::TestTokens tokens(&(*suite)->verifier(), &clock);
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  const absl::Time now = absl::Now();
  auto made = testing::CreateCycleOnDefaultRulebook(
      channel, tokens.Admin(), "2025",
      [&](int i) {
        return std::make_pair(now + absl::Hours(24 * (20 * i - 1)), now + absl::Hours(24 * (20 * i + 10)));
      },
      now + absl::Hours(24 * 200));
  if (!made.ok()) {
    std::cerr << "cycle: " << made.status() << "\n";
    return 1;
  }
  const std::string item = made->rulebook.indicators(0).items(0).id();
  const std::string token = tokens.For(testing::TestTokens::Operator("35.72"));
  auto stub = v1::SubmissionService::NewStub(channel);
  const size_t size = static_cast<size_t>(flags.mib) << 20;
  auto measure = [&](const std::string& way, int seed, auto&& upload) {
    std::vector<std::string> files;
    for (int i = 0; i < flags.files; ++i) files.push_back(Content(size, seed + i));
    const absl::Time t0 = absl::Now();
    for (int i = 0; i < flags.files; ++i) {
      if (!upload(Header(absl::StrCat(way, "-", i), item, files[i]), files[i])) {
        std::cerr << way << " upload " << i << " failed\n";
        return -1.0;
      }
    }
    return static_cast<double>(size) * flags.files / (1 << 20) / absl::ToDoubleSeconds(absl::Now() - t0);
  };
  const int http_port = (*suite)->http_port();
  // Rounds alternate the two ways, so a slow spell of the machine falls on
  // both; the median round is the figure.
  std::vector<double> grpc, tus, ratio;
  for (int round = 0; round < flags.rounds; ++round) {
    const int seed = 1000 * round;
    grpc.push_back(measure(absl::StrCat("grpc", round), seed, [&](const v1::UploadHeader& h, const std::string& c) {
      return UploadGrpc(*stub, token, h, c);
    }));
    tus.push_back(measure(absl::StrCat("tus", round), seed + 500, [&](const v1::UploadHeader& h, const std::string& c) {
      return UploadTus(http_port, token, h, c);
    }));
    if (grpc.back() <= 0 || tus.back() <= 0) return 1;
    ratio.push_back(tus.back() / grpc.back());
  }
  (*suite)->Shutdown();
  std::cout << absl::StrFormat(
      "Evidence uploads: %d files of %d MiB each way per round, checked (SHA-256) and stored\n", flags.files,
      flags.mib);
  for (int round = 0; round < flags.rounds; ++round) {
    std::cout << absl::StrFormat(
        "  round %d: gRPC stream (1 MiB messages) %6.1f MiB/s, tus (one PATCH) %6.1f MiB/s  %5.1f %%\n", round + 1,
        grpc[round], tus[round], 100.0 * ratio[round]);
  }
  std::sort(ratio.begin(), ratio.end());
  std::cout << absl::StrFormat(
      "  tus over HTTP: %5.1f %% of the gRPC stream (median of %d rounds; aim: at least 80 %%)\n",
      100.0 * ratio[ratio.size() / 2], flags.rounds);
  return 0;
}

}  // namespace
}  // namespace kla

int main(int argc, char** argv) {
  kla::Flags flags;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (k == "--files" && i + 1 < argc) flags.files = std::atoi(argv[++i]);
    if (k == "--mib" && i + 1 < argc) flags.mib = std::atoi(argv[++i]);
    if (k == "--rounds" && i + 1 < argc) flags.rounds = std::max(1, std::atoi(argv[++i]));
  }
  return kla::Run(flags);
}
