#include "tools/simulate/simulation.h"

#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "kla/notification/v1/notification_service.grpc.pb.h"
#include "kla/registry/v1/account.grpc.pb.h"
#include "kla/registry/v1/registry_service.grpc.pb.h"
#include "kla/scoring/v1/scoring_service.grpc.pb.h"
#include "kla/submission/v1/submission_service.grpc.pb.h"
#include "libs/common/errors.h"
#include "libs/common/files.h"
#include "libs/common/ids.h"
#include "libs/common/status_macros.h"
#include "libs/kernel/time.h"
#include "libs/rpc/error_mapping.h"
#include "libs/webhook/http_receiver.h"
#include "libs/webhook/signature.h"
#include "tools/simulate/plan.h"

namespace kla::simulate {
namespace {

namespace nv1 = notification::v1;
namespace rv1 = registry::v1;
namespace sv1 = submission::v1;
namespace scv1 = scoring::v1;

absl::Status FromGrpc(const grpc::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), absl::StrCat(what, ": ", s.error_message()));
}

// Calls with a deadline and a bearer token, retried (same request, so the
// same request id) while the service is unavailable: a process being
// restarted costs time, never a step.
class Caller {
 public:
  explicit Caller(const SimulationOptions& o) : options_(o) {
    for (const char* service : {"registry", "submission", "scoring", "notification"}) {
      auto it = o.service_addrs.find(service);
      const std::string& addr = it == o.service_addrs.end() || it->second.empty() ? o.addr : it->second;
      channels_[service] =
          grpc::CreateChannel(addr, o.credentials != nullptr ? o.credentials : grpc::InsecureChannelCredentials());
    }
  }

  template <typename Fn>
  grpc::Status Call(const std::string& token, Fn&& fn) const {
    const absl::Time give_up = absl::Now() + options_.retry_budget;
    absl::Duration backoff = absl::Milliseconds(50);
    while (true) {
      grpc::ClientContext ctx;
      ctx.set_deadline(absl::ToChronoTime(absl::Now() + options_.call_timeout));
      if (!token.empty()) ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token));
      grpc::Status s = fn(&ctx);
      const bool transient =
          s.error_code() == grpc::StatusCode::UNAVAILABLE || s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
          s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED || s.error_code() == grpc::StatusCode::UNKNOWN;
      if (!transient || absl::Now() + backoff > give_up) return s;
      absl::SleepFor(backoff);
      backoff = std::min(backoff * 2, absl::Seconds(1));
    }
  }

  std::shared_ptr<grpc::Channel> channel(const std::string& service) const { return channels_.at(service); }

 private:
  const SimulationOptions& options_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
};

// Runs `work(i)` for i in [0, n) on `parallel` threads; the first error
// stops the others from taking more.
absl::Status ForEach(size_t n, int parallel, const std::function<absl::Status(size_t)>& work) {
  std::atomic<size_t> next{0};
  std::mutex mu;
  absl::Status first;
  auto run = [&] {
    for (size_t i = next++; i < n; i = next++) {
      absl::Status s = work(i);
      if (!s.ok()) {
        std::lock_guard lock(mu);
        if (first.ok()) first = s;
        next = n;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < parallel; ++t) threads.emplace_back(run);
  run();
  for (auto& t : threads) t.join();
  return first;
}

class Run {
 public:
  explicit Run(const SimulationOptions& o)
      : o_(o),
        caller_(o),
        registry_(rv1::RegistryService::NewStub(caller_.channel("registry"))),
        accounts_(rv1::AccountService::NewStub(caller_.channel("registry"))),
        submissions_(sv1::SubmissionService::NewStub(caller_.channel("submission"))),
        scoring_(scv1::ScoringService::NewStub(caller_.channel("scoring"))),
        notifications_(nv1::NotificationService::NewStub(caller_.channel("notification"))) {}

  absl::StatusOr<SimulationResult> Go();

 private:
  void Unsubscribe();
  const char* T(const char* id, const char* en) const { return o_.lang == "en" ? en : id; }
  void Say(const std::string& line) const { o_.progress(line); }
  // "  evaluasi mandiri 120/514" at every tenth.
  void Tick(const char* what, std::atomic<int>& done, int total) const {
    const int d = ++done;
    if (d == total || d % std::max(1, total / 10) == 0) Say(absl::StrFormat("  %s %d/%d", what, d, total));
  }

  absl::Status Setup();
  absl::Status LoadRulebook();
  // Every kabupaten/kota, and the plan.
  absl::Status Plan();
  // The cycle, opened now.
  absl::Status OpenCycle();
  // The announcements' receiver, subscribed like an agency's system.
  absl::Status Subscribe();
  absl::Status Accounts();
  absl::Status MovePhase(int phase);  // 0 = self-evaluation ... 5 = final verification
  absl::Status MovePhaseOnce(int phase);
  absl::Status SelfEvaluation();
  absl::Status Provincial();
  absl::Status CentralReview();
  absl::Status Field();
  absl::Status Objections();
  absl::Status FinalVerification();
  absl::Status Publish();
  absl::Status Collect();
  absl::Status CompareRanking();
  // Every answer saved is there as it was given, every file with its bytes.
  absl::Status CheckStored();
  // The announcements received, their signatures and repeats.
  void CheckAnnouncements();

  absl::StatusOr<sv1::Submission> Get(const RegionPlan& r) const;
  std::string EvidenceBody(const RegionPlan& r, const std::string& item_id, const std::string& version) const;
  // One data dukung file; `version` tells files of the same item apart.
  absl::Status Upload(const RegionPlan& r, const std::string& item_id, const std::string& version);
  absl::Status Submit(const RegionPlan& r, const std::string& step);
  absl::Status Verify(const std::string& token, const RegionPlan& r, const std::string& step,
                      const std::vector<sv1::Adjustment>& adjustments, sv1::Submission* out = nullptr);
  // A person's account (created, signed in with its one-time password and
  // a new random one): its token.
  absl::StatusOr<std::string> Person(const rv1::Account& account);
  // One province verifier per province.
  absl::Status Verifiers();
  // Waits until the live ranking of `stage` ranks `count` regions.
  absl::Status AwaitScored(type::v1::Stage stage, int count);
  const std::string& TokenOf(const RegionPlan& r) const { return tokens_.at(r.code); }

  const SimulationOptions& o_;
  Caller caller_;
  std::unique_ptr<rv1::RegistryService::Stub> registry_;
  std::unique_ptr<rv1::AccountService::Stub> accounts_;
  std::unique_ptr<sv1::SubmissionService::Stub> submissions_;
  std::unique_ptr<scv1::ScoringService::Stub> scoring_;
  std::unique_ptr<nv1::NotificationService::Stub> notifications_;

  std::string cycle_id_;
  rv1::Rulebook rulebook_;
  std::map<std::string, const rv1::ItemRule*> items_;
  std::map<std::string, int> indicator_of_;
  NationalPlan plan_;
  std::vector<const RegionPlan*> submitters_;
  std::map<std::string, std::string> tokens_;           // region code -> its system's token
  std::map<std::string, std::string> province_tokens_;  // province code -> its verifier's token
  std::unique_ptr<webhook::HttpReceiver> receiver_;
  std::string receiver_secret_;
  // The receiver's subscription, removed when the run ends: the receiver
  // stops with klactl, and a subscription left behind would fail forever.
  nv1::Subscription subscription_;
  absl::Time start_ = absl::Now();
  SimulationResult result_;
  std::mutex mu_;
  std::set<std::string> in_field_;  // regions central review sent to field verification
};

absl::StatusOr<sv1::Submission> Run::Get(const RegionPlan& r) const {
  sv1::GetSubmissionRequest req;
  req.set_cycle_id(cycle_id_);
  req.set_region_code(r.code);
  sv1::GetSubmissionResponse resp;
  grpc::Status s =
      caller_.Call(o_.admin_token, [&](grpc::ClientContext* c) { return submissions_->GetSubmission(c, req, &resp); });
  if (!s.ok()) return FromGrpc(s, absl::StrCat("GetSubmission ", r.code));
  return resp.submission();
}

absl::Status Run::Setup() {
  KLA_RETURN_IF_ERROR(LoadRulebook());
  KLA_RETURN_IF_ERROR(Plan());
  KLA_RETURN_IF_ERROR(OpenCycle());
  KLA_RETURN_IF_ERROR(Subscribe());
  if (absl::Status a = Accounts(); !a.ok()) return a;
  return Verifiers();
}

// The rulebook: stored already, or uploaded from the file.
absl::Status Run::LoadRulebook() {
  std::string text;
  {
    std::ifstream in(o_.rulebook_file);
    if (!in) return absl::NotFoundError(absl::StrCat(T("tidak dapat membaca ", "cannot read "), o_.rulebook_file));
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  if (!google::protobuf::TextFormat::ParseFromString(text, &rulebook_)) {
    return absl::InvalidArgumentError(absl::StrCat(o_.rulebook_file, ": not a rulebook textproto"));
  }
  rv1::GetRulebookRequest get;
  get.set_version(rulebook_.version());
  rv1::GetRulebookResponse got;
  grpc::Status s =
      caller_.Call(o_.admin_token, [&](grpc::ClientContext* c) { return registry_->GetRulebook(c, get, &got); });
  if (s.error_code() == grpc::StatusCode::NOT_FOUND) {
    rv1::UploadRulebookRequest up;
    up.set_request_id(absl::StrCat("simulate-rulebook-", rulebook_.version()));
    up.set_textproto(text);
    rv1::UploadRulebookResponse stored;
    s = caller_.Call(o_.admin_token, [&](grpc::ClientContext* c) { return registry_->UploadRulebook(c, up, &stored); });
    if (!s.ok()) return FromGrpc(s, "UploadRulebook");
    rulebook_ = stored.rulebook().rulebook();
  } else if (!s.ok()) {
    return FromGrpc(s, "GetRulebook");
  } else {
    rulebook_ = got.rulebook().rulebook();
  }
  for (const auto& ind : rulebook_.indicators()) {
    for (const auto& item : ind.items()) {
      items_[item.id()] = &item;
      indicator_of_[item.id()] = ind.number();
    }
  }

  return absl::OkStatus();
}

absl::Status Run::Plan() {
  grpc::Status s;
  // Every kabupaten/kota, and the plan.
  std::vector<rv1::Region> regencies;
  rv1::ListRegionsRequest list;
  list.set_page_size(1000);
  do {
    rv1::ListRegionsResponse page;
    s = caller_.Call(o_.admin_token, [&](grpc::ClientContext* c) { return registry_->ListRegions(c, list, &page); });
    if (!s.ok()) return FromGrpc(s, "ListRegions");
    for (auto& r : *page.mutable_regions()) regencies.push_back(std::move(r));
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  plan_ = MakePlan(rulebook_, regencies, o_.seed);
  for (const RegionPlan& r : plan_.regions) {
    if (r.submits) submitters_.push_back(&r);
    if (r.submits) result_.planned_totals[r.code] = r.final_total;
  }
  Say(o_.lang == "en" ? absl::StrFormat("Plan (seed %d): %d regencies and cities, %d will submit", o_.seed,
                                        plan_.regions.size(), submitters_.size())
                      : absl::StrFormat("Rencana (benih %d): %d kabupaten/kota, %d akan mengirim evaluasi mandiri",
                                        o_.seed, plan_.regions.size(), submitters_.size()));

  return absl::OkStatus();
}

absl::Status Run::OpenCycle() {
  grpc::Status s;
  // The cycle, opened now.
  rv1::CreateCycleRequest create;
  rv1::Cycle* cycle = create.mutable_cycle();
  cycle->set_id(cycle_id_);
  cycle->set_name(absl::StrFormat("Simulasi Evaluasi KLA (benih %d)", o_.seed));
  cycle->set_rulebook_version(rulebook_.version());
  const absl::Time now = absl::Now();
  for (int i = 0; i < 6; ++i) {
    auto* w = cycle->add_windows();
    w->set_phase(static_cast<rv1::CyclePhase>(i + 1));
    *w->mutable_open_time() = ToProtoTime(now + absl::Hours(24 * 30 * i) - absl::Minutes(1));
    *w->mutable_close_time() = ToProtoTime(now + absl::Hours(24 * 30 * (i + 1)) - absl::Minutes(2));
  }
  *cycle->mutable_announcement_time() = ToProtoTime(now + absl::Hours(24 * 200));
  rv1::CreateCycleResponse made;
  s = caller_.Call(o_.admin_token, [&](grpc::ClientContext* c) { return registry_->CreateCycle(c, create, &made); });
  if (s.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
    return absl::AlreadyExistsError(
        absl::StrCat(T("siklus ", "cycle "), cycle_id_,
                     T(" sudah ada; pilih yang lain dengan --cycle", " exists; choose another with --cycle")));
  }
  if (!s.ok()) return FromGrpc(s, "CreateCycle");
  rv1::AdvanceCycleRequest adv;
  adv.set_cycle_id(cycle_id_);
  adv.set_etag(made.cycle().etag());
  rv1::AdvanceCycleResponse advanced;
  s = caller_.Call(o_.admin_token, [&](grpc::ClientContext* c) { return registry_->AdvanceCycle(c, adv, &advanced); });
  if (!s.ok()) return FromGrpc(s, "AdvanceCycle");
  Say(absl::StrCat(T("Siklus ", "Cycle "), cycle_id_, T(" dibuka: evaluasi mandiri", " opened: self-evaluation")));

  return absl::OkStatus();
}

absl::Status Run::Subscribe() {
  grpc::Status s;
  // The announcements' receiver, subscribed like an agency's system.
  if (o_.receive_announcements) {
    auto receiver = webhook::HttpReceiver::Start();
    if (!receiver.ok()) return receiver.status();
    receiver_ = *std::move(receiver);
    nv1::CreateSubscriptionRequest sub;
    sub.set_request_id(absl::StrCat("simulate-receiver-", cycle_id_));
    sub.mutable_subscription()->set_url(receiver_->Url("/kla/" + cycle_id_));
    sub.mutable_subscription()->add_event_types(nv1::EVENT_TYPE_AWARD_ANNOUNCED);
    sub.mutable_subscription()->add_event_types(nv1::EVENT_TYPE_NATIONAL_SUMMARY);
    sub.mutable_subscription()->set_description(absl::StrCat("klactl simulate ", cycle_id_));
    nv1::CreateSubscriptionResponse subscribed;
    s = caller_.Call(o_.admin_token,
                     [&](grpc::ClientContext* c) { return notifications_->CreateSubscription(c, sub, &subscribed); });
    if (!s.ok()) return FromGrpc(s, "CreateSubscription");
    receiver_secret_ = subscribed.secret();
    subscription_ = subscribed.subscription();
  }
  return absl::OkStatus();
}

// Each kabupaten/kota's own information system: a SYSTEM account with the
// REGION_OPERATOR role of that region, signed in with its API key.
absl::Status Run::Accounts() {
  std::atomic<int> done{0};
  std::mutex tokens_mu;
  absl::Status st = ForEach(plan_.regions.size(), o_.parallel, [&](size_t i) -> absl::Status {
    const RegionPlan& r = plan_.regions[i];
    const std::string name = absl::StrCat("sid.", r.code);
    rv1::CreateAccountRequest create;
    create.set_request_id(absl::StrCat("simulate-account-", r.code));
    rv1::Account* a = create.mutable_account();
    a->set_name(name);
    a->set_display_name(absl::StrCat("Sistem informasi KLA ", r.name));
    a->set_kind(rv1::ACCOUNT_KIND_SYSTEM);
    a->set_role(rv1::ROLE_REGION_OPERATOR);
    a->set_region_code(r.code);
    rv1::CreateAccountResponse created;
    grpc::Status s = caller_.Call(
        o_.admin_token, [&](grpc::ClientContext* c) { return accounts_->CreateAccount(c, create, &created); });
    std::string key = created.secret();
    if (s.error_code() == grpc::StatusCode::ALREADY_EXISTS || (s.ok() && key.empty())) {
      // From an earlier simulation: a new key (read again when a restart
      // swallowed the answer to a reset that was applied: stale etag).
      for (int attempt = 0; attempt < 5; ++attempt) {
        rv1::GetAccountRequest get;
        get.set_name(name);
        rv1::GetAccountResponse got;
        s = caller_.Call(o_.admin_token, [&](grpc::ClientContext* c) { return accounts_->GetAccount(c, get, &got); });
        if (!s.ok()) return FromGrpc(s, "GetAccount");
        rv1::ResetCredentialsRequest reset;
        reset.set_name(name);
        reset.set_etag(got.account().etag());
        rv1::ResetCredentialsResponse fresh;
        s = caller_.Call(o_.admin_token,
                         [&](grpc::ClientContext* c) { return accounts_->ResetCredentials(c, reset, &fresh); });
        key = fresh.secret();
        if (s.error_code() != grpc::StatusCode::ABORTED) break;
      }
    }
    if (!s.ok()) return FromGrpc(s, absl::StrCat("account ", name));
    rv1::LoginWithApiKeyRequest login;
    login.set_api_key(key);
    rv1::LoginResponse signed_in;
    s = caller_.Call("", [&](grpc::ClientContext* c) { return accounts_->LoginWithApiKey(c, login, &signed_in); });
    if (!s.ok()) return FromGrpc(s, absl::StrCat("LoginWithApiKey ", name));
    {
      std::lock_guard lock(tokens_mu);
      tokens_[r.code] = signed_in.token();
    }
    Tick(T("akun sistem daerah", "regional system accounts"), done, static_cast<int>(plan_.regions.size()));
    return absl::OkStatus();
  });
  return st;
}

absl::StatusOr<std::string> Run::Person(const rv1::Account& account) {
  rv1::CreateAccountRequest create;
  create.set_request_id(absl::StrCat("simulate-", account.name()));
  *create.mutable_account() = account;
  create.mutable_account()->set_kind(rv1::ACCOUNT_KIND_PERSON);
  rv1::CreateAccountResponse created;
  grpc::Status s = caller_.Call(o_.admin_token,
                                [&](grpc::ClientContext* c) { return accounts_->CreateAccount(c, create, &created); });
  if (!s.ok()) return FromGrpc(s, absl::StrCat("CreateAccount ", account.name()));
  // Never written down: the simulation's people sign in once.
  const std::string password = absl::StrCat("Sim-", NewUuid());
  rv1::LoginRequest login;
  login.set_name(account.name());
  login.set_password(created.secret());
  login.set_new_password(password);
  rv1::LoginResponse in;
  s = caller_.Call("", [&](grpc::ClientContext* c) { return accounts_->Login(c, login, &in); });
  if (s.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    // A retried sign-in whose first attempt had already set the password.
    login.set_password(password);
    login.clear_new_password();
    s = caller_.Call("", [&](grpc::ClientContext* c) { return accounts_->Login(c, login, &in); });
  }
  if (!s.ok()) return FromGrpc(s, absl::StrCat("Login ", account.name()));
  return in.token();
}

absl::Status Run::Verifiers() {
  std::vector<std::string> provinces;
  for (const RegionPlan& r : plan_.regions) {
    if (provinces.empty() || provinces.back() != r.province_code) provinces.push_back(r.province_code);
  }
  std::atomic<int> done{0};
  std::mutex tokens_mu;
  return ForEach(provinces.size(), o_.parallel, [&](size_t i) -> absl::Status {
    rv1::Account v;
    v.set_name(absl::StrCat("verif.", absl::AsciiStrToLower(cycle_id_), ".", provinces[i]));
    v.set_display_name(absl::StrCat("Verifikator DP3A provinsi ", provinces[i]));
    v.set_role(rv1::ROLE_PROVINCE_VERIFIER);
    v.set_province_code(provinces[i]);
    absl::StatusOr<std::string> token = Person(v);
    if (!token.ok()) return token.status();
    {
      std::lock_guard lock(tokens_mu);
      province_tokens_[provinces[i]] = *token;
    }
    Tick(T("verifikator provinsi", "province verifiers"), done, static_cast<int>(provinces.size()));
    return absl::OkStatus();
  });
}

// Phase k open from a minute ago for 30 days; the ones before it closed in
// the past (an hour each), the ones after it later.
absl::Status Run::MovePhase(int phase) {
  // Cycle changes carry an etag, not a request id: when a restart swallowed
  // the answer to one that was applied, its retry is refused as stale, and
  // reading the cycle again tells where it stands.
  absl::Status st;
  for (int attempt = 0; attempt < 5; ++attempt) {
    st = MovePhaseOnce(phase);
    if (st.code() != absl::StatusCode::kAborted) return st;
  }
  return st;
}

absl::Status Run::MovePhaseOnce(int phase) {
  rv1::GetCycleRequest get;
  get.set_cycle_id(cycle_id_);
  rv1::GetCycleResponse got;
  grpc::Status s =
      caller_.Call(o_.admin_token, [&](grpc::ClientContext* c) { return registry_->GetCycle(c, get, &got); });
  if (!s.ok()) return FromGrpc(s, "GetCycle");
  const int state_of_phase = phase + 2;                                // CYCLE_STATE_SELF_EVALUATION = 2
  if (got.cycle().state() >= state_of_phase) return absl::OkStatus();  // already there (a retried step)
  const absl::Time now = absl::Now();
  rv1::UpdateCycleRequest update;
  *update.mutable_cycle() = got.cycle();
  update.mutable_cycle()->clear_windows();
  for (int i = 0; i < 6; ++i) {
    auto* w = update.mutable_cycle()->add_windows();
    w->set_phase(static_cast<rv1::CyclePhase>(i + 1));
    absl::Time open, close;
    if (i < phase) {
      open = now - absl::Hours(24) + absl::Hours(i);
      close = open + absl::Minutes(59);
    } else if (i == phase) {
      open = now - absl::Minutes(1);
      close = now + absl::Hours(24 * 30);
    } else {
      open = now + absl::Hours(24 * 30 * (i - phase));
      close = open + absl::Hours(24 * 30) - absl::Minutes(1);
    }
    *w->mutable_open_time() = ToProtoTime(open);
    *w->mutable_close_time() = ToProtoTime(close);
  }
  update.mutable_update_mask()->add_paths("windows");
  rv1::UpdateCycleResponse updated;
  s = caller_.Call(o_.admin_token, [&](grpc::ClientContext* c) { return registry_->UpdateCycle(c, update, &updated); });
  if (!s.ok()) return FromGrpc(s, "UpdateCycle");
  rv1::AdvanceCycleRequest adv;
  adv.set_cycle_id(cycle_id_);
  adv.set_etag(updated.cycle().etag());
  rv1::AdvanceCycleResponse advanced;
  s = caller_.Call(o_.admin_token, [&](grpc::ClientContext* c) { return registry_->AdvanceCycle(c, adv, &advanced); });
  if (!s.ok()) return FromGrpc(s, "AdvanceCycle");
  return absl::OkStatus();
}

std::string Run::EvidenceBody(const RegionPlan& r, const std::string& item_id, const std::string& version) const {
  return absl::StrCat("%PDF-1.4\n% data dukung ", r.name, " (", r.code, ") butir ", item_id, ", siklus ", cycle_id_,
                      " (", version, ")\n%%EOF\n");
}

absl::Status Run::Upload(const RegionPlan& r, const std::string& item_id, const std::string& version) {
  const std::string body = EvidenceBody(r, item_id, version);
  sv1::UploadHeader header;
  header.set_upload_id(absl::StrCat("sim-", cycle_id_, "-", r.code, "-", item_id, "-", version));
  header.set_cycle_id(cycle_id_);
  header.set_region_code(r.code);
  header.set_item_id(item_id);
  header.set_file_name(absl::StrCat("butir ", item_id, ".pdf"));
  header.set_media_type("application/pdf");
  header.set_size_bytes(static_cast<int64_t>(body.size()));
  header.set_sha256(Sha256Hex(body));
  bool retry = false;
  grpc::Status s = caller_.Call(TokenOf(r), [&](grpc::ClientContext* c) {
    // A retry first asks where the earlier attempt (cut off by a restart)
    // left it: done, part of it held, or nothing.
    int64_t offset = 0;
    if (std::exchange(retry, true)) {
      sv1::GetUploadStatusRequest status;
      status.set_region_code(r.code);
      status.set_upload_id(header.upload_id());
      grpc::ClientContext ask;
      ask.set_deadline(absl::ToChronoTime(absl::Now() + o_.call_timeout));
      ask.AddMetadata("authorization", absl::StrCat("Bearer ", TokenOf(r)));
      sv1::UploadEvidenceResponse held;
      grpc::Status known = submissions_->GetUploadStatus(&ask, status, &held);
      if (known.ok() && held.has_evidence()) return grpc::Status::OK;
      if (!known.ok() && known.error_code() != grpc::StatusCode::NOT_FOUND) return known;
      offset = known.ok() ? held.received_bytes() : 0;
    }
    sv1::UploadEvidenceResponse resp;
    auto stream = submissions_->UploadEvidence(c, &resp);
    sv1::UploadEvidenceRequest first;
    *first.mutable_header() = header;
    first.mutable_header()->set_offset(offset);
    bool open = stream->Write(first);
    if (open && offset < static_cast<int64_t>(body.size())) {
      sv1::UploadEvidenceRequest chunk;
      chunk.set_chunk(body.substr(static_cast<size_t>(offset)));
      stream->Write(chunk);
    }
    stream->WritesDone();
    grpc::Status done = stream->Finish();
    // The server holds part of it (an attempt cut off): ask where, again.
    if (const auto reason = GetReason(rpc::FromGrpcStatus(done));
        reason && reason->reason == "UPLOAD_OFFSET_MISMATCH") {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, done.error_message());
    }
    return done;
  });
  return FromGrpc(s, absl::StrCat("UploadEvidence ", r.code, " ", item_id));
}

absl::Status Run::Submit(const RegionPlan& r, const std::string& step) {
  absl::StatusOr<sv1::Submission> now = Get(r);
  if (!now.ok()) return now.status();
  sv1::SubmitSubmissionRequest req;
  req.set_request_id(absl::StrCat("sim-", cycle_id_, "-", r.code, "-", step));
  req.set_cycle_id(cycle_id_);
  req.set_region_code(r.code);
  req.set_etag(now->etag());
  sv1::SubmitSubmissionResponse resp;
  grpc::Status s =
      caller_.Call(TokenOf(r), [&](grpc::ClientContext* c) { return submissions_->SubmitSubmission(c, req, &resp); });
  return FromGrpc(s, absl::StrCat("SubmitSubmission ", r.code));
}

absl::Status Run::Verify(const std::string& token, const RegionPlan& r, const std::string& step,
                         const std::vector<sv1::Adjustment>& adjustments, sv1::Submission* out) {
  absl::StatusOr<sv1::Submission> now = Get(r);
  if (!now.ok()) return now.status();
  sv1::VerifySubmissionRequest req;
  req.set_request_id(absl::StrCat("sim-", cycle_id_, "-", r.code, "-verify-", step));
  req.set_cycle_id(cycle_id_);
  req.set_region_code(r.code);
  req.set_etag(now->etag());
  for (const auto& a : adjustments) *req.add_adjustments() = a;
  sv1::VerifySubmissionResponse resp;
  grpc::Status s =
      caller_.Call(token, [&](grpc::ClientContext* c) { return submissions_->VerifySubmission(c, req, &resp); });
  if (out != nullptr) *out = resp.submission();
  return FromGrpc(s, absl::StrCat("VerifySubmission ", r.code, " (", step, ")"));
}

absl::Status Run::SelfEvaluation() {
  std::atomic<int> done{0};
  return ForEach(plan_.regions.size(), o_.parallel, [&](size_t i) -> absl::Status {
    const RegionPlan& r = plan_.regions[i];
    sv1::SaveAnswersRequest save;
    save.set_request_id(absl::StrCat("sim-", cycle_id_, "-", r.code, "-save"));
    save.set_cycle_id(cycle_id_);
    save.set_region_code(r.code);
    for (const auto& [item, answer] : r.claimed) {
      sv1::Answer* a = save.add_answers();
      a->set_item_id(item);
      *a->mutable_value() = answer.value;
    }
    sv1::SaveAnswersResponse saved;
    grpc::Status s =
        caller_.Call(TokenOf(r), [&](grpc::ClientContext* c) { return submissions_->SaveAnswers(c, save, &saved); });
    if (!s.ok()) return FromGrpc(s, absl::StrCat("SaveAnswers ", r.code));
    if (r.submits) {
      for (const auto& [item, answer] : r.claimed) {
        if (!answer.has_evidence) continue;
        if (absl::Status u = Upload(r, item, r.unreadable_evidence == item ? "unreadable" : "first"); !u.ok()) {
          return u;
        }
      }
      if (absl::Status sub = Submit(r, "submit"); !sub.ok()) return sub;
    }
    Tick(T("evaluasi mandiri", "self-evaluations"), done, static_cast<int>(plan_.regions.size()));
    return absl::OkStatus();
  });
}

absl::Status Run::Provincial() {
  std::atomic<int> done{0};
  return ForEach(submitters_.size(), o_.parallel, [&](size_t i) -> absl::Status {
    const RegionPlan& r = *submitters_[i];
    if (r.unreadable_evidence) {
      // The province returns the item whose data dukung cannot be read;
      // the region uploads it again and resubmits.
      absl::StatusOr<sv1::Submission> now = Get(r);
      if (!now.ok()) return now.status();
      sv1::ReturnSubmissionRequest ret;
      ret.set_request_id(absl::StrCat("sim-", cycle_id_, "-", r.code, "-return"));
      ret.set_cycle_id(cycle_id_);
      ret.set_region_code(r.code);
      ret.set_etag(now->etag());
      auto* item = ret.add_items();
      item->set_item_id(*r.unreadable_evidence);
      item->set_reason(absl::StrCat("Data dukung butir ", *r.unreadable_evidence, " tidak terbaca; unggah ulang"));
      *ret.mutable_deadline() = ToProtoTime(absl::Now() + absl::Hours(48));
      sv1::ReturnSubmissionResponse returned;
      grpc::Status s = caller_.Call(province_tokens_.at(r.province_code), [&](grpc::ClientContext* c) {
        return submissions_->ReturnSubmission(c, ret, &returned);
      });
      if (!s.ok()) return FromGrpc(s, absl::StrCat("ReturnSubmission ", r.code));
      if (absl::Status u = Upload(r, *r.unreadable_evidence, "again"); !u.ok()) return u;
      if (absl::Status sub = Submit(r, "resubmit"); !sub.ok()) return sub;
      std::lock_guard lock(mu_);
      ++result_.returned;
    }
    if (absl::Status v = Verify(province_tokens_.at(r.province_code), r, "provincial", {}); !v.ok()) return v;
    Tick(T("verifikasi provinsi", "provincial verification"), done, static_cast<int>(submitters_.size()));
    return absl::OkStatus();
  });
}

absl::Status Run::CentralReview() {
  std::atomic<int> done{0};
  return ForEach(submitters_.size(), o_.parallel, [&](size_t i) -> absl::Status {
    const RegionPlan& r = *submitters_[i];
    std::vector<sv1::Adjustment> adjustments;
    if (r.adjustment) {
      sv1::Adjustment a;
      a.set_item_id(r.adjustment->item_id);
      *a.mutable_value() = r.adjustment->value;
      a.set_reason("Data dukung tidak menunjukkan capaian yang dilaporkan");
      adjustments.push_back(a);
    }
    sv1::Submission after;
    if (absl::Status v = Verify(o_.admin_token, r, "central", adjustments, &after); !v.ok()) return v;
    std::lock_guard lock(mu_);
    if (r.adjustment) ++result_.adjusted;
    if (after.stage() == type::v1::STAGE_FIELD_VERIFICATION) in_field_.insert(r.code);
    Tick(T("peninjauan pusat", "central review"), done, static_cast<int>(submitters_.size()));
    return absl::OkStatus();
  });
}

absl::Status Run::Field() {
  std::vector<const RegionPlan*> field;
  for (const RegionPlan* r : submitters_) {
    if (in_field_.contains(r->code)) field.push_back(r);
  }
  result_.field_verified = static_cast<int>(field.size());
  // Two field teams, never in their home province: one from DKI Jakarta for
  // everywhere else, one from Jawa Barat for Jakarta.
  std::map<std::string, std::string> token_of;  // region -> its team's token
  for (const auto& [home, name] : std::vector<std::pair<std::string, std::string>>{{"31", "1"}, {"32", "2"}}) {
    rv1::Account team;
    team.set_name(absl::StrCat("verlap.", absl::AsciiStrToLower(cycle_id_), ".", name));
    team.set_display_name(absl::StrCat("Tim verifikasi lapangan ", name));
    team.set_role(rv1::ROLE_FIELD_VERIFIER);
    team.set_province_code(home);
    for (const RegionPlan* r : field) {
      if ((r->province_code == "31") == (home == "32")) team.add_assigned_regions(r->code);
    }
    if (team.assigned_regions().empty()) continue;
    absl::StatusOr<std::string> token = Person(team);
    if (!token.ok()) return token.status();
    for (const auto& code : team.assigned_regions()) token_of[code] = *token;
  }
  std::atomic<int> done{0};
  return ForEach(field.size(), o_.parallel, [&](size_t i) -> absl::Status {
    if (absl::Status v = Verify(token_of.at(field[i]->code), *field[i], "field", {}); !v.ok()) return v;
    Tick(T("verifikasi lapangan", "field verification"), done, static_cast<int>(field.size()));
    return absl::OkStatus();
  });
}

absl::Status Run::AwaitScored(type::v1::Stage stage, int count) {
  const absl::Time give_up = absl::Now() + o_.retry_budget;
  while (true) {
    scv1::GetPredicateSummaryRequest req;
    req.set_cycle_id(cycle_id_);
    req.set_view(scv1::RANKING_VIEW_LIVE);
    req.set_stage(stage);
    scv1::GetPredicateSummaryResponse resp;
    grpc::Status s = caller_.Call(o_.admin_token,
                                  [&](grpc::ClientContext* c) { return scoring_->GetPredicateSummary(c, req, &resp); });
    const int ranked = resp.regency_count() - resp.unranked();
    if (s.ok() && ranked >= count) return absl::OkStatus();
    if (!s.ok() && s.error_code() != grpc::StatusCode::NOT_FOUND && s.error_code() != grpc::StatusCode::UNAVAILABLE) {
      return FromGrpc(s, "GetPredicateSummary");
    }
    if (absl::Now() > give_up) {
      return absl::DeadlineExceededError(absl::StrFormat("scores of %s: %d of %d after %s", type::v1::Stage_Name(stage),
                                                         ranked, count, absl::FormatDuration(o_.retry_budget)));
    }
    absl::SleepFor(absl::Milliseconds(200));
  }
}

absl::Status Run::Objections() {
  // Provisional results once every region's latest stage is scored.
  if (absl::Status a = AwaitScored(type::v1::STAGE_CENTRAL_REVIEW, static_cast<int>(submitters_.size())); !a.ok()) {
    return a;
  }
  if (absl::Status a = AwaitScored(type::v1::STAGE_FIELD_VERIFICATION, result_.field_verified); !a.ok()) return a;
  scv1::PublishResultsRequest pub;
  pub.set_cycle_id(cycle_id_);
  pub.set_kind(scv1::PUBLICATION_KIND_PROVISIONAL);
  pub.set_request_id(absl::StrCat("sim-", cycle_id_, "-provisional"));
  scv1::PublishResultsResponse published;
  grpc::Status s = caller_.Call(o_.admin_token,
                                [&](grpc::ClientContext* c) { return scoring_->PublishResults(c, pub, &published); });
  if (!s.ok()) return FromGrpc(s, "PublishResults provisional");
  Say(T("  hasil sementara diterbitkan; masa sanggah", "  provisional results published; objection window"));

  std::vector<const RegionPlan*> objecting;
  for (const RegionPlan* r : submitters_) {
    if (r->adjustment && r->adjustment->objected) objecting.push_back(r);
  }
  result_.objections = static_cast<int>(objecting.size());
  std::atomic<int> done{0};
  return ForEach(objecting.size(), o_.parallel, [&](size_t i) -> absl::Status {
    const RegionPlan& r = *objecting[i];
    const Adjustment& adj = *r.adjustment;
    absl::StatusOr<sv1::Submission> full = Get(r);
    if (!full.ok()) return full.status();
    std::string evidence;
    for (const auto& a : full->answers()) {
      if (a.item_id() == adj.item_id && !a.evidence_ids().empty()) evidence = a.evidence_ids(0);
    }
    const int indicator = indicator_of_.at(adj.item_id);
    sv1::FileObjectionRequest file;
    file.set_request_id(absl::StrCat("sim-", cycle_id_, "-", r.code, "-object"));
    file.set_cycle_id(cycle_id_);
    file.set_region_code(r.code);
    file.set_etag(full->etag());
    file.set_indicator(indicator);
    file.set_reason(absl::StrCat("Capaian butir ", adj.item_id, " didukung data dukung yang telah diunggah"));
    if (!evidence.empty()) file.add_evidence_ids(evidence);
    sv1::FileObjectionResponse filed;
    grpc::Status st =
        caller_.Call(TokenOf(r), [&](grpc::ClientContext* c) { return submissions_->FileObjection(c, file, &filed); });
    if (!st.ok()) return FromGrpc(st, absl::StrCat("FileObjection ", r.code));
    sv1::ResolveObjectionRequest resolve;
    resolve.set_request_id(absl::StrCat("sim-", cycle_id_, "-", r.code, "-resolve"));
    resolve.set_cycle_id(cycle_id_);
    resolve.set_region_code(r.code);
    resolve.set_etag(filed.submission().etag());
    resolve.set_objection_id(filed.objection().objection_id());
    if (adj.accepted) {
      resolve.set_decision(sv1::OBJECTION_DECISION_ACCEPT);
      resolve.set_reason("Data dukung membuktikan capaian; nilai dipulihkan");
      auto* a = resolve.add_adjustments();
      a->set_item_id(adj.item_id);
      *a->mutable_value() = r.claimed.at(adj.item_id).value;
      a->set_reason("Sanggah diterima");
    } else {
      resolve.set_decision(sv1::OBJECTION_DECISION_REJECT);
      resolve.set_reason("Data dukung tidak menunjukkan capaian yang dilaporkan");
    }
    sv1::ResolveObjectionResponse resolved;
    st = caller_.Call(o_.admin_token,
                      [&](grpc::ClientContext* c) { return submissions_->ResolveObjection(c, resolve, &resolved); });
    if (!st.ok()) return FromGrpc(st, absl::StrCat("ResolveObjection ", r.code));
    Tick(T("sanggah", "objections"), done, static_cast<int>(objecting.size()));
    return absl::OkStatus();
  });
}

absl::Status Run::FinalVerification() {
  std::atomic<int> done{0};
  return ForEach(submitters_.size(), o_.parallel, [&](size_t i) -> absl::Status {
    if (absl::Status v = Verify(o_.admin_token, *submitters_[i], "final", {}); !v.ok()) return v;
    Tick(T("verifikasi final", "final verification"), done, static_cast<int>(submitters_.size()));
    return absl::OkStatus();
  });
}

absl::Status Run::Publish() {
  if (absl::Status a = AwaitScored(type::v1::STAGE_FINAL_VERIFICATION, static_cast<int>(submitters_.size())); !a.ok()) {
    return a;
  }
  // The ceremony: final verification closes now, the announcement follows.
  rv1::GetCycleRequest get;
  get.set_cycle_id(cycle_id_);
  grpc::Status s;
  absl::Time announce;
  for (int attempt = 0; attempt < 5; ++attempt) {  // stale etag after a swallowed answer: read again
    rv1::GetCycleResponse got;
    s = caller_.Call(o_.admin_token, [&](grpc::ClientContext* c) { return registry_->GetCycle(c, get, &got); });
    if (!s.ok()) return FromGrpc(s, "GetCycle");
    const absl::Time close = absl::Now() + absl::Seconds(2);
    announce = close + absl::Seconds(2);
    // Created with the announcement months ahead: one within a day means
    // an earlier attempt moved it already.
    const absl::Time planned = absl::FromUnixSeconds(got.cycle().announcement_time().seconds());
    if (got.cycle().state() != rv1::CYCLE_STATE_FINAL_VERIFICATION || planned < absl::Now() + absl::Hours(24)) {
      announce = planned;
      break;
    }
    rv1::UpdateCycleRequest update;
    *update.mutable_cycle() = got.cycle();
    for (auto& w : *update.mutable_cycle()->mutable_windows()) {
      if (w.phase() == rv1::CYCLE_PHASE_FINAL_VERIFICATION) *w.mutable_close_time() = ToProtoTime(close);
    }
    *update.mutable_cycle()->mutable_announcement_time() = ToProtoTime(announce);
    update.mutable_update_mask()->add_paths("windows");
    update.mutable_update_mask()->add_paths("announcement_time");
    rv1::UpdateCycleResponse updated;
    s = caller_.Call(o_.admin_token,
                     [&](grpc::ClientContext* c) { return registry_->UpdateCycle(c, update, &updated); });
    if (s.error_code() == grpc::StatusCode::ABORTED) continue;
    if (!s.ok()) return FromGrpc(s, "UpdateCycle");
    break;
  }
  scv1::PublishResultsRequest pub;
  pub.set_cycle_id(cycle_id_);
  pub.set_kind(scv1::PUBLICATION_KIND_FINAL);
  pub.set_request_id(absl::StrCat("sim-", cycle_id_, "-final"));
  scv1::PublishResultsResponse published;
  s = caller_.Call(o_.admin_token,
                   [&](grpc::ClientContext* c) { return scoring_->PublishResults(c, pub, &published); });
  if (!s.ok()) return FromGrpc(s, "PublishResults final");
  Say(T("Hasil akhir diterbitkan; pengumuman ditahan sampai waktu pengumuman",
        "Final results published; announcements held until the announcement time"));
  // Past the announcement: the cycle is published.
  absl::SleepFor(std::max(absl::ZeroDuration(), announce - absl::Now()));
  rv1::AdvanceCycleRequest adv;
  adv.set_cycle_id(cycle_id_);
  s = caller_.Call(o_.admin_token, [&](grpc::ClientContext* c) {
    rv1::GetCycleResponse fresh;
    grpc::ClientContext read;
    read.set_deadline(absl::ToChronoTime(absl::Now() + o_.call_timeout));
    read.AddMetadata("authorization", absl::StrCat("Bearer ", o_.admin_token));
    grpc::Status r = registry_->GetCycle(&read, get, &fresh);
    if (!r.ok()) return r;
    if (fresh.cycle().state() >= rv1::CYCLE_STATE_PUBLISHED) return grpc::Status::OK;
    adv.set_etag(fresh.cycle().etag());
    rv1::AdvanceCycleResponse advanced;
    return registry_->AdvanceCycle(c, adv, &advanced);
  });
  return FromGrpc(s, "AdvanceCycle to PUBLISHED");
}

absl::Status Run::Collect() {
  scv1::GetPredicateSummaryRequest sreq;
  sreq.set_cycle_id(cycle_id_);
  sreq.set_view(scv1::RANKING_VIEW_FINAL);
  grpc::Status s = caller_.Call(
      o_.admin_token, [&](grpc::ClientContext* c) { return scoring_->GetPredicateSummary(c, sreq, &result_.summary); });
  if (!s.ok()) return FromGrpc(s, "GetPredicateSummary");
  scv1::GetProvilaRequest preq;
  preq.set_cycle_id(cycle_id_);
  preq.set_view(scv1::RANKING_VIEW_FINAL);
  s = caller_.Call(o_.admin_token,
                   [&](grpc::ClientContext* c) { return scoring_->GetProvila(c, preq, &result_.provila); });
  if (!s.ok()) return FromGrpc(s, "GetProvila");
  KLA_RETURN_IF_ERROR(CompareRanking());
  KLA_RETURN_IF_ERROR(CheckStored());
  CheckAnnouncements();
  return absl::OkStatus();
}

// The final ranking against the one the plan implies.
absl::Status Run::CompareRanking() {
  grpc::Status s;
  struct Entry {
    int rank;
    int64_t total;
    type::v1::Predicate predicate;
    bool operator==(const Entry&) const = default;
  };
  std::map<std::string, Entry> ranked;
  scv1::GetRankingRequest rreq;
  rreq.set_cycle_id(cycle_id_);
  rreq.set_view(scv1::RANKING_VIEW_FINAL);
  rreq.set_page_size(1000);
  do {
    scv1::GetRankingResponse page;
    s = caller_.Call(o_.admin_token, [&](grpc::ClientContext* c) { return scoring_->GetRanking(c, rreq, &page); });
    if (!s.ok()) return FromGrpc(s, "GetRanking");
    for (const auto& e : page.entries()) {
      result_.final_totals[e.region().code()] = e.total().hundredths();
      ranked[e.region().code()] = {e.rank(), e.total().hundredths(), e.predicate()};
    }
    rreq.set_page_token(page.next_page_token());
  } while (!rreq.page_token().empty());

  // The ranking the plan implies: competition ranks (1, 2, 2, 4) by total.
  std::map<std::string, Entry> expected;
  for (const auto& [code, total] : result_.planned_totals) {
    int above = 0;
    for (const auto& [other, t] : result_.planned_totals) above += t > total ? 1 : 0;
    expected[code] = {above + 1, total, score::PredicateOf(rulebook_, total)};
  }
  for (const auto& [code, e] : expected) {
    auto it = ranked.find(code);
    if (it == ranked.end() || !(it->second == e)) ++result_.ranking_differences;
  }
  for (const auto& [code, e] : ranked) result_.ranking_differences += expected.contains(code) ? 0 : 1;

  return absl::OkStatus();
}

absl::Status Run::CheckStored() {
  // Every answer saved is there as it was given (drafts included), and
  // every file uploaded, with its bytes' digest.
  std::atomic<int> missing{0};
  std::atomic<int> answers_missing{0};
  absl::Status listed = ForEach(plan_.regions.size(), o_.parallel, [&](size_t i) -> absl::Status {
    const RegionPlan& r = plan_.regions[i];
    absl::StatusOr<sv1::Submission> stored = Get(r);
    if (!stored.ok()) return stored.status();
    std::map<std::string, const sv1::AnswerValue*> given;
    for (const auto& a : stored->answers()) given[a.item_id()] = &a.value();
    for (const auto& [item, answer] : r.claimed) {
      auto it = given.find(item);
      if (it == given.end() || !google::protobuf::util::MessageDifferencer::Equals(*it->second, answer.value)) {
        ++answers_missing;
      }
    }
    if (!r.submits) return absl::OkStatus();
    sv1::ListEvidenceRequest req;
    req.set_cycle_id(cycle_id_);
    req.set_region_code(r.code);
    req.set_page_size(1000);
    std::set<std::string> held;
    do {
      sv1::ListEvidenceResponse resp;
      grpc::Status st = caller_.Call(o_.admin_token,
                                     [&](grpc::ClientContext* c) { return submissions_->ListEvidence(c, req, &resp); });
      if (!st.ok()) return FromGrpc(st, absl::StrCat("ListEvidence ", r.code));
      for (const auto& e : resp.evidence()) held.insert(e.sha256());
      req.set_page_token(resp.next_page_token());
    } while (!req.page_token().empty());
    for (const auto& [item, answer] : r.claimed) {
      if (!answer.has_evidence) continue;
      const std::string version = r.unreadable_evidence == item ? "again" : "first";
      if (!held.contains(Sha256Hex(EvidenceBody(r, item, version)))) ++missing;
    }
    return absl::OkStatus();
  });
  if (!listed.ok()) return listed;
  result_.evidence_missing = missing;
  result_.answers_missing = answers_missing;
  return absl::OkStatus();
}

void Run::CheckAnnouncements() {
  // The announcements: one per awarded region and the summary, each signed.
  result_.announcements_expected = result_.summary.awarded_count() + 1;
  if (receiver_ != nullptr) {
    receiver_->WaitForRequests(static_cast<size_t>(result_.announcements_expected), o_.retry_budget);
    std::map<std::string, std::string> body_of;
    for (const auto& r : receiver_->requests()) {
      auto header = [&](const char* name) {
        auto it = r.headers.find(name);
        return it == r.headers.end() ? std::string() : it->second;
      };
      const std::string id = header("webhook-id");
      if (!webhook::Verify({receiver_secret_}, id, header("webhook-timestamp"), r.body, header("webhook-signature"),
                           absl::Now(), absl::Hours(1))) {
        ++result_.bad_signatures;
        continue;
      }
      auto [it, fresh] = body_of.emplace(id, r.body);
      if (!fresh) ++result_.announcement_repeats;
      if (!fresh && it->second != r.body) ++result_.bad_signatures;  // same id, other bytes: never acceptable
    }
    result_.announcements_received = static_cast<int>(body_of.size());
  }
}

absl::StatusOr<SimulationResult> Run::Go() {
  cycle_id_ = o_.cycle_id.empty() ? absl::StrCat("simulasi-", o_.seed) : o_.cycle_id;
  result_.cycle_id = cycle_id_;
  auto step = [&](const char* id, const char* en, const std::function<absl::Status()>& fn) -> absl::Status {
    const absl::Time t = absl::Now();
    Say(T(id, en));
    absl::Status s = fn();
    if (s.ok()) {
      Say(absl::StrCat("  ", T("selesai dalam ", "done in "),
                       absl::FormatDuration(absl::Trunc(absl::Now() - t, absl::Milliseconds(100)))));
    }
    return s;
  };
  struct Step {
    const char* id;
    const char* en;
    int phase;  // -1: none
    std::function<absl::Status()> fn;
  };
  const std::vector<Step> steps = {
      {"Menyiapkan siklus, penerima pengumuman, akun sistem daerah, dan verifikator provinsi",
       "Setting up the cycle, the announcement receiver, regional system accounts and province verifiers", -1,
       [&] { return Setup(); }},
      {"Evaluasi mandiri: jawaban, data dukung, pengiriman", "Self-evaluation: answers, evidence, submission", -1,
       [&] { return SelfEvaluation(); }},
      {"Verifikasi provinsi (dengan pengembalian dan kirim ulang)",
       "Provincial verification (with returns and resubmissions)", 1, [&] { return Provincial(); }},
      {"Peninjauan pusat (dengan penyesuaian)", "Central review (with adjustments)", 2,
       [&] { return CentralReview(); }},
      {"Verifikasi lapangan (nilai di atas ambang)", "Field verification (scores above the threshold)", 3,
       [&] { return Field(); }},
      {"Masa sanggah", "Objection window", 4, [&] { return Objections(); }},
      {"Verifikasi final", "Final verification", 5, [&] { return FinalVerification(); }},
      {"Penerbitan dan pengumuman", "Publication and announcements", -1, [&] { return Publish(); }},
      {"Membaca hasil dan pengumuman yang diterima", "Reading the results and the announcements received", -1,
       [&] { return Collect(); }},
  };
  for (const Step& s : steps) {
    absl::Status st = step(s.id, s.en, [&]() -> absl::Status {
      if (s.phase >= 0) {
        if (absl::Status m = MovePhase(s.phase); !m.ok()) return m;
      }
      return s.fn();
    });
    if (!st.ok()) {
      Unsubscribe();
      return st;
    }
  }
  Unsubscribe();
  result_.elapsed = absl::Now() - start_;
  return result_;
}

void Run::Unsubscribe() {
  if (subscription_.subscription_id().empty()) return;
  nv1::DeleteSubscriptionRequest req;
  req.set_subscription_id(subscription_.subscription_id());
  req.set_etag(subscription_.etag());
  nv1::DeleteSubscriptionResponse resp;
  const grpc::Status s = caller_.Call(
      o_.admin_token, [&](grpc::ClientContext* c) { return notifications_->DeleteSubscription(c, req, &resp); });
  if (!s.ok()) {
    Say(absl::StrCat(T("  langganan penerima tidak dapat dihapus: ", "  the receiver's subscription was not removed: "),
                     subscription_.subscription_id(), " (", s.error_message(), ")"));
  }
  subscription_.Clear();
}

}  // namespace

absl::StatusOr<SimulationResult> RunSimulation(const SimulationOptions& options) {
  Run run(options);
  return run.Go();
}

}  // namespace kla::simulate
