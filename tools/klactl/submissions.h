#pragma once

#include <CLI/CLI.hpp>

#include "kla/registry/v1/rulebook.pb.h"
#include "tools/klactl/client.h"

namespace kla::klactl {

// submission status|list|answer|submit|return|verify|audit: the regions'
// self-evaluations and their verification.
void AddSubmissionCommands(CLI::App& app, Options& o, int* rc);

// The options of every command about one region's submission: REGION and
// --cycle.
void AddRegionAndCycle(CLI::App* cmd, std::string* region, std::string* cycle);
// --request-id, for every command that changes something.
void AddRequestId(CLI::App* cmd, std::string* request_id);

// A stage's name for people ("verifikasi provinsi").
std::string StageLabel(const Options& o, type::v1::Stage s);

// The rulebook a cycle pins; false after reporting the error.
bool LoadRulebook(const Client& cl, const std::string& cycle_id, registry::v1::Rulebook* out);

}  // namespace kla::klactl
