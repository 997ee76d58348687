#include "services/scoring/domain/ranking_reads.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/common/errors.h"
#include "libs/common/page_token.h"
#include "libs/common/status_macros.h"
#include "libs/kernel/region_code.h"
#include "libs/kernel/time.h"
#include "services/scoring/domain/audience.h"

namespace kla::scoring {
namespace {

using Role = auth::Role;

// What a caller may read of a cycle's rankings.
struct Reach {
  bool everything = false;
  bool live = false;
  bool final = false;
  bool provisional = false;
};

Reach ReachOf(const CyclePublications& published, const std::string& province_code, const auth::Principal& who) {
  Reach r;
  r.everything = SeesEverything(who.role);
  const bool own_province =
      who.role == Role::kProvinceVerifier && !province_code.empty() && province_code == who.province_code;
  r.live = r.everything || own_province;
  r.final = published.final != nullptr && (published.announced || r.everything);
  r.provisional = published.provisional != nullptr && !PublicOnly(who.role);
  return r;
}

// The view to read: the one asked for if `who` may read it, else the
// reason why not; by default the most final one `who` may read.
absl::StatusOr<v1::RankingView> ViewFor(v1::RankingView view, const CyclePublications& published, const Reach& may,
                                        const std::string& cycle_id, const auth::Principal& who) {
  if (view == v1::RANKING_VIEW_UNSPECIFIED) {
    if (may.final) return v1::RANKING_VIEW_FINAL;
    if (may.provisional) return v1::RANKING_VIEW_PROVISIONAL;
    if (may.live) return v1::RANKING_VIEW_LIVE;
    return NotAnnounced(cycle_id);
  }
  switch (view) {
    case v1::RANKING_VIEW_FINAL:
      if (published.final == nullptr) {
        if (!may.everything) return NotAnnounced(cycle_id);
        return NotFound("final results", cycle_id);
      }
      if (!may.final) {
        const std::string until = FormatWib(FromProtoTime(published.final->embargo_until()));
        return WithReason(absl::PermissionDeniedError(
                              absl::StrCat("the final results of cycle ", cycle_id, " are embargoed until ", until)),
                          "RESULTS_EMBARGOED", {{"until", until}, {"cycle_id", cycle_id}});
      }
      return view;
    case v1::RANKING_VIEW_PROVISIONAL:
      if (PublicOnly(who.role)) return NotAnnounced(cycle_id);
      if (published.provisional == nullptr) return NotFound("provisional results", cycle_id);
      return view;
    case v1::RANKING_VIEW_LIVE:
      if (!may.live) {
        return WithReason(
            absl::PermissionDeniedError(
                "the live ranking is for national roles, and for province verifiers within their province"),
            "LIVE_RANKING_RESTRICTED");
      }
      return view;
    default:
      return InvalidField("view", "unknown view");
  }
}

// A province verifier reads its own province's rankings.
std::string ProvinceScope(const auth::Principal& who) {
  return who.role == Role::kProvinceVerifier ? who.province_code : std::string();
}

}  // namespace

absl::StatusOr<RankingReads::Resolved> RankingReads::Resolve(const std::string& cycle_id, v1::RankingView view,
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
  KLA_ASSIGN_OR_RETURN(CyclePublications published, publications_->Read(cycle_id));
  KLA_ASSIGN_OR_RETURN(view, ViewFor(view, published, ReachOf(published, province_code, who), cycle_id, who));
  Resolved out;
  out.key = RankingKey{cycle_id, view, view == v1::RANKING_VIEW_LIVE ? stage : type::v1::STAGE_UNSPECIFIED};
  KLA_ASSIGN_OR_RETURN(std::optional<RankingBook::Read> read, rankings_->Current(out.key));
  if (!read) return NotFound("ranking", out.key.Name());
  out.ranking = std::move(read->ranking);
  out.source = read->source;
  return out;
}

absl::StatusOr<std::pair<std::shared_ptr<const RankingIndex>, size_t>> RankingReads::Continue(const Resolved& r,
                                                                                              const std::string& last) {
  if (last.empty()) return std::make_pair(r.ranking, size_t{0});
  const size_t bar = last.find('@');
  size_t offset = 0;
  if (bar == std::string::npos || !absl::SimpleAtoi(last.substr(0, bar), &offset)) {
    return InvalidField("page_token", "not a token of this listing");
  }
  const std::string snapshot_id = last.substr(bar + 1);
  if (snapshot_id == r.ranking->id()) return std::make_pair(r.ranking, offset);
  // A newer snapshot became current meanwhile: keep paging the old one.
  KLA_ASSIGN_OR_RETURN(std::optional<v1::RankingSnapshot> old, store_->GetSnapshot(snapshot_id));
  // Only an older snapshot of the very ranking the caller was just allowed
  // to read: a token never widens access.
  if (!old || old->cycle_id() != r.key.cycle_id || old->view() != r.key.view || old->stage() != r.key.stage) {
    return InvalidField("page_token", "the ranking it pages has been replaced; start again");
  }
  return std::make_pair(std::make_shared<const RankingIndex>(std::move(*old)), offset);
}

absl::StatusOr<RankingPage> RankingReads::GetRanking(const RankingQuery& q, const auth::Principal& who) {
  KLA_ASSIGN_OR_RETURN(const int size, ResolvePageSize(q.page_size, 50, 600));
  KLA_ASSIGN_OR_RETURN(Resolved r, Resolve(q.cycle_id, q.view, q.stage, q.province_code, who));
  // Pages of one listing come from one snapshot: the token pins it.
  const std::string fingerprint = absl::StrCat(r.key.Name(), "|", q.province_code);
  KLA_ASSIGN_OR_RETURN(std::string last, DecodePageToken(q.page_token, fingerprint));
  KLA_ASSIGN_OR_RETURN(auto pinned, Continue(r, last));
  const auto& [ranking, offset] = pinned;
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

absl::StatusOr<RegionRank> RankingReads::GetRegionRank(const std::string& cycle_id, const std::string& region_code,
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

absl::StatusOr<SummaryResult> RankingReads::GetSummary(const std::string& cycle_id, v1::RankingView view,
                                                       type::v1::Stage stage, const auth::Principal& who) {
  KLA_ASSIGN_OR_RETURN(Resolved r, Resolve(cycle_id, view, stage, ProvinceScope(who), who));
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const RegionList> regions, directory_->Regencies());
  return SummaryResult{Summarize(*r.ranking, *regions), r.ranking->id(), r.key.view};
}

absl::StatusOr<ProvilaResult> RankingReads::GetProvila(const std::string& cycle_id, v1::RankingView view,
                                                       const auth::Principal& who) {
  KLA_ASSIGN_OR_RETURN(Resolved r, Resolve(cycle_id, view, type::v1::STAGE_UNSPECIFIED, ProvinceScope(who), who));
  KLA_ASSIGN_OR_RETURN(std::shared_ptr<const RegionList> regions, directory_->Regencies());
  return ProvilaResult{Provila(*r.ranking, *regions), r.ranking->id(), r.key.view};
}

}  // namespace kla::scoring
