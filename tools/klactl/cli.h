#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tools/klactl/client.h"

namespace kla::klactl {

// The language klactl speaks, known before the command line is parsed (help
// is built from it): --lang or --lang=, else $KLA_LANG, else "id".
std::string LanguageOf(const std::vector<std::string>& args);

// Every command and option of klactl; a command's exit code goes to `rc`.
std::unique_ptr<CLI::App> BuildApp(Options& o, int* rc);

// Puts the help of `app` (descriptions, group titles, labels) into `lang`.
// The descriptions are written in English and translated through
// HelpTranslation; a text without a translation stays English (a test keeps
// that from happening).
void LocalizeHelp(CLI::App* app, const std::string& lang);

// The Indonesian help text for an English one, or nullopt.
std::optional<std::string> HelpTranslation(const std::string& english);

// Every description in the tree of `app` (commands and options).
std::vector<std::string> HelpTexts(const CLI::App& app);

// When `args` (without the program name) name a command that does not
// exist, the sentence that says so and suggests the nearest one.
std::optional<std::string> UnknownCommand(const CLI::App& app, const std::vector<std::string>& args,
                                          const std::string& lang);

// A parse error as a sentence in `lang`.
std::string ParseErrorText(const CLI::ParseError& e, const std::string& lang);

// `klactl completion bash|zsh`: a script that completes commands, options
// and the values of the options that have a fixed set.
std::string CompletionScript(const CLI::App& app, const std::string& shell);

// Edit distance (insertions, deletions, substitutions, transpositions).
int EditDistance(const std::string& a, const std::string& b);

// klactl's main: parses, runs the command, returns the exit code (2 for a
// usage error).
int Run(const std::vector<std::string>& args);

}  // namespace kla::klactl
