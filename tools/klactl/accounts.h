#pragma once

#include <CLI/CLI.hpp>

#include "tools/klactl/client.h"

namespace kla::klactl {

// login, logout, whoami, passwd and accounts ...: sign-in and account
// management. `rc` receives the exit code of the command that ran.
void AddAccountCommands(CLI::App& app, Options& o, int* rc);

// context list, use, delete: the saved sign-ins (servers and accounts).
void AddContextCommands(CLI::App& app, Options& o, int* rc);

}  // namespace kla::klactl
