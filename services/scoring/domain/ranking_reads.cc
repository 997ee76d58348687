#include "services/scoring/domain/ranking_reads.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
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

enum class Order { kRank, kRankDesc, kName, kNameDesc };

absl::StatusOr<Order> OrderOf(const std::string& order_by) {
  if (order_by.empty() || order_by == "rank") return Order::kRank;
  if (order_by == "rank desc") return Order::kRankDesc;
  if (order_by == "name") return Order::kName;
  if (order_by == "name desc") return Order::kNameDesc;
  return InvalidField("order_by", "one of \"rank\", \"rank desc\", \"name\", \"name desc\"");
}

absl::Status CheckFilters(const RankingQuery& q) {
  if (!type::v1::Predicate_IsValid(q.predicate)) return InvalidField("predicate", "unknown predicate");
  if (q.region_level == type::v1::REGION_LEVEL_PROVINCE || !type::v1::RegionLevel_IsValid(q.region_level)) {
    return InvalidField("region_level", "REGION_LEVEL_KABUPATEN or REGION_LEVEL_KOTA; provinces are not ranked here");
  }
  return OrderOf(q.order_by).status();
}

// A region's name as it sorts and is searched: lower case, without the
// "kabupaten "/"kota " every name starts with.
std::string NameKey(const std::string& name) {
  std::string key = absl::AsciiStrToLower(name);
  for (absl::string_view prefix : {"kabupaten ", "kota "}) {
    if (absl::StartsWith(key, prefix)) return key.substr(prefix.size());
  }
  return key;
}

}  // namespace

absl::StatusOr<std::vector<int>> RankingReads::Select(const RankingIndex& ranking, const RankingQuery& q) {
  std::vector<int> positions;
  if (q.province_code.empty()) {
    positions.resize(ranking.snapshot().entries_size());
    for (size_t i = 0; i < positions.size(); ++i) positions[i] = static_cast<int>(i);
  } else {
    positions = ranking.Province(q.province_code);
  }
  std::shared_ptr<const RegionList> regions;
  if (q.region_level != type::v1::REGION_LEVEL_UNSPECIFIED) {
    KLA_ASSIGN_OR_RETURN(regions, directory_->Regencies());
  }
  const std::string query = absl::AsciiStrToLower(absl::StripAsciiWhitespace(q.name_query));
  const auto& entries = ranking.snapshot().entries();
  auto kept = [&](int i) {
    const v1::RankingEntry& e = entries[i];
    if (q.predicate != type::v1::PREDICATE_UNSPECIFIED && e.predicate() != q.predicate) return false;
    if (regions != nullptr) {
      auto it = regions->find(e.region().code());
      if (it == regions->end() || it->second.level != q.region_level) return false;
    }
    return query.empty() || absl::StrContains(absl::AsciiStrToLower(e.region().name()), query);
  };
  positions.erase(std::remove_if(positions.begin(), positions.end(), [&](int i) { return !kept(i); }), positions.end());
  KLA_ASSIGN_OR_RETURN(const Order order, OrderOf(q.order_by));
  // Snapshot order is by rank then region code.
  if (order == Order::kRankDesc) std::reverse(positions.begin(), positions.end());
  if (order == Order::kName || order == Order::kNameDesc) {
    std::vector<std::pair<std::string, int>> keyed;
    keyed.reserve(positions.size());
    for (int i : positions)
      keyed.emplace_back(absl::StrCat(NameKey(entries[i].region().name()), "|", entries[i].region().code()), i);
    std::sort(keyed.begin(), keyed.end());
    if (order == Order::kNameDesc) std::reverse(keyed.begin(), keyed.end());
    for (size_t k = 0; k < keyed.size(); ++k) positions[k] = keyed[k].second;
  }
  return positions;
}

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
  KLA_RETURN_IF_ERROR(CheckFilters(q));
  KLA_ASSIGN_OR_RETURN(Resolved r, Resolve(q.cycle_id, q.view, q.stage, q.province_code, who));
  // Pages of one listing come from one snapshot: the token pins it, and is
  // good only with the same filters and order.
  const std::string fingerprint = absl::StrCat(r.key.Name(), "|", q.province_code, "|", q.predicate, "|",
                                               q.region_level, "|", q.name_query, "|", q.order_by);
  KLA_ASSIGN_OR_RETURN(std::string last, DecodePageToken(q.page_token, fingerprint));
  KLA_ASSIGN_OR_RETURN(auto pinned, Continue(r, last));
  const auto& [ranking, offset] = pinned;
  KLA_ASSIGN_OR_RETURN(const std::vector<int> positions, Select(*ranking, q));
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

absl::StatusOr<std::string> RankingReads::PreviousCycle(const std::string& cycle_id, const auth::Principal& who) {
  std::string latest;
  KLA_ASSIGN_OR_RETURN(std::vector<registry::v1::Cycle> cycles, directory_->ListCycles());
  for (const auto& c : cycles) {
    if (c.id() >= cycle_id || c.id() <= latest) continue;
    KLA_ASSIGN_OR_RETURN(CyclePublications published, publications_->Read(c.id()));
    if (published.final != nullptr && (published.announced || SeesEverything(who.role))) latest = c.id();
  }
  KLA_ASSIGN_OR_RETURN(std::vector<std::string> imported, store_->ListPastCycleIds());
  for (const std::string& id : imported) {
    if (id < cycle_id && id > latest) latest = id;
  }
  return latest;
}

absl::StatusOr<std::map<std::string, type::v1::Predicate>> RankingReads::FinalPredicates(const std::string& cycle_id,
                                                                                         const auth::Principal& who) {
  std::map<std::string, type::v1::Predicate> out;
  absl::StatusOr<std::shared_ptr<const registry::v1::Cycle>> run = directory_->GetCycle(cycle_id, false);
  if (run.ok()) {
    KLA_ASSIGN_OR_RETURN(Resolved r, Resolve(cycle_id, v1::RANKING_VIEW_FINAL, {}, "", who));
    for (const auto& e : r.ranking->snapshot().entries()) out[e.region().code()] = e.predicate();
    return out;
  }
  if (!absl::IsNotFound(run.status())) return run.status();
  KLA_ASSIGN_OR_RETURN(std::vector<PastResult> past, store_->ListPastCycle(cycle_id));
  if (past.empty()) return NotFound("final results", cycle_id);
  for (const PastResult& p : past) out[p.region_code] = p.predicate;
  return out;
}

absl::StatusOr<ChangesPage> RankingReads::ListPredicateChanges(const ChangesQuery& q, const auth::Principal& who) {
  KLA_ASSIGN_OR_RETURN(const int size, ResolvePageSize(q.page_size, 100, 600));
  KLA_ASSIGN_OR_RETURN(Resolved r, Resolve(q.cycle_id, v1::RANKING_VIEW_FINAL, {}, "", who));
  ChangesPage page;
  if (!q.previous_cycle_id.empty() && q.previous_cycle_id >= q.cycle_id) {
    return InvalidField("previous_cycle_id", "a cycle before cycle_id");
  }
  page.previous_cycle_id = q.previous_cycle_id;
  if (page.previous_cycle_id.empty()) {
    KLA_ASSIGN_OR_RETURN(page.previous_cycle_id, PreviousCycle(q.cycle_id, who));
    if (page.previous_cycle_id.empty()) return page;
  }
  KLA_ASSIGN_OR_RETURN(auto before, FinalPredicates(page.previous_cycle_id, who));
  auto level = [](type::v1::Predicate p) {
    return p == type::v1::PREDICATE_UNSPECIFIED ? type::v1::PREDICATE_NONE : p;
  };
  std::vector<v1::PredicateChange> up, down;
  for (const v1::RankingEntry& e : r.ranking->snapshot().entries()) {
    auto it = before.find(e.region().code());
    const type::v1::Predicate was = level(it == before.end() ? type::v1::PREDICATE_NONE : it->second);
    const type::v1::Predicate now = level(e.predicate());
    if (was == now) continue;
    v1::PredicateChange c;
    *c.mutable_region() = e.region();
    *c.mutable_province() = e.province();
    c.set_previous_predicate(was);
    c.set_predicate(now);
    c.set_rank(e.rank());
    (now > was ? up : down).push_back(std::move(c));
  }
  page.up_count = static_cast<int>(up.size());
  page.down_count = static_cast<int>(down.size());
  up.insert(up.end(), std::make_move_iterator(down.begin()), std::make_move_iterator(down.end()));
  // Offsets into one snapshot compared with one cycle.
  const std::string fingerprint = absl::StrCat(r.ranking->id(), "|", page.previous_cycle_id, "|", q.previous_cycle_id);
  KLA_ASSIGN_OR_RETURN(std::string last, DecodePageToken(q.page_token, fingerprint));
  size_t offset = 0;
  if (!last.empty() && !absl::SimpleAtoi(last, &offset))
    return InvalidField("page_token", "not a token of this listing");
  for (size_t i = offset; i < up.size() && page.changes.size() < static_cast<size_t>(size); ++i) {
    page.changes.push_back(std::move(up[i]));
  }
  if (offset + page.changes.size() < up.size()) {
    page.next_page_token = EncodePageToken(fingerprint, absl::StrCat(offset + page.changes.size()));
  }
  return page;
}

}  // namespace kla::scoring
