// Starts the real kla-server binary and talks to it as a client would:
// health, reflection, sign-in and access control, regions, rulebooks,
// cycles, task forces and trainings through klactl, shutdown.

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "google/protobuf/text_format.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "kla/event/v1/event.grpc.pb.h"
#include "kla/registry/v1/account.grpc.pb.h"
#include "kla/registry/v1/registry_service.grpc.pb.h"
#include "kla/registry/v1/rulebook.pb.h"
#include "kla/submission/v1/events.pb.h"
#include "kla/submission/v1/submission_service.grpc.pb.h"
#include "libs/common/files.h"
#include "libs/testing/postgres_harness.h"
#include "libs/testing/process.h"
#include "libs/webhook/http_receiver.h"
#include "tests/harness.h"

namespace kla {
namespace {

using ::testing::HasSubstr;
using ::testing::IsSupersetOf;

using it::Ctx;
using it::kBin;
using it::Klactl;
using it::kSrc;
using it::LoginFirstAdmin;
using it::SavedToken;
using it::Server;
using testing::ReadFile;

grpc::health::v1::HealthCheckResponse::ServingStatus Health(const Server& s, const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(s.channel());
  grpc::health::v1::HealthCheckRequest req;
  req.set_service(service);
  grpc::health::v1::HealthCheckResponse resp;
  grpc::Status st = stub->Check(Ctx().get(), req, &resp);
  return st.ok() ? resp.status() : grpc::health::v1::HealthCheckResponse::UNKNOWN;
}

TEST(ServerIntegrationTest, AllServicesInOneProcess) {
  testing::TempDir dir;
  Server server(dir, {});

  for (const char* s : {"", "registry", "submission", "scoring", "notification"}) {
    EXPECT_EQ(Health(server, s), grpc::health::v1::HealthCheckResponse::SERVING) << s;
  }

  // Reflection lists our services: what grpcurl and other agencies' tools use.
  auto reflection = grpc::reflection::v1alpha::ServerReflection::NewStub(server.channel());
  auto ctx = Ctx();
  auto stream = reflection->ServerReflectionInfo(ctx.get());
  grpc::reflection::v1alpha::ServerReflectionRequest req;
  req.set_list_services("");
  ASSERT_TRUE(stream->Write(req));
  grpc::reflection::v1alpha::ServerReflectionResponse resp;
  ASSERT_TRUE(stream->Read(&resp));
  std::vector<std::string> names;
  for (const auto& s : resp.list_services_response().service()) names.push_back(s.name());
  EXPECT_THAT(names,
              IsSupersetOf({"kla.registry.v1.RegistryService", "kla.event.v1.EventInbox", "grpc.health.v1.Health"}));
  // Every listed service can be described, the health service included.
  for (const std::string& name : names) {
    grpc::reflection::v1alpha::ServerReflectionRequest describe;
    describe.set_file_containing_symbol(name);
    ASSERT_TRUE(stream->Write(describe));
    grpc::reflection::v1alpha::ServerReflectionResponse described;
    ASSERT_TRUE(stream->Read(&described));
    EXPECT_GT(described.file_descriptor_response().file_descriptor_proto_size(), 0) << name;
  }
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());

  // The first national admin was created with a private credentials file.
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() + "/first-admin.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  std::string out;
  // Anonymous: the region list is public, the rest needs signing in.
  EXPECT_EQ(Klactl(dir, server.address(), {"rulebook", "list"}, &out), 1);
  EXPECT_THAT(out, HasSubstr("UNAUTHENTICATED"));
  EXPECT_THAT(out, HasSubstr("klactl login"));
  LoginFirstAdmin(dir, server.address());
  ASSERT_EQ(Klactl(dir, server.address(), {"whoami"}, &out), 0);
  EXPECT_THAT(out, HasSubstr("admin @ "));

  // The official regions through klactl, then read over gRPC.
  ASSERT_EQ(Klactl(dir, server.address(), {"regions", "import", "--dir", kSrc + "/data/regions"}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("38 provinsi, 514 kabupaten/kota"));
  auto registry = registry::v1::RegistryService::NewStub(server.channel());
  registry::v1::ListRegionsRequest list;
  list.set_page_size(1000);
  registry::v1::ListRegionsResponse regions;
  ASSERT_TRUE(registry->ListRegions(Ctx().get(), list, &regions).ok());
  EXPECT_EQ(regions.regions_size(), 514);

  ASSERT_EQ(Klactl(dir, server.address(), {"regions", "get", "35.72"}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("Kota Blitar"));
  EXPECT_THAT(out, HasSubstr("Jawa Timur"));
  ASSERT_EQ(Klactl(dir, server.address(), {"regions", "get", "35.72", "-o", "json"}, &out), 0);
  EXPECT_THAT(out, HasSubstr("\"name\": \"Kota Blitar\""));
  EXPECT_EQ(Klactl(dir, server.address(), {"regions", "get", "99.99"}, &out), 1);
  EXPECT_THAT(out, HasSubstr("NOT_FOUND"));
  EXPECT_EQ(Klactl(dir, server.address(), {"regions", "get", "35-72"}, &out), 2);
  EXPECT_THAT(out, HasSubstr("INVALID_ARGUMENT"));
  ASSERT_EQ(Klactl(dir, server.address(), {"health"}, &out), 0) << out;
  // A flag value that does not parse is a usage error, not ignored.
  EXPECT_EQ(Klactl(dir, server.address(), {"health", "--timeout", "abc"}, &out), 2);
  EXPECT_THAT(out, HasSubstr("--timeout"));
  ASSERT_EQ(Klactl(dir, server.address(), {"--version"}, &out), 0);
  EXPECT_THAT(out, HasSubstr("klactl 0."));

  // As an operator types it: sign in once with --addr into a context; later
  // commands need neither --addr nor a token file.
  {
    auto as_person = [&](std::vector<std::string> args) {
      args.insert(args.begin(), kBin + "/tools/klactl/klactl");
      const std::string log = dir.path() + "/person.out";
      std::remove(log.c_str());
      auto rc = testing::RunCommand(
          {.argv = args,
           .env = {"XDG_CONFIG_HOME=" + dir.path() + "/config", "KLA_TOKEN_FILE=", "KLA_ADDR=", "KLA_TOKEN="},
           .log_path = log});
      out = ReadFile(log);
      return rc.ok() ? *rc : -1;
    };
    ASSERT_EQ(as_person({"--addr", server.address(), "--timeout", "60s", "login", "--context", "uji", "-u", "admin",
                         "--password-file", dir.path() + "/admin-new-password"}),
              0)
        << out;
    ASSERT_EQ(as_person({"regions", "get", "35.72", "-o", "json"}), 0) << out;
    EXPECT_THAT(out, HasSubstr("\"name\": \"Kota Blitar\""));
    ASSERT_EQ(as_person({"rulebook", "list"}), 0) << out;  // signed in: the token went along
    ASSERT_EQ(as_person({"whoami", "-o", "json"}), 0) << out;
    EXPECT_THAT(out, HasSubstr("\"context\": \"uji\""));
    EXPECT_THAT(out, HasSubstr(server.address()));
    // Another server named with --addr does not get this server's token.
    EXPECT_EQ(as_person({"--addr", "127.0.0.1:1", "--timeout", "2s", "rulebook", "list"}), 1);
    EXPECT_THAT(out, HasSubstr("127.0.0.1:1"));
  }

  // The default rulebook: valid, stored once, shown with Indonesian numbers.
  const std::string rulebook = kSrc + "/rulebooks/kla-2023-ilustratif.textproto";
  ASSERT_EQ(Klactl(dir, server.address(), {"rulebook", "validate", rulebook}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("24 indikator, 77 butir"));
  ASSERT_EQ(Klactl(dir, server.address(), {"rulebook", "upload", rulebook}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("rulebook disimpan: 2023.1-ilustratif"));
  ASSERT_EQ(Klactl(dir, server.address(), {"rulebook", "show", "2023.1-ilustratif"}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("MADYA                601,00"));
  EXPECT_THAT(out, HasSubstr("BOBOT ILUSTRATIF"));

  // A cycle on that rulebook, opened now, with an extension for Kota Blitar.
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(7 * 3600));
  auto day = [&](int d) { return absl::FormatCivilTime(today + d); };
  ASSERT_EQ(Klactl(dir, server.address(),
                   {"cycle",
                    "create",
                    "--id",
                    "uji",
                    "--rulebook",
                    "2023.1-ilustratif",
                    "--self-evaluation",
                    day(-1) + "," + day(30),
                    "--provincial-verification",
                    day(31) + "," + day(40),
                    "--central-review",
                    day(41) + "," + day(50),
                    "--field-verification",
                    day(51) + "," + day(60),
                    "--objection",
                    day(61) + "," + day(70),
                    "--final-verification",
                    day(71) + "," + day(80),
                    "--announcement",
                    day(90)},
                   &out),
            0)
      << out;
  EXPECT_THAT(out, HasSubstr("PLANNED"));
  ASSERT_EQ(Klactl(dir, server.address(), {"cycle", "advance", "uji", "--etag", "v1"}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("SELF_EVALUATION (etag v2)"));
  EXPECT_EQ(Klactl(dir, server.address(), {"cycle", "advance", "uji"}, &out), 1);
  EXPECT_THAT(out, HasSubstr("FAILED_PRECONDITION"));
  ASSERT_EQ(Klactl(dir, server.address(),
                   {"cycle", "extend", "uji", "35.72", "--until", day(32), "--reason", "Tambahan 2x24 jam"}, &out),
            0)
      << out;
  ASSERT_EQ(Klactl(dir, server.address(), {"cycle", "window", "uji", "35.72"}, &out), 0);
  EXPECT_THAT(out, HasSubstr("diperpanjang: Tambahan 2x24 jam"));

  // Kota Blitar's task force from the example file.
  ASSERT_EQ(Klactl(dir, server.address(), {"taskforce", "create", kSrc + "/examples/taskforce-35.72.json"}, &out), 0)
      << out;
  EXPECT_THAT(out, HasSubstr("Gugus Tugas KLA 35.72   etag: v1"));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("sub-kelompok tanpa anggota")));

  // The 2022 Diklat KHA of Kota Blitar with its 40 participants.
  ASSERT_EQ(Klactl(dir, server.address(),
                   {"training", "create", "--title", "Diklat KHA 2022", "--organiser", "BKD Kota Blitar", "--start",
                    "2022-03-14", "--end", "2022-03-17", "--venue", "Kota Blitar", "--region", "35.72", "-o", "json"},
                   &out),
            0)
      << out;
  const size_t id_at = out.find("\"id\": \"");
  ASSERT_NE(id_at, std::string::npos) << out;
  const std::string training_id = out.substr(id_at + 7, 36);
  ASSERT_EQ(
      Klactl(dir, server.address(),
             {"training", "import", training_id, kSrc + "/examples/diklat-kha-blitar-2022.csv", "--region", "35.72"},
             &out),
      0)
      << out;
  EXPECT_THAT(out, HasSubstr("peserta ditambahkan: 40"));
  ASSERT_EQ(
      Klactl(dir, server.address(), {"training", "count", "35.72", "--from", "2022-01-01", "--to", "2022-12-31"}, &out),
      0);
  EXPECT_THAT(out, HasSubstr("jumlah: 40"));

  // Kota Blitar's operator: reads its own data, is refused on Kabupaten Blitar's.
  ASSERT_EQ(
      Klactl(dir, server.address(),
             {"accounts", "create", "op.kota-blitar", "--role", "region-operator", "--region", "35.72",
              "--display-name", "Sekretariat Gugus Tugas KLA Kota Blitar", "--secret-file", dir.path() + "/op-otp"},
             &out),
      0)
      << out;
  EXPECT_THAT(out, HasSubstr("REGION_OPERATOR"));
  std::ofstream(dir.path() + "/op-password") << "Kota-Blitar-Layak-Anak\n";
  ASSERT_EQ(Klactl(dir, server.address(),
                   {"login", "--user", "op.kota-blitar", "--password-file", dir.path() + "/op-otp",
                    "--new-password-file", dir.path() + "/op-password"},
                   &out, "operator"),
            0)
      << out;
  // Signed out everywhere: the saved token is revoked, and signing in again
  // does not send it along (the server would refuse the call for it).
  ASSERT_EQ(Klactl(dir, server.address(), {"accounts", "revoke", "op.kota-blitar"}, &out), 0) << out;
  ASSERT_EQ(
      Klactl(dir, server.address(),
             {"login", "--user", "op.kota-blitar", "--password-file", dir.path() + "/op-password"}, &out, "operator"),
      0)
      << out;
  ASSERT_EQ(Klactl(dir, server.address(), {"taskforce", "get", "35.72"}, &out, "operator"), 0) << out;
  EXPECT_THAT(out, HasSubstr("Gugus Tugas KLA 35.72"));
  ASSERT_EQ(
      Klactl(dir, server.address(), {"training", "participants", training_id, "--region", "35.72"}, &out, "operator"),
      0)
      << out;
  // Kota Blitar's self-evaluation: a first answer, an incomplete submit that
  // lists what is missing, the whole file, the submit, the audit trail.
  ASSERT_EQ(Klactl(dir, server.address(), {"submission", "answer", "35.72", "--cycle", "uji", "--set", "1.1=perda"},
                   &out, "operator"),
            0)
      << out;
  EXPECT_THAT(out, HasSubstr("terjawab 1/77 butir"));
  EXPECT_EQ(Klactl(dir, server.address(), {"submission", "answer", "35.72", "--cycle", "uji", "--set", "2.2=-3"}, &out,
                   "operator"),
            2);
  EXPECT_THAT(out, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_EQ(Klactl(dir, server.address(), {"submission", "submit", "35.72", "--cycle", "uji"}, &out, "operator"), 1);
  // In the operator's language, with the reason programs switch on.
  EXPECT_THAT(out, HasSubstr("FAILED_PRECONDITION (SUBMISSION_INCOMPLETE): Belum dapat dikirim: 76 butir belum "
                             "dijawab, 76 butir belum ada data dukung."));
  EXPECT_THAT(out, HasSubstr("  1.2: item 1.2 belum dijawab"));
  ASSERT_EQ(Klactl(dir, server.address(),
                   {"submission", "import", "35.72", "--cycle", "uji", kSrc + "/examples/jawaban-35.72.csv"}, &out,
                   "operator"),
            0)
      << out;
  EXPECT_THAT(out, HasSubstr("terjawab 77/77 butir"));
  // Evidence (data dukung) for every item that needs it, as an operator keeps
  // it: one folder, each file named for its item.
  registry::v1::Rulebook rules;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(ReadFile(rulebook), &rules));
  const std::string folder = dir.path() + "/data-dukung";
  mkdir(folder.c_str(), 0700);
  int needed = 0;
  for (const auto& ind : rules.indicators()) {
    for (const auto& item : ind.items()) {
      if (!item.evidence_required()) continue;
      ++needed;
      std::ofstream(folder + "/" + item.id() + " bukti.pdf") << "%PDF-1.4\n% bukti butir " << item.id() << "\n";
    }
  }
  // One large scan whose upload breaks off after its first MiB (as on a
  // regional link near the deadline): klactl picks it up from there.
  {
    std::ofstream big(folder + "/1.1 bukti.pdf", std::ios::binary);
    big << "%PDF-1.4\n";
    for (int i = 0; i < 3 * 1024 * 1024; ++i) big.put(static_cast<char>('0' + i % 10));
  }
  const std::string big_sha = *FileSha256(folder + "/1.1 bukti.pdf");
  const std::string big_content = ReadFile(folder + "/1.1 bukti.pdf");
  {
    auto stub = submission::v1::SubmissionService::NewStub(server.channel());
    auto upload_ctx = Ctx();
    upload_ctx->AddMetadata("authorization", "Bearer " + SavedToken(dir, "operator"));
    submission::v1::UploadEvidenceResponse held;
    auto writer = stub->UploadEvidence(upload_ctx.get(), &held);
    submission::v1::UploadEvidenceRequest msg;
    auto* h = msg.mutable_header();
    h->set_upload_id("uji.35.72.1.1." + big_sha.substr(0, 40));  // klactl's id for this file
    h->set_cycle_id("uji");
    h->set_region_code("35.72");
    h->set_item_id("1.1");
    h->set_file_name("1.1 bukti.pdf");
    h->set_media_type("application/pdf");
    h->set_size_bytes(static_cast<int64_t>(big_content.size()));
    h->set_sha256(big_sha);
    ASSERT_TRUE(writer->Write(msg));
    msg.set_chunk(big_content.substr(0, 1 << 20));
    ASSERT_TRUE(writer->Write(msg));
    writer->WritesDone();
    ASSERT_TRUE(writer->Finish().ok());
    EXPECT_EQ(held.received_bytes(), 1 << 20);
    EXPECT_FALSE(held.has_evidence());
  }
  ASSERT_EQ(Klactl(dir, server.address(), {"submission", "upload", "35.72", "--cycle", "uji", "--dir", folder}, &out,
                   "operator"),
            0)
      << out;
  EXPECT_THAT(out, HasSubstr("1.1 bukti.pdf: dilanjutkan dari 1,0 MB"));
  EXPECT_THAT(out, HasSubstr(absl::StrCat("diunggah ", needed, ", sudah ada 0, gagal 0")));
  // Run again (as after a dropped connection): nothing is sent twice.
  ASSERT_EQ(Klactl(dir, server.address(), {"submission", "upload", "35.72", "--cycle", "uji", "--dir", folder}, &out,
                   "operator"),
            0)
      << out;
  EXPECT_THAT(out, HasSubstr(absl::StrCat("diunggah 0, sudah ada ", needed, ", gagal 0")));
  // A file whose name names no item: refused before anything is sent.
  std::ofstream(folder + "/catatan.pdf") << "%PDF-1.4\n";
  EXPECT_EQ(Klactl(dir, server.address(), {"submission", "upload", "35.72", "--cycle", "uji", "--dir", folder}, &out,
                   "operator"),
            2);
  EXPECT_THAT(out, HasSubstr("catatan.pdf: nama berkas tidak diawali id butir"));
  ASSERT_EQ(
      Klactl(dir, server.address(),
             {"-o", "json", "submission", "evidence", "35.72", "--cycle", "uji", "--item", "1.1"}, &out, "operator"),
      0)
      << out;
  std::smatch id;
  ASSERT_TRUE(std::regex_search(out, id, std::regex("\"evidenceId\": \"([^\"]+)\"")));
  ASSERT_EQ(Klactl(dir, server.address(),
                   {"submission", "download", "35.72", "--cycle", "uji", id[1], "--to", dir.path() + "/unduhan.pdf"},
                   &out, "operator"),
            0)
      << out;
  EXPECT_EQ(ReadFile(dir.path() + "/unduhan.pdf"), big_content);
  ASSERT_EQ(Klactl(dir, server.address(), {"submission", "submit", "35.72", "--cycle", "uji"}, &out, "operator"), 0)
      << out;
  EXPECT_THAT(out, HasSubstr("MENUNGGU verifikasi provinsi"));
  ASSERT_EQ(Klactl(dir, server.address(), {"submission", "audit", "35.72", "--cycle", "uji", "--item", "1.1"}, &out,
                   "operator"),
            0)
      << out;
  EXPECT_THAT(out, HasSubstr("ANSWER_SAVED"));

  // Verification through every stage. The ministry moves the windows as
  // the cycle goes on (here: each phase opens now, the earlier ones closed).
  auto people = [&](const std::string& name, std::vector<std::string> role, const std::string& who) {
    std::vector<std::string> args = {"accounts", "create", name, "--secret-file", dir.path() + "/" + who + "-otp"};
    args.insert(args.end(), role.begin(), role.end());
    ASSERT_EQ(Klactl(dir, server.address(), args, &out), 0) << out;
    std::ofstream(dir.path() + "/" + who + "-password") << "Evaluasi-KLA-" << who << "-2025\n";
    ASSERT_EQ(Klactl(dir, server.address(),
                     {"login", "--user", name, "--password-file", dir.path() + "/" + who + "-otp",
                      "--new-password-file", dir.path() + "/" + who + "-password"},
                     &out, who),
              0)
        << out;
  };
  people("verif.jatim", {"--role", "province-verifier", "--province", "35"}, "province");
  people("peninjau.pusat", {"--role", "central-reviewer"}, "central");
  people("verlap.dki", {"--role", "field-verifier", "--province", "31", "--assign", "35.72"}, "field");
  // Phase k of 6 open from yesterday for 30 days; the ones before it closed.
  auto open_phase = [&](int k) {
    const char* flags[] = {"--self-evaluation", "--provincial-verification", "--central-review", "--field-verification",
                           "--objection",       "--final-verification"};
    std::vector<std::string> args = {"cycle", "update", "uji"};
    for (int i = 0; i < 6; ++i) {
      const int start = i < k ? -60 + 5 * i : (i == k ? -1 : 30 + 5 * (i - k));
      const int end = i < k ? -60 + 5 * i + 3 : (i == k ? 29 : 30 + 5 * (i - k) + 3);
      args.insert(args.end(), {flags[i], day(start) + "," + day(end)});
    }
    ASSERT_EQ(Klactl(dir, server.address(), args, &out), 0) << out;
  };
  open_phase(1);
  // Jawa Timur returns indicator 2's decree item; Kota Blitar corrects and resubmits.
  ASSERT_EQ(Klactl(dir, server.address(),
                   {"submission", "return", "35.72", "--cycle", "uji", "--item",
                    "2.1=Lampirkan SK Gugus Tugas yang berlaku tahun ini", "--deadline", day(5)},
                   &out, "province"),
            0)
      << out;
  EXPECT_THAT(out, HasSubstr("DIKEMBALIKAN oleh verifikasi provinsi"));
  EXPECT_THAT(out, HasSubstr("2.1: Lampirkan SK Gugus Tugas yang berlaku tahun ini"));
  ASSERT_EQ(Klactl(dir, server.address(), {"submission", "answer", "35.72", "--cycle", "uji", "--set", "2.1=ya"}, &out,
                   "operator"),
            0)
      << out;
  ASSERT_EQ(Klactl(dir, server.address(), {"submission", "submit", "35.72", "--cycle", "uji"}, &out, "operator"), 0)
      << out;
  EXPECT_THAT(out, HasSubstr("MENUNGGU verifikasi provinsi"));
  ASSERT_EQ(Klactl(dir, server.address(), {"submission", "verify", "35.72", "--cycle", "uji"}, &out, "province"), 0)
      << out;
  EXPECT_THAT(out, HasSubstr("MENUNGGU peninjauan pusat"));
  open_phase(2);
  ASSERT_EQ(Klactl(dir, server.address(), {"submission", "verify", "35.72", "--cycle", "uji"}, &out, "central"), 0)
      << out;
  EXPECT_THAT(out, HasSubstr("MENUNGGU verifikasi lapangan"));  // a high scorer
  open_phase(3);
  ASSERT_EQ(Klactl(dir, server.address(),
                   {"submission", "verify", "35.72", "--cycle", "uji", "--adjust", "1.2=tidak", "--reason",
                    "Notulen rapat tidak ditemukan saat kunjungan"},
                   &out, "field"),
            0)
      << out;
  EXPECT_THAT(out, HasSubstr("MENUNGGU verifikasi final"));
  // The objection window: Kota Blitar objects to indicator 1 with the minutes.
  open_phase(4);
  std::ofstream(dir.path() + "/notulen.pdf") << "%PDF-1.4\n% notulen rapat gugus tugas 2024\n";
  ASSERT_EQ(Klactl(dir, server.address(),
                   {"submission", "object", "35.72", "--cycle", "uji", "--indicator", "1", "--reason",
                    "Notulen rapat ada di sekretariat, terlampir", "--file", dir.path() + "/notulen.pdf"},
                   &out, "operator"),
            0)
      << out;
  EXPECT_THAT(out, HasSubstr("sanggah diajukan: sanggah-1"));
  open_phase(5);
  EXPECT_EQ(Klactl(dir, server.address(), {"submission", "verify", "35.72", "--cycle", "uji"}, &out, "central"), 1);
  EXPECT_THAT(out, HasSubstr("(OBJECTION_PENDING): Sanggah indikator 1 masih menunggu keputusan."));
  ASSERT_EQ(Klactl(dir, server.address(),
                   {"submission", "resolve", "35.72", "--cycle", "uji", "sanggah-1", "--accept", "--adjust", "1.2=ya",
                    "--reason", "Notulen sah, 6 rapat pada 2024"},
                   &out, "central"),
            0)
      << out;
  EXPECT_THAT(out, HasSubstr("sanggah-1 diterima"));
  ASSERT_EQ(Klactl(dir, server.address(), {"submission", "verify", "35.72", "--cycle", "uji"}, &out, "central"), 0)
      << out;
  EXPECT_THAT(out, HasSubstr("FINAL"));
  // The trail has all of it.
  ASSERT_EQ(Klactl(dir, server.address(), {"submission", "audit", "35.72", "--cycle", "uji"}, &out, "operator"), 0)
      << out;
  for (const char* action : {"EVIDENCE_ATTACHED", "SUBMITTED", "RETURNED", "VERIFIED", "ADJUSTED", "OBJECTION_FILED",
                             "OBJECTION_ACCEPTED"}) {
    EXPECT_THAT(out, HasSubstr(action));
  }
  EXPECT_THAT(out, HasSubstr("verif.jatim"));
  EXPECT_THAT(out, HasSubstr("verlap.dki"));
  // The ministry exports the cycle; Jawa Timur may export only its own province.
  ASSERT_EQ(
      Klactl(dir, server.address(),
             {"submission", "export", "--cycle", "uji", "--format", "csv", "--to", dir.path() + "/uji.csv"}, &out),
      0)
      << out;
  EXPECT_THAT(out, HasSubstr("diekspor: 1 pengajuan"));
  const std::string exported = ReadFile(dir.path() + "/uji.csv");
  EXPECT_EQ(std::count(exported.begin(), exported.end(), '\n'), 1 + 77);
  EXPECT_THAT(exported, HasSubstr("uji,35.72,FINAL,FINAL_VERIFICATION,1,1.2,ya,,ya,peninjau.pusat,"));
  EXPECT_EQ(Klactl(dir, server.address(), {"submission", "export", "--cycle", "uji"}, &out, "province"), 1);
  EXPECT_THAT(out, HasSubstr("PERMISSION_DENIED"));
  ASSERT_EQ(
      Klactl(dir, server.address(), {"submission", "export", "--cycle", "uji", "--province", "35", "--format", "jsonl"},
             &out, "province"),
      0)
      << out;
  EXPECT_THAT(out, HasSubstr("\"regionCode\":\"35.72\""));

  // Scoring: every completed stage reached the scoring service as an event.
  // Events are asynchronous: wait (bounded) for the final stage's score.
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        return Klactl(dir, server.address(), {"scores", "show", "35.72", "--cycle", "uji", "--stage", "final"}, &out,
                      "operator") == 0;
      },
      20000))
      << out;
  EXPECT_THAT(out, HasSubstr("Nilai KLA uji · Kota Blitar (35.72), Jawa Timur · verifikasi final"));
  EXPECT_THAT(out, HasSubstr("predikat "));
  ASSERT_EQ(Klactl(dir, server.address(), {"scores", "show", "35.72", "--cycle", "uji", "--stage", "self", "--explain"},
                   &out, "operator"),
            0)
      << out;
  EXPECT_THAT(out, HasSubstr("evaluasi mandiri"));
  EXPECT_THAT(out, HasSubstr("Kelembagaan"));
  // The default cycle is the newest: "uji".
  ASSERT_EQ(Klactl(dir, server.address(), {"scores", "next-level", "35.72"}, &out, "operator"), 0) << out;
  EXPECT_THAT(out, HasSubstr("Kota Blitar (35.72)"));
  ASSERT_EQ(Klactl(dir, server.address(), {"scores", "dry-run", "35.72", "--cycle", "uji"}, &out, "operator"), 0)
      << out;
  EXPECT_THAT(out, HasSubstr("SIMULASI"));
  // Nothing is public before publication; Kota Blitar cannot read Kota Surabaya.
  EXPECT_EQ(Klactl(dir, server.address(), {"scores", "show", "35.72", "--cycle", "uji"}, &out, "public"), 1);
  EXPECT_THAT(out, HasSubstr("PERMISSION_DENIED"));
  EXPECT_EQ(Klactl(dir, server.address(), {"rankings", "--cycle", "uji"}, &out, "public"), 1);
  EXPECT_THAT(out, HasSubstr("PERMISSION_DENIED"));
  EXPECT_EQ(Klactl(dir, server.address(), {"scores", "show", "35.78", "--cycle", "uji"}, &out, "operator"), 1);
  // The live ranking for the ministry (rebuilt in the background: bounded wait).
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        return Klactl(dir, server.address(), {"rankings", "--cycle", "uji", "--view", "live", "--stage", "final"},
                      &out) == 0;
      },
      20000))
      << out;
  EXPECT_THAT(out, HasSubstr("35.72"));
  // Publication follows the cycle: move it to final verification.
  EXPECT_EQ(Klactl(dir, server.address(), {"results", "publish", "--cycle", "uji", "--kind", "final"}, &out), 1);
  EXPECT_THAT(out, HasSubstr("FAILED_PRECONDITION"));
  for (int i = 0; i < 5; ++i) ASSERT_EQ(Klactl(dir, server.address(), {"cycle", "advance", "uji"}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("FINAL_VERIFICATION"));
  // An agency's system subscribes to Jawa Timur's notifications.
  auto receiver = webhook::HttpReceiver::Start();
  ASSERT_TRUE(receiver.ok());
  ASSERT_EQ(Klactl(dir, server.address(),
                   {"subscriptions", "create", "--url", (*receiver)->Url("/kla"), "--region", "35", "--description",
                    "Portal Jawa Timur"},
                   &out),
            0)
      << out;
  EXPECT_THAT(out, HasSubstr("whsec_"));
  const std::string subscription = out.substr(out.find("sub_"), 36);
  EXPECT_EQ(Klactl(dir, server.address(), {"subscriptions", "create", "--url", "http://169.254.169.254/"}, &out), 2);
  EXPECT_THAT(out, HasSubstr("INVALID_ARGUMENT"));
  ASSERT_EQ(Klactl(dir, server.address(), {"results", "publish", "--cycle", "uji", "--kind", "provisional"}, &out), 0)
      << out;
  EXPECT_THAT(out, HasSubstr("Hasil sementara uji diterbitkan"));
  ASSERT_EQ(Klactl(dir, server.address(), {"rankings", "--cycle", "uji", "--region", "35.72"}, &out, "operator"), 0)
      << out;
  EXPECT_THAT(out, HasSubstr("peringkat nasional 1 dari 1"));
  ASSERT_EQ(Klactl(dir, server.address(), {"results", "publish", "--cycle", "uji", "--kind", "final"}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("Hasil final uji diterbitkan"));
  EXPECT_THAT(out, HasSubstr("Diumumkan (embargo) pada " + day(90)));
  const std::string snapshot = out.substr(out.find("snapshot "), 40);
  ASSERT_EQ(Klactl(dir, server.address(), {"results", "publish", "--cycle", "uji", "--kind", "final"}, &out), 0);
  EXPECT_THAT(out, HasSubstr(snapshot));  // the same publication
  ASSERT_EQ(Klactl(dir, server.address(), {"rankings", "--province", "35"}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("Peringkat KLA uji · final · provinsi 35 · 1 dari 1"));
  EXPECT_THAT(out, HasSubstr("Kota Blitar"));
  ASSERT_EQ(Klactl(dir, server.address(), {"predicates", "summary"}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("kabupaten/kota meraih predikat dari 514"));
  ASSERT_EQ(Klactl(dir, server.address(), {"provila"}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("Provila uji · final · 0 provinsi"));
  ASSERT_EQ(Klactl(dir, server.address(), {"scores", "history", "35.72"}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("final"));
  // The provisional results reached the agency at once; the award and the
  // national summary wait for the announcement.
  ASSERT_TRUE((*receiver)->WaitForRequests(1, absl::Seconds(20)));
  EXPECT_THAT((*receiver)->requests()[0].body, HasSubstr("Hasil sementara"));
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        return Klactl(dir, server.address(), {"deliveries", subscription, "--state", "held"}, &out) == 0 &&
               out.find("award-announced") != std::string::npos;
      },
      20000))
      << out;
  EXPECT_THAT(out, HasSubstr("national-summary"));
  ASSERT_EQ(Klactl(dir, server.address(), {"deliveries", subscription, "--state", "delivered"}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("provisional-results"));
  EXPECT_EQ((*receiver)->requests().size(), 1u);
  // Embargoed until the announcement: the public still sees nothing.
  EXPECT_EQ(Klactl(dir, server.address(), {"rankings", "--cycle", "uji", "--view", "final"}, &out, "public"), 1);
  EXPECT_THAT(out, HasSubstr("(RESULTS_EMBARGOED): Hasil akhir diembargo sampai " + day(90)));

  EXPECT_EQ(Klactl(dir, server.address(), {"submission", "status", "35.05", "--cycle", "uji"}, &out, "operator"), 1);
  EXPECT_THAT(out, HasSubstr("PERMISSION_DENIED"));

  EXPECT_EQ(Klactl(dir, server.address(), {"taskforce", "get", "35.05"}, &out, "operator"), 1);
  EXPECT_THAT(out, HasSubstr("PERMISSION_DENIED (OUT_OF_SCOPE): Daerah 35.05 di luar jangkauan akun Anda."));
  EXPECT_EQ(Klactl(dir, server.address(), {"taskforce", "get", "35.05", "--lang", "en"}, &out, "operator"), 1);
  EXPECT_THAT(out, HasSubstr("PERMISSION_DENIED (OUT_OF_SCOPE): Region 35.05 is outside your account's reach."));
  EXPECT_EQ(Klactl(dir, server.address(), {"training", "count", "35.05", "--from", "2022-01-01", "--to", "2022-12-31"},
                   &out, "operator"),
            1);
  EXPECT_EQ(Klactl(dir, server.address(), {"accounts", "list"}, &out, "operator"), 1);
  EXPECT_THAT(out, HasSubstr("PERMISSION_DENIED"));
  // Refusals are logged with who, what and why.
  EXPECT_THAT(server.log(), HasSubstr("permission denied subject=op.kota-blitar role=REGION_OPERATOR"));
  // Disabled: the operator's token stops working at once.
  ASSERT_EQ(Klactl(dir, server.address(), {"accounts", "disable", "op.kota-blitar"}, &out), 0) << out;
  EXPECT_EQ(Klactl(dir, server.address(), {"taskforce", "get", "35.72"}, &out, "operator"), 1);
  EXPECT_THAT(out, HasSubstr("UNAUTHENTICATED"));

  // One log line per RPC with method, code, duration and caller.
  EXPECT_THAT(server.log(), HasSubstr("rpc method=/kla.registry.v1.RegistryService/GetRegion code=NOT_FOUND"));
  EXPECT_THAT(server.log(), HasSubstr("peer=ipv4:127.0.0.1:"));

  // Graceful stop on SIGTERM: exit code 0.
  server.process().Signal(SIGTERM);
  EXPECT_EQ(server.process().Wait(), 0);
  EXPECT_THAT(server.log(), HasSubstr("stopped"));
}

TEST(ServerIntegrationTest, OneServicePerProcessOnPostgres) {
  testing::TempDir dir;
  auto url = testing::PostgresHarness::Shared().CreateDatabase();
  ASSERT_TRUE(url.ok());
  Server registry(dir, {"--services", "registry", "--db", *url});
  EXPECT_EQ(Health(registry, "registry"), grpc::health::v1::HealthCheckResponse::SERVING);
  // Not hosted here: the health service does not know it.
  EXPECT_EQ(Health(registry, "scoring"), grpc::health::v1::HealthCheckResponse::UNKNOWN);
  LoginFirstAdmin(dir, registry.address());
  std::string out;
  ASSERT_EQ(Klactl(dir, registry.address(), {"regions", "import", "--dir", kSrc + "/data/regions"}, &out), 0) << out;
  ASSERT_EQ(Klactl(dir, registry.address(), {"regions", "search", "blitar"}, &out), 0);
  EXPECT_THAT(out, HasSubstr("Kabupaten Blitar"));
  EXPECT_THAT(out, HasSubstr("Kota Blitar"));

  // A second process with another service shares the database, own tables,
  // and signs in to the registry with its own SERVICE account's API key.
  testing::TempDir dir2;
  ASSERT_EQ(
      Klactl(dir, registry.address(),
             {"accounts", "create", "svc.scoring", "--role", "service", "--secret-file", dir2.path() + "/key"}, &out),
      0)
      << out;
  Server scoring(dir2, {"--services", "scoring", "--db", *url, "--registry-addr", registry.address(),
                        "--service-api-key-file", dir2.path() + "/key"});
  EXPECT_EQ(Health(scoring, "scoring"), grpc::health::v1::HealthCheckResponse::SERVING);
  // It verifies tokens with the keys it fetched: only services may deliver events.
  auto inbox = event::v1::EventInbox::NewStub(scoring.channel());
  event::v1::DeliverRequest deliver;
  event::v1::DeliverResponse delivered;
  EXPECT_EQ(inbox->Deliver(Ctx().get(), deliver, &delivered).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  std::string admin_token = ReadFile(dir.path() + "/token-admin");
  admin_token = admin_token.substr(admin_token.find("token: ") + 7);
  admin_token.pop_back();
  auto as_admin = Ctx();
  as_admin->AddMetadata("authorization", "Bearer " + admin_token);
  EXPECT_EQ(inbox->Deliver(as_admin.get(), deliver, &delivered).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  scoring.process().Signal(SIGTERM);
  EXPECT_EQ(scoring.process().Wait(), 0);

  // Scoring in its own process with rankings in Redis: it reads the rulebook
  // and regions from the registry over gRPC and scores what submission sends.
  auto redis = testing::RedisHarness::Start();
  ASSERT_TRUE(redis.ok()) << redis.status();
  testing::TempDir dir3;  // its own port file
  Server ranked(dir3, {"--services", "scoring", "--db", *url, "--registry-addr", registry.address(),
                       "--service-api-key-file", dir2.path() + "/key", "--redis", (*redis)->address()});
  const std::string rulebook = kSrc + "/rulebooks/kla-2023-ilustratif.textproto";
  ASSERT_EQ(Klactl(dir, registry.address(), {"rulebook", "upload", rulebook}, &out), 0) << out;
  ASSERT_EQ(Klactl(dir, registry.address(),
                   {"cycle",
                    "create",
                    "--id",
                    "2025",
                    "--rulebook",
                    "2023.1-ilustratif",
                    "--self-evaluation",
                    "2025-01-01,2025-01-31",
                    "--provincial-verification",
                    "2025-02-01,2025-02-28",
                    "--central-review",
                    "2025-03-01,2025-03-31",
                    "--field-verification",
                    "2025-04-01,2025-04-30",
                    "--objection",
                    "2025-05-01,2025-05-15",
                    "--final-verification",
                    "2025-05-16,2025-06-15",
                    "--announcement",
                    "2025-07-23"},
                   &out),
            0)
      << out;
  ASSERT_EQ(Klactl(dir, registry.address(),
                   {"accounts", "create", "svc.submission", "--role", "service", "--secret-file", dir2.path() + "/sub"},
                   &out),
            0)
      << out;
  auto accounts = registry::v1::AccountService::NewStub(registry.channel());
  registry::v1::LoginWithApiKeyRequest login;
  login.set_api_key(ReadFile(dir2.path() + "/sub").substr(0, ReadFile(dir2.path() + "/sub").find('\n')));
  registry::v1::LoginResponse signed_in;
  ASSERT_TRUE(accounts->LoginWithApiKey(Ctx().get(), login, &signed_in).ok());
  submission::v1::StageAnswersChanged changed;
  changed.mutable_answers()->set_cycle_id("2025");
  changed.mutable_answers()->set_region_code("35.72");
  changed.mutable_answers()->set_stage(type::v1::STAGE_SELF_EVALUATION);
  changed.mutable_answers()->set_rulebook_version("2023.1-ilustratif");
  changed.mutable_answers()->set_revision(1);
  auto* answer = changed.mutable_answers()->add_answers();
  answer->set_item_id("1.1");
  answer->mutable_value()->set_boolean(true);
  answer->add_evidence_ids("ev-1");
  deliver.mutable_event()->set_event_id("e-35.72-1");
  deliver.mutable_event()->set_source("submission");
  deliver.mutable_event()->set_target("scoring");
  deliver.mutable_event()->mutable_payload()->PackFrom(changed);
  auto as_submission = Ctx();
  as_submission->AddMetadata("authorization", "Bearer " + signed_in.token());
  auto ranked_inbox = event::v1::EventInbox::NewStub(ranked.channel());
  grpc::Status sent = ranked_inbox->Deliver(as_submission.get(), deliver, &delivered);
  ASSERT_TRUE(sent.ok()) << sent.error_message() << "\n" << ranked.log();
  ASSERT_EQ(Klactl(dir, ranked.address(), {"scores", "show", "35.72", "--cycle", "2025"}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("Kota Blitar (35.72), Jawa Timur"));
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        return Klactl(dir, ranked.address(), {"rankings", "--cycle", "2025"}, &out) == 0;
      },
      20000))
      << out;
  EXPECT_THAT(out, HasSubstr("Kota Blitar"));
  // Redis gone: the same ranking, from memory or the database.
  (*redis)->Kill();
  ASSERT_EQ(Klactl(dir, ranked.address(), {"rankings", "--cycle", "2025"}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("Kota Blitar"));
  ranked.process().Signal(SIGTERM);
  EXPECT_EQ(ranked.process().Wait(), 0);
  registry.process().Signal(SIGINT);
  EXPECT_EQ(registry.process().Wait(), 0);
}

TEST(ServerIntegrationTest, UnreachableDatabaseIsAClearStartupError) {
  testing::TempDir dir;
  const std::string url = "postgresql://kla@127.0.0.1:" + std::to_string(testing::FreePort()) + "/kla";
  auto child = testing::ChildProcess::Start(
      {.argv = {kBin + "/services/server/kla-server", "--listen", "127.0.0.1:0", "--db", url, "--log-format", "text"},
       .log_path = dir.path() + "/server.log"});
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(child->Wait(), 1);
  EXPECT_THAT(ReadFile(dir.path() + "/server.log"), HasSubstr("cannot connect to PostgreSQL at"));
}

TEST(ServerIntegrationTest, BadFlagsAreRefused) {
  testing::TempDir dir;
  auto child = testing::ChildProcess::Start({.argv = {kBin + "/services/server/kla-server", "--services", "billing"},
                                             .log_path = dir.path() + "/server.log"});
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(child->Wait(), 1);
  EXPECT_THAT(ReadFile(dir.path() + "/server.log"), HasSubstr("unknown service"));
}

}  // namespace
}  // namespace kla
