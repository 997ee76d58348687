#include "tools/klactl/scores.h"

#include <iostream>
#include <map>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "kla/registry/v1/registry_service.grpc.pb.h"
#include "kla/scoring/v1/scoring_service.grpc.pb.h"
#include "kla/submission/v1/submission_service.grpc.pb.h"
#include "libs/common/ids.h"
#include "libs/common/points.h"
#include "tools/klactl/output.h"
#include "tools/klactl/submissions.h"

namespace kla::klactl {

std::string Points(const Options& o, int64_t hundredths) { return FormatPoints(hundredths, o.lang != "en"); }

std::string PredicateLabel(const Options& o, type::v1::Predicate p) {
  switch (p) {
    case type::v1::PREDICATE_PRATAMA:
      return "Pratama";
    case type::v1::PREDICATE_MADYA:
      return "Madya";
    case type::v1::PREDICATE_NINDYA:
      return "Nindya";
    case type::v1::PREDICATE_UTAMA:
      return "Utama";
    case type::v1::PREDICATE_KLA:
      return "KLA";
    case type::v1::PREDICATE_NONE:
      return T(o, {"tanpa predikat", "no award"});
    default:
      return "-";
  }
}

namespace {

namespace scv1 = kla::scoring::v1;

struct Flags {
  std::string region;
  std::string cycle;
  std::string stage;
  std::string view;
  std::string province;
  std::string kind;
  std::string request_id;
  std::string file;
  bool explain = false;
  bool wait = false;
  bool validate_only = false;
  int limit = 20;
};

std::string ViewLabel(const Options& o, scv1::RankingView v) {
  switch (v) {
    case scv1::RANKING_VIEW_LIVE:
      return T(o, {"berjalan", "live"});
    case scv1::RANKING_VIEW_PROVISIONAL:
      return T(o, {"sementara (masa sanggah)", "provisional (objection window)"});
    case scv1::RANKING_VIEW_FINAL:
      return "final";
    default:
      return "-";
  }
}

std::string SourceLabel(scv1::RankingSource s) {
  switch (s) {
    case scv1::RANKING_SOURCE_MEMORY:
      return "memory";
    case scv1::RANKING_SOURCE_REDIS:
      return "redis";
    case scv1::RANKING_SOURCE_DATABASE:
      return "database";
    default:
      return "-";
  }
}

// "self", "provincial", "central", "field", "final" (or the Indonesian
// words); empty: not set.
bool ParseStage(const Options& o, const std::string& text, type::v1::Stage* out) {
  static const std::map<std::string, type::v1::Stage> kStages = {
      {"", type::v1::STAGE_UNSPECIFIED},
      {"self", type::v1::STAGE_SELF_EVALUATION},
      {"mandiri", type::v1::STAGE_SELF_EVALUATION},
      {"provincial", type::v1::STAGE_PROVINCIAL_VERIFICATION},
      {"provinsi", type::v1::STAGE_PROVINCIAL_VERIFICATION},
      {"central", type::v1::STAGE_CENTRAL_REVIEW},
      {"pusat", type::v1::STAGE_CENTRAL_REVIEW},
      {"field", type::v1::STAGE_FIELD_VERIFICATION},
      {"lapangan", type::v1::STAGE_FIELD_VERIFICATION},
      {"final", type::v1::STAGE_FINAL_VERIFICATION}};
  auto it = kStages.find(absl::AsciiStrToLower(text));
  if (it == kStages.end()) {
    std::cerr << "klactl: " << T(o, kError) << ": " << T(o, {"tahap tidak dikenal: ", "unknown stage: "}) << text
              << " (self|provincial|central|field|final)\n";
    return false;
  }
  *out = it->second;
  return true;
}

bool ParseView(const Options& o, const std::string& text, scv1::RankingView* out) {
  static const std::map<std::string, scv1::RankingView> kViews = {
      {"", scv1::RANKING_VIEW_UNSPECIFIED},          {"live", scv1::RANKING_VIEW_LIVE},
      {"berjalan", scv1::RANKING_VIEW_LIVE},         {"provisional", scv1::RANKING_VIEW_PROVISIONAL},
      {"sementara", scv1::RANKING_VIEW_PROVISIONAL}, {"final", scv1::RANKING_VIEW_FINAL}};
  auto it = kViews.find(absl::AsciiStrToLower(text));
  if (it == kViews.end()) {
    std::cerr << "klactl: " << T(o, kError) << ": " << T(o, {"tampilan tidak dikenal: ", "unknown view: "}) << text
              << " (live|provisional|final)\n";
    return false;
  }
  *out = it->second;
  return true;
}

// --cycle, or the newest cycle the registry lists.
bool ResolveCycle(const Options& o, const Client& cl, std::string* cycle) {
  if (!cycle->empty()) return true;
  auto stub = registry::v1::RegistryService::NewStub(cl.channel());
  registry::v1::ListCyclesRequest req;
  req.set_page_size(1000);
  registry::v1::ListCyclesResponse resp;
  grpc::Status s = stub->ListCycles(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s) == 0;
  if (resp.cycles().empty()) {
    std::cerr << "klactl: " << T(o, kError) << ": " << T(o, {"belum ada siklus evaluasi", "no evaluation cycle yet"})
              << "\n";
    return false;
  }
  *cycle = resp.cycles(resp.cycles_size() - 1).id();  // ordered by id: "2025" after "2024"
  return true;
}

void PrintScore(const Options& o, const scv1::RegionScore& s) {
  std::cout << T(o, {"Nilai KLA ", "KLA score "}) << s.cycle_id() << " · " << s.region().name() << " ("
            << s.region().code() << "), " << s.province().name() << " · " << StageLabel(o, s.stage()) << "\n";
  std::cout << T(o, {"Total: ", "Total: "}) << Points(o, s.total().hundredths()) << T(o, {" dari ", " of "})
            << Points(o, 100000) << " · " << T(o, {"predikat ", "predicate "}) << PredicateLabel(o, s.predicate())
            << "   (" << T(o, {"instrumen ", "rulebook "}) << s.rulebook_version() << ")\n";
  Table clusters({T(o, {"KLASTER", "CLUSTER"}), T(o, {"NILAI", "POINTS"}), T(o, {"MAKS", "MAX"})});
  for (const auto& c : s.clusters()) {
    clusters.Add({c.name(), Points(o, c.earned().hundredths()), Points(o, c.possible().hundredths())});
  }
  clusters.Print(std::cout);
  if (s.indicators().empty()) return;
  std::cout << "\n";
  Table t({"IND", T(o, {"INDIKATOR", "INDICATOR"}), T(o, {"SKOR", "SCORE"}), T(o, {"NILAI", "POINTS"}),
           T(o, {"MAKS", "MAX"})});
  for (const auto& i : s.indicators()) {
    t.Add({std::to_string(i.number()), i.name(), Points(o, i.score().hundredths()), Points(o, i.earned().hundredths()),
           Points(o, i.possible().hundredths())});
  }
  t.Print(std::cout);
  bool header = false;
  for (const auto& i : s.indicators()) {
    for (const auto& u : i.unmet_items()) {
      if (!header) {
        std::cout << "\n" << T(o, {"Butir belum terpenuhi (umpan balik):", "Items not met (feedback):"}) << "\n";
        header = true;
      }
      std::string why = u.unanswered() ? T(o, {"belum dijawab", "not answered"})
                        : u.evidence_missing()
                            ? T(o, {"data dukung belum diunggah", "evidence missing"})
                            : absl::StrCat(T(o, {"memperoleh ", "earns "}), u.earned_share_percent(), " %");
      std::cout << "  " << u.item_id() << "  [" << (u.owner_opd().empty() ? "-" : u.owner_opd()) << "]  " << why
                << " — " << u.question() << "\n";
    }
  }
}

int Show(const Options& o, Flags f) {
  Client cl(o);
  type::v1::Stage stage;
  if (!ParseStage(o, f.stage, &stage) || !ResolveCycle(o, cl, &f.cycle)) return 2;
  auto stub = scv1::ScoringService::NewStub(cl.channel());
  scv1::GetScoreRequest req;
  req.set_cycle_id(f.cycle);
  req.set_region_code(f.region);
  req.set_stage(stage);
  req.set_view(f.explain ? scv1::SCORE_VIEW_EXPLAINED : scv1::SCORE_VIEW_BASIC);
  scv1::GetScoreResponse resp;
  grpc::Status s = stub->GetScore(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
  } else {
    PrintScore(o, resp.score());
  }
  return 0;
}

void PrintPath(const Options& o, const scv1::NextLevelPath& p) {
  std::cout << p.region().name() << " (" << p.region().code() << ") · " << Points(o, p.total().hundredths()) << " · "
            << PredicateLabel(o, p.current()) << "\n";
  if (p.next() == type::v1::PREDICATE_UNSPECIFIED) {
    std::cout << T(o, {"Sudah di predikat tertinggi.", "Already in the top band."}) << "\n";
    return;
  }
  const int64_t gap = p.target().hundredths() - p.total().hundredths();
  std::cout << PredicateLabel(o, p.next()) << T(o, {" mulai ", " starts at "}) << Points(o, p.target().hundredths())
            << T(o, {": kurang ", ": short by "}) << Points(o, gap) << "\n";
  if (!p.reachable()) {
    std::cout << T(o,
                   {"Belum terjangkau bahkan dengan semua butir terpenuhi.", "Out of reach even with every item met."})
              << "\n";
  }
  int items = 0;
  for (const auto& a : p.agencies()) items += a.items_size();
  std::cout << items << T(o, {" butir, dikelompokkan per OPD; sesudahnya ", " items, grouped by agency; afterwards "})
            << Points(o, p.total_after().hundredths()) << "\n";
  for (const auto& a : p.agencies()) {
    std::cout << "\n"
              << (a.owner_opd().empty() ? "-" : a.owner_opd()) << "  +" << Points(o, a.gain().hundredths()) << "\n";
    for (const auto& i : a.items()) {
      std::cout << "  " << i.item_id() << "  +" << Points(o, i.gain().hundredths()) << "  "
                << (i.evidence_only() ? T(o, {"(cukup unggah data dukung) ", "(evidence only) "}) : "") << i.question()
                << "\n";
    }
  }
}

int NextLevel(const Options& o, Flags f) {
  Client cl(o);
  type::v1::Stage stage;
  if (!ParseStage(o, f.stage, &stage) || !ResolveCycle(o, cl, &f.cycle)) return 2;
  auto stub = scv1::ScoringService::NewStub(cl.channel());
  scv1::GetNextLevelPathRequest req;
  req.set_cycle_id(f.cycle);
  req.set_region_code(f.region);
  req.set_stage(stage);
  scv1::GetNextLevelPathResponse resp;
  grpc::Status s = stub->GetNextLevelPath(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
  } else {
    PrintPath(o, resp.path());
  }
  return 0;
}

int DryRun(const Options& o, Flags f) {
  Client cl(o);
  if (!ResolveCycle(o, cl, &f.cycle)) return 2;
  // The draft as saved now, scored as if submitted.
  auto sub = submission::v1::SubmissionService::NewStub(cl.channel());
  submission::v1::GetSubmissionRequest gs;
  gs.set_cycle_id(f.cycle);
  gs.set_region_code(f.region);
  submission::v1::GetSubmissionResponse draft;
  grpc::Status s = sub->GetSubmission(cl.Context().get(), gs, &draft);
  if (!s.ok()) return cl.Report(s);
  auto stub = scv1::ScoringService::NewStub(cl.channel());
  scv1::DryRunScoreRequest req;
  req.set_cycle_id(f.cycle);
  req.set_region_code(f.region);
  *req.mutable_answers() = draft.submission().answers();
  scv1::DryRunScoreResponse resp;
  s = stub->DryRunScore(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
    return 0;
  }
  std::cout << T(o, {"SIMULASI (tidak disimpan): nilai jika dikirim sekarang",
                     "DRY RUN (not stored): the score if submitted now"})
            << "\n";
  PrintScore(o, resp.score());
  std::cout << "\n";
  PrintPath(o, resp.path());
  return 0;
}

int History(const Options& o, const Flags& f) {
  Client cl(o);
  auto stub = scv1::ScoringService::NewStub(cl.channel());
  scv1::GetScoreHistoryRequest req;
  req.set_region_code(f.region);
  scv1::GetScoreHistoryResponse resp;
  grpc::Status s = stub->GetScoreHistory(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
    return 0;
  }
  Table t({T(o, {"SIKLUS", "CYCLE"}), T(o, {"NILAI", "SCORE"}), T(o, {"PREDIKAT", "PREDICATE"}),
           T(o, {"PERINGKAT", "RANK"}), T(o, {"TAHAP", "STAGE"})});
  for (const auto& e : resp.entries()) {
    t.Add({e.cycle_id(), Points(o, e.total().hundredths()), PredicateLabel(o, e.predicate()),
           e.national_rank() > 0 ? std::to_string(e.national_rank()) : "-",
           e.final() ? "final" : StageLabel(o, e.stage())});
  }
  t.Print(std::cout);
  return 0;
}

int ImportHistory(const Options& o, const Flags& f) {
  std::string csv;
  if (!ReadFile(f.file, &csv)) {
    std::cerr << "klactl: " << T(o, kError) << ": " << T(o, kCannotRead) << " " << f.file << "\n";
    return 2;
  }
  Client cl(o);
  auto stub = scv1::ScoringService::NewStub(cl.channel());
  scv1::ImportPastResultsRequest req;
  req.set_csv(csv);
  req.set_validate_only(f.validate_only);
  scv1::ImportPastResultsResponse resp;
  grpc::Status s = stub->ImportPastResults(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
    return 0;
  }
  std::cout << resp.imported()
            << (f.validate_only
                    ? T(o, {" hasil valid (tidak disimpan), siklus ", " results valid (not stored), cycles "})
                    : T(o, {" hasil diimpor, siklus ", " results imported, cycles "}))
            << absl::StrJoin(resp.cycle_ids(), ", ") << "\n";
  return 0;
}

int Recompute(const Options& o, Flags f) {
  Client cl(o);
  if (!ResolveCycle(o, cl, &f.cycle)) return 2;
  auto stub = scv1::ScoringService::NewStub(cl.channel());
  scv1::RecomputeCycleRequest req;
  req.set_cycle_id(f.cycle);
  req.set_request_id(f.request_id.empty() ? NewUuid() : f.request_id);
  scv1::RecomputeCycleResponse resp;
  grpc::Status s = stub->RecomputeCycle(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  scv1::RecomputeJob job = resp.job();
  std::cerr << T(o, {"hitung ulang ", "recompute "}) << job.job_id() << T(o, {" diterima", " accepted"}) << "\n";
  while (f.wait && (job.state() == scv1::JOB_STATE_QUEUED || job.state() == scv1::JOB_STATE_RUNNING)) {
    // A person is waiting on a job in another process: poll its progress.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    scv1::GetRecomputeJobRequest gj;
    gj.set_job_id(job.job_id());
    scv1::GetRecomputeJobResponse got;
    s = stub->GetRecomputeJob(cl.Context().get(), gj, &got);
    if (!s.ok()) return cl.Report(s);
    job = got.job();
    std::cerr << "\r" << job.done() << "/" << job.total() << std::flush;
  }
  if (f.wait) std::cerr << "\n";
  if (o.output == "json") {
    std::cout << ToJson(job);
  } else {
    std::cout << scv1::JobState_Name(job.state()) << " " << job.done() << "/" << job.total() << ", " << job.changed()
              << T(o, {" nilai berubah", " scores changed"}) << "\n";
  }
  return job.state() == scv1::JOB_STATE_FAILED ? 1 : 0;
}

int Rankings(const Options& o, Flags f) {
  Client cl(o);
  type::v1::Stage stage;
  scv1::RankingView view;
  if (!ParseStage(o, f.stage, &stage) || !ParseView(o, f.view, &view) || !ResolveCycle(o, cl, &f.cycle)) return 2;
  auto stub = scv1::ScoringService::NewStub(cl.channel());
  if (!f.region.empty()) {
    scv1::GetRegionRankRequest req;
    req.set_cycle_id(f.cycle);
    req.set_region_code(f.region);
    req.set_view(view);
    req.set_stage(stage);
    scv1::GetRegionRankResponse resp;
    grpc::Status s = stub->GetRegionRank(cl.Context().get(), req, &resp);
    if (!s.ok()) return cl.Report(s);
    if (o.output == "json") {
      std::cout << ToJson(resp);
      return 0;
    }
    const auto& e = resp.entry();
    std::cout << e.region().name() << " (" << e.region().code() << "): " << Points(o, e.total().hundredths()) << ", "
              << PredicateLabel(o, e.predicate()) << "\n"
              << T(o, {"peringkat nasional ", "national rank "}) << e.rank() << T(o, {" dari ", " of "})
              << resp.national_count() << "; " << e.province().name() << " " << e.province_rank()
              << T(o, {" dari ", " of "}) << resp.province_count() << "   (" << ViewLabel(o, resp.view()) << ")\n";
    return 0;
  }
  scv1::GetRankingRequest req;
  req.set_cycle_id(f.cycle);
  req.set_view(view);
  req.set_stage(stage);
  req.set_province_code(f.province);
  req.set_page_size(f.limit);
  scv1::GetRankingResponse resp;
  grpc::Status s = stub->GetRanking(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
    return 0;
  }
  std::cout << T(o, {"Peringkat KLA ", "KLA ranking "}) << f.cycle << " · " << ViewLabel(o, resp.view())
            << (resp.view() == scv1::RANKING_VIEW_LIVE ? absl::StrCat(" · ", StageLabel(o, resp.stage())) : "") << " · "
            << (f.province.empty() ? T(o, {"nasional", "national"}) : absl::StrCat("provinsi ", f.province)) << " · "
            << resp.entries_size() << T(o, {" dari ", " of "}) << resp.total_size() << "\n";
  Table t({"#", T(o, {"KODE", "CODE"}), T(o, {"KABUPATEN/KOTA", "REGENCY/CITY"}), T(o, {"PROVINSI", "PROVINCE"}),
           T(o, {"NILAI", "SCORE"}), T(o, {"PREDIKAT", "PREDICATE"})});
  for (const auto& e : resp.entries()) {
    t.Add({std::to_string(f.province.empty() ? e.rank() : e.province_rank()), e.region().code(), e.region().name(),
           e.province().name(), Points(o, e.total().hundredths()), PredicateLabel(o, e.predicate())});
  }
  t.Print(std::cout);
  std::cout << "snapshot " << resp.snapshot_id() << " · " << SourceLabel(resp.source()) << "\n";
  return 0;
}

int Summary(const Options& o, Flags f) {
  Client cl(o);
  scv1::RankingView view;
  if (!ParseView(o, f.view, &view) || !ResolveCycle(o, cl, &f.cycle)) return 2;
  auto stub = scv1::ScoringService::NewStub(cl.channel());
  scv1::GetPredicateSummaryRequest req;
  req.set_cycle_id(f.cycle);
  req.set_view(view);
  scv1::GetPredicateSummaryResponse resp;
  grpc::Status s = stub->GetPredicateSummary(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
    return 0;
  }
  std::vector<std::string> header = {T(o, {"PROVINSI", "PROVINCE"})};
  for (const auto& c : resp.counts()) header.push_back(absl::AsciiStrToUpper(PredicateLabel(o, c.predicate())));
  header.emplace_back(T(o, {"BELUM DINILAI", "UNRANKED"}));
  header.emplace_back(T(o, {"KAB/KOTA", "REGENCIES"}));
  Table t(header);
  for (const auto& p : resp.provinces()) {
    std::vector<std::string> row = {p.province().name()};
    for (const auto& c : p.counts()) row.push_back(std::to_string(c.count()));
    row.push_back(std::to_string(p.unranked()));
    row.push_back(std::to_string(p.regency_count()));
    t.Add(row);
  }
  std::vector<std::string> total = {T(o, {"NASIONAL", "NATIONAL"})};
  for (const auto& c : resp.counts()) total.push_back(std::to_string(c.count()));
  total.push_back(std::to_string(resp.unranked()));
  total.push_back(std::to_string(resp.regency_count()));
  t.Add(total);
  std::cout << T(o, {"Predikat KLA ", "KLA predicates "}) << f.cycle << " · " << ViewLabel(o, resp.view()) << " · "
            << resp.awarded_count() << T(o, {" kabupaten/kota meraih predikat dari ", " regencies/cities awarded of "})
            << resp.regency_count() << "\n";
  t.Print(std::cout);
  return 0;
}

int ProvilaCmd(const Options& o, Flags f) {
  Client cl(o);
  scv1::RankingView view;
  if (!ParseView(o, f.view, &view) || !ResolveCycle(o, cl, &f.cycle)) return 2;
  auto stub = scv1::ScoringService::NewStub(cl.channel());
  scv1::GetProvilaRequest req;
  req.set_cycle_id(f.cycle);
  req.set_view(view);
  scv1::GetProvilaResponse resp;
  grpc::Status s = stub->GetProvila(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
    return 0;
  }
  int complete = 0;
  Table t({T(o, {"PROVINSI", "PROVINCE"}), T(o, {"BERPREDIKAT", "AWARDED"}), "PROVILA",
           T(o, {"BELUM BERPREDIKAT", "WITHOUT A PREDICATE"})});
  for (const auto& p : resp.provinces()) {
    complete += p.complete() ? 1 : 0;
    std::vector<std::string> missing;
    for (const auto& m : p.missing()) missing.push_back(m.name());
    std::string list = absl::StrJoin(missing, ", ");
    if (missing.size() > 4) {
      list = absl::StrCat(missing[0], ", ", missing[1], ", ", missing[2], T(o, {" dan ", " and "}), missing.size() - 3,
                          T(o, {" lainnya", " more"}));
    }
    t.Add({p.province().name(), absl::StrCat(p.awarded_count(), "/", p.regency_count()),
           p.complete() ? T(o, {"ya", "yes"}) : T(o, {"belum", "no"}), missing.empty() ? "-" : list});
  }
  std::cout << "Provila " << f.cycle << " · " << ViewLabel(o, resp.view()) << " · " << complete
            << T(o, {" provinsi dengan semua kabupaten/kota berpredikat", " provinces with every regency/city awarded"})
            << "\n";
  t.Print(std::cout);
  return 0;
}

int Publish(const Options& o, Flags f) {
  Client cl(o);
  if (!ResolveCycle(o, cl, &f.cycle)) return 2;
  scv1::PublicationKind kind = scv1::PUBLICATION_KIND_UNSPECIFIED;
  const std::string k = absl::AsciiStrToLower(f.kind);
  if (k == "provisional" || k == "sementara") kind = scv1::PUBLICATION_KIND_PROVISIONAL;
  if (k == "final") kind = scv1::PUBLICATION_KIND_FINAL;
  if (kind == scv1::PUBLICATION_KIND_UNSPECIFIED) {
    std::cerr << "klactl: " << T(o, kError) << ": --kind provisional|final\n";
    return 2;
  }
  auto stub = scv1::ScoringService::NewStub(cl.channel());
  scv1::PublishResultsRequest req;
  req.set_cycle_id(f.cycle);
  req.set_kind(kind);
  req.set_request_id(f.request_id.empty() ? NewUuid() : f.request_id);
  scv1::PublishResultsResponse resp;
  grpc::Status s = stub->PublishResults(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
    return 0;
  }
  const auto& p = resp.publication();
  std::cout << (kind == scv1::PUBLICATION_KIND_FINAL ? T(o, {"Hasil final ", "Final results "})
                                                     : T(o, {"Hasil sementara ", "Provisional results "}))
            << p.cycle_id() << T(o, {" diterbitkan ", " published "}) << ShowTime(p.publish_time()) << ": "
            << p.ranked_count() << T(o, {" dinilai, ", " ranked, "}) << p.awarded_count()
            << T(o, {" berpredikat, ", " awarded, "}) << p.not_ranked_count() << T(o, {" tidak dinilai", " not ranked"})
            << " · snapshot " << p.snapshot_id() << "\n";
  if (p.has_embargo_until()) {
    std::cout << T(o, {"Diumumkan (embargo) pada ", "Announced (embargo) at "}) << ShowTime(p.embargo_until()) << "\n";
  }
  return 0;
}

int ListPublications(const Options& o, Flags f) {
  Client cl(o);
  if (!ResolveCycle(o, cl, &f.cycle)) return 2;
  auto stub = scv1::ScoringService::NewStub(cl.channel());
  scv1::ListPublicationsRequest req;
  req.set_cycle_id(f.cycle);
  scv1::ListPublicationsResponse resp;
  grpc::Status s = stub->ListPublications(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
    return 0;
  }
  Table t({T(o, {"JENIS", "KIND"}), T(o, {"DITERBITKAN", "PUBLISHED"}), T(o, {"OLEH", "BY"}), "EMBARGO",
           T(o, {"DINILAI", "RANKED"}), T(o, {"BERPREDIKAT", "AWARDED"}), "SNAPSHOT"});
  for (const auto& p : resp.publications()) {
    t.Add({p.kind() == scv1::PUBLICATION_KIND_FINAL ? "final" : T(o, {"sementara", "provisional"}),
           ShowTime(p.publish_time()), p.published_by(), p.has_embargo_until() ? ShowTime(p.embargo_until()) : "-",
           std::to_string(p.ranked_count()), std::to_string(p.awarded_count()), p.snapshot_id()});
  }
  t.Print(std::cout);
  return 0;
}

}  // namespace

void AddScoringCommands(CLI::App& app, Options& o, int* rc) {
  static Flags f;
  auto cycle_opt = [](CLI::App* cmd) {
    cmd->add_option("--cycle", f.cycle, "Cycle id, e.g. 2025 (default: the newest cycle)");
  };
  auto* scores = app.add_subcommand("scores", "Scores, their explanation and the path to the next predicate");
  scores->require_subcommand(1);
  auto* show = scores->add_subcommand("show", "A region's score at a stage (default: its latest)");
  show->add_option("region", f.region, "Kabupaten/kota code, e.g. 35.72")->required();
  cycle_opt(show);
  show->add_option("--stage", f.stage, "self|provincial|central|field|final");
  show->add_flag("--explain", f.explain, "Per indicator: points, items not met, missing evidence, owning agency");
  show->callback([&o, rc] { *rc = Show(o, f); });

  auto* next = scores->add_subcommand("next-level", "The fewest items that lift a region to the next predicate");
  next->add_option("region", f.region, "Kabupaten/kota code")->required();
  cycle_opt(next);
  next->add_option("--stage", f.stage, "self|provincial|central|field|final");
  next->callback([&o, rc] { *rc = NextLevel(o, f); });

  auto* dry = scores->add_subcommand("dry-run", "Score the saved draft as if submitted now (nothing is stored)");
  dry->add_option("region", f.region, "Kabupaten/kota code")->required();
  cycle_opt(dry);
  dry->callback([&o, rc] { *rc = DryRun(o, f); });

  auto* history = scores->add_subcommand("history", "A region's predicate and score over the cycles");
  history->add_option("region", f.region, "Kabupaten/kota code")->required();
  history->callback([&o, rc] { *rc = History(o, f); });

  auto* import_history =
      scores->add_subcommand("import-history", "Load final results published before kla (for history); all or none");
  import_history
      ->add_option("file", f.file, "CSV: cycle_id,region_code,predicate[,total], e.g. examples/riwayat-kla.csv")
      ->required();
  import_history->add_flag("--validate-only", f.validate_only, "Check every line, store nothing");
  import_history->callback([&o, rc] { *rc = ImportHistory(o, f); });

  auto* recompute = scores->add_subcommand("recompute", "Recompute a cycle's scores (after a rulebook correction)");
  cycle_opt(recompute);
  recompute->add_flag("--wait", f.wait, "Show progress until the job ends");
  AddRequestId(recompute, &f.request_id);
  recompute->callback([&o, rc] { *rc = Recompute(o, f); });

  auto* rankings = app.add_subcommand("rankings", "Ranking nationally or in one province; or one region's rank");
  cycle_opt(rankings);
  rankings->add_option("--province", f.province, "Only this province, e.g. 35");
  rankings->add_option("--region", f.region, "Only this region's rank, e.g. 35.72");
  rankings->add_option("--view", f.view, "live|provisional|final (default: the newest you may see)");
  rankings->add_option("--stage", f.stage, "With --view live: self|provincial|central|field|final");
  rankings->add_option("--limit", f.limit, "Entries to show (default 20, at most 600)");
  rankings->callback([&o, rc] { *rc = Rankings(o, f); });

  auto* predicates = app.add_subcommand("predicates", "Predicate counts");
  predicates->require_subcommand(1);
  auto* summary = predicates->add_subcommand("summary", "Regions per predicate, nationally and per province");
  cycle_opt(summary);
  summary->add_option("--view", f.view, "live|provisional|final");
  summary->callback([&o, rc] { *rc = Summary(o, f); });

  auto* provila = app.add_subcommand("provila", "Provinces whose every kabupaten/kota holds a predicate");
  cycle_opt(provila);
  provila->add_option("--view", f.view, "live|provisional|final");
  provila->callback([&o, rc] { *rc = ProvilaCmd(o, f); });

  auto* results = app.add_subcommand("results", "Publication of results");
  results->require_subcommand(1);
  auto* publish = results->add_subcommand("publish", "Publish provisional or final results (final: award events)");
  cycle_opt(publish);
  publish->add_option("--kind", f.kind, "provisional|final")->required();
  AddRequestId(publish, &f.request_id);
  publish->callback([&o, rc] { *rc = Publish(o, f); });
  auto* list = results->add_subcommand("list", "The publications of a cycle");
  cycle_opt(list);
  list->callback([&o, rc] { *rc = ListPublications(o, f); });
}

}  // namespace kla::klactl
