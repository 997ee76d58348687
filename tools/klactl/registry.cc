// klactl's registry commands: health, regions, rulebooks, cycles, task
// forces and trainings.

#include "tools/klactl/registry.h"

#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "kla/registry/v1/registry_service.grpc.pb.h"
#include "libs/common/errors.h"
#include "libs/common/ids.h"
#include "libs/common/points.h"
#include "libs/rpc/error_mapping.h"
#include "libs/rpc/logging_interceptor.h"
#include "tools/klactl/client.h"
#include "tools/klactl/output.h"
#include "tools/klactl/submissions.h"

namespace kla::klactl {
namespace {

namespace regv1 = kla::registry::v1;
namespace typev1 = kla::type::v1;

constexpr Text kCode{"KODE", "CODE"};
constexpr Text kLevel{"JENIS", "LEVEL"};
constexpr Text kProvince{"PROVINSI", "PROVINCE"};
constexpr Text kRegencies{"KAB/KOTA", "REGENCIES"};
constexpr Text kService{"LAYANAN", "SERVICE"};
constexpr Text kImported{"impor selesai", "import done"};
constexpr Text kValidated{"validasi selesai (tidak ada yang disimpan)", "validation done (nothing stored)"};
constexpr Text kCreated{"baru", "created"};
constexpr Text kUpdated{"diperbarui", "updated"};
constexpr Text kUnchanged{"tetap", "unchanged"};
constexpr Text kMissing{"tidak ada di berkas (tetap disimpan)", "not in the files (kept)"};

std::string LevelName(const Options& o, typev1::RegionLevel l) {
  switch (l) {
    case typev1::REGION_LEVEL_PROVINCE:
      return T(o, {"Provinsi", "Province"});
    case typev1::REGION_LEVEL_KABUPATEN:
      return "Kabupaten";
    case typev1::REGION_LEVEL_KOTA:
      return "Kota";
    default:
      return "-";
  }
}

bool ParseLevel(const std::string& s, typev1::RegionLevel* out) {
  if (s.empty()) {
    *out = typev1::REGION_LEVEL_UNSPECIFIED;
  } else if (s == "province" || s == "provinsi") {
    *out = typev1::REGION_LEVEL_PROVINCE;
  } else if (s == "kabupaten") {
    *out = typev1::REGION_LEVEL_KABUPATEN;
  } else if (s == "kota") {
    *out = typev1::REGION_LEVEL_KOTA;
  } else {
    return false;
  }
  return true;
}

void PrintRegions(const Options& o, const google::protobuf::RepeatedPtrField<regv1::Region>& regions, int total) {
  Table t({T(o, kCode), T(o, kName), T(o, kLevel), T(o, kProvince), T(o, kRegencies)});
  for (const auto& r : regions) {
    t.Add({r.code(), r.name(), LevelName(o, r.level()),
           r.level() == typev1::REGION_LEVEL_PROVINCE ? "-" : r.province().name(),
           r.level() == typev1::REGION_LEVEL_PROVINCE ? std::to_string(r.regency_count()) : "-"});
  }
  t.Print(std::cout);
  std::cout << T(o, kTotal) << ": " << total << "\n";
}

int Health(const Options& o, const std::string& service) {
  Client c(o);
  auto stub = grpc::health::v1::Health::NewStub(c.channel());
  std::vector<std::string> names = {""};
  if (service == "server") {  // the process alone (a liveness probe): not its services, which drain on SIGTERM
  } else if (service.empty()) {
    for (const char* s : {"registry", "submission", "scoring", "notification"}) names.emplace_back(s);
  } else {
    names = {service};
  }
  Table t({T(o, kService), T(o, kStatus)});
  std::string json = "{";
  int rc = 0;
  for (const auto& n : names) {
    grpc::health::v1::HealthCheckRequest req;
    req.set_service(n);
    grpc::health::v1::HealthCheckResponse resp;
    grpc::Status s = stub->Check(c.Context().get(), req, &resp);
    std::string status;
    if (s.ok()) {
      status = grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status());
      if (resp.status() != grpc::health::v1::HealthCheckResponse::SERVING) rc = 1;
    } else if (s.error_code() == grpc::StatusCode::NOT_FOUND) {
      status = "NOT_HOSTED";  // this process does not host that service
    } else {
      return c.Report(s);
    }
    const std::string label = n.empty() ? "kla-server" : n;
    t.Add({label, status});
    absl::StrAppend(&json, json.size() > 1 ? ", " : "", "\"", label, "\": \"", status, "\"");
  }
  if (o.output == "json") {
    std::cout << json << "}\n";
  } else {
    t.Print(std::cout);
  }
  return rc;
}

int RegionsGet(const Options& o, const std::string& code) {
  Client c(o);
  auto stub = regv1::RegistryService::NewStub(c.channel());
  regv1::GetRegionRequest req;
  req.set_code(code);
  regv1::GetRegionResponse resp;
  grpc::Status s = stub->GetRegion(c.Context().get(), req, &resp);
  if (!s.ok()) return c.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
    return 0;
  }
  google::protobuf::RepeatedPtrField<regv1::Region> one;
  *one.Add() = resp.region();
  PrintRegions(o, one, 1);
  return 0;
}

// Lists every page (or one page with --page-size and --page-token).
template <typename Req, typename Resp, typename Call>
int ListAll(const Options& o, const Client& c, Req req, bool one_page, Call call) {
  Resp all;
  while (true) {
    Resp page;
    grpc::Status s = call(c.Context().get(), req, &page);
    if (!s.ok()) return c.Report(s);
    all.mutable_regions()->MergeFrom(page.regions());
    all.set_total_size(page.total_size());
    all.set_next_page_token(page.next_page_token());
    if (one_page || page.next_page_token().empty()) break;
    req.set_page_token(page.next_page_token());
  }
  if (o.output == "json") {
    std::cout << ToJson(all);
  } else {
    PrintRegions(o, all.regions(), all.total_size());
  }
  return 0;
}

int RegionsList(const Options& o, const std::string& province, const std::string& level, int page_size,
                const std::string& page_token) {
  Client c(o);
  auto stub = regv1::RegistryService::NewStub(c.channel());
  regv1::ListRegionsRequest req;
  req.set_province_code(province);
  typev1::RegionLevel l;
  if (!ParseLevel(level, &l)) {
    std::cerr << "klactl: " << T(o, kError) << ": --level: province, kabupaten, kota\n";
    return 2;
  }
  req.set_level(l);
  req.set_page_size(page_size);
  req.set_page_token(page_token);
  return ListAll<regv1::ListRegionsRequest, regv1::ListRegionsResponse>(
      o, c, req, page_size != 0 || !page_token.empty(),
      [&](grpc::ClientContext* ctx, const auto& r, auto* resp) { return stub->ListRegions(ctx, r, resp); });
}

int RegionsSearch(const Options& o, const std::string& query, const std::string& level) {
  Client c(o);
  auto stub = regv1::RegistryService::NewStub(c.channel());
  regv1::SearchRegionsRequest req;
  req.set_query(query);
  typev1::RegionLevel l;
  if (!ParseLevel(level, &l)) {
    std::cerr << "klactl: " << T(o, kError) << ": --level: province, kabupaten, kota\n";
    return 2;
  }
  req.set_level(l);
  return ListAll<regv1::SearchRegionsRequest, regv1::SearchRegionsResponse>(
      o, c, req, false,
      [&](grpc::ClientContext* ctx, const auto& r, auto* resp) { return stub->SearchRegions(ctx, r, resp); });
}

int RegionsImport(const Options& o, const std::string& dir, std::string provinces, std::string regencies,
                  const std::string& request_id, bool validate_only) {
  if (provinces.empty()) provinces = dir + "/provinces.csv";
  if (regencies.empty()) regencies = dir + "/regencies.csv";
  regv1::ImportRegionsRequest req;
  for (const auto& [path, field] :
       {std::pair{provinces, req.mutable_provinces_csv()}, std::pair{regencies, req.mutable_regencies_csv()}}) {
    if (!ReadFile(path, field)) {
      std::cerr << "klactl: " << T(o, kError) << ": " << T(o, kCannotRead) << " " << path << "\n";
      return 2;
    }
  }
  // A fresh id per invocation; pass --request-id to make a retry of the
  // same import safe.
  req.set_request_id(request_id.empty() ? NewUuid() : request_id);
  req.set_validate_only(validate_only);
  Client c(o);
  auto stub = regv1::RegistryService::NewStub(c.channel());
  regv1::ImportRegionsResponse resp;
  grpc::Status s = stub->ImportRegions(c.Context().get(), req, &resp);
  if (!s.ok()) return c.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
    return 0;
  }
  std::cout << T(o, validate_only ? kValidated : kImported) << ": " << resp.province_count() << " "
            << T(o, {"provinsi", "provinces"}) << ", " << resp.regency_count() << " "
            << T(o, {"kabupaten/kota", "regencies"}) << " (" << T(o, kCreated) << " " << resp.created() << ", "
            << T(o, kUpdated) << " " << resp.updated() << ", " << T(o, kUnchanged) << " " << resp.unchanged() << ")\n";
  if (resp.missing_codes_size() > 0) {
    std::cout << T(o, kMissing) << ": " << absl::StrJoin(resp.missing_codes(), ", ") << "\n";
  }
  return 0;
}

std::string Points(const Options& o, const typev1::Points& p) { return FormatPoints(p.hundredths(), o.lang != "en"); }

constexpr Text kField{"BIDANG", "FIELD"};
constexpr Text kProblem{"MASALAH", "PROBLEM"};
constexpr Text kValid{"rulebook sah", "rulebook is valid"};
constexpr Text kInvalid{"rulebook tidak sah", "rulebook is invalid"};
constexpr Text kIndicators{"indikator", "indicators"};
constexpr Text kItems{"butir", "items"};
constexpr Text kStored{"rulebook disimpan", "rulebook stored"};
constexpr Text kAlreadyStored{"rulebook ini sudah tersimpan", "this rulebook was already stored"};
constexpr Text kIllustrative{"BOBOT ILUSTRATIF (bobot resmi tidak dipublikasikan)",
                             "ILLUSTRATIVE WEIGHTS (the official weights are unpublished)"};

int RulebookValidate(const Options& o, const std::string& file) {
  regv1::ValidateRulebookRequest req;
  if (!ReadFile(file, req.mutable_textproto())) {
    std::cerr << "klactl: " << T(o, kError) << ": " << T(o, kCannotRead) << " " << file << "\n";
    return 2;
  }
  Client c(o);
  auto stub = regv1::RegistryService::NewStub(c.channel());
  regv1::ValidateRulebookResponse resp;
  grpc::Status s = stub->ValidateRulebook(c.Context().get(), req, &resp);
  if (!s.ok()) return c.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
  } else {
    std::cout << T(o, resp.valid() ? kValid : kInvalid) << ": " << resp.indicator_count() << " " << T(o, kIndicators)
              << ", " << resp.item_count() << " " << T(o, kItems) << "\n";
    if (!resp.valid()) {
      Table t({T(o, kField), T(o, kProblem)});
      for (const auto& v : resp.violations()) t.Add({v.field(), v.description()});
      t.Print(std::cout);
    }
  }
  return resp.valid() ? 0 : 2;
}

int RulebookUpload(const Options& o, const std::string& file, const std::string& request_id) {
  regv1::UploadRulebookRequest req;
  if (!ReadFile(file, req.mutable_textproto())) {
    std::cerr << "klactl: " << T(o, kError) << ": " << T(o, kCannotRead) << " " << file << "\n";
    return 2;
  }
  req.set_request_id(request_id.empty() ? NewUuid() : request_id);
  Client c(o);
  auto stub = regv1::RegistryService::NewStub(c.channel());
  regv1::UploadRulebookResponse resp;
  grpc::Status s = stub->UploadRulebook(c.Context().get(), req, &resp);
  if (!s.ok()) return c.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
    return 0;
  }
  std::cout << T(o, resp.created() ? kStored : kAlreadyStored) << ": " << resp.rulebook().rulebook().version() << " ("
            << resp.rulebook().item_count() << " " << T(o, kItems) << ", sha256 "
            << resp.rulebook().sha256().substr(0, 12) << ")\n";
  return 0;
}

int RulebookShow(const Options& o, const std::string& version, bool items) {
  Client c(o);
  auto stub = regv1::RegistryService::NewStub(c.channel());
  regv1::GetRulebookRequest req;
  req.set_version(version);
  regv1::GetRulebookResponse resp;
  grpc::Status s = stub->GetRulebook(c.Context().get(), req, &resp);
  if (!s.ok()) return c.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
    return 0;
  }
  const auto& rb = resp.rulebook().rulebook();
  std::cout << rb.title() << " — " << rb.version() << "\n" << rb.legal_basis() << "\n";
  if (rb.weights_illustrative()) std::cout << T(o, kIllustrative) << "\n";
  std::cout << "\n";
  Table bands({T(o, {"PREDIKAT", "PREDICATE"}), T(o, {"NILAI MINIMUM", "MINIMUM SCORE"})});
  for (const auto& b : rb.bands()) {
    std::string name = typev1::Predicate_Name(b.predicate()).substr(std::string("PREDICATE_").size());
    bands.Add({name, Points(o, b.min_score())});
  }
  bands.Add({T(o, {"verifikasi lapangan", "field verification"}), Points(o, rb.field_verification_threshold())});
  bands.Print(std::cout);
  std::cout << "\n";
  Table t(
      {"#", T(o, {"INDIKATOR", "INDICATOR"}), T(o, {"KLASTER", "CLUSTER"}), T(o, {"POIN", "POINTS"}), T(o, kItems)});
  for (const auto& ind : rb.indicators()) {
    std::string cluster = typev1::Cluster_Name(ind.cluster()).substr(std::string("CLUSTER_").size());
    cluster = cluster.substr(0, cluster.find('_') == 2 ? 2 : cluster.size());
    t.Add({std::to_string(ind.number()), ind.name(), cluster, Points(o, ind.max_points()),
           std::to_string(ind.items_size())});
    if (items) {
      for (const auto& it : ind.items()) {
        t.Add({"  " + it.id(), it.question(), it.owner_opd(), std::to_string(it.weight()) + "%",
               regv1::ItemType_Name(it.type()).substr(std::string("ITEM_TYPE_").size())});
      }
    }
  }
  t.Print(std::cout);
  return 0;
}

int RulebookList(const Options& o) {
  Client c(o);
  auto stub = regv1::RegistryService::NewStub(c.channel());
  regv1::ListRulebooksRequest req;
  regv1::ListRulebooksResponse all;
  while (true) {
    regv1::ListRulebooksResponse page;
    grpc::Status s = stub->ListRulebooks(c.Context().get(), req, &page);
    if (!s.ok()) return c.Report(s);
    all.mutable_rulebooks()->MergeFrom(page.rulebooks());
    if (page.next_page_token().empty()) break;
    req.set_page_token(page.next_page_token());
  }
  if (o.output == "json") {
    std::cout << ToJson(all);
    return 0;
  }
  Table t({T(o, {"VERSI", "VERSION"}), T(o, {"JUDUL", "TITLE"}), T(o, kItems), "SHA256"});
  for (const auto& r : all.rulebooks()) {
    t.Add({r.version(), r.title(), std::to_string(r.item_count()), r.sha256().substr(0, 12)});
  }
  t.Print(std::cout);
  return 0;
}

// Officials read and write times in Western Indonesia Time.

const std::vector<std::pair<std::string, regv1::CyclePhase>>& PhaseFlags() {
  static const std::vector<std::pair<std::string, regv1::CyclePhase>> kPhases = {
      {"self-evaluation", regv1::CYCLE_PHASE_SELF_EVALUATION},
      {"provincial-verification", regv1::CYCLE_PHASE_PROVINCIAL_VERIFICATION},
      {"central-review", regv1::CYCLE_PHASE_CENTRAL_REVIEW},
      {"field-verification", regv1::CYCLE_PHASE_FIELD_VERIFICATION},
      {"objection", regv1::CYCLE_PHASE_OBJECTION},
      {"final-verification", regv1::CYCLE_PHASE_FINAL_VERIFICATION}};
  return kPhases;
}

std::string PhaseLabel(const Options& o, regv1::CyclePhase p) {
  static const std::map<regv1::CyclePhase, Text> kLabels = {
      {regv1::CYCLE_PHASE_SELF_EVALUATION, {"Evaluasi mandiri", "Self-evaluation"}},
      {regv1::CYCLE_PHASE_PROVINCIAL_VERIFICATION, {"Verifikasi administrasi provinsi", "Provincial verification"}},
      {regv1::CYCLE_PHASE_CENTRAL_REVIEW, {"Peninjauan ulang pusat", "Central review"}},
      {regv1::CYCLE_PHASE_FIELD_VERIFICATION, {"Verifikasi lapangan", "Field verification"}},
      {regv1::CYCLE_PHASE_OBJECTION, {"Masa sanggah", "Objection window"}},
      {regv1::CYCLE_PHASE_FINAL_VERIFICATION, {"Verifikasi final", "Final verification"}}};
  auto it = kLabels.find(p);
  return it == kLabels.end() ? "-" : T(o, it->second);
}

std::string StateLabel(regv1::CycleState s) {
  return regv1::CycleState_Name(s).substr(std::string("CYCLE_STATE_").size());
}

void PrintCycle(const Options& o, const regv1::Cycle& c) {
  if (o.output == "json") {
    std::cout << ToJson(c);
    return;
  }
  std::cout << c.name() << " (" << c.id() << ")\n"
            << T(o, {"status", "state"}) << ": " << StateLabel(c.state()) << "   rulebook: " << c.rulebook_version()
            << "   etag: " << c.etag() << "\n\n";
  Table t({T(o, {"TAHAP", "PHASE"}), T(o, {"BUKA", "OPENS"}), T(o, {"TUTUP", "CLOSES"})});
  for (const auto& w : c.windows()) {
    t.Add({PhaseLabel(o, w.phase()), ShowTime(w.open_time()), ShowTime(w.close_time())});
  }
  t.Add({T(o, {"Pengumuman penghargaan", "Award announcement"}), ShowTime(c.announcement_time()), ""});
  t.Print(std::cout);
}

int Usage(const Options& o, const std::string& what) {
  std::cerr << "klactl: " << T(o, kError) << ": " << what << "\n";
  return 2;
}

struct CycleFlags {
  std::string id, name, rulebook, announcement;
  std::map<std::string, std::string> windows;  // flag -> "START,END"
};

int CycleCreate(const Options& o, const CycleFlags& f) {
  regv1::CreateCycleRequest req;
  auto* c = req.mutable_cycle();
  c->set_id(f.id);
  c->set_name(f.name.empty() ? "Evaluasi KLA " + f.id : f.name);
  c->set_rulebook_version(f.rulebook);
  for (const auto& [flag, phase] : PhaseFlags()) {
    auto it = f.windows.find(flag);
    if (it == f.windows.end() || it->second.empty()) return Usage(o, "--" + flag + " START,END");
    const size_t comma = it->second.find(',');
    auto* w = c->add_windows();
    w->set_phase(phase);
    if (comma == std::string::npos || !ParseWhen(it->second.substr(0, comma), false, w->mutable_open_time()) ||
        !ParseWhen(it->second.substr(comma + 1), true, w->mutable_close_time())) {
      return Usage(o, "--" + flag + ": START,END as 2025-03-01 or 2025-03-01T08:00:00+07:00");
    }
  }
  if (!ParseWhen(f.announcement, false, c->mutable_announcement_time())) {
    return Usage(o, "--announcement: e.g. 2025-07-23T09:00:00+07:00");
  }
  Client cl(o);
  auto stub = regv1::RegistryService::NewStub(cl.channel());
  regv1::CreateCycleResponse resp;
  grpc::Status s = stub->CreateCycle(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  PrintCycle(o, resp.cycle());
  return 0;
}

// Moves windows (the ministry shortens or postpones a phase) and the
// announcement; phases not given keep their window. Reads the current etag.
int CycleUpdate(const Options& o, const CycleFlags& f) {
  Client cl(o);
  auto stub = regv1::RegistryService::NewStub(cl.channel());
  regv1::GetCycleRequest get;
  get.set_cycle_id(f.id);
  regv1::GetCycleResponse current;
  grpc::Status s = stub->GetCycle(cl.Context().get(), get, &current);
  if (!s.ok()) return cl.Report(s);
  regv1::UpdateCycleRequest req;
  *req.mutable_cycle() = current.cycle();
  bool windows = false;
  for (const auto& [flag, phase] : PhaseFlags()) {
    auto it = f.windows.find(flag);
    if (it == f.windows.end() || it->second.empty()) continue;
    const size_t comma = it->second.find(',');
    for (auto& w : *req.mutable_cycle()->mutable_windows()) {
      if (w.phase() != phase) continue;
      if (comma == std::string::npos || !ParseWhen(it->second.substr(0, comma), false, w.mutable_open_time()) ||
          !ParseWhen(it->second.substr(comma + 1), true, w.mutable_close_time())) {
        return Usage(o, "--" + flag + ": START,END as 2025-03-01 or 2025-03-01T08:00:00+07:00");
      }
      windows = true;
    }
  }
  if (windows) req.mutable_update_mask()->add_paths("windows");
  if (!f.announcement.empty()) {
    if (!ParseWhen(f.announcement, false, req.mutable_cycle()->mutable_announcement_time())) {
      return Usage(o, "--announcement: e.g. 2025-07-23T09:00:00+07:00");
    }
    req.mutable_update_mask()->add_paths("announcement_time");
  }
  if (!f.name.empty()) {
    req.mutable_cycle()->set_name(f.name);
    req.mutable_update_mask()->add_paths("name");
  }
  if (req.update_mask().paths().empty()) return Usage(o, T(o, {"tidak ada yang diubah", "nothing to change"}));
  regv1::UpdateCycleResponse resp;
  s = stub->UpdateCycle(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  PrintCycle(o, resp.cycle());
  return 0;
}

int CycleGet(const Options& o, const std::string& id) {
  Client cl(o);
  auto stub = regv1::RegistryService::NewStub(cl.channel());
  regv1::GetCycleRequest req;
  req.set_cycle_id(id);
  regv1::GetCycleResponse resp;
  grpc::Status s = stub->GetCycle(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  PrintCycle(o, resp.cycle());
  return 0;
}

int CycleList(const Options& o) {
  Client cl(o);
  auto stub = regv1::RegistryService::NewStub(cl.channel());
  regv1::ListCyclesRequest req;
  regv1::ListCyclesResponse all;
  while (true) {
    regv1::ListCyclesResponse page;
    grpc::Status s = stub->ListCycles(cl.Context().get(), req, &page);
    if (!s.ok()) return cl.Report(s);
    all.mutable_cycles()->MergeFrom(page.cycles());
    if (page.next_page_token().empty()) break;
    req.set_page_token(page.next_page_token());
  }
  if (o.output == "json") {
    std::cout << ToJson(all);
    return 0;
  }
  Table t({"ID", T(o, kName), T(o, kStatus), "RULEBOOK", T(o, {"PENGUMUMAN", "ANNOUNCEMENT"})});
  for (const auto& c : all.cycles()) {
    t.Add({c.id(), c.name(), StateLabel(c.state()), c.rulebook_version(), ShowTime(c.announcement_time())});
  }
  t.Print(std::cout);
  return 0;
}

int CycleAdvance(const Options& o, const std::string& id, const std::string& etag) {
  Client cl(o);
  auto stub = regv1::RegistryService::NewStub(cl.channel());
  regv1::AdvanceCycleRequest req;
  req.set_cycle_id(id);
  req.set_etag(etag);
  regv1::AdvanceCycleResponse resp;
  grpc::Status s = stub->AdvanceCycle(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
  } else {
    std::cout << T(o, {"siklus", "cycle"}) << " " << id << ": " << StateLabel(resp.cycle().state()) << " (etag "
              << resp.cycle().etag() << ")\n";
  }
  return 0;
}

int CycleHistory(const Options& o, const std::string& id) {
  Client cl(o);
  auto stub = regv1::RegistryService::NewStub(cl.channel());
  regv1::ListCycleTransitionsRequest req;
  req.set_cycle_id(id);
  regv1::ListCycleTransitionsResponse resp;
  grpc::Status s = stub->ListCycleTransitions(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
    return 0;
  }
  Table t({T(o, {"WAKTU", "TIME"}), T(o, {"DARI", "FROM"}), T(o, {"KE", "TO"}), T(o, {"OLEH", "BY"})});
  for (const auto& tr : resp.transitions()) {
    t.Add({ShowTime(tr.time()), StateLabel(tr.from_state()), StateLabel(tr.to_state()), tr.actor()});
  }
  t.Print(std::cout);
  return 0;
}

bool ParsePhase(const std::string& s, regv1::CyclePhase* out) {
  for (const auto& [flag, phase] : PhaseFlags()) {
    if (flag == s) {
      *out = phase;
      return true;
    }
  }
  return false;
}

int CycleExtend(const Options& o, const std::string& id, const std::string& region, const std::string& phase,
                const std::string& until, const std::string& reason, const std::string& request_id) {
  regv1::GrantExtensionRequest req;
  req.set_request_id(request_id.empty() ? NewUuid() : request_id);
  auto* e = req.mutable_extension();
  e->set_cycle_id(id);
  e->set_region_code(region);
  regv1::CyclePhase p;
  if (!ParsePhase(phase, &p)) return Usage(o, "--phase: self-evaluation, provincial-verification, ...");
  e->set_phase(p);
  if (!ParseWhen(until, true, e->mutable_close_time())) return Usage(o, "--until: 2025-05-02 or RFC 3339");
  e->set_reason(reason);
  Client cl(o);
  auto stub = regv1::RegistryService::NewStub(cl.channel());
  regv1::GrantExtensionResponse resp;
  grpc::Status s = stub->GrantExtension(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
  } else {
    std::cout << T(o, {"perpanjangan diberikan", "extension granted"}) << ": " << region << ", " << PhaseLabel(o, p)
              << " " << T(o, {"sampai", "until"}) << " " << ShowTime(resp.extension().close_time()) << "\n";
  }
  return 0;
}

int CycleWindow(const Options& o, const std::string& id, const std::string& region, const std::string& phase) {
  regv1::GetRegionWindowRequest req;
  req.set_cycle_id(id);
  req.set_region_code(region);
  regv1::CyclePhase p;
  if (!ParsePhase(phase, &p)) return Usage(o, "--phase: self-evaluation, provincial-verification, ...");
  req.set_phase(p);
  Client cl(o);
  auto stub = regv1::RegistryService::NewStub(cl.channel());
  regv1::GetRegionWindowResponse resp;
  grpc::Status s = stub->GetRegionWindow(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
    return 0;
  }
  std::cout << region << ", " << PhaseLabel(o, p) << ": " << ShowTime(resp.open_time()) << " - "
            << ShowTime(resp.close_time());
  if (resp.has_extension()) {
    std::cout << " (" << T(o, {"diperpanjang", "extended"}) << ": " << resp.extension().reason() << ")";
  }
  std::cout << "\n";
  return 0;
}

bool ReadJson(const Options& o, const std::string& file, google::protobuf::Message* out) {
  std::string text;
  if (!ReadFile(file, &text)) {
    std::cerr << "klactl: " << T(o, kError) << ": " << T(o, kCannotRead) << " " << file << "\n";
    return false;
  }
  auto st = google::protobuf::util::JsonStringToMessage(text, out);
  if (!st.ok()) {
    std::cerr << "klactl: " << T(o, kError) << ": " << file << ": " << st.message() << "\n";
    return false;
  }
  return true;
}

std::string RoleLabel(const Options& o, regv1::TaskForceRole r) {
  switch (r) {
    case regv1::TASK_FORCE_ROLE_CHAIR:
      return T(o, {"Ketua", "Chair"});
    case regv1::TASK_FORCE_ROLE_VICE_CHAIR:
      return T(o, {"Wakil Ketua", "Vice-chair"});
    case regv1::TASK_FORCE_ROLE_SECRETARY:
      return T(o, {"Sekretaris", "Secretary"});
    default:
      return T(o, {"Anggota", "Member"});
  }
}

std::string ClusterShort(typev1::Cluster c) {
  if (c == typev1::CLUSTER_UNSPECIFIED) return "-";
  std::string n = typev1::Cluster_Name(c).substr(std::string("CLUSTER_").size());
  return n.rfind('K', 0) == 0 && n.size() > 2 && n[2] == '_' ? n.substr(0, 2) : n;
}

void PrintTaskForce(const Options& o, const regv1::TaskForce& tf) {
  if (o.output == "json") {
    std::cout << ToJson(tf);
    return;
  }
  std::cout << "Gugus Tugas KLA " << tf.region_code() << "   etag: " << tf.etag() << "\n"
            << "SK " << tf.decree().number() << " (" << tf.decree().date() << ", " << tf.decree().signatory() << ")\n";
  if (tf.has_rad_kla()) {
    std::cout << "RAD KLA: " << tf.rad_kla().document_ref() << " (" << tf.rad_kla().start_year() << "-"
              << tf.rad_kla().end_year() << ")\n";
  }
  std::cout << "\n";
  Table t({T(o, kName), T(o, {"JABATAN", "POSITION"}), T(o, {"OPD", "AGENCY"}), T(o, {"PERAN", "ROLE"}),
           T(o, {"SUB-KELOMPOK", "SUB-GROUP"})});
  for (const auto& m : tf.members()) {
    t.Add({m.name(), m.position(), m.agency(), RoleLabel(o, m.role()), ClusterShort(m.sub_group())});
  }
  t.Print(std::cout);
  if (tf.missing_sub_groups_size() > 0) {
    std::vector<std::string> missing;
    for (int c : tf.missing_sub_groups()) missing.push_back(ClusterShort(static_cast<typev1::Cluster>(c)));
    std::cout << T(o, {"sub-kelompok tanpa anggota", "sub-groups without members"}) << ": "
              << absl::StrJoin(missing, ", ") << "\n";
  }
}

int TaskForceSave(const Options& o, const std::string& file, const std::string& fields) {
  regv1::TaskForce tf;
  if (!ReadJson(o, file, &tf)) return 2;
  Client cl(o);
  auto stub = regv1::RegistryService::NewStub(cl.channel());
  grpc::Status s;
  regv1::TaskForce out;
  if (fields.empty()) {
    regv1::CreateTaskForceRequest req;
    *req.mutable_task_force() = tf;
    regv1::CreateTaskForceResponse resp;
    s = stub->CreateTaskForce(cl.Context().get(), req, &resp);
    out = resp.task_force();
  } else {
    regv1::UpdateTaskForceRequest req;
    *req.mutable_task_force() = tf;
    for (absl::string_view f : absl::StrSplit(fields, ',', absl::SkipEmpty())) {
      req.mutable_update_mask()->add_paths(std::string(f));
    }
    regv1::UpdateTaskForceResponse resp;
    s = stub->UpdateTaskForce(cl.Context().get(), req, &resp);
    out = resp.task_force();
  }
  if (!s.ok()) return cl.Report(s);
  PrintTaskForce(o, out);
  return 0;
}

int TaskForceGet(const Options& o, const std::string& region) {
  Client cl(o);
  auto stub = regv1::RegistryService::NewStub(cl.channel());
  regv1::GetTaskForceRequest req;
  req.set_region_code(region);
  regv1::GetTaskForceResponse resp;
  grpc::Status s = stub->GetTaskForce(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  PrintTaskForce(o, resp.task_force());
  return 0;
}

int TaskForceList(const Options& o, const std::string& province) {
  Client cl(o);
  auto stub = regv1::RegistryService::NewStub(cl.channel());
  regv1::ListTaskForcesRequest req;
  req.set_province_code(province);
  regv1::ListTaskForcesResponse all;
  while (true) {
    regv1::ListTaskForcesResponse page;
    grpc::Status s = stub->ListTaskForces(cl.Context().get(), req, &page);
    if (!s.ok()) return cl.Report(s);
    all.mutable_task_forces()->MergeFrom(page.task_forces());
    if (page.next_page_token().empty()) break;
    req.set_page_token(page.next_page_token());
  }
  if (o.output == "json") {
    std::cout << ToJson(all);
    return 0;
  }
  Table t({T(o, kCode), "SK", T(o, {"ANGGOTA", "MEMBERS"}), "RAD KLA", "ETAG"});
  for (const auto& tf : all.task_forces()) {
    t.Add({tf.region_code(), tf.decree().number(), std::to_string(tf.members_size()),
           tf.has_rad_kla() ? absl::StrCat(tf.rad_kla().start_year(), "-", tf.rad_kla().end_year()) : "-", tf.etag()});
  }
  t.Print(std::cout);
  return 0;
}

int TaskForceHistory(const Options& o, const std::string& region) {
  Client cl(o);
  auto stub = regv1::RegistryService::NewStub(cl.channel());
  regv1::ListTaskForceRevisionsRequest req;
  req.set_region_code(region);
  regv1::ListTaskForceRevisionsResponse resp;
  grpc::Status s = stub->ListTaskForceRevisions(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
    return 0;
  }
  Table t({T(o, {"WAKTU", "TIME"}), T(o, {"OLEH", "BY"}), T(o, {"PERUBAHAN", "CHANGED"}), "SK"});
  for (const auto& r : resp.revisions()) {
    t.Add({ShowTime(r.change_time()), r.changed_by(), absl::StrJoin(r.changed_fields(), ","),
           r.task_force().decree().number()});
  }
  t.Print(std::cout);
  return 0;
}

int MeetingAdd(const Options& o, const std::string& region, const std::string& date, const std::string& agenda,
               int attendance, const std::string& minutes, const std::string& request_id) {
  regv1::AddTaskForceMeetingRequest req;
  req.set_request_id(request_id.empty() ? NewUuid() : request_id);
  auto* m = req.mutable_meeting();
  m->set_region_code(region);
  m->set_date(date);
  m->set_agenda(agenda);
  m->set_attendance(attendance);
  m->set_minutes_ref(minutes);
  Client cl(o);
  auto stub = regv1::RegistryService::NewStub(cl.channel());
  regv1::AddTaskForceMeetingResponse resp;
  grpc::Status s = stub->AddTaskForceMeeting(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
  } else {
    std::cout << T(o, {"rapat dicatat", "meeting recorded"}) << ": " << region << " " << date << " ("
              << resp.meeting().id() << ")\n";
  }
  return 0;
}

int MeetingList(const Options& o, const std::string& region, int year) {
  Client cl(o);
  auto stub = regv1::RegistryService::NewStub(cl.channel());
  regv1::ListTaskForceMeetingsRequest req;
  req.set_region_code(region);
  req.set_year(year);
  regv1::ListTaskForceMeetingsResponse resp;
  grpc::Status s = stub->ListTaskForceMeetings(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
    return 0;
  }
  Table t({T(o, {"TANGGAL", "DATE"}), T(o, {"AGENDA", "AGENDA"}), T(o, {"HADIR", "PRESENT"})});
  for (const auto& m : resp.meetings()) t.Add({m.date(), m.agenda(), std::to_string(m.attendance())});
  t.Print(std::cout);
  std::cout << T(o, {"rapat lebih dari 4 kali setahun", "met more than 4 times this year"}) << ": "
            << (resp.more_than_four_times() ? T(o, {"ya", "yes"}) : T(o, {"tidak", "no"})) << "\n";
  return 0;
}

struct TrainingFlags {
  std::string title, organiser, start, end, venue, region, request_id;
  std::vector<std::string> facilitators;
};

void PrintTraining(const Options& o, const regv1::Training& t) {
  if (o.output == "json") {
    std::cout << ToJson(t);
    return;
  }
  std::cout << t.title() << "\n"
            << "id: " << t.id() << "\n"
            << T(o, {"penyelenggara", "organiser"}) << ": " << t.organiser() << " (" << t.region_code() << ")\n"
            << T(o, {"tanggal", "dates"}) << ": " << t.start_date() << " - " << t.end_date() << ", " << t.venue()
            << "\n"
            << T(o, {"peserta", "participants"}) << ": " << t.participant_count() << "\n";
}

int TrainingCreate(const Options& o, const TrainingFlags& f) {
  regv1::CreateTrainingRequest req;
  req.set_request_id(f.request_id.empty() ? NewUuid() : f.request_id);
  auto* t = req.mutable_training();
  t->set_title(f.title);
  t->set_organiser(f.organiser);
  t->set_start_date(f.start);
  t->set_end_date(f.end);
  t->set_venue(f.venue);
  t->set_region_code(f.region);
  for (const auto& x : f.facilitators) t->add_facilitators(x);
  Client cl(o);
  auto stub = regv1::RegistryService::NewStub(cl.channel());
  regv1::CreateTrainingResponse resp;
  grpc::Status s = stub->CreateTraining(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  PrintTraining(o, resp.training());
  return 0;
}

int TrainingImport(const Options& o, const std::string& region, const std::string& id, const std::string& file,
                   const std::string& request_id) {
  regv1::ImportTrainingParticipantsRequest req;
  if (!ReadFile(file, req.mutable_csv())) {
    std::cerr << "klactl: " << T(o, kError) << ": " << T(o, kCannotRead) << " " << file << "\n";
    return 2;
  }
  req.set_training_id(id);
  req.set_region_code(region);
  req.set_request_id(request_id.empty() ? NewUuid() : request_id);
  Client cl(o);
  auto stub = regv1::RegistryService::NewStub(cl.channel());
  regv1::ImportTrainingParticipantsResponse resp;
  grpc::Status s = stub->ImportTrainingParticipants(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
  } else {
    std::cout << T(o, {"peserta ditambahkan", "participants added"}) << ": " << resp.added() << ", "
              << T(o, {"sudah terdaftar", "already registered"}) << ": " << resp.already_registered() << "\n";
  }
  return 0;
}

int TrainingParticipants(const Options& o, const std::string& region, const std::string& id) {
  Client cl(o);
  auto stub = regv1::RegistryService::NewStub(cl.channel());
  regv1::ListTrainingParticipantsRequest req;
  req.set_training_id(id);
  req.set_region_code(region);
  regv1::ListTrainingParticipantsResponse resp;
  grpc::Status s = stub->ListTrainingParticipants(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
    return 0;
  }
  Table t({T(o, kName), T(o, {"OPD", "AGENCY"}), T(o, {"WILAYAH", "REGION"}), T(o, {"JABATAN", "POSITION"})});
  for (const auto& p : resp.participants()) t.Add({p.name(), p.agency(), p.region_code(), p.position()});
  t.Print(std::cout);
  std::cout << T(o, kTotal) << ": " << resp.participants_size() << "\n";
  return 0;
}

int TrainingList(const Options& o, const std::string& region, int year) {
  Client cl(o);
  auto stub = regv1::RegistryService::NewStub(cl.channel());
  regv1::ListTrainingsRequest req;
  req.set_region_code(region);
  req.set_year(year);
  req.set_page_size(1000);
  regv1::ListTrainingsResponse resp;  // every page, as one list
  do {
    regv1::ListTrainingsResponse page;
    grpc::Status s = stub->ListTrainings(cl.Context().get(), req, &page);
    if (!s.ok()) return cl.Report(s);
    for (auto& t : *page.mutable_trainings()) *resp.add_trainings() = std::move(t);
    req.set_page_token(page.next_page_token());
  } while (!req.page_token().empty());
  if (o.output == "json") {
    std::cout << ToJson(resp);
    return 0;
  }
  Table t({"ID", T(o, {"JUDUL", "TITLE"}), T(o, {"TANGGAL", "DATES"}), T(o, {"WILAYAH", "REGION"}),
           T(o, {"PESERTA", "PARTICIPANTS"})});
  for (const auto& tr : resp.trainings()) {
    t.Add({tr.id().substr(0, 8), tr.title(), tr.start_date() + ".." + tr.end_date(), tr.region_code(),
           std::to_string(tr.participant_count())});
  }
  t.Print(std::cout);
  return 0;
}

int TrainingCount(const Options& o, const std::string& region, const std::string& from, const std::string& to) {
  Client cl(o);
  auto stub = regv1::RegistryService::NewStub(cl.channel());
  regv1::CountTrainedStaffRequest req;
  req.set_region_code(region);
  req.set_from_date(from);
  req.set_to_date(to);
  regv1::CountTrainedStaffResponse resp;
  grpc::Status s = stub->CountTrainedStaff(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
    return 0;
  }
  Table t({T(o, {"OPD", "AGENCY"}), T(o, {"SDM TERLATIH KHA", "KHA-TRAINED STAFF"})});
  for (const auto& c : resp.counts()) t.Add({c.agency(), std::to_string(c.count())});
  t.Print(std::cout);
  std::cout << T(o, kTotal) << ": " << resp.total() << "\n";
  return 0;
}

void AddHealthCommand(CLI::App& app, Options& o, int* rc) {
  static std::string health_service;
  auto* health = app.add_subcommand("health", "Health of a kla-server and the services it hosts");
  health->add_option("--service", health_service,
                     "Only this service (registry, submission, scoring, notification), or \"server\": the process");
  health->callback([&o, rc] { *rc = Health(o, health_service); });
}

void AddRegionCommands(CLI::App& app, Options& o, int* rc) {
  auto* regions = app.add_subcommand("regions", "Provinces and kabupaten/kota (official Kemendagri list)");
  regions->require_subcommand(1);
  regions->fallthrough();

  static std::string code;
  auto* get = regions->add_subcommand("get", "One region by its code, e.g. 35.72");
  get->add_option("code", code, "Kemendagri code: 35 (province) or 35.72 (kabupaten/kota)")->required();
  get->callback([&o, rc] { *rc = RegionsGet(o, code); });

  static std::string province, level, page_token;
  static int page_size = 0;
  auto* list = regions->add_subcommand("list", "Kabupaten/kota, optionally of one province (all pages)");
  list->add_option("--province", province, "Province code, e.g. 35");
  list->add_option("--level", level, "province, kabupaten or kota (default: kabupaten and kota)");
  list->add_option("--page-size", page_size, "Fetch one page of this size instead of all");
  list->add_option("--page-token", page_token, "Continue from a previous page");
  list->callback([&o, rc] { *rc = RegionsList(o, province, level, page_size, page_token); });

  static std::string query, search_level;
  auto* search = regions->add_subcommand("search", "Find regions by name, e.g. blitar");
  search->add_option("text", query, "Part of a name; case and accents do not matter")->required();
  search->add_option("--level", search_level, "province, kabupaten or kota");
  search->callback([&o, rc] { *rc = RegionsSearch(o, query, search_level); });

  static std::string dir = "data/regions", provinces_file, regencies_file, request_id;
  static bool validate_only = false;
  auto* import_cmd = regions->add_subcommand("import", "Import the official list (idempotent)");
  import_cmd->add_option("--dir", dir, "Folder with provinces.csv and regencies.csv")->capture_default_str();
  import_cmd->add_option("--provinces", provinces_file, "provinces.csv (default: in --dir)");
  import_cmd->add_option("--regencies", regencies_file, "regencies.csv (default: in --dir)");
  import_cmd->add_option("--request-id", request_id, "Idempotency key; reuse it to retry safely");
  import_cmd->add_flag("--validate-only", validate_only, "Check the files and report, store nothing");
  import_cmd->callback(
      [&o, rc] { *rc = RegionsImport(o, dir, provinces_file, regencies_file, request_id, validate_only); });
}

void AddRulebookCommands(CLI::App& app, Options& o, int* rc) {
  auto* rulebook = app.add_subcommand("rulebook", "Scoring instruments (versioned rulebooks)");
  rulebook->require_subcommand(1);
  rulebook->fallthrough();
  static std::string rb_file, rb_version, rb_request_id;
  static bool rb_items = false;
  auto* rb_validate = rulebook->add_subcommand("validate", "Check a rulebook textproto and list every problem");
  rb_validate->add_option("file", rb_file, "Rulebook textproto, e.g. rulebooks/kla-2023-ilustratif.textproto")
      ->required();
  rb_validate->callback([&o, rc] { *rc = RulebookValidate(o, rb_file); });
  auto* rb_upload = rulebook->add_subcommand("upload", "Store a rulebook (a version never changes once stored)");
  rb_upload->add_option("file", rb_file, "Rulebook textproto")->required();
  rb_upload->add_option("--request-id", rb_request_id, "Idempotency key; reuse it to retry safely");
  rb_upload->callback([&o, rc] { *rc = RulebookUpload(o, rb_file, rb_request_id); });
  auto* rb_show = rulebook->add_subcommand("show", "Bands, indicators and points of a stored rulebook");
  rb_show->add_option("version", rb_version, "Rulebook version, e.g. 2023.1-ilustratif")->required();
  rb_show->add_flag("--items", rb_items, "Also list every item with its owner and weight");
  rb_show->callback([&o, rc] { *rc = RulebookShow(o, rb_version, rb_items); });
  auto* rb_list = rulebook->add_subcommand("list", "Stored rulebooks");
  rb_list->callback([&o, rc] { *rc = RulebookList(o); });
}

void AddCycleCommands(CLI::App& app, Options& o, int* rc) {
  auto* cycle = app.add_subcommand("cycle", "Evaluation cycles: windows, state, extensions");
  cycle->require_subcommand(1);
  cycle->fallthrough();
  static CycleFlags cf;
  auto* cy_create = cycle->add_subcommand("create", "Create a cycle (dates are WIB; END dates are inclusive)");
  cy_create->add_option("--id", cf.id, "Cycle id, e.g. 2025")->required();
  cy_create->add_option("--name", cf.name, "Name (default: Evaluasi KLA <id>)");
  cy_create->add_option("--rulebook", cf.rulebook, "Rulebook version")->required();
  for (const auto& [flag, phase] : PhaseFlags()) {
    cy_create->add_option("--" + flag, cf.windows[flag], "START,END of the phase")->required();
  }
  cy_create->add_option("--announcement", cf.announcement, "Award ceremony, e.g. 2025-07-23T09:00:00+07:00")
      ->required();
  cy_create->callback([&o, rc] { *rc = CycleCreate(o, cf); });
  static CycleFlags uf;
  auto* cy_update = cycle->add_subcommand("update", "Move phase windows or the announcement (others unchanged)");
  cy_update->add_option("id", uf.id, "Cycle id")->required();
  cy_update->add_option("--name", uf.name, "New name");
  for (const auto& [flag, phase] : PhaseFlags()) cy_update->add_option("--" + flag, uf.windows[flag], "START,END");
  cy_update->add_option("--announcement", uf.announcement, "Award ceremony time");
  cy_update->callback([&o, rc] { *rc = CycleUpdate(o, uf); });
  static std::string cy_id, cy_etag, cy_region, cy_phase = "self-evaluation", cy_until, cy_reason, cy_request_id;
  auto* cy_get = cycle->add_subcommand("get", "A cycle and its windows");
  cy_get->add_option("id", cy_id, "Cycle id")->required();
  cy_get->callback([&o, rc] { *rc = CycleGet(o, cy_id); });
  auto* cy_list = cycle->add_subcommand("list", "All cycles");
  cy_list->callback([&o, rc] { *rc = CycleList(o); });
  auto* cy_advance = cycle->add_subcommand("advance", "Move a cycle to its next state");
  cy_advance->add_option("id", cy_id, "Cycle id")->required();
  cy_advance->add_option("--etag", cy_etag, "Refuse if the cycle changed since this etag");
  cy_advance->callback([&o, rc] { *rc = CycleAdvance(o, cy_id, cy_etag); });
  auto* cy_history = cycle->add_subcommand("history", "State changes of a cycle");
  cy_history->add_option("id", cy_id, "Cycle id")->required();
  cy_history->callback([&o, rc] { *rc = CycleHistory(o, cy_id); });
  auto* cy_extend = cycle->add_subcommand("extend", "Give a region more time in one phase");
  cy_extend->add_option("id", cy_id, "Cycle id")->required();
  cy_extend->add_option("region", cy_region, "Kabupaten/kota code, e.g. 35.72")->required();
  cy_extend->add_option("--phase", cy_phase, "Phase (default self-evaluation)")->capture_default_str();
  cy_extend->add_option("--until", cy_until, "New closing date (inclusive, WIB) or RFC 3339 time")->required();
  cy_extend->add_option("--reason", cy_reason, "Why")->required();
  cy_extend->add_option("--request-id", cy_request_id, "Idempotency key; reuse it to retry safely");
  cy_extend->callback(
      [&o, rc] { *rc = CycleExtend(o, cy_id, cy_region, cy_phase, cy_until, cy_reason, cy_request_id); });
  auto* cy_window = cycle->add_subcommand("window", "When a phase opens and closes for one region");
  cy_window->add_option("id", cy_id, "Cycle id")->required();
  cy_window->add_option("region", cy_region, "Kabupaten/kota code")->required();
  cy_window->add_option("--phase", cy_phase, "Phase (default self-evaluation)")->capture_default_str();
  cy_window->callback([&o, rc] { *rc = CycleWindow(o, cy_id, cy_region, cy_phase); });
}

void AddTaskForceCommands(CLI::App& app, Options& o, int* rc) {
  auto* taskforce = app.add_subcommand("taskforce", "Gugus Tugas KLA: decree, members, RAD KLA, meetings");
  taskforce->require_subcommand(1);
  taskforce->fallthrough();
  static std::string tf_file, tf_fields, tf_region, tf_province, mt_date, mt_agenda, mt_minutes, mt_request;
  static int mt_attendance = 0, mt_year = 0;
  auto* tf_create =
      taskforce->add_subcommand("create", "Record a task force from a JSON file (proto3 JSON of TaskForce)");
  tf_create->add_option("file", tf_file, "e.g. examples/taskforce-35.72.json")->required();
  tf_create->callback([&o, rc] { *rc = TaskForceSave(o, tf_file, ""); });
  auto* tf_update = taskforce->add_subcommand("update", "Change fields of a task force (the file carries its etag)");
  tf_update->add_option("file", tf_file, "JSON with region_code, etag and the new values")->required();
  tf_update->add_option("--fields", tf_fields, "Comma list: decree, members, rad_kla")->required();
  tf_update->callback([&o, rc] { *rc = TaskForceSave(o, tf_file, tf_fields); });
  auto* tf_get = taskforce->add_subcommand("get", "A region's task force");
  tf_get->add_option("region", tf_region, "Region code, e.g. 35.72")->required();
  tf_get->callback([&o, rc] { *rc = TaskForceGet(o, tf_region); });
  auto* tf_list = taskforce->add_subcommand("list", "Task forces, optionally of one province");
  tf_list->add_option("--province", tf_province, "Province code");
  tf_list->callback([&o, rc] { *rc = TaskForceList(o, tf_province); });
  auto* tf_history = taskforce->add_subcommand("history", "Every change of a task force");
  tf_history->add_option("region", tf_region, "Region code")->required();
  tf_history->callback([&o, rc] { *rc = TaskForceHistory(o, tf_region); });
  auto* tf_meeting = taskforce->add_subcommand("meeting", "Add a meeting to the log");
  tf_meeting->add_option("region", tf_region, "Region code")->required();
  tf_meeting->add_option("--date", mt_date, "YYYY-MM-DD")->required();
  tf_meeting->add_option("--agenda", mt_agenda, "Agenda")->required();
  tf_meeting->add_option("--attendance", mt_attendance, "People present")->required();
  tf_meeting->add_option("--minutes", mt_minutes, "Reference of the minutes");
  tf_meeting->add_option("--request-id", mt_request, "Idempotency key; reuse it to retry safely");
  tf_meeting->callback(
      [&o, rc] { *rc = MeetingAdd(o, tf_region, mt_date, mt_agenda, mt_attendance, mt_minutes, mt_request); });
  auto* tf_meetings = taskforce->add_subcommand("meetings", "The meeting log of one year");
  tf_meetings->add_option("region", tf_region, "Region code")->required();
  tf_meetings->add_option("--year", mt_year, "Calendar year")->required();
  tf_meetings->callback([&o, rc] { *rc = MeetingList(o, tf_region, mt_year); });
}

void AddTrainingCommands(CLI::App& app, Options& o, int* rc) {
  auto* training = app.add_subcommand("training", "KHA trainings (Diklat KHA) and trained staff");
  training->require_subcommand(1);
  training->fallthrough();
  static TrainingFlags trf;
  static std::string tr_id, tr_file, tr_region, tr_from, tr_to, tr_request;
  static int tr_year = 0;
  auto* tr_create = training->add_subcommand("create", "Record a training");
  tr_create->add_option("--title", trf.title, "Title")->required();
  tr_create->add_option("--organiser", trf.organiser, "Organiser")->required();
  tr_create->add_option("--start", trf.start, "First day YYYY-MM-DD")->required();
  tr_create->add_option("--end", trf.end, "Last day YYYY-MM-DD")->required();
  tr_create->add_option("--venue", trf.venue, "Venue")->required();
  tr_create->add_option("--region", trf.region, "Organising region code")->required();
  tr_create->add_option("--facilitator", trf.facilitators, "Facilitator (repeatable)");
  tr_create->add_option("--request-id", trf.request_id, "Idempotency key; reuse it to retry safely");
  tr_create->callback([&o, rc] { *rc = TrainingCreate(o, trf); });
  auto* tr_import =
      training->add_subcommand("import", "Register participants from CSV (name,agency,region_code[,position])");
  tr_import->add_option("id", tr_id, "Training id")->required();
  tr_import->add_option("--region", tr_region, "The organising region (the training's), e.g. 35.72")->required();
  tr_import->add_option("file", tr_file, "CSV file")->required();
  tr_import->add_option("--request-id", tr_request, "Idempotency key; reuse it to retry safely");
  tr_import->callback([&o, rc] { *rc = TrainingImport(o, tr_region, tr_id, tr_file, tr_request); });
  auto* tr_participants = training->add_subcommand("participants", "Participants of a training");
  tr_participants->add_option("id", tr_id, "Training id")->required();
  tr_participants->add_option("--region", tr_region, "The organising region (the training's), e.g. 35.72")->required();
  tr_participants->callback([&o, rc] { *rc = TrainingParticipants(o, tr_region, tr_id); });
  auto* tr_list = training->add_subcommand("list", "Trainings");
  tr_list->add_option("--region", tr_region, "Organising region");
  tr_list->add_option("--year", tr_year, "Year the training ended");
  tr_list->callback([&o, rc] { *rc = TrainingList(o, tr_region, tr_year); });
  auto* tr_count = training->add_subcommand("count", "KHA-trained staff of a region per agency");
  tr_count->add_option("region", tr_region, "Region code, e.g. 35.72")->required();
  tr_count->add_option("--from", tr_from, "YYYY-MM-DD")->required();
  tr_count->add_option("--to", tr_to, "YYYY-MM-DD")->required();
  tr_count->callback([&o, rc] { *rc = TrainingCount(o, tr_region, tr_from, tr_to); });
}

}  // namespace

// Health, regions, rulebooks, cycles, task forces and trainings.
void AddRegistryCommands(CLI::App& app, Options& o, int* rc) {
  AddHealthCommand(app, o, rc);
  AddRegionCommands(app, o, rc);
  AddRulebookCommands(app, o, rc);
  AddCycleCommands(app, o, rc);
  AddTaskForceCommands(app, o, rc);
  AddTrainingCommands(app, o, rc);
}

}  // namespace kla::klactl
