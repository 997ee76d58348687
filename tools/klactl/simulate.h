#pragma once

#include <CLI/CLI.hpp>

#include "tools/klactl/client.h"

namespace kla::klactl {

// simulate: a whole national cycle through the suite (tools/simulate).
void AddSimulateCommand(CLI::App& app, Options& o, int* rc);

}  // namespace kla::klactl
