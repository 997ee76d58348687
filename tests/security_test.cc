// The attacks of the security review (issue 13), replayed against the real
// kla-server binary on loopback: each was possible before and must now be
// refused. Domain-level variants live beside the code; these show that the
// process as deployed holds.

#include <gmock/gmock.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <openssl/sha.h>
#include <sys/stat.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "kla/notification/v1/notification_service.grpc.pb.h"
#include "kla/registry/v1/account.grpc.pb.h"
#include "kla/registry/v1/registry_service.grpc.pb.h"
#include "kla/submission/v1/submission_service.grpc.pb.h"
#include "libs/common/files.h"
#include "libs/common/secret_box.h"
#include "libs/storage/database.h"
#include "libs/testing/auth.h"
#include "libs/testing/postgres_harness.h"
#include "libs/testing/process.h"
#include "services/registry/testing/cycles.h"
#include "tests/harness.h"

namespace kla {
namespace {

namespace rv1 = registry::v1;
namespace sv1 = submission::v1;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPassword[] = "Rahasia-Kota-Blitar-2025";

std::unique_ptr<grpc::ClientContext> As(const std::string& token, int seconds = 20) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  return ctx;
}

bool HasRetryInfo(const grpc::Status& s) {
  google::rpc::Status details;
  if (!details.ParseFromString(s.error_details())) return false;
  for (const auto& any : details.details()) {
    if (any.Is<google::rpc::RetryInfo>()) return true;
  }
  return false;
}

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The secrets key, as `./kla up` makes it.
    ASSERT_TRUE(WriteFileAtomically(dir_.path() + "/secrets.key", std::string(32, 's'), 0600).ok());
    server_ = std::make_unique<it::Server>(
        dir_, std::vector<std::string>{"--regions-dir", it::kSrc + "/data/regions", "--secrets-key-file",
                                       dir_.path() + "/secrets.key", "--stream-idle-timeout", "5s",
                                       // As deployed: webhooks to public addresses only.
                                       "--webhook-allow-cidr", ""});
    it::LoginFirstAdmin(dir_, server_->address());
    admin_ = it::SavedToken(dir_, "admin");
    ASSERT_FALSE(admin_.empty());
    accounts_ = rv1::AccountService::NewStub(server_->channel());
    registry_ = rv1::RegistryService::NewStub(server_->channel());
  }

  // A person with its own password; returns a token.
  std::string Person(const std::string& name, rv1::Role role, const std::string& region,
                     const std::string& province = "") {
    rv1::CreateAccountRequest create;
    create.set_request_id("create-" + name);
    rv1::Account* a = create.mutable_account();
    a->set_name(name);
    a->set_display_name(name);
    a->set_kind(rv1::ACCOUNT_KIND_PERSON);
    a->set_role(role);
    a->set_region_code(region);
    a->set_province_code(province);
    rv1::CreateAccountResponse created;
    grpc::Status s = accounts_->CreateAccount(As(admin_).get(), create, &created);
    EXPECT_TRUE(s.ok()) << s.error_message();
    rv1::LoginRequest login;
    login.set_name(name);
    login.set_password(created.secret());
    login.set_new_password(kPassword);
    rv1::LoginResponse in;
    s = accounts_->Login(As("", 60).get(), login, &in);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return in.token();
  }

  // An INTEGRATION system account signed in with its API key; its token.
  std::string Integration(const std::string& name) {
    rv1::CreateAccountRequest create;
    create.set_request_id("create-" + name);
    rv1::Account* a = create.mutable_account();
    a->set_name(name);
    a->set_display_name("Badan Pusat Statistik");
    a->set_kind(rv1::ACCOUNT_KIND_SYSTEM);
    a->set_role(rv1::ROLE_INTEGRATION);
    rv1::CreateAccountResponse created;
    EXPECT_TRUE(accounts_->CreateAccount(As(admin_).get(), create, &created).ok());
    rv1::LoginWithApiKeyRequest key;
    key.set_api_key(created.secret());
    rv1::LoginResponse in;
    EXPECT_TRUE(accounts_->LoginWithApiKey(As("").get(), key, &in).ok());
    return in.token();
  }

  grpc::Status Login(const std::string& name, const std::string& password) {
    rv1::LoginRequest login;
    login.set_name(name);
    login.set_password(password);
    rv1::LoginResponse in;
    return accounts_->Login(As("", 60).get(), login, &in);
  }

  testing::TempDir dir_;
  std::unique_ptr<it::Server> server_;
  std::string admin_;
  std::unique_ptr<rv1::AccountService::Stub> accounts_;
  std::unique_ptr<rv1::RegistryService::Stub> registry_;
};

TEST_F(SecurityTest, DataFilesAreOwnerOnlyAndSigningKeysAreSealed) {
  // Every database (and its WAL) and the evidence folder: owner only.
  int databases = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir_.path())) {
    const std::string name = f.path().filename().string();
    if (name.find(".db") == std::string::npos) continue;
    ++databases;
    struct stat st {};
    ASSERT_EQ(::stat(f.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 077, 0U) << name << " is readable by others";
  }
  EXPECT_GE(databases, 4);
  EXPECT_FALSE(AccessibleByOthers(dir_.path() + "/evidence"));

  // The review read the private key straight from the table. Now it is
  // sealed: no PEM in the database.
  auto db = storage::OpenDatabase("sqlite:" + dir_.path() + "/registry.db", {});
  ASSERT_TRUE(db.ok()) << db.status();
  auto rows = (*db)->Execute("SELECT kid, private_pem FROM registry_signing_keys");
  ASSERT_TRUE(rows.ok() && !rows->rows.empty());
  const std::string kid = rows->rows[0].Text(0);
  const std::string sealed = rows->rows[0].Text(1);
  EXPECT_TRUE(SecretBox::IsSealed(sealed));
  EXPECT_THAT(sealed, ::testing::Not(HasSubstr("PRIVATE KEY")));

  // Even with the key (opened with the secrets key, as if both leaked), a
  // NATIONAL_ADMIN token valid for 12 years is refused; one of an hour,
  // made the same way, passes — so the refusal is the lifetime's.
  auto box = SecretBox::FromKeyFile(dir_.path() + "/secrets.key");
  ASSERT_TRUE(box.ok());
  auto pem = box->Open(sealed, kid);
  ASSERT_TRUE(pem.ok()) << pem.status();
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  auto claims = [&](int64_t lifetime) {
    return absl::StrCat(R"({"iss":"kla","aud":"kla-api","sub":"admin","role":"NATIONAL_ADMIN","gen":1,"iat":)", now,
                        R"(,"exp":)", now + lifetime, "}");
  };
  rv1::ListAccountsRequest list;
  rv1::ListAccountsResponse listed;
  grpc::Status forged = accounts_->ListAccounts(
      As(testing::SignClaims(kid, *pem, claims(int64_t{12} * 365 * 86400))).get(), list, &listed);
  EXPECT_EQ(forged.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(forged.error_message(), HasSubstr("lifetime"));
  grpc::Status hour = accounts_->ListAccounts(As(testing::SignClaims(kid, *pem, claims(3600))).get(), list, &listed);
  EXPECT_TRUE(hour.ok()) << hour.error_message();
}

TEST_F(SecurityTest, APageTokenMadeWithoutTheServersKeyIsRefused) {
  // The old tokens were protected by an unkeyed, truncated SHA-256 anyone
  // could compute: this one names "after 35.71" for the default listing.
  auto digest = [](const std::string& data) {
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
    return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(md), 6));
  };
  const std::string body = absl::StrCat("p1|", digest("list||0"), "|35.71");
  rv1::ListRegionsRequest req;
  req.set_page_token(absl::WebSafeBase64Escape(absl::StrCat(body, "|", digest(body))));
  rv1::ListRegionsResponse resp;
  grpc::Status s = registry_->ListRegions(As("").get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // A real token from the server still pages.
  req.Clear();
  req.set_page_size(10);
  ASSERT_TRUE(registry_->ListRegions(As("").get(), req, &resp).ok());
  req.set_page_token(resp.next_page_token());
  EXPECT_TRUE(registry_->ListRegions(As("").get(), req, &resp).ok());
}

TEST_F(SecurityTest, ABurstOfGuessesGetsNoMoreChecksThanTheLimit) {
  Person("op.kota-blitar", rv1::ROLE_REGION_OPERATOR, "35.72");
  // 64 wrong passwords at once (the review saw all 64 checked).
  std::atomic<int> wrong{0}, throttled{0}, other{0};
  std::vector<std::thread> guessers;
  for (int i = 0; i < 64; ++i) {
    guessers.emplace_back([&, i] {
      grpc::Status s = Login("op.kota-blitar", absl::StrCat("tebakan-", i));
      if (s.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
        ++wrong;
      } else if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED && HasRetryInfo(s)) {
        ++throttled;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : guessers) t.join();
  EXPECT_LE(wrong.load(), 5);
  EXPECT_GE(wrong.load(), 1);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(wrong + throttled, 64);
  // The right password from the same address is not checked now either.
  EXPECT_EQ(Login("op.kota-blitar", kPassword).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);

  // A name that does not exist answers exactly as one that does.
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Login("op.tidak-ada", "tebakan").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  grpc::Status unknown = Login("op.tidak-ada", "tebakan");
  grpc::Status known = Login("op.kota-blitar", "tebakan");
  EXPECT_EQ(unknown.error_code(), known.error_code());
  // The same words; only the time to wait differs (each name's own).
  auto words = [](const std::string& m) { return m.substr(0, m.find(" after ")); };
  EXPECT_EQ(words(unknown.error_message()), words(known.error_message()));
  EXPECT_EQ(HasRetryInfo(unknown), HasRetryInfo(known));
}

TEST_F(SecurityTest, ChangePasswordDoesNotTakeUnlimitedGuesses) {
  const std::string op = Person("op.kota-blitar", rv1::ROLE_REGION_OPERATOR, "35.72");
  int refused = 0;
  for (int i = 0; i < 20; ++i) {
    rv1::ChangePasswordRequest req;
    req.set_password(absl::StrCat("tebakan-lama-", i));
    req.set_new_password("Kata-Sandi-Baru-2025");
    rv1::ChangePasswordResponse resp;
    const grpc::Status s = accounts_->ChangePassword(As(op, 60).get(), req, &resp);
    if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) ++refused;
  }
  EXPECT_EQ(refused, 15);
}

TEST_F(SecurityTest, StalledStreamsOfOneAccountLeaveTheServiceAnswering) {
  const std::string op = Person("op.kota-blitar", rv1::ROLE_REGION_OPERATOR, "35.72");
  auto stub = sv1::SubmissionService::NewStub(server_->channel());
  grpc::CompletionQueue cq;
  struct Stalled {
    grpc::ClientContext ctx;
    sv1::UploadEvidenceResponse resp;
    grpc::Status status;
    std::unique_ptr<grpc::ClientAsyncWriter<sv1::UploadEvidenceRequest>> writer;
  };
  // 500 uploads that never send a byte (the review: 255 stopped every RPC).
  constexpr int kStreams = 500;
  std::vector<std::unique_ptr<Stalled>> streams;
  for (int i = 0; i < kStreams; ++i) {
    auto s = std::make_unique<Stalled>();
    s->ctx.AddMetadata("authorization", "Bearer " + op);
    s->ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
    s->writer = stub->AsyncUploadEvidence(&s->ctx, &s->resp, &cq, reinterpret_cast<void*>(intptr_t{2} * i));
    streams.push_back(std::move(s));
  }
  // Public reads and health from another connection keep answering.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto other = grpc::CreateCustomChannel(server_->address(), grpc::InsecureChannelCredentials(), args);
  auto public_registry = rv1::RegistryService::NewStub(other);
  auto health = grpc::health::v1::Health::NewStub(other);
  for (int i = 0; i < 20; ++i) {
    rv1::GetRegionRequest get;
    get.set_code("35.72");
    rv1::GetRegionResponse region;
    grpc::Status s = public_registry->GetRegion(As("", 5).get(), get, &region);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(region.region().name(), "Kota Blitar");
    grpc::health::v1::HealthCheckResponse up;
    ASSERT_TRUE(health->Check(As("", 5).get(), {}, &up).ok());
  }
  // Every stream ends: most at once (the account's limit), the admitted
  // ones when the server finds them idle — none by the client's deadline.
  int exhausted = 0, cut = 0, started = 0, finished = 0;
  void* tag = nullptr;
  bool ok = false;
  while (finished < kStreams && cq.Next(&tag, &ok)) {
    const intptr_t t = reinterpret_cast<intptr_t>(tag);
    Stalled& s = *streams[t / 2];
    if (t % 2 == 0) {  // started: wait for its end
      ++started;
      s.writer->Finish(&s.status, reinterpret_cast<void*>(t + 1));
      continue;
    }
    ++finished;
    if (s.status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      ++exhausted;
    } else {
      EXPECT_NE(s.status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << s.status.error_message();
      ++cut;
    }
  }
  EXPECT_EQ(finished, kStreams);
  // Eight held at a time; on a slow machine a late stream may take the
  // place of one already cut.
  EXPECT_GE(exhausted, kStreams - 16);
  EXPECT_GE(cut, 8);
  EXPECT_EQ(exhausted + cut, kStreams);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

TEST_F(SecurityTest, AnOpenFeedEndsWhenItsAccountIsDisabled) {
  const std::string bps = Integration("bps.integrasi");

  auto notification = notification::v1::NotificationService::NewStub(server_->channel());
  auto ctx = As(bps, 60);
  notification::v1::WatchRequest watch;
  auto feed = notification->Watch(ctx.get(), watch);
  // A cycle opens: the feed delivers it, so the stream is surely open.
  const absl::Time now = absl::Now();
  auto cycle = testing::CreateCycleOnDefaultRulebook(
      server_->channel(), admin_, "2026",
      [&](int phase) { return std::make_pair(now + absl::Hours(24 * phase), now + absl::Hours(24 * phase + 23)); },
      now + absl::Hours(24 * 30), 1);
  ASSERT_TRUE(cycle.ok()) << cycle.status();
  notification::v1::Notification n;
  ASSERT_TRUE(feed->Read(&n));  // the opening (or a reminder it triggers)

  // The account is disabled: its open feed ends, it does not go on.
  rv1::GetAccountRequest get;
  get.set_name("bps.integrasi");
  rv1::GetAccountResponse current;
  ASSERT_TRUE(accounts_->GetAccount(As(admin_).get(), get, &current).ok());
  rv1::UpdateAccountRequest update;
  *update.mutable_account() = current.account();
  update.mutable_account()->set_state(rv1::ACCOUNT_STATE_DISABLED);
  update.mutable_update_mask()->add_paths("state");
  rv1::UpdateAccountResponse updated;
  grpc::Status s = accounts_->UpdateAccount(As(admin_).get(), update, &updated);
  ASSERT_TRUE(s.ok()) << s.error_message();
  while (feed->Read(&n)) {
  }
  const grpc::Status ended = feed->Finish();
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::UNAUTHENTICATED) << ended.error_message();
}

TEST_F(SecurityTest, WebhooksCannotBeAimedAtInternalAddresses) {
  const std::string bps = Integration("bps.integrasi");
  auto notification = notification::v1::NotificationService::NewStub(server_->channel());
  // What the review reached: a local Redis, loopback in other spellings, a
  // private address, the metadata service; and a header smuggled by CR/LF.
  for (const char* url :
       {"http://127.0.0.1:6379/", "http://2130706433:6379/", "http://0x7f.0.0.1/", "http://0177.0.0.1/",
        "http://127.1/", "http://[::ffff:127.0.0.1]:6379/", "http://[::1]/", "http://localhost:6379/",
        "http://10.0.0.5/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/",
        "https://simfoni.kemenpppa.go.id/kla\r\nX-Admin: 1", "https://simfoni.kemenpppa.go.id:0/"}) {
    notification::v1::CreateSubscriptionRequest req;
    req.set_request_id(absl::StrCat("sub-", url));
    req.mutable_subscription()->set_url(url);
    notification::v1::CreateSubscriptionResponse resp;
    EXPECT_EQ(notification->CreateSubscription(As(bps).get(), req, &resp).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT)
        << url;
  }
  notification::v1::CreateSubscriptionRequest req;
  req.set_request_id("sub-public");
  req.mutable_subscription()->set_url("https://simfoni.kemenpppa.go.id/kla/hook");
  notification::v1::CreateSubscriptionResponse resp;
  grpc::Status s = notification->CreateSubscription(As(bps).get(), req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(SecurityTest, ARegionReachesOnlyItsOwnUploadsAndTrainedStaff) {
  const std::string kota = Person("op.kota-blitar", rv1::ROLE_REGION_OPERATOR, "35.72");
  const std::string kabupaten = Person("op.kab-blitar", rv1::ROLE_REGION_OPERATOR, "35.05");

  // Trainings: Kota Blitar's operator tags a participant with Kota
  // Pontianak (another province): refused, nothing imported.
  rv1::CreateTrainingRequest training;
  training.set_request_id("diklat");
  rv1::Training* t = training.mutable_training();
  t->set_title("Diklat KHA Kota Blitar 2025");
  t->set_organiser("DP3AP2KB Kota Blitar");
  t->set_start_date("2025-03-10");
  t->set_end_date("2025-03-12");
  t->set_venue("Kota Blitar");
  t->set_region_code("35.72");
  rv1::CreateTrainingResponse made;
  ASSERT_TRUE(registry_->CreateTraining(As(kota).get(), training, &made).ok());
  rv1::ImportTrainingParticipantsRequest import;
  import.set_request_id("peserta");
  import.set_training_id(made.training().id());
  import.set_region_code("35.72");
  import.set_csv("name,agency,region_code\nGuru 1,Dinas Pendidikan,35.72\nOrang Lain,Dinas Sosial,61.71\n");
  rv1::ImportTrainingParticipantsResponse imported;
  grpc::Status s = registry_->ImportTrainingParticipants(As(kota).get(), import, &imported);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("line 3"));

  // Uploads: Kabupaten Blitar registers first the id Kota Blitar's client
  // derives for its file. Kota Blitar's upload is still its own.
  const absl::Time now = absl::Now();
  auto cycle = testing::CreateCycleOnDefaultRulebook(
      server_->channel(), admin_, "2026",
      [&](int phase) {
        return std::make_pair(now - absl::Hours(1) + absl::Hours(24 * 10 * phase),
                              now + absl::Hours(24 * 10 * phase + 200));
      },
      now + absl::Hours(24 * 90), 1);
  ASSERT_TRUE(cycle.ok()) << cycle.status();
  const std::string item = cycle->rulebook.indicators(0).items(0).id();
  const std::string content = "%PDF-1.4 Perda KLA Kota Blitar";
  auto header = [&](const std::string& region) {
    sv1::UploadEvidenceRequest first;
    sv1::UploadHeader* h = first.mutable_header();
    h->set_upload_id("sk-perda-2024");
    h->set_cycle_id("2026");
    h->set_region_code(region);
    h->set_item_id(item);
    h->set_file_name("Perda KLA.pdf");
    h->set_media_type("application/pdf");
    h->set_size_bytes(static_cast<int64_t>(content.size()));
    h->set_sha256(Sha256Hex(content));
    return first;
  };
  auto submission = sv1::SubmissionService::NewStub(server_->channel());
  {
    sv1::UploadEvidenceResponse resp;
    auto ctx = As(kabupaten);
    auto w = submission->UploadEvidence(ctx.get(), &resp);
    ASSERT_TRUE(w->Write(header("35.05")));
    w->WritesDone();
    ASSERT_TRUE(w->Finish().ok());
  }
  sv1::UploadEvidenceResponse resp;
  auto ctx = As(kota);
  auto w = submission->UploadEvidence(ctx.get(), &resp);
  ASSERT_TRUE(w->Write(header("35.72")));
  sv1::UploadEvidenceRequest chunk;
  chunk.set_chunk(content);
  ASSERT_TRUE(w->Write(chunk));
  w->WritesDone();
  s = w->Finish();
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.evidence().region_code(), "35.72");
  EXPECT_EQ(resp.evidence().sha256(), Sha256Hex(content));
}

TEST_F(SecurityTest, AChunkBeforeTheHeaderIsABadRequest) {
  const std::string op = Person("op.kota-blitar", rv1::ROLE_REGION_OPERATOR, "35.72");
  auto submission = sv1::SubmissionService::NewStub(server_->channel());
  sv1::UploadEvidenceResponse resp;
  auto ctx = As(op);
  auto w = submission->UploadEvidence(ctx.get(), &resp);
  sv1::UploadEvidenceRequest chunk;
  chunk.set_chunk("%PDF-1.4");
  w->Write(chunk);
  w->WritesDone();
  EXPECT_EQ(w->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(SecurityTest, OversizedFieldsAreRefusedAndNothingIsStored) {
  // The review's 7 MB request id and agenda (the server takes messages up to
  // 8 MiB, so they arrive).
  rv1::CreateAccountRequest create;
  create.set_request_id(std::string(7 << 20, 'r'));
  create.mutable_account()->set_name("op.bloated");
  create.mutable_account()->set_display_name("x");
  create.mutable_account()->set_kind(rv1::ACCOUNT_KIND_PERSON);
  create.mutable_account()->set_role(rv1::ROLE_REGION_OPERATOR);
  create.mutable_account()->set_region_code("35.72");
  rv1::CreateAccountResponse created;
  grpc::Status s = accounts_->CreateAccount(As(admin_).get(), create, &created);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(s.error_details()));
  google::rpc::BadRequest bad;
  ASSERT_TRUE(details.details(0).UnpackTo(&bad));
  EXPECT_EQ(bad.field_violations(0).field(), "request_id");
  EXPECT_EQ(bad.field_violations(0).description(), "at most 128 characters");
  rv1::GetAccountRequest get;
  get.set_name("op.bloated");
  rv1::GetAccountResponse account;
  EXPECT_EQ(accounts_->GetAccount(As(admin_).get(), get, &account).error_code(), grpc::StatusCode::NOT_FOUND);

  rv1::AddTaskForceMeetingRequest meeting;
  meeting.set_request_id("meeting-1");
  meeting.mutable_meeting()->set_region_code("35.72");
  meeting.mutable_meeting()->set_date("2025-03-04");
  meeting.mutable_meeting()->set_agenda(std::string(7 << 20, 'a'));
  rv1::AddTaskForceMeetingResponse added;
  s = registry_->AddTaskForceMeeting(As(admin_).get(), meeting, &added);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), Not(HasSubstr("aaaa")));
}

// deploy/postgres/roles.sql as an operator runs it: one role and schema per
// service. Scoring's credentials then cannot read the registry's keys.
TEST(SecurityOnPostgresTest, EachServiceReachesOnlyItsOwnTables) {
  auto url = testing::PostgresHarness::Shared().CreateDatabase();
  ASSERT_TRUE(url.ok()) << url.status();
  auto ran = testing::RunCommand(
      {.argv = {"/usr/bin/psql", *url, "-v", "ON_ERROR_STOP=1", "-q", "-f", it::kSrc + "/deploy/postgres/roles.sql"}});
  ASSERT_TRUE(ran.ok() && *ran == 0) << "roles.sql failed";
  auto as = [&](const std::string& role) { return absl::StrReplaceAll(*url, {{"postgres@", role + "@"}}); };
  testing::TempDir dir;
  {
    ASSERT_TRUE(WriteFileAtomically(dir.path() + "/secrets.key", std::string(32, 's'), 0600).ok());
    it::Server server(dir, {"--db", as("kla_{service}"), "--regions-dir", it::kSrc + "/data/regions",
                            "--secrets-key-file", dir.path() + "/secrets.key"});
    it::LoginFirstAdmin(dir, server.address());
    ASSERT_FALSE(it::SavedToken(dir, "admin").empty()) << "the suite works on its own roles";
  }
  auto registry = storage::OpenDatabase(as("kla_registry"));
  ASSERT_TRUE(registry.ok()) << registry.status();
  auto keys = (*registry)->Execute("SELECT count(*) FROM registry_signing_keys");
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_GE(keys->rows[0].Int(0), 1);
  auto scoring = storage::OpenDatabase(as("kla_scoring"));
  ASSERT_TRUE(scoring.ok()) << scoring.status();
  EXPECT_FALSE((*scoring)->Execute("SELECT private_pem FROM registry.registry_signing_keys").ok());
  EXPECT_FALSE((*scoring)->Execute("SELECT private_pem FROM registry_signing_keys").ok());
  EXPECT_FALSE((*scoring)->Execute("SELECT count(*) FROM submission.submission_evidence").ok());
  // Its own tables it reaches.
  EXPECT_TRUE((*scoring)->Execute("SELECT count(*) FROM kla_schema_migrations").ok());
}

TEST_F(SecurityTest, ARequestThatIsNotAValidMessageIsABadRequest) {
  // GetRegionRequest{code: "\xff\xfe"}: proto3 text must be UTF-8.
  const std::string wire("\x0a\x02\xff\xfe", 4);
  grpc::GenericStub stub(server_->channel());
  grpc::Slice slice(wire);
  const grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  std::mutex mu;
  std::condition_variable cv;
  std::optional<grpc::Status> done;
  stub.UnaryCall(&ctx, "/kla.registry.v1.RegistryService/GetRegion", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) {
                   std::lock_guard lock(mu);
                   done = std::move(s);
                   cv.notify_all();
                 });
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return done.has_value(); });
  EXPECT_EQ(done->error_code(), grpc::StatusCode::INVALID_ARGUMENT) << done->error_message();
  EXPECT_THAT(done->error_message(), HasSubstr("UTF-8"));
}

}  // namespace
}  // namespace kla
