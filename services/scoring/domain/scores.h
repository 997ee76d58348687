#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kla/scoring/v1/scoring.pb.h"
#include "kla/submission/v1/events.pb.h"
#include "libs/auth/principal.h"
#include "libs/common/clock.h"
#include "services/scoring/domain/publication_log.h"
#include "services/scoring/domain/ranking_book.h"
#include "services/scoring/domain/score_store.h"
#include "services/scoring/domain/scoring_directory.h"

namespace kla::scoring {

struct DryRun {
  v1::RegionScore score;
  v1::NextLevelPath path;
};

// Stage scores from the submission service's events, and what a region and
// the public may read of them: explanations, the path to the next
// predicate, dry runs, and a region's history over cycles.
class Scores {
 public:
  Scores(ScoreStore* store, ScoringDirectory* directory, RankingBook* rankings, PublicationLog* publications,
         const Clock* clock)
      : store_(store), directory_(directory), rankings_(rankings), publications_(publications), clock_(clock) {}

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
  // Answers are checked as a save checks them (score::CheckAnswerValue).
  absl::StatusOr<DryRun> DryRunScore(const std::string& cycle_id, const std::string& region_code,
                                     const std::vector<submission::v1::Answer>& answers);
  absl::StatusOr<std::vector<v1::HistoryEntry>> History(const std::string& region_code, const auth::Principal& who);

 private:
  // Who may read a region's score at `stage`; the stage they may read.
  absl::StatusOr<type::v1::Stage> VisibleStage(const std::string& cycle_id, const std::string& region_code,
                                               type::v1::Stage stage, const auth::Principal& who);
  // The history entry of one cycle run in kla; nullopt when `who` sees none.
  absl::StatusOr<std::optional<v1::HistoryEntry>> CycleEntry(const registry::v1::Cycle& cycle,
                                                             const std::vector<v1::RegionScore>& scores,
                                                             const std::string& region_code,
                                                             const auth::Principal& who);

  ScoreStore* store_;
  ScoringDirectory* directory_;
  RankingBook* rankings_;
  PublicationLog* publications_;
  const Clock* clock_;
};

}  // namespace kla::scoring
