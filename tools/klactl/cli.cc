// klactl: the command-line client of the kla suite, for ministry staff,
// regional operators and integrators. Help and messages default to Bahasa
// Indonesia (--lang en for English); --output json prints the proto3 JSON
// mapping.

#include "tools/klactl/cli.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "tools/klactl/accounts.h"
#include "tools/klactl/notifications.h"
#include "tools/klactl/registry.h"
#include "tools/klactl/scores.h"
#include "tools/klactl/simulate.h"
#include "tools/klactl/submissions.h"

namespace kla::klactl {

std::string LanguageOf(const std::vector<std::string>& args) {
  std::string lang;
  if (const char* env = std::getenv("KLA_LANG"); env != nullptr) lang = env;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--") break;
    if (args[i] == "--lang" && i + 1 < args.size()) lang = args[i + 1];
    if (absl::StartsWith(args[i], "--lang=")) lang = args[i].substr(7);
  }
  return lang == "en" ? "en" : "id";
}

namespace {

void AddGlobalOptions(CLI::App& app, Options& o) {
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the subcommand
  auto* addr = app.add_option("--addr", o.addr, "kla-server address host:port (default: the server signed in to)")
                   ->envname("KLA_ADDR");
  app.add_option("--context", o.context, "Use this saved sign-in instead of the current one (klactl context list)")
      ->envname("KLA_CONTEXT")
      ->check([](const std::string& v) { return ValidContextName(v) ? "" : "letters, digits, '.', '_', '-'"; });
  app.add_option("--output,-o", o.output, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  app.add_option("--lang", o.lang, "Language of help and messages: id (Bahasa Indonesia) or en")
      ->envname("KLA_LANG")
      ->check(CLI::IsMember({"id", "en"}))
      ->capture_default_str();
  // A value that does not parse is a usage error (exit 2), never ignored.
  const std::string duration_hint = o.lang == "en" ? "a duration such as 10s or 2m" : "durasi, misalnya 10s atau 2m";
  const CLI::Validator duration(
      [duration_hint](std::string& v) {
        absl::Duration d;
        return absl::ParseDuration(v, &d) && d > absl::ZeroDuration() ? std::string() : duration_hint;
      },
      "DURATION");
  app.add_option("--timeout", o.timeout, "Deadline of each call, e.g. 10s")->check(duration)->capture_default_str();
  app.set_version_flag("--version", std::string("klactl ") + KLA_VERSION, "Print the version of klactl and exit");
  app.add_option("--token-file", o.token_file, "Keep the sign-in in this file instead of the context's")
      ->envname("KLA_TOKEN_FILE");
  auto* tls = app.add_option("--tls-ca", o.tls_ca,
                             "Connect with TLS, trusting this PEM CA file, or \"system\" for the system trust store")
                  ->envname("KLA_TLS_CA");
  app.add_flag("--insecure", o.insecure,
               "Allow sending passwords, API keys and tokens without TLS to an address other than loopback");
  // Before any command runs: the server of the saved sign-in, unless named.
  app.parse_complete_callback([&o, addr, tls] {
    o.addr_given = addr->count() > 0;
    o.tls_given = tls->count() > 0;
    ApplySavedServer(&o);
  });
}

void AddCompletionCommand(CLI::App& app, int* rc) {
  static std::string shell;
  auto* completion = app.add_subcommand("completion", "Shell completion script: source <(klactl completion bash)");
  completion->add_option("shell", shell, "bash or zsh")->required()->check(CLI::IsMember({"bash", "zsh"}));
  completion->callback([&app, rc] {
    std::cout << CompletionScript(app, shell);
    *rc = 0;
  });
}

}  // namespace

std::unique_ptr<CLI::App> BuildApp(Options& o, int* rc) {
  auto app = std::make_unique<CLI::App>(
      "klactl: command-line client of the KLA (Kabupaten/Kota Layak Anak) evaluation suite", "klactl");
  AddGlobalOptions(*app, o);
  AddAccountCommands(*app, o, rc);
  AddContextCommands(*app, o, rc);
  AddRegistryCommands(*app, o, rc);
  AddSubmissionCommands(*app, o, rc);
  AddScoringCommands(*app, o, rc);
  AddNotificationCommands(*app, o, rc);
  AddSimulateCommand(*app, o, rc);
  AddCompletionCommand(*app, rc);
  return app;
}

// ---------------------------------------------------------------- help

namespace {

template <typename F>
void ForEachApp(CLI::App* app, const F& f) {
  f(app);
  for (CLI::App* sub : app->get_subcommands([](CLI::App*) { return true; })) ForEachApp(sub, f);
}

template <typename F>
void ForEachApp(const CLI::App& app, const F& f) {
  ForEachApp(const_cast<CLI::App*>(&app), f);  // NOLINT(cppcoreguidelines-pro-type-const-cast): read only
}

std::vector<CLI::Option*> OptionsOf(CLI::App* app) {
  return app->get_options([](const CLI::Option*) { return true; });
}

}  // namespace

std::vector<std::string> HelpTexts(const CLI::App& app) {
  std::vector<std::string> texts;
  ForEachApp(app, [&](CLI::App* a) {
    if (!a->get_description().empty()) texts.push_back(a->get_description());
    for (CLI::Option* opt : OptionsOf(a)) {
      if (!opt->get_description().empty()) texts.push_back(opt->get_description());
    }
  });
  return texts;
}

void LocalizeHelp(CLI::App* app, const std::string& lang) {
  if (lang == "en") return;
  auto tr = [](const std::string& s) { return HelpTranslation(s).value_or(s); };
  ForEachApp(app, [&](CLI::App* a) {
    a->description(tr(a->get_description()));
    if (a->get_parent() != nullptr) a->group("Perintah");
    for (CLI::Option* opt : OptionsOf(a)) {
      opt->description(tr(opt->get_description()));
      if (opt->get_group() == "Options") opt->group("Opsi");
      // "TEXT:{table,json}": the kind of value (set here), then its checks
      // (which CLI11 appends).
      const std::string type = opt->get_type_name();
      const std::string kind = type.substr(0, type.find(':'));
      if (kind == "TEXT") opt->type_name("TEKS");
      if (kind == "INT" || kind == "UINT") opt->type_name("BILANGAN");
    }
  });
  app->footer("Bantuan dalam bahasa Inggris: --lang en. Panduan: README.md dan docs/errors.md.");
  auto formatter = app->get_formatter();
  for (const auto& [key, value] : std::initializer_list<std::pair<const char*, const char*>>{
           {"Usage", "Pemakaian"},
           {"OPTIONS", "OPSI"},
           {"SUBCOMMAND", "PERINTAH"},
           {"SUBCOMMANDS", "PERINTAH"},
           {"Positionals", "Argumen"},
           {"REQUIRED", "WAJIB"},
           {"Env", "Variabel"},
           {"Needs", "Perlu"},
           {"Excludes", "Tidak bersama"},
       }) {
    formatter->label(key, value);
  }
}

// ------------------------------------------------------- unknown commands

int EditDistance(const std::string& a, const std::string& b) {
  // Optimal string alignment: a swapped pair ("subimt") costs one edit.
  std::vector<std::vector<int>> d(a.size() + 1, std::vector<int>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

namespace {

const CLI::Option* FindOption(const CLI::App* app, const std::string& name) {
  for (const CLI::App* a = app; a != nullptr; a = a->get_parent()) {
    if (const CLI::Option* opt = a->get_option_no_throw(name)) return opt;
  }
  return nullptr;
}

std::vector<const CLI::App*> SubcommandsOf(const CLI::App* app) {
  std::vector<const CLI::App*> subs;
  for (const CLI::App* s : app->get_subcommands([](const CLI::App* s) { return !s->get_name().empty(); })) {
    subs.push_back(s);
  }
  return subs;
}

bool HasPositionals(const CLI::App* app) {
  return !app->get_options([](const CLI::Option* opt) { return opt->get_positional(); }).empty();
}

// How far `args` name known commands: the deepest command, and the first
// word where a command was expected but none has that name.
struct Walk {
  const CLI::App* command;
  std::string path;  // "klactl submission"
  std::string unknown;
};

Walk WalkCommands(const CLI::App& app, const std::vector<std::string>& args) {
  Walk w{&app, "klactl", ""};
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") break;
    if (absl::StartsWith(a, "-")) {
      const std::string name = a.substr(0, a.find('='));
      const CLI::Option* opt = FindOption(w.command, name);
      if (opt != nullptr && opt->get_type_size() != 0 && a.find('=') == std::string::npos) ++i;  // its value
      continue;
    }
    const CLI::App* next = nullptr;
    for (const CLI::App* s : SubcommandsOf(w.command)) {
      if (s->check_name(a)) next = s;
    }
    if (next == nullptr) {
      if (!HasPositionals(w.command) && !SubcommandsOf(w.command).empty()) w.unknown = a;
      break;
    }
    w.command = next;
    absl::StrAppend(&w.path, " ", a);
  }
  return w;
}

std::string Nearest(const CLI::App* app, const std::string& word) {
  std::string best;
  int best_distance = 3;  // at most two edits away, or a prefix of just one
  std::vector<std::string> prefixed;
  for (const CLI::App* s : SubcommandsOf(app)) {
    const int d = EditDistance(word, s->get_name());
    if (d < best_distance) {
      best_distance = d;
      best = s->get_name();
    }
    if (absl::StartsWith(s->get_name(), word)) prefixed.push_back(s->get_name());
  }
  if (best.empty() && prefixed.size() == 1) best = prefixed[0];
  return best;
}

}  // namespace

std::optional<std::string> UnknownCommand(const CLI::App& app, const std::vector<std::string>& args,
                                          const std::string& lang) {
  const Walk w = WalkCommands(app, args);
  if (w.unknown.empty()) return std::nullopt;
  const bool en = lang == "en";
  std::string text = absl::StrCat(en ? "unknown command \"" : "perintah tidak dikenal \"", w.unknown,
                                  en ? "\" for \"" : "\" untuk \"", w.path, "\"");
  if (const std::string near = Nearest(w.command, w.unknown); !near.empty()) {
    absl::StrAppend(&text, en ? ". Did you mean \"" : ". Maksud Anda \"", near, "\"?");
  } else {
    std::vector<std::string> names;
    for (const CLI::App* s : SubcommandsOf(w.command)) names.push_back(s->get_name());
    absl::StrAppend(&text, en ? ". Commands: " : ". Perintah yang ada: ", absl::StrJoin(names, ", "));
  }
  absl::StrAppend(&text, "\n", en ? "See: " : "Lihat: ", w.path, " --help");
  return text;
}

std::string ParseErrorText(const CLI::ParseError& e, const std::string& lang) {
  std::string what = e.what();
  if (lang == "en") return what;
  auto after_colon = [&] { return what.substr(what.find(": ") == std::string::npos ? 0 : what.find(": ") + 2); };
  if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
    if (absl::StartsWith(what, "A subcommand")) return "perintah lanjutan wajib diberikan";
    if (absl::EndsWith(what, " is required")) return absl::StrCat(what.substr(0, what.size() - 12), " wajib diberikan");
  }
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) return "argumen yang tidak diharapkan: " + after_colon();
  if (dynamic_cast<const CLI::ValidationError*>(&e) != nullptr ||
      dynamic_cast<const CLI::ConversionError*>(&e) != nullptr) {
    return "nilai tidak sah: " + what;
  }
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr) return "jumlah nilai tidak sesuai: " + what;
  return what;
}

// ------------------------------------------------------------ completion

namespace {

// The values of an option with a fixed set (CLI::IsMember describes itself
// as "{a,b,c}").
std::vector<std::string> FixedValues(const CLI::Option* opt) {
  for (int i = 0;; ++i) {
    std::string desc;
    try {
      desc = const_cast<CLI::Option*>(opt)->get_validator(i)->get_description();  // NOLINT: CLI11 has no const getter
    } catch (const CLI::OptionNotFound&) {
      return {};
    }
    if (absl::StartsWith(desc, "{") && absl::EndsWith(desc, "}")) {
      return absl::StrSplit(desc.substr(1, desc.size() - 2), ',', absl::SkipEmpty());
    }
  }
}

struct CompletionNode {
  std::string path;  // "" for klactl itself, "submission upload"
  std::vector<std::string> commands;
  std::vector<std::string> options;         // every name, inherited ones included
  std::vector<std::string> valued_options;  // those that take a value
  std::map<std::string, std::vector<std::string>> values;
};

void CollectOptions(const CLI::App* app, CompletionNode* node) {
  for (const CLI::App* a = app; a != nullptr; a = a->get_parent()) {
    for (const CLI::Option* opt : a->get_options([](const CLI::Option* o) { return o->nonpositional(); })) {
      std::vector<std::string> names;
      for (const auto& l : opt->get_lnames()) names.push_back("--" + l);
      for (const auto& s : opt->get_snames()) names.push_back("-" + s);
      const std::vector<std::string> values = FixedValues(opt);
      for (const auto& n : names) {
        if (std::find(node->options.begin(), node->options.end(), n) != node->options.end()) continue;
        node->options.push_back(n);
        if (opt->get_type_size() != 0) node->valued_options.push_back(n);
        if (!values.empty()) node->values[n] = values;
      }
    }
  }
}

void CollectNodes(const CLI::App* app, const std::string& path, std::vector<CompletionNode>* out) {
  CompletionNode node{.path = path};
  for (const CLI::App* s : SubcommandsOf(app)) node.commands.push_back(s->get_name());
  for (const CLI::Option* opt : app->get_options([](const CLI::Option* o) { return o->get_positional(); })) {
    if (auto values = FixedValues(opt); !values.empty()) node.values[""] = values;
    break;  // the first argument only
  }
  CollectOptions(app, &node);
  out->push_back(node);
  for (const CLI::App* s : SubcommandsOf(app)) {
    CollectNodes(s, path.empty() ? s->get_name() : path + " " + s->get_name(), out);
  }
}

// One shell function: `case "$1" in 'path') echo '...' ;; esac`.
template <typename F>
std::string CaseFunction(const std::string& name, const std::string& subject, const std::vector<CompletionNode>& nodes,
                         const F& entries) {
  std::string out = absl::StrCat(name, "() {\n  case \"", subject, "\" in\n");
  for (const auto& n : nodes) {
    for (const auto& [key, words] : entries(n)) {
      if (!words.empty()) absl::StrAppend(&out, "    '", key, "') echo '", absl::StrJoin(words, " "), "' ;;\n");
    }
  }
  absl::StrAppend(&out, "  esac\n}\n");
  return out;
}

using Entries = std::vector<std::pair<std::string, std::vector<std::string>>>;

// Shared by bash and zsh (POSIX case, [[ ]] and (( )) mean the same in both).
constexpr char kWalk[] = R"sh(# The command path named by the words before the cursor.
_klactl_path() {
  local cmd='' w skip=0
  for w in "$@"; do
    if ((skip)); then skip=0; continue; fi
    case "$w" in
      -*=*) ;;
      -*) case " $(_klactl_valued "$cmd") " in *" $w "*) skip=1 ;; esac ;;
      *) case " $(_klactl_commands "$cmd") " in *" $w "*) cmd="${cmd:+$cmd }$w" ;; esac ;;
    esac
  done
  echo "$cmd"
}
# The words that may come next; nothing means a file name.
_klactl_candidates() {
  local cmd="$1" prev="$2" cur="$3"
  if [[ $prev == -* ]]; then
    case " $(_klactl_valued "$cmd") " in *" $prev "*) _klactl_values "$cmd|$prev"; return ;; esac
  fi
  if [[ $cur == -* ]]; then _klactl_options "$cmd"; return; fi
  local next
  next="$(_klactl_commands "$cmd")"
  [[ -z $next ]] && next="$(_klactl_values "$cmd|")"  # a positional with a fixed set
  echo "$next"
}
)sh";

constexpr char kBash[] = R"sh(_klactl() {
  local cur="${COMP_WORDS[COMP_CWORD]}" prev='' cmd words
  ((COMP_CWORD > 1)) && prev="${COMP_WORDS[COMP_CWORD-1]}"
  cmd="$(_klactl_path "${COMP_WORDS[@]:1:COMP_CWORD-1}")"
  words="$(_klactl_candidates "$cmd" "$prev" "$cur")"
  if [[ -n $words ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
  else
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  fi
}
complete -F _klactl klactl
)sh";

constexpr char kZsh[] = R"sh(_klactl() {
  local cur="${words[CURRENT]}" prev="${words[CURRENT-1]}" cmd cands
  cmd="$(_klactl_path "${(@)words[2,CURRENT-1]}")"
  cands="$(_klactl_candidates "$cmd" "$prev" "$cur")"
  if [[ -n $cands ]]; then compadd -- ${=cands}; else _files; fi
}
compdef _klactl klactl
)sh";

}  // namespace

std::string CompletionScript(const CLI::App& app, const std::string& shell) {
  std::vector<CompletionNode> nodes;
  CollectNodes(&app, "", &nodes);
  std::string out = shell == "zsh" ? "#compdef klactl\n# klactl completion for zsh: source <(klactl completion zsh)\n"
                                   : "# klactl completion for bash: source <(klactl completion bash)\n";
  out += CaseFunction("_klactl_commands", "$1", nodes, [](const CompletionNode& n) {
    return Entries{{n.path, n.commands}};
  });
  out += CaseFunction("_klactl_options", "$1", nodes, [](const CompletionNode& n) {
    return Entries{{n.path, n.options}};
  });
  out += CaseFunction("_klactl_valued", "$1", nodes, [](const CompletionNode& n) {
    return Entries{{n.path, n.valued_options}};
  });
  out += CaseFunction("_klactl_values", "$1", nodes, [](const CompletionNode& n) {
    Entries e;
    for (const auto& [opt, values] : n.values) e.emplace_back(n.path + "|" + opt, values);
    return e;
  });
  out += kWalk;
  out += shell == "zsh" ? kZsh : kBash;
  return out;
}

// ------------------------------------------------------------------ main

int Run(const std::vector<std::string>& args) {
  Options o;
  o.lang = LanguageOf(args);
  int rc = 0;
  std::unique_ptr<CLI::App> app = BuildApp(o, &rc);
  LocalizeHelp(app.get(), o.lang);
  try {
    app->parse(std::vector<std::string>(args.rbegin(), args.rend()));  // CLI11 takes them last first
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app->exit(e);  // --help, --version
    if (auto unknown = UnknownCommand(*app, args, o.lang)) {
      std::cerr << "klactl: " << T(o, kError) << ": " << *unknown << "\n";
      return 2;
    }
    std::cerr << "klactl: " << T(o, kError) << ": " << ParseErrorText(e, o.lang) << "\n"
              << T(o, {"Lihat: ", "See: "}) << WalkCommands(*app, args).path << " --help\n";
    return 2;
  }
  return rc;
}

}  // namespace kla::klactl
