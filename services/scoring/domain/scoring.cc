#include "services/scoring/domain/scoring.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "kla/scoring/v1/events.pb.h"
#include "libs/common/errors.h"
#include "libs/common/ids.h"
#include "libs/common/log.h"
#include "libs/common/page_token.h"
#include "libs/common/points.h"
#include "libs/common/status_macros.h"
#include "libs/common/text.h"
#include "libs/kernel/csv.h"
#include "libs/kernel/region_code.h"
#include "libs/kernel/time.h"
#include "libs/score/answer_check.h"
#include "services/scoring/domain/region_score.h"

namespace kla::scoring {
namespace {

using google::protobuf::util::TimeUtil;
using Role = auth::Role;

// Roles that see every score and ranking, published or not.
bool SeesEverything(Role r) { return r == Role::kNationalAdmin || r == Role::kCentralReviewer || r == Role::kService; }
// Roles that see only what is announced to everyone.
bool PublicOnly(Role r) { return r == Role::kPublic || r == Role::kIntegration; }

absl::Status CheckCycleId(const std::string& cycle_id) {
  return cycle_id.empty() ? InvalidField("cycle_id", "required") : absl::OkStatus();
}
absl::Status CheckRegion(const std::string& region_code) { return ValidateRegencyCode("region_code", region_code); }

absl::Status NotAnnounced(const std::string& cycle_id) {
  return WithReason(
      absl::PermissionDeniedError(absl::StrCat("the results of cycle ", cycle_id, " are not announced yet")),
      "RESULTS_NOT_ANNOUNCED", {{"cycle_id", cycle_id}});
}

// Whether a regional caller reaches the region for unpublished data.
bool Reaches(const auth::Principal& who, const std::string& region_code) {
  return !PublicOnly(who.role) && auth::InScope(who, region_code);
}

}  // namespace

RegionInfo Scoring::InfoOf(const std::string& region_code) {
  auto regions = directory_->Regencies();
  if (regions.ok()) {
    if (auto it = (*regions)->find(region_code); it != (*regions)->end()) return it->second;
  }
  return RegionInfo{region_code, region_code, ProvinceOf(region_code), ""};
}

absl::StatusOr<bool> Scoring::ApplyStageAnswers(const event::v1::EventEnvelope& event,
                                                const submission::v1::StageAnswers& answers) {
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const registry::v1::Rulebook> rulebook,
                       directory_->GetRulebook(answers.rulebook_version()));
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const RegionList> regions, directory_->Regencies());
  auto it = regions->find(answers.region_code());
  const RegionInfo info = it != regions->end() ? it->second : InfoOf(answers.region_code());
  StageScore s{ScoreStage(*rulebook, answers, info, absl::StrCat("event:", event.event_id())), answers};
  *s.score.mutable_compute_time() = ToProtoTime(clock_->Now());
  return store_->ApplyFromEvent(event, s);
}

absl::StatusOr<bool> Scoring::ApplyNotCompleted(const event::v1::EventEnvelope& envelope,
                                                const submission::v1::SubmissionNotCompleted& closed) {
  return store_->ApplyNotCompleted(envelope, closed.cycle_id(), closed.region_code());
}

absl::StatusOr<std::shared_ptr<const std::vector<v1::Publication>>> Scoring::Publications(const std::string& cycle_id) {
  {
    absl::MutexLock lock(&mu_);
    auto it = publications_.find(cycle_id);
    if (it != publications_.end() && clock_->Now() - it->second.second < publications_ttl_) return it->second.first;
  }
  KLA_ASSIGN_OR_RETURN(std::vector<v1::Publication> pubs, store_->ListPublications(cycle_id));
  auto shared = std::make_shared<const std::vector<v1::Publication>>(std::move(pubs));
  absl::MutexLock lock(&mu_);
  publications_[cycle_id] = {shared, clock_->Now()};
  return shared;
}

Scoring::Published Scoring::Find(const std::vector<v1::Publication>& pubs) const {
  Published out;
  for (const auto& p : pubs) {
    if (p.kind() == v1::PUBLICATION_KIND_PROVISIONAL) out.provisional = &p;
    if (p.kind() == v1::PUBLICATION_KIND_FINAL) out.final = &p;
  }
  out.announced = out.final != nullptr && clock_->Now() >= FromProtoTime(out.final->embargo_until());
  return out;
}

absl::StatusOr<v1::RegionScore> Scoring::GetScore(const std::string& cycle_id, const std::string& region_code,
                                                  type::v1::Stage stage, bool explain, const auth::Principal& who) {
  KLA_RETURN_IF_ERROR(CheckCycleId(cycle_id));
  KLA_RETURN_IF_ERROR(CheckRegion(region_code));
  KLA_RETURN_IF_ERROR(directory_->GetCycle(cycle_id, false).status());
  if (!Reaches(who, region_code)) {
    // Others see the final score once it is announced, nothing before.
    KLA_ASSIGN_OR_RETURN(auto pubs_ptr, Publications(cycle_id));
    const std::vector<v1::Publication>& pubs = *pubs_ptr;
    if (!Find(pubs).announced) {
      // The real reason for a region's own people: another region is out
      // of their reach (its score is public only once announced).
      if (!PublicOnly(who.role)) {
        return WithReason(absl::PermissionDeniedError(absl::StrCat(
                              "kabupaten/kota ", region_code,
                              " is outside your reach; its score is public once the final results of cycle ", cycle_id,
                              " are announced")),
                          "OUT_OF_SCOPE", {{"region", region_code}, {"role", std::string(auth::RoleName(who.role))}});
      }
      return NotAnnounced(cycle_id);
    }
    if (stage != type::v1::STAGE_UNSPECIFIED && stage != type::v1::STAGE_FINAL_VERIFICATION) {
      return WithReason(absl::PermissionDeniedError("only final scores are public"), "FINAL_SCORES_ONLY");
    }
    stage = type::v1::STAGE_FINAL_VERIFICATION;
  }
  KLA_ASSIGN_OR_RETURN(std::optional<StageScore> s, store_->Get(cycle_id, region_code, stage));
  if (!s) return NotFound("score", absl::StrCat(cycle_id, "/", region_code));
  return explain ? std::move(s->score) : Basic(std::move(s->score));
}

absl::StatusOr<v1::NextLevelPath> Scoring::GetPath(const std::string& cycle_id, const std::string& region_code,
                                                   type::v1::Stage stage, const auth::Principal& who) {
  KLA_RETURN_IF_ERROR(CheckCycleId(cycle_id));
  KLA_RETURN_IF_ERROR(CheckRegion(region_code));
  KLA_RETURN_IF_ERROR(directory_->GetCycle(cycle_id, false).status());
  if (!Reaches(who, region_code)) {
    return WithReason(absl::PermissionDeniedError("the path is shown to the region's own roles"), "OUT_OF_SCOPE",
                      {{"region", region_code}});
  }
  KLA_ASSIGN_OR_RETURN(std::optional<StageScore> s, store_->Get(cycle_id, region_code, stage));
  if (!s) return NotFound("score", absl::StrCat(cycle_id, "/", region_code));
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const registry::v1::Rulebook> rulebook,
                       directory_->GetRulebook(s->answers.rulebook_version()));
  const RegionInfo info{region_code, s->score.region().name(), s->score.province().code(), s->score.province().name()};
  v1::NextLevelPath path = PathFor(*rulebook, score::FromAnswers(s->answers.answers()), info);
  path.set_cycle_id(cycle_id);
  path.set_stage(s->score.stage());
  return path;
}

absl::StatusOr<Scoring::DryRun> Scoring::DryRunScore(const std::string& cycle_id, const std::string& region_code,
                                                     const std::vector<submission::v1::Answer>& answers,
                                                     const auth::Principal& who) {
  (void)who;  // the rule table admits only the region's own reach
  KLA_RETURN_IF_ERROR(CheckCycleId(cycle_id));
  KLA_RETURN_IF_ERROR(CheckRegion(region_code));
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const registry::v1::Cycle> shared_cycle, directory_->GetCycle(cycle_id, false));
  const registry::v1::Cycle& cycle = *shared_cycle;
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const registry::v1::Rulebook> rulebook,
                       directory_->GetRulebook(cycle.rulebook_version()));
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const RegionList> regions, directory_->Regencies());
  auto region = regions->find(region_code);
  if (region == regions->end()) return NotFound("kabupaten/kota", region_code);
  // Answers are checked as a save checks them (score::CheckAnswerValue).
  std::map<std::string, const registry::v1::ItemRule*> items;
  for (const auto& ind : rulebook->indicators()) {
    for (const auto& item : ind.items()) items[item.id()] = &item;
  }
  Violations violations;
  for (size_t i = 0; i < answers.size(); ++i) {
    const auto& a = answers[i];
    auto item = items.find(a.item_id());
    const std::string field = absl::StrCat("answers[", i, "]");
    if (item == items.end()) {
      violations.Add(field + ".item_id", absl::StrCat("no item ", a.item_id(), " in rulebook ", rulebook->version()));
      continue;
    }
    if (a.has_value()) score::CheckAnswerValue(*item->second, a.value(), field + ".value", &violations);
  }
  KLA_RETURN_IF_ERROR(violations.ToStatus("answers do not fit the rulebook"));
  google::protobuf::RepeatedPtrField<submission::v1::Answer> list(answers.begin(), answers.end());
  const score::AnswerMap map = score::FromAnswers(list);
  DryRun out{ScoreAnswers(*rulebook, map, region->second), PathFor(*rulebook, map, region->second)};
  out.score.set_cycle_id(cycle_id);
  *out.score.mutable_compute_time() = ToProtoTime(clock_->Now());
  out.path.set_cycle_id(cycle_id);
  return out;
}

absl::StatusOr<std::vector<v1::HistoryEntry>> Scoring::History(const std::string& region_code,
                                                               const auth::Principal& who) {
  KLA_RETURN_IF_ERROR(CheckRegion(region_code));
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const RegionList> regions, directory_->Regencies());
  if (!regions->contains(region_code)) return NotFound("kabupaten/kota", region_code);
  KLA_ASSIGN_OR_RETURN(std::vector<registry::v1::Cycle> cycles, directory_->ListCycles());
  KLA_ASSIGN_OR_RETURN(std::vector<v1::RegionScore> scores, store_->ListRegion(region_code));
  const bool reaches = Reaches(who, region_code);
  std::vector<v1::HistoryEntry> out;
  for (const auto& cycle : cycles) {
    const v1::RegionScore* latest = nullptr;
    const v1::RegionScore* final_score = nullptr;
    for (const auto& s : scores) {
      if (s.cycle_id() != cycle.id()) continue;
      if (latest == nullptr || s.stage() > latest->stage()) latest = &s;
      if (s.stage() == type::v1::STAGE_FINAL_VERIFICATION) final_score = &s;
    }
    if (latest == nullptr) continue;
    KLA_ASSIGN_OR_RETURN(auto pubs_ptr, Publications(cycle.id()));
    const std::vector<v1::Publication>& pubs = *pubs_ptr;
    const Published published = Find(pubs);
    const bool final_visible = published.final != nullptr && (published.announced || SeesEverything(who.role));
    v1::HistoryEntry e;
    e.set_cycle_id(cycle.id());
    e.set_cycle_name(cycle.name());
    if (final_visible && final_score != nullptr) {
      e.set_final(true);
      KLA_ASSIGN_OR_RETURN(auto read, rankings_->Current({cycle.id(), v1::RANKING_VIEW_FINAL}));
      if (read) {
        if (const auto* entry = read->ranking->Find(region_code)) {
          e.set_national_rank(entry->rank());
          *e.mutable_total() = entry->total();  // as frozen at publication
          e.set_predicate(entry->predicate());
          e.set_stage(entry->stage());
        }
      }
      if (!e.has_total()) {
        *e.mutable_total() = final_score->total();
        e.set_predicate(final_score->predicate());
        e.set_stage(final_score->stage());
      }
    } else if (reaches) {
      *e.mutable_total() = latest->total();
      e.set_predicate(latest->predicate());
      e.set_stage(latest->stage());
    } else {
      continue;
    }
    out.push_back(std::move(e));
  }
  // Results published before kla: public, as they were announced then.
  KLA_ASSIGN_OR_RETURN(std::vector<PastResult> past, store_->ListPastResults(region_code));
  for (const PastResult& p : past) {
    v1::HistoryEntry e;
    e.set_cycle_id(p.cycle_id);
    e.set_cycle_name(absl::StrCat("Evaluasi KLA ", p.cycle_id));
    e.set_stage(type::v1::STAGE_FINAL_VERIFICATION);
    e.set_predicate(p.predicate);
    if (p.total_hundredths) e.mutable_total()->set_hundredths(*p.total_hundredths);
    e.set_final(true);
    e.set_imported(true);
    out.push_back(std::move(e));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const v1::HistoryEntry& a, const v1::HistoryEntry& b) { return a.cycle_id() < b.cycle_id(); });
  return out;
}

absl::StatusOr<Scoring::Resolved> Scoring::Resolve(const std::string& cycle_id, v1::RankingView view,
                                                   type::v1::Stage stage, const std::string& province_code,
                                                   const auth::Principal& who) {
  KLA_RETURN_IF_ERROR(CheckCycleId(cycle_id));
  if (!province_code.empty() && !IsProvinceCode(province_code)) {
    return InvalidField("province_code", "must be a province code like 35");
  }
  if (stage != type::v1::STAGE_UNSPECIFIED && view != v1::RANKING_VIEW_LIVE) {
    return InvalidField("stage", "only the LIVE view is ranked per stage");
  }
  KLA_RETURN_IF_ERROR(directory_->GetCycle(cycle_id, false).status());
  KLA_ASSIGN_OR_RETURN(auto pubs_ptr, Publications(cycle_id));
  const std::vector<v1::Publication>& pubs = *pubs_ptr;
  const Published published = Find(pubs);
  const bool everything = SeesEverything(who.role);
  const bool own_province =
      who.role == Role::kProvinceVerifier && !province_code.empty() && province_code == who.province_code;
  const bool may_live = everything || own_province;
  const bool may_final = published.final != nullptr && (published.announced || everything);
  const bool may_provisional = published.provisional != nullptr && !PublicOnly(who.role);
  if (view == v1::RANKING_VIEW_UNSPECIFIED) {
    if (may_final) {
      view = v1::RANKING_VIEW_FINAL;
    } else if (may_provisional) {
      view = v1::RANKING_VIEW_PROVISIONAL;
    } else if (may_live) {
      view = v1::RANKING_VIEW_LIVE;
    } else {
      return NotAnnounced(cycle_id);
    }
  }
  switch (view) {
    case v1::RANKING_VIEW_FINAL:
      if (published.final == nullptr) {
        if (!everything) return NotAnnounced(cycle_id);
        return NotFound("final results", cycle_id);
      }
      if (!may_final) {
        const std::string until = FormatWib(FromProtoTime(published.final->embargo_until()));
        return WithReason(absl::PermissionDeniedError(
                              absl::StrCat("the final results of cycle ", cycle_id, " are embargoed until ", until)),
                          "RESULTS_EMBARGOED", {{"until", until}, {"cycle_id", cycle_id}});
      }
      break;
    case v1::RANKING_VIEW_PROVISIONAL:
      if (PublicOnly(who.role)) return NotAnnounced(cycle_id);
      if (published.provisional == nullptr) return NotFound("provisional results", cycle_id);
      break;
    case v1::RANKING_VIEW_LIVE:
      if (!may_live) {
        return WithReason(
            absl::PermissionDeniedError(
                "the live ranking is for national roles, and for province verifiers within their province"),
            "LIVE_RANKING_RESTRICTED");
      }
      break;
    default:
      return InvalidField("view", "unknown view");
  }
  Resolved out;
  out.key = RankingKey{cycle_id, view, view == v1::RANKING_VIEW_LIVE ? stage : type::v1::STAGE_UNSPECIFIED};
  KLA_ASSIGN_OR_RETURN(std::optional<RankingBook::Read> read, rankings_->Current(out.key));
  if (!read) return NotFound("ranking", out.key.Name());
  out.ranking = std::move(read->ranking);
  out.source = read->source;
  return out;
}

absl::StatusOr<Scoring::RankingPage> Scoring::GetRanking(const RankingQuery& q, const auth::Principal& who) {
  KLA_ASSIGN_OR_RETURN(const int size, ResolvePageSize(q.page_size, 50, 600));
  KLA_ASSIGN_OR_RETURN(Resolved r, Resolve(q.cycle_id, q.view, q.stage, q.province_code, who));
  // Pages of one listing come from one snapshot: the token pins it.
  const std::string fingerprint = absl::StrCat(r.key.Name(), "|", q.province_code);
  KLA_ASSIGN_OR_RETURN(std::string last, DecodePageToken(q.page_token, fingerprint));
  std::shared_ptr<const RankingIndex> ranking = r.ranking;
  size_t offset = 0;
  if (!last.empty()) {
    const size_t bar = last.find('@');
    if (bar == std::string::npos) return InvalidField("page_token", "not a token of this listing");
    const std::string snapshot_id = last.substr(bar + 1);
    if (!absl::SimpleAtoi(last.substr(0, bar), &offset)) {
      return InvalidField("page_token", "not a token of this listing");
    }
    if (snapshot_id != ranking->id()) {
      // A newer snapshot became current meanwhile: keep paging the old one.
      KLA_ASSIGN_OR_RETURN(std::optional<v1::RankingSnapshot> old, store_->GetSnapshot(snapshot_id));
      // Only an older snapshot of the very ranking the caller was just
      // allowed to read: a token never widens access.
      if (!old || old->cycle_id() != r.key.cycle_id || old->view() != r.key.view || old->stage() != r.key.stage) {
        return InvalidField("page_token", "the ranking it pages has been replaced; start again");
      }
      ranking = std::make_shared<const RankingIndex>(std::move(*old));
    }
  }
  std::vector<int> positions;
  if (q.province_code.empty()) {
    positions.resize(ranking->snapshot().entries_size());
    for (size_t i = 0; i < positions.size(); ++i) positions[i] = static_cast<int>(i);
  } else {
    positions = ranking->Province(q.province_code);
  }
  RankingPage page;
  page.snapshot_id = ranking->id();
  page.view = r.key.view;
  page.stage = r.key.stage;
  page.source = r.source;
  page.total_size = static_cast<int>(positions.size());
  for (size_t i = offset; i < positions.size() && page.entries.size() < static_cast<size_t>(size); ++i) {
    page.entries.push_back(ranking->snapshot().entries(positions[i]));
  }
  const size_t next = offset + page.entries.size();
  if (next < positions.size()) {
    page.next_page_token = EncodePageToken(fingerprint, absl::StrCat(next, "@", page.snapshot_id));
  }
  return page;
}

absl::StatusOr<Scoring::RegionRank> Scoring::GetRegionRank(const std::string& cycle_id, const std::string& region_code,
                                                           v1::RankingView view, type::v1::Stage stage,
                                                           const auth::Principal& who) {
  KLA_RETURN_IF_ERROR(CheckRegion(region_code));
  // A province verifier may read its own regions' live ranks.
  const std::string province = who.role == Role::kProvinceVerifier ? ProvinceOf(region_code) : std::string();
  KLA_ASSIGN_OR_RETURN(Resolved r, Resolve(cycle_id, view, stage, province, who));
  const v1::RankingEntry* e = r.ranking->Find(region_code);
  if (e == nullptr) return NotFound("ranked region", region_code);
  RegionRank out;
  out.entry = *e;
  out.national_count = r.ranking->snapshot().entries_size();
  out.province_count = static_cast<int>(r.ranking->Province(e->province().code()).size());
  out.snapshot_id = r.ranking->id();
  out.view = r.key.view;
  out.source = r.source;
  return out;
}

absl::StatusOr<Scoring::SummaryResult> Scoring::GetSummary(const std::string& cycle_id, v1::RankingView view,
                                                           type::v1::Stage stage, const auth::Principal& who) {
  KLA_ASSIGN_OR_RETURN(
      Resolved r, Resolve(cycle_id, view, stage, who.role == Role::kProvinceVerifier ? who.province_code : "", who));
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const RegionList> regions, directory_->Regencies());
  return SummaryResult{Summarize(*r.ranking, *regions), r.ranking->id(), r.key.view};
}

absl::StatusOr<Scoring::ProvilaResult> Scoring::GetProvila(const std::string& cycle_id, v1::RankingView view,
                                                           const auth::Principal& who) {
  KLA_ASSIGN_OR_RETURN(Resolved r, Resolve(cycle_id, view, type::v1::STAGE_UNSPECIFIED,
                                           who.role == Role::kProvinceVerifier ? who.province_code : "", who));
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const RegionList> regions, directory_->Regencies());
  return ProvilaResult{Provila(*r.ranking, *regions), r.ranking->id(), r.key.view};
}

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
    if (s.score.stage() != type::v1::STAGE_PROVINCIAL_VERIFICATION || s.score.total().hundredths() < threshold)
      continue;
    auto it = standing.not_ranked.find(code);
    if (it == standing.not_ranked.end() || it->second != type::v1::STAGE_CENTRAL_REVIEW) continue;
    KLA_ASSIGN_OR_RETURN(absl::Time close,
                         directory->CloseFor(cycle.id(), code, registry::v1::CYCLE_PHASE_FIELD_VERIFICATION));
    if (now > close) out.insert(code);
  }
  return out;
}

}  // namespace

absl::StatusOr<v1::Publication> Scoring::Publish(const std::string& cycle_id, v1::PublicationKind kind,
                                                 const auth::Principal& who) {
  KLA_RETURN_IF_ERROR(CheckCycleId(cycle_id));
  if (kind != v1::PUBLICATION_KIND_PROVISIONAL && kind != v1::PUBLICATION_KIND_FINAL) {
    return InvalidField("kind", "PROVISIONAL or FINAL");
  }
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const registry::v1::Cycle> shared_cycle, directory_->GetCycle(cycle_id, true));
  const registry::v1::Cycle& cycle = *shared_cycle;
  KLA_ASSIGN_OR_RETURN(std::vector<v1::Publication> pubs, store_->ListPublications(cycle_id));
  for (const auto& p : pubs) {
    if (p.kind() == kind) return p;  // published already: the same snapshot, nothing sent again
  }
  const bool final = kind == v1::PUBLICATION_KIND_FINAL;
  const registry::v1::CycleState needed =
      final ? registry::v1::CYCLE_STATE_FINAL_VERIFICATION : registry::v1::CYCLE_STATE_OBJECTION;
  if (cycle.state() < needed) {
    return WithReason(
        absl::FailedPreconditionError(absl::StrCat(
            "cycle ", cycle_id, " is in ", registry::v1::CycleState_Name(cycle.state()), "; ",
            final ? "final" : "provisional", " results are published from ", registry::v1::CycleState_Name(needed))),
        "PUBLICATION_TOO_EARLY",
        {{"state", registry::v1::CycleState_Name(cycle.state())}, {"needed", registry::v1::CycleState_Name(needed)}});
  }
  KLA_ASSIGN_OR_RETURN(std::vector<StageScore> scores, store_->ListCycle(cycle_id, false));
  KLA_ASSIGN_OR_RETURN(std::set<std::string> not_completed, store_->ListNotCompleted(cycle_id));
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const RegionList> regions, directory_->Regencies());
  const Standing standing = StandingOf(scores, not_completed, *regions, final);
  if (final) {
    KLA_ASSIGN_OR_RETURN(std::set<std::string> missed,
                         MissedFieldVisits(directory_, clock_->Now(), cycle, scores, standing));
    KLA_RETURN_IF_ERROR(CheckNoneAwaitFinalVerification(cycle, standing, missed, clock_->Now()));
  }
  const RankingKey key{cycle_id, final ? v1::RANKING_VIEW_FINAL : v1::RANKING_VIEW_PROVISIONAL,
                       type::v1::STAGE_UNSPECIFIED};
  if (standing.ranked.empty()) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat("no region of cycle ", cycle_id, " has completed ",
                                                                 final ? "final" : "provincial", " verification")),
                      "NOTHING_TO_RANK", {{"cycle_id", cycle_id}});
  }
  const v1::RankingSnapshot snapshot = rankings_->Build(key, standing.ranked, cycle.rulebook_version());
  const RankingIndex index(snapshot);
  const Summary summary = Summarize(index, *regions);

  v1::Publication pub;
  pub.set_cycle_id(cycle_id);
  pub.set_kind(kind);
  pub.set_snapshot_id(snapshot.snapshot_id());
  *pub.mutable_publish_time() = ToProtoTime(clock_->Now());
  pub.set_published_by(who.subject);
  if (final) *pub.mutable_embargo_until() = cycle.announcement_time();
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

  std::vector<outbox::OutgoingEvent> events;
  if (!final) {
    auto e = std::make_shared<v1::ProvisionalResultsPublished>();
    e->set_cycle_id(cycle_id);
    e->set_cycle_name(cycle.name());
    e->set_snapshot_id(snapshot.snapshot_id());
    *e->mutable_publish_time() = pub.publish_time();
    *e->mutable_results() = snapshot.entries();
    events.push_back({"notification", std::move(e)});
  } else {
    for (const auto& entry : snapshot.entries()) {
      if (!Awarded(entry.predicate())) continue;
      auto e = std::make_shared<v1::AwardAnnounced>();
      e->set_cycle_id(cycle_id);
      e->set_cycle_name(cycle.name());
      *e->mutable_result() = entry;
      e->set_snapshot_id(snapshot.snapshot_id());
      *e->mutable_embargo_until() = cycle.announcement_time();
      events.push_back({"notification", std::move(e)});
    }
    auto s = std::make_shared<v1::NationalSummaryPublished>();
    s->set_cycle_id(cycle_id);
    s->set_cycle_name(cycle.name());
    s->set_snapshot_id(snapshot.snapshot_id());
    for (const auto& c : summary.counts) *s->add_counts() = c;
    s->set_awarded_count(summary.awarded);
    s->set_regency_count(summary.regencies);
    for (const auto& p : Provila(index, *regions)) {
      if (p.complete()) *s->add_provila_provinces() = p.province();
    }
    *s->mutable_embargo_until() = cycle.announcement_time();
    *s->mutable_top_total() = snapshot.entries(0).total();
    s->set_top_predicate(snapshot.entries(0).predicate());
    events.push_back({"notification", std::move(s)});
  }
  KLA_ASSIGN_OR_RETURN(ScoreStore::PublishResult result, store_->Publish(pub, snapshot, events));
  {
    absl::MutexLock lock(&mu_);
    publications_.erase(cycle_id);  // read again: this publication, or a concurrent one that won
  }
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

absl::StatusOr<std::vector<v1::Publication>> Scoring::ListPublications(const std::string& cycle_id,
                                                                       const auth::Principal& who) {
  KLA_RETURN_IF_ERROR(CheckCycleId(cycle_id));
  KLA_RETURN_IF_ERROR(directory_->GetCycle(cycle_id, false).status());
  KLA_ASSIGN_OR_RETURN(auto pubs_ptr, Publications(cycle_id));
  const std::vector<v1::Publication>& pubs = *pubs_ptr;
  if (SeesEverything(who.role)) return pubs;
  // Others see what they may read: provisional results (regional roles and
  // verifiers), final ones once announced.
  std::vector<v1::Publication> out;
  const Published p = Find(pubs);
  if (p.provisional != nullptr && !PublicOnly(who.role)) out.push_back(*p.provisional);
  if (p.announced) out.push_back(*p.final);
  return out;
}

absl::StatusOr<Scoring::PastImport> Scoring::ImportPastResults(const std::string& csv, bool validate_only,
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

absl::StatusOr<v1::RecomputeJob> Scoring::Recompute(const std::string& cycle_id, const std::string& request_id,
                                                    const auth::Principal& who) {
  KLA_RETURN_IF_ERROR(CheckCycleId(cycle_id));
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const registry::v1::Cycle> shared_cycle, directory_->GetCycle(cycle_id, true));
  const registry::v1::Cycle& cycle = *shared_cycle;
  KLA_ASSIGN_OR_RETURN(std::vector<v1::Publication> pubs, store_->ListPublications(cycle_id));
  if (Find(pubs).final != nullptr) {
    return WithReason(absl::FailedPreconditionError(
                          absl::StrCat("the final results of cycle ", cycle_id, " are published and frozen")),
                      "RESULTS_FROZEN", {{"cycle_id", cycle_id}});
  }
  v1::RecomputeJob job;
  job.set_job_id(NewUuid());
  job.set_cycle_id(cycle_id);
  job.set_state(v1::JOB_STATE_QUEUED);
  job.set_rulebook_version(cycle.rulebook_version());
  job.set_requested_by(who.subject);
  *job.mutable_create_time() = ToProtoTime(clock_->Now());
  return store_->CreateJob(job, request_id.empty() ? job.job_id() : request_id);
}

absl::StatusOr<v1::RecomputeJob> Scoring::GetJob(const std::string& job_id) {
  if (job_id.empty()) return InvalidField("job_id", "required");
  KLA_ASSIGN_OR_RETURN(std::optional<v1::RecomputeJob> job, store_->GetJob(job_id));
  if (!job) return NotFound("recompute job", job_id);
  return *job;
}

absl::StatusOr<int> Scoring::RunPendingJobs() {
  absl::MutexLock running(&jobs_mu_);
  KLA_ASSIGN_OR_RETURN(std::vector<v1::RecomputeJob> jobs, store_->UnfinishedJobs());
  for (auto& job : jobs) KLA_RETURN_IF_ERROR(RunJob(std::move(job)));
  return static_cast<int>(jobs.size());
}

absl::Status Scoring::RunJob(v1::RecomputeJob job) {
  auto fail = [&](const absl::Status& st) {
    job.set_state(v1::JOB_STATE_FAILED);
    job.set_error(std::string(st.message()));
    *job.mutable_finish_time() = ToProtoTime(clock_->Now());
    return store_->UpdateJob(job);
  };
  // The rulebook as the registry has it now (the point of a recompute).
  auto fetched = directory_->GetCycle(job.cycle_id(), true);
  if (!fetched.ok()) return fail(fetched.status());
  const std::shared_ptr<const registry::v1::Cycle>& cycle = *fetched;
  auto rulebook = directory_->GetRulebook(cycle->rulebook_version());
  if (!rulebook.ok()) return fail(rulebook.status());
  auto scores = store_->ListCycle(job.cycle_id(), /*with_answers=*/true);
  if (!scores.ok()) return fail(scores.status());
  job.set_state(v1::JOB_STATE_RUNNING);
  job.set_rulebook_version(cycle->rulebook_version());
  job.set_total(static_cast<int>(scores->size()));
  job.set_done(0);
  job.set_changed(0);
  KLA_RETURN_IF_ERROR(store_->UpdateJob(job));
  for (StageScore& s : *scores) {
    const RegionInfo info{s.score.region().code(), s.score.region().name(), s.score.province().code(),
                          s.score.province().name()};
    submission::v1::StageAnswers answers = s.answers;
    answers.set_rulebook_version(cycle->rulebook_version());
    v1::RegionScore fresh = ScoreStage(**rulebook, answers, info, absl::StrCat("job:", job.job_id()));
    *fresh.mutable_compute_time() = ToProtoTime(clock_->Now());
    const bool changed = fresh.total().hundredths() != s.score.total().hundredths() ||
                         fresh.predicate() != s.score.predicate() ||
                         fresh.rulebook_version() != s.score.rulebook_version();
    if (changed) {
      auto stored = store_->Replace(fresh);
      if (!stored.ok()) return fail(stored.status());
      if (*stored) job.set_changed(job.changed() + 1);
    }
    job.set_done(job.done() + 1);
    if (job.done() % 50 == 0) KLA_RETURN_IF_ERROR(store_->UpdateJob(job));
  }
  job.set_state(v1::JOB_STATE_SUCCEEDED);
  *job.mutable_finish_time() = ToProtoTime(clock_->Now());
  return store_->UpdateJob(job);
}

}  // namespace kla::scoring
