#include "services/scoring/domain/publishing.h"

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "kla/scoring/v1/events.pb.h"
#include "libs/common/errors.h"
#include "libs/common/log.h"
#include "libs/common/points.h"
#include "libs/common/status_macros.h"
#include "libs/kernel/csv.h"
#include "libs/kernel/time.h"
#include "services/scoring/domain/audience.h"
#include "services/scoring/domain/ranking_index.h"

namespace kla::scoring {
namespace {

// Where a publication leaves each kabupaten/kota.
struct Standing {
  // Ranked: at final verification (FINAL), or at its latest stage from
  // provincial verification on (PROVISIONAL).
  std::vector<const v1::RegionScore*> ranked;
  // The rest, with the last stage each completed (UNSPECIFIED: none, not
  // even its self-evaluation submitted).
  std::map<std::string, type::v1::Stage> not_ranked;
  // Of not_ranked, those whose return was closed as not completed: out of
  // the evaluation, they hold nothing.
  std::set<std::string> not_completed;

  std::map<type::v1::Stage, int> NotRankedByStage() const {
    std::map<type::v1::Stage, int> out;
    for (const auto& [code, stage] : not_ranked) ++out[stage];
    return out;
  }
};

Standing StandingOf(const std::vector<StageScore>& scores, const std::set<std::string>& not_completed,
                    const RegionList& regions, bool final) {
  Standing out;
  for (const auto& [code, info] : regions) out.not_ranked[code] = type::v1::STAGE_UNSPECIFIED;
  const type::v1::Stage floor = final ? type::v1::STAGE_FINAL_VERIFICATION : type::v1::STAGE_PROVINCIAL_VERIFICATION;
  for (const v1::RegionScore* latest : RankingBook::Pick(scores, type::v1::STAGE_UNSPECIFIED)) {
    const std::string& code = latest->region().code();
    if (not_completed.contains(code) && out.not_ranked.contains(code)) {
      out.not_ranked[code] = latest->stage();
      out.not_completed.insert(code);
    } else if (latest->stage() >= floor) {
      out.ranked.push_back(latest);  // for FINAL, its final verification score
      out.not_ranked.erase(latest->region().code());
    } else {
      out.not_ranked[latest->region().code()] = latest->stage();
    }
  }
  return out;
}

std::string StoppedAt(type::v1::Stage stage) {
  switch (stage) {
    case type::v1::STAGE_UNSPECIFIED:
      return "tidak dinilai: evaluasi mandiri tidak dikirim";
    case type::v1::STAGE_SELF_EVALUATION:
      return "tidak dinilai: berhenti sebelum verifikasi provinsi selesai";
    default:
      return "tidak dinilai: berhenti sebelum penilaian pusat selesai";
  }
}

// While the final verification window is open, only regions that can still
// be finally verified hold publication: those past central review (and
// field verification where it applies). Regions that stopped earlier cannot
// get there in this window; they are listed too, as not evaluated.
absl::Status CheckNoneAwaitFinalVerification(const registry::v1::Cycle& cycle, const Standing& standing,
                                             const std::set<std::string>& missed_field_visit, absl::Time now) {
  absl::Time close = absl::InfiniteFuture();
  for (const auto& w : cycle.windows()) {
    if (w.phase() == registry::v1::CYCLE_PHASE_FINAL_VERIFICATION) close = FromProtoTime(w.close_time());
  }
  if (now >= close) return absl::OkStatus();  // the ministry publishes with whoever is verified
  std::vector<PreconditionViolation> listed;
  int waiting = 0;
  for (const auto& [code, stage] : standing.not_ranked) {
    if (stage >= type::v1::STAGE_CENTRAL_REVIEW && !standing.not_completed.contains(code) &&
        !missed_field_visit.contains(code)) {
      listed.push_back({"AWAITING_FINAL_VERIFICATION", code, "belum diverifikasi final"});
      ++waiting;
    }
  }
  if (waiting == 0) return absl::OkStatus();
  // The not evaluated, those that got furthest first: the details hold what
  // fits in a trailer, and hundreds that never submitted come last.
  std::vector<std::pair<type::v1::Stage, PreconditionViolation>> stopped;
  for (const auto& [code, stage] : standing.not_ranked) {
    if (standing.not_completed.contains(code)) {
      stopped.push_back({stage, {"NOT_EVALUATED", code, "tidak dinilai: perbaikan tidak diselesaikan"}});
    } else if (missed_field_visit.contains(code)) {
      stopped.push_back(
          {stage, {"NOT_EVALUATED", code, "tidak dinilai: verifikasi lapangan tidak terlaksana dalam waktunya"}});
    } else if (stage < type::v1::STAGE_CENTRAL_REVIEW) {
      stopped.push_back({stage, {"NOT_EVALUATED", code, StoppedAt(stage)}});
    }
  }
  std::stable_sort(stopped.begin(), stopped.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (auto& [stage, v] : stopped) listed.push_back(std::move(v));
  return WithReason(
      FailedPreconditionWithViolations(
          absl::StrCat(waiting, " regions await final verification, which is open until ", FormatWib(close), "; ",
                       listed.size() - waiting, " others stopped earlier and will be reported as not evaluated"),
          listed),
      "FINAL_VERIFICATION_PENDING", {{"waiting", std::to_string(waiting)}, {"close", FormatWib(close)}});
}

// Regions at central review whose provincial score calls for a field visit
// (at or above the rulebook's threshold) and whose field verification window
// has closed for them: they can no longer reach final verification.
absl::StatusOr<std::set<std::string>> MissedFieldVisits(ScoringDirectory* directory, absl::Time now,
                                                        const registry::v1::Cycle& cycle,
                                                        const std::vector<StageScore>& scores,
                                                        const Standing& standing) {
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const registry::v1::Rulebook> rulebook,
                       directory->GetRulebook(cycle.rulebook_version()));
  const int64_t threshold = rulebook->field_verification_threshold().hundredths();
  std::set<std::string> out;
  for (const StageScore& s : scores) {
    const std::string& code = s.score.region().code();
    if (s.score.stage() != type::v1::STAGE_PROVINCIAL_VERIFICATION || s.score.total().hundredths() < threshold) {
      continue;
    }
    auto it = standing.not_ranked.find(code);
    if (it == standing.not_ranked.end() || it->second != type::v1::STAGE_CENTRAL_REVIEW) continue;
    KLA_ASSIGN_OR_RETURN(absl::Time close,
                         directory->CloseFor(cycle.id(), code, registry::v1::CYCLE_PHASE_FIELD_VERIFICATION));
    if (now > close) out.insert(code);
  }
  return out;
}

absl::Status CheckPublishable(const registry::v1::Cycle& cycle, bool final) {
  const registry::v1::CycleState needed =
      final ? registry::v1::CYCLE_STATE_FINAL_VERIFICATION : registry::v1::CYCLE_STATE_OBJECTION;
  if (cycle.state() >= needed) return absl::OkStatus();
  return WithReason(
      absl::FailedPreconditionError(absl::StrCat(
          "cycle ", cycle.id(), " is in ", registry::v1::CycleState_Name(cycle.state()), "; ",
          final ? "final" : "provisional", " results are published from ", registry::v1::CycleState_Name(needed))),
      "PUBLICATION_TOO_EARLY",
      {{"state", registry::v1::CycleState_Name(cycle.state())}, {"needed", registry::v1::CycleState_Name(needed)}});
}

v1::Publication PublicationOf(const v1::RankingSnapshot& snapshot, const Summary& summary, const Standing& standing,
                              const registry::v1::Cycle& cycle, v1::PublicationKind kind, absl::Time now,
                              const auth::Principal& who) {
  v1::Publication pub;
  pub.set_cycle_id(cycle.id());
  pub.set_kind(kind);
  pub.set_snapshot_id(snapshot.snapshot_id());
  *pub.mutable_publish_time() = ToProtoTime(now);
  pub.set_published_by(who.subject);
  if (kind == v1::PUBLICATION_KIND_FINAL) *pub.mutable_embargo_until() = cycle.announcement_time();
  pub.set_ranked_count(snapshot.entries_size());
  pub.set_awarded_count(summary.awarded);
  for (const auto& c : summary.counts) *pub.add_counts() = c;
  pub.set_not_ranked_count(static_cast<int32_t>(standing.not_ranked.size()));
  pub.set_not_completed_count(static_cast<int32_t>(standing.not_completed.size()));
  for (const auto& [stage, count] : standing.NotRankedByStage()) {
    v1::StageCount* c = pub.add_not_ranked_by_stage();
    c->set_last_stage(stage);
    c->set_count(count);
  }
  return pub;
}

outbox::OutgoingEvent ProvisionalEvent(const v1::RankingSnapshot& snapshot, const registry::v1::Cycle& cycle,
                                       const v1::Publication& pub) {
  auto e = std::make_shared<v1::ProvisionalResultsPublished>();
  e->set_cycle_id(cycle.id());
  e->set_cycle_name(cycle.name());
  e->set_snapshot_id(snapshot.snapshot_id());
  *e->mutable_publish_time() = pub.publish_time();
  *e->mutable_results() = snapshot.entries();
  return {"notification", std::move(e)};
}

// One AwardAnnounced per awarded region, then the national summary.
std::vector<outbox::OutgoingEvent> FinalEvents(const v1::RankingSnapshot& snapshot, const RankingIndex& index,
                                               const Summary& summary, const RegionList& regions,
                                               const registry::v1::Cycle& cycle) {
  std::vector<outbox::OutgoingEvent> events;
  for (const auto& entry : snapshot.entries()) {
    if (!Awarded(entry.predicate())) continue;
    auto e = std::make_shared<v1::AwardAnnounced>();
    e->set_cycle_id(cycle.id());
    e->set_cycle_name(cycle.name());
    *e->mutable_result() = entry;
    e->set_snapshot_id(snapshot.snapshot_id());
    *e->mutable_embargo_until() = cycle.announcement_time();
    events.push_back({"notification", std::move(e)});
  }
  auto s = std::make_shared<v1::NationalSummaryPublished>();
  s->set_cycle_id(cycle.id());
  s->set_cycle_name(cycle.name());
  s->set_snapshot_id(snapshot.snapshot_id());
  for (const auto& c : summary.counts) *s->add_counts() = c;
  s->set_awarded_count(summary.awarded);
  s->set_regency_count(summary.regencies);
  for (const auto& p : Provila(index, regions)) {
    if (p.complete()) *s->add_provila_provinces() = p.province();
  }
  *s->mutable_embargo_until() = cycle.announcement_time();
  *s->mutable_top_total() = snapshot.entries(0).total();
  s->set_top_predicate(snapshot.entries(0).predicate());
  events.push_back({"notification", std::move(s)});
  return events;
}

}  // namespace

absl::StatusOr<v1::Publication> Publishing::Publish(const std::string& cycle_id, v1::PublicationKind kind,
                                                    const auth::Principal& who) {
  KLA_RETURN_IF_ERROR(CheckCycleId(cycle_id));
  if (kind != v1::PUBLICATION_KIND_PROVISIONAL && kind != v1::PUBLICATION_KIND_FINAL) {
    return InvalidField("kind", "PROVISIONAL or FINAL");
  }
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const registry::v1::Cycle> cycle, directory_->GetCycle(cycle_id, true));
  KLA_ASSIGN_OR_RETURN(std::vector<v1::Publication> pubs, store_->ListPublications(cycle_id));
  for (const auto& p : pubs) {
    if (p.kind() == kind) return p;  // published already: the same snapshot, nothing sent again
  }
  const bool final = kind == v1::PUBLICATION_KIND_FINAL;
  KLA_RETURN_IF_ERROR(CheckPublishable(*cycle, final));
  KLA_ASSIGN_OR_RETURN(std::vector<StageScore> scores, store_->ListCycle(cycle_id, false));
  KLA_ASSIGN_OR_RETURN(std::set<std::string> not_completed, store_->ListNotCompleted(cycle_id));
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const RegionList> regions, directory_->Regencies());
  const Standing standing = StandingOf(scores, not_completed, *regions, final);
  const absl::Time now = clock_->Now();
  if (final) {
    KLA_ASSIGN_OR_RETURN(std::set<std::string> missed, MissedFieldVisits(directory_, now, *cycle, scores, standing));
    KLA_RETURN_IF_ERROR(CheckNoneAwaitFinalVerification(*cycle, standing, missed, now));
  }
  if (standing.ranked.empty()) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat("no region of cycle ", cycle_id, " has completed ",
                                                                 final ? "final" : "provincial", " verification")),
                      "NOTHING_TO_RANK", {{"cycle_id", cycle_id}});
  }
  const RankingKey key{cycle_id, final ? v1::RANKING_VIEW_FINAL : v1::RANKING_VIEW_PROVISIONAL,
                       type::v1::STAGE_UNSPECIFIED};
  const v1::RankingSnapshot snapshot = rankings_->Build(key, standing.ranked, cycle->rulebook_version());
  const RankingIndex index(snapshot);
  const Summary summary = Summarize(index, *regions);
  const v1::Publication pub = PublicationOf(snapshot, summary, standing, *cycle, kind, now, who);
  const std::vector<outbox::OutgoingEvent> events = final ? FinalEvents(snapshot, index, summary, *regions, *cycle)
                                                          : std::vector{ProvisionalEvent(snapshot, *cycle, pub)};
  KLA_ASSIGN_OR_RETURN(ScoreStore::PublishResult result, store_->Publish(pub, snapshot, events));
  publications_->Forget(cycle_id);  // read again: this publication, or a concurrent one that won
  if (result.created) {
    rankings_->Publish(key, snapshot);
    if (events_written_) events_written_();
    log::Info("results published", {{"cycle", cycle_id},
                                    {"kind", v1::PublicationKind_Name(kind)},
                                    {"snapshot", snapshot.snapshot_id()},
                                    {"events", std::to_string(events.size())}});
  }
  return result.publication;
}

absl::StatusOr<std::vector<v1::Publication>> Publishing::ListPublications(const std::string& cycle_id,
                                                                          const auth::Principal& who) {
  KLA_RETURN_IF_ERROR(CheckCycleId(cycle_id));
  KLA_RETURN_IF_ERROR(directory_->GetCycle(cycle_id, false).status());
  KLA_ASSIGN_OR_RETURN(CyclePublications p, publications_->Read(cycle_id));
  if (SeesEverything(who.role)) return *p.all;
  // Others see what they may read: provisional results (regional roles and
  // verifiers), final ones once announced.
  std::vector<v1::Publication> out;
  if (p.provisional != nullptr && !PublicOnly(who.role)) out.push_back(*p.provisional);
  if (p.announced) out.push_back(*p.final);
  return out;
}

absl::StatusOr<PastImport> Publishing::ImportPastResults(const std::string& csv, bool validate_only,
                                                         const auth::Principal& who) {
  if (absl::StripAsciiWhitespace(csv).empty()) return InvalidField("csv", "required");
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const RegionList> regions, directory_->Regencies());
  static const std::map<std::string, type::v1::Predicate> kPredicates = {
      {"none", type::v1::PREDICATE_NONE},       {"tidak", type::v1::PREDICATE_NONE},
      {"pratama", type::v1::PREDICATE_PRATAMA}, {"madya", type::v1::PREDICATE_MADYA},
      {"nindya", type::v1::PREDICATE_NINDYA},   {"utama", type::v1::PREDICATE_UTAMA},
      {"kla", type::v1::PREDICATE_KLA}};
  Violations violations;
  std::vector<PastResult> results;
  std::set<std::string> cycles;
  auto records = ParseCsv(csv);
  if (!records.ok()) return InvalidField("csv", records.status().message());
  for (CsvRecord& record : *records) {
    std::vector<std::string>* fields = &record.fields;
    if (record.line == 1 && absl::StartsWith(absl::StripAsciiWhitespace((*fields)[0]), "cycle_id")) continue;
    const std::string where = absl::StrCat("line ", record.line);
    if (fields->size() < 3 || fields->size() > 4) {
      violations.Add(where, "cycle_id,region_code,predicate[,total]");
      continue;
    }
    PastResult r{std::string(absl::StripAsciiWhitespace((*fields)[0])),
                 std::string(absl::StripAsciiWhitespace((*fields)[1])), type::v1::PREDICATE_UNSPECIFIED, std::nullopt};
    if (r.cycle_id.empty() || r.cycle_id.size() > 32) violations.Add(where, "cycle_id: 1 to 32 characters");
    if (!regions->contains(r.region_code)) {
      violations.Add(where, absl::StrCat("no kabupaten/kota ", r.region_code));
    }
    auto p = kPredicates.find(absl::AsciiStrToLower(absl::StripAsciiWhitespace((*fields)[2])));
    if (p == kPredicates.end()) {
      violations.Add(where, absl::StrCat("predicate ", (*fields)[2], ": pratama, madya, nindya, utama, kla or none"));
    } else {
      r.predicate = p->second;
    }
    if (fields->size() == 4 && !absl::StripAsciiWhitespace((*fields)[3]).empty()) {
      int64_t total = 0;
      if (!ParseHundredths((*fields)[3], &total) || total < 0 || total > 100000) {
        violations.Add(where, absl::StrCat("total ", (*fields)[3], ": 0 to 1000 with at most two decimals"));
      } else {
        r.total_hundredths = total;
      }
    }
    cycles.insert(r.cycle_id);
    results.push_back(std::move(r));
  }
  for (const std::string& id : cycles) {
    auto cycle = directory_->GetCycle(id, false);
    if (cycle.ok()) {
      violations.Add("csv", absl::StrCat("cycle ", id, " is run in kla: its results come from its scores"));
    } else if (cycle.status().code() != absl::StatusCode::kNotFound) {
      return cycle.status();
    }
  }
  KLA_RETURN_IF_ERROR(violations.ToStatus("past results not imported"));
  if (results.empty()) return InvalidField("csv", "no results in the file");
  if (!validate_only) KLA_RETURN_IF_ERROR(store_->SavePastResults(results, who.subject));
  return PastImport{static_cast<int>(results.size()), {cycles.begin(), cycles.end()}};
}

}  // namespace kla::scoring
