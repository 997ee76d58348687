#pragma once

#include <CLI/CLI.hpp>

#include "tools/klactl/client.h"

namespace kla::klactl {

// scores show|next-level|dry-run|history|recompute, rankings, predicates
// summary, provila, results publish|list: the scoring service.
void AddScoringCommands(CLI::App& app, Options& o, int* rc);

}  // namespace kla::klactl
