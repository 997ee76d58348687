#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "kla/scoring/v1/scoring.pb.h"
#include "kla/submission/v1/events.pb.h"
#include "kla/submission/v1/submission.pb.h"
#include "libs/auth/principal.h"
#include "libs/common/clock.h"
#include "services/scoring/domain/ranking_book.h"
#include "services/scoring/domain/ranking_index.h"
#include "services/scoring/domain/score_store.h"
#include "services/scoring/domain/scoring_directory.h"

namespace kla::scoring {

// The scoring service's domain: stage scores from submission events,
// explanations, the path to the next predicate, dry runs, rankings and
// their summaries, publication of results, history and recompute jobs.
//
// Who sees what (beyond the per-RPC rule table): national admins, central
// reviewers and services see everything; regional roles see their own
// regions' scores at every stage and published rankings (FINAL once
// announced); province verifiers also their province's live ranking; the
// public and integrations only final results after the announcement time.
class Scoring {
 public:
  // Publications are read from memory for `publications_ttl` (another
  // replica's publication shows within it; this process's at once).
  Scoring(ScoreStore* store, ScoringDirectory* directory, RankingBook* rankings, const Clock* clock,
          std::function<void()> events_written = nullptr, absl::Duration publications_ttl = absl::Seconds(1))
      : store_(store),
        directory_(directory),
        rankings_(rankings),
        clock_(clock),
        events_written_(std::move(events_written)),
        publications_ttl_(publications_ttl) {}

  // A stage's answers from the submission service: scored and kept unless a
  // same or newer revision is stored. Returns true for a repeated event.
  // `event` is the envelope the answers came in (recorded in the inbox).
  absl::StatusOr<bool> ApplyStageAnswers(const event::v1::EventEnvelope& event,
                                         const submission::v1::StageAnswers& answers);
  // A return closed as not completed: the region is not ranked in this
  // cycle's publications. Returns true for a repeated event.
  absl::StatusOr<bool> ApplyNotCompleted(const event::v1::EventEnvelope& envelope,
                                         const submission::v1::SubmissionNotCompleted& closed);

  absl::StatusOr<v1::RegionScore> GetScore(const std::string& cycle_id, const std::string& region_code,
                                           type::v1::Stage stage, bool explain, const auth::Principal& who);
  absl::StatusOr<v1::NextLevelPath> GetPath(const std::string& cycle_id, const std::string& region_code,
                                            type::v1::Stage stage, const auth::Principal& who);
  struct DryRun {
    v1::RegionScore score;
    v1::NextLevelPath path;
  };
  absl::StatusOr<DryRun> DryRunScore(const std::string& cycle_id, const std::string& region_code,
                                     const std::vector<submission::v1::Answer>& answers, const auth::Principal& who);
  absl::StatusOr<std::vector<v1::HistoryEntry>> History(const std::string& region_code, const auth::Principal& who);

  struct RankingQuery {
    std::string cycle_id;
    v1::RankingView view = v1::RANKING_VIEW_UNSPECIFIED;
    type::v1::Stage stage = type::v1::STAGE_UNSPECIFIED;
    std::string province_code;
    int page_size = 0;
    std::string page_token;
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
  absl::StatusOr<RankingPage> GetRanking(const RankingQuery& q, const auth::Principal& who);

  struct RegionRank {
    v1::RankingEntry entry;
    int national_count = 0;
    int province_count = 0;
    std::string snapshot_id;
    v1::RankingView view = v1::RANKING_VIEW_UNSPECIFIED;
    v1::RankingSource source = v1::RANKING_SOURCE_UNSPECIFIED;
  };
  absl::StatusOr<RegionRank> GetRegionRank(const std::string& cycle_id, const std::string& region_code,
                                           v1::RankingView view, type::v1::Stage stage, const auth::Principal& who);

  struct SummaryResult {
    Summary summary;
    std::string snapshot_id;
    v1::RankingView view = v1::RANKING_VIEW_UNSPECIFIED;
  };
  absl::StatusOr<SummaryResult> GetSummary(const std::string& cycle_id, v1::RankingView view, type::v1::Stage stage,
                                           const auth::Principal& who);
  struct ProvilaResult {
    std::vector<v1::ProvinceProvila> provinces;
    std::string snapshot_id;
    v1::RankingView view = v1::RANKING_VIEW_UNSPECIFIED;
  };
  absl::StatusOr<ProvilaResult> GetProvila(const std::string& cycle_id, v1::RankingView view,
                                           const auth::Principal& who);

  // Publishes provisional or final results (idempotent per kind).
  absl::StatusOr<v1::Publication> Publish(const std::string& cycle_id, v1::PublicationKind kind,
                                          const auth::Principal& who);
  absl::StatusOr<std::vector<v1::Publication>> ListPublications(const std::string& cycle_id,
                                                                const auth::Principal& who);

  // Final results of cycles before kla, from CSV (all lines or none).
  struct PastImport {
    int imported = 0;
    std::vector<std::string> cycle_ids;
  };
  absl::StatusOr<PastImport> ImportPastResults(const std::string& csv, bool validate_only, const auth::Principal& who);

  // Queues a full recompute of a cycle; RunPendingJobs does the work.
  absl::StatusOr<v1::RecomputeJob> Recompute(const std::string& cycle_id, const std::string& request_id,
                                             const auth::Principal& who);
  absl::StatusOr<v1::RecomputeJob> GetJob(const std::string& job_id);
  // Runs queued (and interrupted) jobs to the end. Returns how many ran.
  absl::StatusOr<int> RunPendingJobs();

 private:
  struct Resolved {
    RankingKey key;
    std::shared_ptr<const RankingIndex> ranking;
    v1::RankingSource source = v1::RANKING_SOURCE_UNSPECIFIED;
  };
  // The ranking a caller asked for (or may see by default), checked.
  absl::StatusOr<Resolved> Resolve(const std::string& cycle_id, v1::RankingView view, type::v1::Stage stage,
                                   const std::string& province_code, const auth::Principal& who);
  struct Published {
    const v1::Publication* provisional = nullptr;
    const v1::Publication* final = nullptr;
    bool announced = false;  // final and past its embargo
  };
  Published Find(const std::vector<v1::Publication>& pubs) const;
  absl::Status RunJob(v1::RecomputeJob job);
  // A cycle's publications, from memory when fresh: every ranking read needs
  // them, and they change twice per cycle.
  absl::StatusOr<std::shared_ptr<const std::vector<v1::Publication>>> Publications(const std::string& cycle_id);
  RegionInfo InfoOf(const std::string& region_code);

  ScoreStore* store_;
  ScoringDirectory* directory_;
  RankingBook* rankings_;
  const Clock* clock_;
  std::function<void()> events_written_;
  absl::Duration publications_ttl_;
  // Jobs run one at a time in a process; a job cut short by a restart runs
  // again (recomputing is idempotent).
  absl::Mutex jobs_mu_;
  absl::Mutex mu_;
  std::map<std::string, std::pair<std::shared_ptr<const std::vector<v1::Publication>>, absl::Time>> publications_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace kla::scoring
