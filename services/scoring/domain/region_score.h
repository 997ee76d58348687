#pragma once

#include <string>

#include "kla/registry/v1/rulebook.pb.h"
#include "kla/scoring/v1/scoring.pb.h"
#include "kla/submission/v1/submission.pb.h"
#include "libs/score/score_engine.h"
#include "services/scoring/domain/scoring_directory.h"

namespace kla::scoring {

// A stage's answers scored under `rulebook`, explained per indicator (the
// shape of the ministry's feedback report). `run_id` says which run made it.
v1::RegionScore ScoreStage(const registry::v1::Rulebook& rulebook, const submission::v1::StageAnswers& answers,
                           const RegionInfo& region, const std::string& run_id);

// The same for answers not stored anywhere (a dry run).
v1::RegionScore ScoreAnswers(const registry::v1::Rulebook& rulebook, const score::AnswerMap& answers,
                             const RegionInfo& region);

// The path to the next predicate, grouped by owning agency.
v1::NextLevelPath PathFor(const registry::v1::Rulebook& rulebook, const score::AnswerMap& answers,
                          const RegionInfo& region);

// The score without its per-indicator explanation.
v1::RegionScore Basic(v1::RegionScore score);

}  // namespace kla::scoring
