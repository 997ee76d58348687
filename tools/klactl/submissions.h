#pragma once

#include <CLI/CLI.hpp>

#include "tools/klactl/client.h"

namespace kla::klactl {

// submission status|list|answer|submit|return|verify|audit: the regions'
// self-evaluations and their verification.
void AddSubmissionCommands(CLI::App& app, Options& o, int* rc);

}  // namespace kla::klactl
