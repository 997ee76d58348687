// klactl: the command-line client of the kla suite, for ministry staff,
// regional operators and integrators. Messages default to Bahasa Indonesia
// (--lang en for English); --output json prints the proto3 JSON mapping.

#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "kla/registry/v1/registry_service.grpc.pb.h"
#include "libs/common/errors.h"
#include "libs/common/ids.h"
#include "libs/common/points.h"
#include "libs/rpc/error_mapping.h"
#include "libs/rpc/logging_interceptor.h"
#include "tools/klactl/output.h"

namespace kla::klactl {
namespace {

namespace regv1 = kla::registry::v1;
namespace typev1 = kla::type::v1;

struct Options {
  std::string addr = "127.0.0.1:7400";
  std::string output = "table";
  std::string lang = "id";
  std::string timeout = "10s";
};

// Messages a person reads, in both languages.
struct Text {
  const char* id;
  const char* en;
};
const char* T(const Options& o, Text t) { return o.lang == "en" ? t.en : t.id; }

constexpr Text kError{"galat", "error"};
constexpr Text kCode{"KODE", "CODE"};
constexpr Text kName{"NAMA", "NAME"};
constexpr Text kLevel{"JENIS", "LEVEL"};
constexpr Text kProvince{"PROVINSI", "PROVINCE"};
constexpr Text kRegencies{"KAB/KOTA", "REGENCIES"};
constexpr Text kService{"LAYANAN", "SERVICE"};
constexpr Text kStatus{"STATUS", "STATUS"};
constexpr Text kTotal{"jumlah", "total"};
constexpr Text kCannotRead{"tidak dapat membaca berkas", "cannot read file"};
constexpr Text kImported{"impor selesai", "import done"};
constexpr Text kValidated{"validasi selesai (tidak ada yang disimpan)", "validation done (nothing stored)"};
constexpr Text kCreated{"baru", "created"};
constexpr Text kUpdated{"diperbarui", "updated"};
constexpr Text kUnchanged{"tetap", "unchanged"};
constexpr Text kMissing{"tidak ada di berkas (tetap disimpan)", "not in the files (kept)"};
constexpr Text kUnreachable{"server tidak dapat dihubungi di", "server unreachable at"};

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

class Client {
 public:
  explicit Client(const Options& o) : opts_(o) {
    channel_ = grpc::CreateChannel(o.addr, grpc::InsecureChannelCredentials());
    absl::Duration d;
    timeout_ = absl::ParseDuration(o.timeout, &d) ? d : absl::Seconds(10);
  }
  std::unique_ptr<grpc::ClientContext> Context() const {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
    return ctx;
  }
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }

  // One line on stderr, non-zero exit code.
  int Report(const grpc::Status& s) const {
    absl::Status st = rpc::FromGrpcStatus(s);
    std::string line = absl::StrCat("klactl: ", T(opts_, kError), ": ");
    if (s.error_code() == grpc::StatusCode::UNAVAILABLE) {
      absl::StrAppend(&line, T(opts_, kUnreachable), " ", opts_.addr, " (", s.error_message(), ")");
    } else {
      absl::StrAppend(&line, rpc::StatusCodeName(s.error_code()), ": ", s.error_message());
      for (const auto& v : GetFieldViolations(st)) {
        if (absl::StrContains(s.error_message(), v.description)) continue;
        absl::StrAppend(&line, "; ", v.field, ": ", v.description);
      }
    }
    std::cerr << line << "\n";
    return s.error_code() == grpc::StatusCode::INVALID_ARGUMENT ? 2 : 1;
  }

 private:
  const Options& opts_;
  std::shared_ptr<grpc::Channel> channel_;
  absl::Duration timeout_;
};

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
  if (service.empty()) {
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

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
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

}  // namespace
}  // namespace kla::klactl

int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape): CLI11 parse errors are handled
  using namespace kla::klactl;     // NOLINT(google-build-using-namespace): main of this tool
  Options o;
  if (const char* lang = std::getenv("KLA_LANG")) o.lang = lang;
  CLI::App app{"klactl: command-line client of the KLA (Kabupaten/Kota Layak Anak) evaluation suite"};
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the subcommand
  app.add_option("--addr", o.addr, "kla-server address host:port")->envname("KLA_ADDR")->capture_default_str();
  app.add_option("--output,-o", o.output, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  app.add_option("--lang", o.lang, "Language of messages: id (Bahasa Indonesia) or en")
      ->envname("KLA_LANG")
      ->check(CLI::IsMember({"id", "en"}))
      ->capture_default_str();
  app.add_option("--timeout", o.timeout, "Deadline of each call, e.g. 10s")->capture_default_str();

  int rc = 0;
  std::string health_service;
  auto* health = app.add_subcommand("health", "Health of a kla-server and the services it hosts");
  health->add_option("--service", health_service, "Only this service (registry, submission, scoring, notification)");
  health->callback([&] { rc = Health(o, health_service); });

  auto* regions = app.add_subcommand("regions", "Provinces and kabupaten/kota (official Kemendagri list)");
  regions->require_subcommand(1);
  regions->fallthrough();

  std::string code;
  auto* get = regions->add_subcommand("get", "One region by its code, e.g. 35.72");
  get->add_option("code", code, "Kemendagri code: 35 (province) or 35.72 (kabupaten/kota)")->required();
  get->callback([&] { rc = RegionsGet(o, code); });

  std::string province, level, page_token;
  int page_size = 0;
  auto* list = regions->add_subcommand("list", "Kabupaten/kota, optionally of one province (all pages)");
  list->add_option("--province", province, "Province code, e.g. 35");
  list->add_option("--level", level, "province, kabupaten or kota (default: kabupaten and kota)");
  list->add_option("--page-size", page_size, "Fetch one page of this size instead of all");
  list->add_option("--page-token", page_token, "Continue from a previous page");
  list->callback([&] { rc = RegionsList(o, province, level, page_size, page_token); });

  std::string query, search_level;
  auto* search = regions->add_subcommand("search", "Find regions by name, e.g. blitar");
  search->add_option("text", query, "Part of a name; case and accents do not matter")->required();
  search->add_option("--level", search_level, "province, kabupaten or kota");
  search->callback([&] { rc = RegionsSearch(o, query, search_level); });

  std::string dir = "data/regions", provinces_file, regencies_file, request_id;
  bool validate_only = false;
  auto* import = regions->add_subcommand("import", "Import the official list (idempotent)");
  import->add_option("--dir", dir, "Folder with provinces.csv and regencies.csv")->capture_default_str();
  import->add_option("--provinces", provinces_file, "provinces.csv (default: in --dir)");
  import->add_option("--regencies", regencies_file, "regencies.csv (default: in --dir)");
  import->add_option("--request-id", request_id, "Idempotency key; reuse it to retry safely");
  import->add_flag("--validate-only", validate_only, "Check the files and report, store nothing");
  import->callback([&] { rc = RegionsImport(o, dir, provinces_file, regencies_file, request_id, validate_only);
});

auto* rulebook = app.add_subcommand("rulebook", "Scoring instruments (versioned rulebooks)");
rulebook->require_subcommand(1);
rulebook->fallthrough();
std::string rb_file, rb_version, rb_request_id;
bool rb_items = false;
auto* rb_validate = rulebook->add_subcommand("validate", "Check a rulebook textproto and list every problem");
rb_validate->add_option("file", rb_file, "Rulebook textproto, e.g. rulebooks/kla-2023-ilustratif.textproto")
    ->required();
rb_validate->callback([&] { rc = RulebookValidate(o, rb_file); });
auto* rb_upload = rulebook->add_subcommand("upload", "Store a rulebook (a version never changes once stored)");
rb_upload->add_option("file", rb_file, "Rulebook textproto")->required();
rb_upload->add_option("--request-id", rb_request_id, "Idempotency key; reuse it to retry safely");
rb_upload->callback([&] { rc = RulebookUpload(o, rb_file, rb_request_id); });
auto* rb_show = rulebook->add_subcommand("show", "Bands, indicators and points of a stored rulebook");
rb_show->add_option("version", rb_version, "Rulebook version, e.g. 2023.1-ilustratif")->required();
rb_show->add_flag("--items", rb_items, "Also list every item with its owner and weight");
rb_show->callback([&] { rc = RulebookShow(o, rb_version, rb_items); });
auto* rb_list = rulebook->add_subcommand("list", "Stored rulebooks");
rb_list->callback([&] { rc = RulebookList(o); });

try {
  app.parse(argc, argv);
} catch (const CLI::ParseError& e) {
  const int code_rc = app.exit(e);
  return code_rc == 0 ? 0 : 2;
}
return rc;
}
