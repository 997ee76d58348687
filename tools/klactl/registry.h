#pragma once

#include <CLI/CLI.hpp>

#include "tools/klactl/client.h"

namespace kla::klactl {

// health, regions, rulebook, cycle, taskforce and training. `rc` receives
// the exit code of the command that ran.
void AddRegistryCommands(CLI::App& app, Options& o, int* rc);

}  // namespace kla::klactl
