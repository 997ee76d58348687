#include "services/scoring/domain/scores.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "libs/common/errors.h"
#include "libs/common/status_macros.h"
#include "libs/kernel/region_code.h"
#include "libs/kernel/time.h"
#include "libs/score/answer_check.h"
#include "services/scoring/domain/audience.h"
#include "services/scoring/domain/region_score.h"

namespace kla::scoring {
namespace {

// Results published before kla: public, as they were announced then.
v1::HistoryEntry PastEntry(const PastResult& p) {
  v1::HistoryEntry e;
  e.set_cycle_id(p.cycle_id);
  e.set_cycle_name(absl::StrCat("Evaluasi KLA ", p.cycle_id));
  e.set_stage(type::v1::STAGE_FINAL_VERIFICATION);
  e.set_predicate(p.predicate);
  if (p.total_hundredths) e.mutable_total()->set_hundredths(*p.total_hundredths);
  e.set_final(true);
  e.set_imported(true);
  return e;
}

void SetResult(const v1::RegionScore& s, v1::HistoryEntry* e) {
  *e->mutable_total() = s.total();
  e->set_predicate(s.predicate());
  e->set_stage(s.stage());
}

}  // namespace

absl::StatusOr<bool> Scores::ApplyStageAnswers(const event::v1::EventEnvelope& event,
                                               const submission::v1::StageAnswers& answers) {
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const registry::v1::Rulebook> rulebook,
                       directory_->GetRulebook(answers.rulebook_version()));
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const RegionList> regions, directory_->Regencies());
  auto it = regions->find(answers.region_code());
  const RegionInfo info = it != regions->end() ? it->second
                                               : RegionInfo{answers.region_code(), answers.region_code(),
                                                            ProvinceOf(answers.region_code()), ""};
  StageScore s{ScoreStage(*rulebook, answers, info, absl::StrCat("event:", event.event_id())), answers};
  *s.score.mutable_compute_time() = ToProtoTime(clock_->Now());
  return store_->ApplyFromEvent(event, s);
}

absl::StatusOr<bool> Scores::ApplyNotCompleted(const event::v1::EventEnvelope& envelope,
                                               const submission::v1::SubmissionNotCompleted& closed) {
  return store_->ApplyNotCompleted(envelope, closed.cycle_id(), closed.region_code());
}

absl::StatusOr<type::v1::Stage> Scores::VisibleStage(const std::string& cycle_id, const std::string& region_code,
                                                     type::v1::Stage stage, const auth::Principal& who) {
  if (Reaches(who, region_code)) return stage;
  // Others see the final score once it is announced, nothing before.
  KLA_ASSIGN_OR_RETURN(CyclePublications pubs, publications_->Read(cycle_id));
  if (!pubs.announced) {
    // The real reason for a region's own people: another region is out
    // of their reach (its score is public only once announced).
    if (PublicOnly(who.role)) return NotAnnounced(cycle_id);
    return WithReason(absl::PermissionDeniedError(
                          absl::StrCat("kabupaten/kota ", region_code,
                                       " is outside your reach; its score is public once the final results of cycle ",
                                       cycle_id, " are announced")),
                      "OUT_OF_SCOPE", {{"region", region_code}, {"role", std::string(auth::RoleName(who.role))}});
  }
  if (stage != type::v1::STAGE_UNSPECIFIED && stage != type::v1::STAGE_FINAL_VERIFICATION) {
    return WithReason(absl::PermissionDeniedError("only final scores are public"), "FINAL_SCORES_ONLY");
  }
  return type::v1::STAGE_FINAL_VERIFICATION;
}

absl::StatusOr<v1::RegionScore> Scores::GetScore(const std::string& cycle_id, const std::string& region_code,
                                                 type::v1::Stage stage, bool explain, const auth::Principal& who) {
  KLA_RETURN_IF_ERROR(CheckCycleId(cycle_id));
  KLA_RETURN_IF_ERROR(CheckRegion(region_code));
  KLA_RETURN_IF_ERROR(directory_->GetCycle(cycle_id, false).status());
  KLA_ASSIGN_OR_RETURN(stage, VisibleStage(cycle_id, region_code, stage, who));
  KLA_ASSIGN_OR_RETURN(std::optional<StageScore> s, store_->Get(cycle_id, region_code, stage));
  if (!s) return NotFound("score", absl::StrCat(cycle_id, "/", region_code));
  return explain ? std::move(s->score) : Basic(std::move(s->score));
}

absl::StatusOr<v1::NextLevelPath> Scores::GetPath(const std::string& cycle_id, const std::string& region_code,
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

absl::StatusOr<DryRun> Scores::DryRunScore(const std::string& cycle_id, const std::string& region_code,
                                           const std::vector<submission::v1::Answer>& answers) {
  KLA_RETURN_IF_ERROR(CheckCycleId(cycle_id));
  KLA_RETURN_IF_ERROR(CheckRegion(region_code));
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const registry::v1::Cycle> cycle, directory_->GetCycle(cycle_id, false));
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const registry::v1::Rulebook> rulebook,
                       directory_->GetRulebook(cycle->rulebook_version()));
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const RegionList> regions, directory_->Regencies());
  auto region = regions->find(region_code);
  if (region == regions->end()) return NotFound("kabupaten/kota", region_code);
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

absl::StatusOr<std::optional<v1::HistoryEntry>> Scores::CycleEntry(const registry::v1::Cycle& cycle,
                                                                   const std::vector<v1::RegionScore>& scores,
                                                                   const std::string& region_code,
                                                                   const auth::Principal& who) {
  const v1::RegionScore* latest = nullptr;
  const v1::RegionScore* final_score = nullptr;
  for (const auto& s : scores) {
    if (s.cycle_id() != cycle.id()) continue;
    if (latest == nullptr || s.stage() > latest->stage()) latest = &s;
    if (s.stage() == type::v1::STAGE_FINAL_VERIFICATION) final_score = &s;
  }
  if (latest == nullptr) return std::nullopt;
  KLA_ASSIGN_OR_RETURN(CyclePublications pubs, publications_->Read(cycle.id()));
  const bool final_visible = pubs.final != nullptr && (pubs.announced || SeesEverything(who.role));
  v1::HistoryEntry e;
  e.set_cycle_id(cycle.id());
  e.set_cycle_name(cycle.name());
  if (final_visible && final_score != nullptr) {
    e.set_final(true);
    KLA_ASSIGN_OR_RETURN(auto read, rankings_->Current({cycle.id(), v1::RANKING_VIEW_FINAL}));
    if (const auto* entry = read ? read->ranking->Find(region_code) : nullptr) {
      e.set_national_rank(entry->rank());
      *e.mutable_total() = entry->total();  // as frozen at publication
      e.set_predicate(entry->predicate());
      e.set_stage(entry->stage());
    }
    if (!e.has_total()) SetResult(*final_score, &e);
  } else if (Reaches(who, region_code)) {
    SetResult(*latest, &e);
  } else {
    return std::nullopt;
  }
  return e;
}

absl::StatusOr<std::vector<v1::HistoryEntry>> Scores::History(const std::string& region_code,
                                                              const auth::Principal& who) {
  KLA_RETURN_IF_ERROR(CheckRegion(region_code));
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const RegionList> regions, directory_->Regencies());
  if (!regions->contains(region_code)) return NotFound("kabupaten/kota", region_code);
  KLA_ASSIGN_OR_RETURN(std::vector<registry::v1::Cycle> cycles, directory_->ListCycles());
  KLA_ASSIGN_OR_RETURN(std::vector<v1::RegionScore> scores, store_->ListRegion(region_code));
  std::vector<v1::HistoryEntry> out;
  for (const auto& cycle : cycles) {
    KLA_ASSIGN_OR_RETURN(std::optional<v1::HistoryEntry> e, CycleEntry(cycle, scores, region_code, who));
    if (e) out.push_back(*std::move(e));
  }
  KLA_ASSIGN_OR_RETURN(std::vector<PastResult> past, store_->ListPastResults(region_code));
  for (const PastResult& p : past) out.push_back(PastEntry(p));
  std::stable_sort(out.begin(), out.end(),
                   [](const v1::HistoryEntry& a, const v1::HistoryEntry& b) { return a.cycle_id() < b.cycle_id(); });
  return out;
}

}  // namespace kla::scoring
