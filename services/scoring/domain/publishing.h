#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kla/scoring/v1/scoring.pb.h"
#include "libs/auth/principal.h"
#include "libs/common/clock.h"
#include "services/scoring/domain/publication_log.h"
#include "services/scoring/domain/ranking_book.h"
#include "services/scoring/domain/score_store.h"
#include "services/scoring/domain/scoring_directory.h"

namespace kla::scoring {

// Final results of cycles before kla, from CSV (all lines or none).
struct PastImport {
  int imported = 0;
  std::vector<std::string> cycle_ids;
};

// Publication of a cycle's results: the provisional ranking from objection
// time, the final one with its awards and national summary (announced by
// the notification service from the embargo on), and results of cycles
// before kla.
class Publishing {
 public:
  // `events_written` is told when a publication put events in the outbox.
  Publishing(ScoreStore* store, ScoringDirectory* directory, RankingBook* rankings, PublicationLog* publications,
             const Clock* clock, std::function<void()> events_written)
      : store_(store),
        directory_(directory),
        rankings_(rankings),
        publications_(publications),
        clock_(clock),
        events_written_(std::move(events_written)) {}

  // Publishes provisional or final results (idempotent per kind).
  absl::StatusOr<v1::Publication> Publish(const std::string& cycle_id, v1::PublicationKind kind,
                                          const auth::Principal& who);
  absl::StatusOr<std::vector<v1::Publication>> ListPublications(const std::string& cycle_id,
                                                                const auth::Principal& who);
  absl::StatusOr<PastImport> ImportPastResults(const std::string& csv, bool validate_only, const auth::Principal& who);

 private:
  ScoreStore* store_;
  ScoringDirectory* directory_;
  RankingBook* rankings_;
  PublicationLog* publications_;
  const Clock* clock_;
  std::function<void()> events_written_;
};

}  // namespace kla::scoring
