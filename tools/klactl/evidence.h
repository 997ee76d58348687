#pragma once

#include <CLI/CLI.hpp>

#include "tools/klactl/client.h"

namespace kla::klactl {

// submission upload|evidence|download|detach: the evidence (data dukung)
// attached to a region's answers. Uploads resume where they stopped: the
// upload id is derived from the file's content, so running the same command
// again after a dropped connection sends only the bytes still missing.
void AddEvidenceCommands(CLI::App* submission, Options& o, int* rc);

// Uploads `path` as evidence for an objection (filed against `item_id`'s
// indicator); its evidence id, or "" after reporting the error.
std::string UploadObjectionEvidence(const Options& o, const Client& cl, const std::string& cycle,
                                    const std::string& region, const std::string& item_id, const std::string& path);

}  // namespace kla::klactl
