#pragma once

#include <functional>

#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "services/scoring/domain/publication_log.h"
#include "services/scoring/domain/publishing.h"
#include "services/scoring/domain/ranking_book.h"
#include "services/scoring/domain/ranking_reads.h"
#include "services/scoring/domain/recompute_jobs.h"
#include "services/scoring/domain/score_store.h"
#include "services/scoring/domain/scores.h"
#include "services/scoring/domain/scoring_directory.h"

namespace kla::scoring {

// The scoring service's use cases, wired over one store, directory,
// ranking book and clock: stage scores (scores.h), rankings and their
// summaries (ranking_reads.h), publication of results (publishing.h) and
// recompute jobs (recompute_jobs.h). Who sees what: audience.h.
struct ScoringUseCases {
  // Publications are read from memory for `publications_ttl` (another
  // replica's publication shows within it; this process's at once).
  ScoringUseCases(ScoreStore* store, ScoringDirectory* directory, RankingBook* book, const Clock* clock,
                  std::function<void()> events_written = nullptr, absl::Duration publications_ttl = absl::Seconds(1))
      : publication_log(store, clock, publications_ttl),
        scores(store, directory, book, &publication_log, clock),
        rankings(store, directory, book, &publication_log),
        publishing(store, directory, book, &publication_log, clock, std::move(events_written)),
        jobs(store, directory, clock) {}
  ScoringUseCases(const ScoringUseCases&) = delete;
  ScoringUseCases& operator=(const ScoringUseCases&) = delete;

  PublicationLog publication_log;
  Scores scores;
  RankingReads rankings;
  Publishing publishing;
  RecomputeJobs jobs;
};

}  // namespace kla::scoring
