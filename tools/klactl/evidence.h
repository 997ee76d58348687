#pragma once

#include <CLI/CLI.hpp>

#include "tools/klactl/client.h"

namespace kla::klactl {

// submission upload|evidence|download|detach: the evidence (data dukung)
// attached to a region's answers. Uploads resume where they stopped: the
// upload id is derived from the file's content, so running the same command
// again after a dropped connection sends only the bytes still missing.
void AddEvidenceCommands(CLI::App* submission, Options& o, int* rc);

}  // namespace kla::klactl
