#include "tools/klactl/simulate.h"

#include <iostream>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/klactl/output.h"
#include "tools/klactl/scores.h"
#include "tools/simulate/simulation.h"

namespace kla::klactl {
namespace {

struct SimulateFlags {
  uint64_t seed = 2025;
  std::string cycle;
  std::string rulebook = "rulebooks/kla-2023-ilustratif.textproto";
  int parallel = 8;
  bool no_receiver = false;
  std::string retry_budget = "3m";
  std::map<std::string, std::string> addrs;  // service -> address (one process per service)
};

// The national outcome: predicates, awards and Provila.
void PrintOutcome(const Options& o, const simulate::SimulationResult& r) {
  std::cout << "\n"
            << T(o, {"Hasil nasional ", "National results "}) << r.cycle_id << " ("
            << absl::FormatDuration(absl::Trunc(r.elapsed, absl::Seconds(1))) << ")\n";
  Table t({T(o, {"PREDIKAT", "PREDICATE"}), T(o, {"KAB/KOTA", "REGIONS"})});
  for (const auto& c : r.summary.counts()) t.Add({PredicateLabel(o, c.predicate()), std::to_string(c.count())});
  t.Add(
      {T(o, {"tidak dinilai (tidak mengirim)", "not ranked (did not submit)"}), std::to_string(r.summary.unranked())});
  t.Add({T(o, {"berpredikat", "awarded"}), absl::StrCat(r.summary.awarded_count(), " / ", r.summary.regency_count())});
  t.Print(std::cout);

  std::vector<std::string> provila;
  for (const auto& p : r.provila.provinces()) {
    if (p.complete()) provila.push_back(absl::StrCat(p.province().name(), " (", p.regency_count(), ")"));
  }
  std::cout << "\n"
            << T(o, {"Provinsi Layak Anak (Provila): ", "Child-Friendly Provinces (Provila): "})
            << (provila.empty() ? T(o, {"belum ada", "none"}) : absl::StrJoin(provila, ", ")) << "\n";
}

// Whether the run kept every promise: the planned ranking, every answer and
// file, every announcement; and where to look next.
void PrintChecks(const Options& o, const SimulateFlags& f, const simulate::SimulationResult& r) {
  const int mismatched = r.ranking_differences;
  const bool en = o.lang == "en";
  // Formats are literals (checked at compile time), one per language.
  std::cout << "\n"
            << (en ? absl::StrFormat("Flow: %d returned and resubmitted, %d adjusted in review, %d objections, %d "
                                     "field verifications.",
                                     r.returned, r.adjusted, r.objections, r.field_verified)
                   : absl::StrFormat("Alur: %d dikembalikan dan dikirim ulang, %d disesuaikan peninjau, %d sanggah, "
                                     "%d verifikasi lapangan.",
                                     r.returned, r.adjusted, r.objections, r.field_verified))
            << "\n";
  const int planned = static_cast<int>(r.planned_totals.size());
  if (mismatched == 0) {
    std::cout << (en ? absl::StrFormat("Final ranking as seed %d plans it: %d regions, ranks, totals and predicates "
                                       "identical.",
                                       f.seed, planned)
                     : absl::StrFormat("Peringkat akhir sesuai rencana benih %d: %d daerah, peringkat, nilai, dan "
                                       "predikat sama.",
                                       f.seed, planned));
  } else {
    std::cout << (en ? absl::StrFormat("Final ranking DIFFERS from the plan in %d regions.", mismatched)
                     : absl::StrFormat("Peringkat akhir BERBEDA dari rencana pada %d daerah.", mismatched));
  }
  std::cout << "\n";
  if (r.evidence_missing == 0 && r.answers_missing == 0) {
    std::cout << T(
        o, {"Semua jawaban dan data dukung tersimpan utuh.", "Every answer and evidence file is stored intact."});
  } else {
    std::cout << (en ? absl::StrFormat("%d answers and %d evidence files MISSING or changed.", r.answers_missing,
                                       r.evidence_missing)
                     : absl::StrFormat("%d jawaban dan %d data dukung HILANG atau berubah.", r.answers_missing,
                                       r.evidence_missing));
  }
  std::cout << "\n";
  if (!f.no_receiver) {
    std::cout << (en ? absl::StrFormat("Announcements received by the webhook receiver: %d of %d (signatures valid; %d "
                                       "resent with the same webhook-id; %d bad signatures).",
                                       r.announcements_received, r.announcements_expected, r.announcement_repeats,
                                       r.bad_signatures)
                     : absl::StrFormat("Pengumuman diterima penerima webhook: %d dari %d (tanda tangan sah; %d "
                                       "terkirim ulang dengan webhook-id yang sama; %d tanda tangan salah).",
                                       r.announcements_received, r.announcements_expected, r.announcement_repeats,
                                       r.bad_signatures))
              << "\n";
  }
  std::cout << "\n"
            << T(o, {"Lihat lebih lanjut:", "Where to look:"}) << "\n"
            << "  klactl rankings --cycle " << r.cycle_id << "                 # "
            << T(o, {"peringkat nasional", "the national ranking"}) << "\n"
            << "  klactl rankings --cycle " << r.cycle_id << " --province 35    # "
            << T(o, {"satu provinsi", "one province"}) << "\n"
            << "  klactl scores show 35.72 --cycle " << r.cycle_id << " --explain   # "
            << T(o, {"rincian nilai satu daerah", "one region's explanation"}) << "\n"
            << "  klactl predicates summary --cycle " << r.cycle_id << "\n"
            << "  klactl provila --cycle " << r.cycle_id << "\n";
}

void PrintReport(const Options& o, const SimulateFlags& f, const simulate::SimulationResult& r) {
  PrintOutcome(o, r);
  PrintChecks(o, f, r);
}

int Simulate(const Options& o, const SimulateFlags& f) {
  Client client(o);
  if (client.token().empty()) {
    std::cerr << "klactl: " << T(o, kError) << ": "
              << T(o, {"masuk dulu sebagai admin nasional (klactl login)",
                       "sign in as a national admin first (klactl login)"})
              << "\n";
    return 2;
  }
  simulate::SimulationOptions so;
  so.addr = o.addr;
  so.service_addrs = f.addrs;
  so.admin_token = client.token();
  client.RefuseSecretsInClear();
  so.credentials = client.credentials();
  so.seed = f.seed;
  so.cycle_id = f.cycle;
  so.rulebook_file = f.rulebook;
  so.parallel = std::max(1, f.parallel);
  so.lang = o.lang;
  so.receive_announcements = !f.no_receiver;
  if (!absl::ParseDuration(f.retry_budget, &so.retry_budget)) {
    std::cerr << "klactl: " << T(o, kError) << ": --retry-budget, e.g. 3m\n";
    return 2;
  }
  // With -o json the result alone is on stdout: progress goes to stderr.
  so.progress = [json = o.output == "json"](const std::string& line) {
    (json ? std::cerr : std::cout) << line << std::endl;
  };
  absl::StatusOr<simulate::SimulationResult> r = simulate::RunSimulation(so);
  if (!r.ok()) {
    std::cerr << "klactl: " << T(o, kError) << ": " << absl::StatusCodeToString(r.status().code()) << ": "
              << r.status().message() << "\n";
    return r.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  if (o.output == "json") {
    std::cout << ToJson(r->summary);
    return 0;
  }

  PrintReport(o, f, *r);
  const int mismatched = r->ranking_differences;
  const bool complete = mismatched == 0 && r->evidence_missing == 0 && r->answers_missing == 0 &&
                        r->bad_signatures == 0 &&
                        (f.no_receiver || r->announcements_received == r->announcements_expected);
  return complete ? 0 : 1;
}

}  // namespace

void AddSimulateCommand(CLI::App& app, Options& o, int* rc) {
  static SimulateFlags f;
  auto* sim = app.add_subcommand(
      "simulate",
      "A whole national cycle for all 514 kabupaten/kota, from opening to announcements (signed in as national admin)");
  sim->add_option("--seed", f.seed, "Seed of the generated self-evaluations (the same seed, the same results)")
      ->capture_default_str();
  sim->add_option("--cycle", f.cycle, "Cycle id to create (default simulasi-<seed>)");
  sim->add_option("--rulebook", f.rulebook, "Rulebook textproto, uploaded when its version is not stored yet")
      ->capture_default_str();
  sim->add_option("--parallel", f.parallel, "Regions worked on at once")->capture_default_str();
  sim->add_flag("--no-receiver", f.no_receiver, "Do not start a local webhook receiver for the announcements");
  sim->add_option("--retry-budget", f.retry_budget, "How long one call is retried while a service is down")
      ->capture_default_str();
  for (const char* service : {"registry", "submission", "scoring", "notification"}) {
    sim->add_option(absl::StrCat("--", service, "-addr"), f.addrs[service],
                    absl::StrCat("Address of the ", service, " service when it runs apart (default --addr)"));
  }
  sim->callback([&o, rc] { *rc = Simulate(o, f); });
}

}  // namespace kla::klactl
