#pragma once

#include <CLI/CLI.hpp>

#include "kla/type/v1/evaluation.pb.h"
#include "tools/klactl/client.h"

namespace kla::klactl {

// scores show|next-level|dry-run|history|recompute, rankings, predicates
// summary, provila, results publish|list: the scoring service.
void AddScoringCommands(CLI::App& app, Options& o, int* rc);

// "742,50" (Indonesian) or "742.50".
std::string Points(const Options& o, int64_t hundredths);
// "Nindya", "tanpa predikat".
std::string PredicateLabel(const Options& o, type::v1::Predicate p);

}  // namespace kla::klactl
