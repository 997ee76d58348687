#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kla/scoring/v1/scoring.pb.h"
#include "libs/auth/principal.h"
#include "services/scoring/domain/publication_log.h"
#include "services/scoring/domain/ranking_book.h"
#include "services/scoring/domain/ranking_index.h"
#include "services/scoring/domain/score_store.h"
#include "services/scoring/domain/scoring_directory.h"

namespace kla::scoring {

struct RankingQuery {
  std::string cycle_id;
  v1::RankingView view = v1::RANKING_VIEW_UNSPECIFIED;
  type::v1::Stage stage = type::v1::STAGE_UNSPECIFIED;
  std::string province_code;
  int page_size = 0;
  std::string page_token;
  // Filters and order (GetRankingRequest's fields 7-10).
  type::v1::Predicate predicate = type::v1::PREDICATE_UNSPECIFIED;
  type::v1::RegionLevel region_level = type::v1::REGION_LEVEL_UNSPECIFIED;
  std::string name_query;
  std::string order_by;
};

struct RankingPage {
  std::string snapshot_id;
  v1::RankingView view = v1::RANKING_VIEW_UNSPECIFIED;
  type::v1::Stage stage = type::v1::STAGE_UNSPECIFIED;
  std::vector<v1::RankingEntry> entries;
  int total_size = 0;
  std::string next_page_token;
  v1::RankingSource source = v1::RANKING_SOURCE_UNSPECIFIED;
};

struct RegionRank {
  v1::RankingEntry entry;
  int national_count = 0;
  int province_count = 0;
  std::string snapshot_id;
  v1::RankingView view = v1::RANKING_VIEW_UNSPECIFIED;
  v1::RankingSource source = v1::RANKING_SOURCE_UNSPECIFIED;
};

struct SummaryResult {
  Summary summary;
  std::string snapshot_id;
  v1::RankingView view = v1::RANKING_VIEW_UNSPECIFIED;
};

struct ProvilaResult {
  std::vector<v1::ProvinceProvila> provinces;
  std::string snapshot_id;
  v1::RankingView view = v1::RANKING_VIEW_UNSPECIFIED;
};

struct ChangesQuery {
  std::string cycle_id;
  std::string previous_cycle_id;
  int page_size = 0;
  std::string page_token;
};

struct ChangesPage {
  std::string previous_cycle_id;
  std::vector<v1::PredicateChange> changes;
  int up_count = 0;
  int down_count = 0;
  std::string next_page_token;
};

// Reading rankings: the view a caller asked for (or may see by default) is
// resolved against the cycle's publications and the caller's role
// (audience.h), then paged from one snapshot, or summarized.
class RankingReads {
 public:
  RankingReads(ScoreStore* store, ScoringDirectory* directory, RankingBook* rankings, PublicationLog* publications)
      : store_(store), directory_(directory), rankings_(rankings), publications_(publications) {}

  absl::StatusOr<RankingPage> GetRanking(const RankingQuery& q, const auth::Principal& who);
  absl::StatusOr<RegionRank> GetRegionRank(const std::string& cycle_id, const std::string& region_code,
                                           v1::RankingView view, type::v1::Stage stage, const auth::Principal& who);
  absl::StatusOr<SummaryResult> GetSummary(const std::string& cycle_id, v1::RankingView view, type::v1::Stage stage,
                                           const auth::Principal& who);
  absl::StatusOr<ProvilaResult> GetProvila(const std::string& cycle_id, v1::RankingView view,
                                           const auth::Principal& who);
  // Final results compared with an earlier cycle's (run here or imported).
  absl::StatusOr<ChangesPage> ListPredicateChanges(const ChangesQuery& q, const auth::Principal& who);

 private:
  struct Resolved {
    RankingKey key;
    std::shared_ptr<const RankingIndex> ranking;
    v1::RankingSource source = v1::RANKING_SOURCE_UNSPECIFIED;
  };
  // The latest cycle before `cycle_id` with final results `who` may read
  // ("" if none).
  absl::StatusOr<std::string> PreviousCycle(const std::string& cycle_id, const auth::Principal& who);
  // Each region's final predicate in `cycle_id`.
  absl::StatusOr<std::map<std::string, type::v1::Predicate>> FinalPredicates(const std::string& cycle_id,
                                                                             const auth::Principal& who);
  // The positions in `ranking` of the entries `q` asks for, in its order.
  absl::StatusOr<std::vector<int>> Select(const RankingIndex& ranking, const RankingQuery& q);
  // The ranking a caller asked for (or may see by default), checked.
  absl::StatusOr<Resolved> Resolve(const std::string& cycle_id, v1::RankingView view, type::v1::Stage stage,
                                   const std::string& province_code, const auth::Principal& who);
  // The snapshot a page token pins (the current one, or an older one of the
  // same ranking) and the offset it continues at.
  absl::StatusOr<std::pair<std::shared_ptr<const RankingIndex>, size_t>> Continue(const Resolved& r,
                                                                                  const std::string& last);

  ScoreStore* store_;
  ScoringDirectory* directory_;
  RankingBook* rankings_;
  PublicationLog* publications_;
};

}  // namespace kla::scoring
