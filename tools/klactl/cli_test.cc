// klactl's command line without a server: help in both languages, unknown
// commands, usage errors, shell completion and saved sign-ins (contexts).

#include "tools/klactl/cli.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "libs/testing/process.h"

namespace kla::klactl {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Each test gets its own configuration folder and no language preference.
class KlactlCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("XDG_CONFIG_HOME", dir_.path().c_str(), 1);
    unsetenv("KLA_LANG");
    unsetenv("KLA_ADDR");
    unsetenv("KLA_TOKEN");
    unsetenv("KLA_TOKEN_FILE");
    unsetenv("KLA_CONTEXT");
  }

  struct Result {
    int rc;
    std::string out;
    std::string err;
  };
  static Result RunKlactl(const std::vector<std::string>& args) {
    ::testing::internal::CaptureStdout();
    ::testing::internal::CaptureStderr();
    const int rc = kla::klactl::Run(args);
    std::string out = ::testing::internal::GetCapturedStdout();
    return {rc, out, ::testing::internal::GetCapturedStderr()};
  }

  // Runs `script` in `shell` with the completion script at hand; its stdout.
  std::string RunShell(const std::string& shell, const std::string& script) {
    Options o;
    int rc = 0;
    auto app = BuildApp(o, &rc);
    const std::string file = dir_.path() + "/completion." + shell;
    std::ofstream(file) << CompletionScript(*app, shell);
    const std::string log = dir_.path() + "/shell.out";
    std::remove(log.c_str());
    std::vector<std::string> argv = {"/usr/bin/" + shell, "-c", script};
    if (shell == "zsh") argv.insert(argv.begin() + 1, "-f");
    auto status = testing::RunCommand({.argv = argv, .env = {"F=" + file}, .log_path = log});
    EXPECT_TRUE(status.ok() && *status == 0) << "the shell failed";
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  testing::TempDir dir_;
};

TEST_F(KlactlCliTest, EveryHelpTextHasAnIndonesianTranslation) {
  Options o;
  int rc = 0;
  auto app = BuildApp(o, &rc);
  std::set<std::string> missing;
  for (const std::string& text : HelpTexts(*app)) {
    if (!HelpTranslation(text).has_value()) missing.insert(text);
  }
  std::string list;
  for (const auto& m : missing) list += "\n  " + m;
  EXPECT_TRUE(missing.empty()) << "help without an Indonesian text (add it to tools/klactl/help_id.cc):" << list;
}

TEST_F(KlactlCliTest, HelpIsIndonesianByDefaultAndEnglishOnRequest) {
  Result id = RunKlactl({"--help"});
  EXPECT_EQ(id.rc, 0);
  EXPECT_THAT(id.out, HasSubstr("Pemakaian: klactl [OPSI] PERINTAH"));
  EXPECT_THAT(id.out, HasSubstr("Perintah:"));
  EXPECT_THAT(id.out, HasSubstr("Tampilkan bantuan ini"));
  EXPECT_THAT(id.out, Not(HasSubstr("Print this help message")));

  Result en = RunKlactl({"--lang", "en", "--help"});
  EXPECT_EQ(en.rc, 0);
  EXPECT_THAT(en.out, HasSubstr("Usage: klactl [OPTIONS] SUBCOMMAND"));
  EXPECT_THAT(en.out, HasSubstr("Print this help message and exit"));

  setenv("KLA_LANG", "en", 1);
  EXPECT_THAT(RunKlactl({"regions", "--help"}).out, HasSubstr("One region by its code"));
  unsetenv("KLA_LANG");
  EXPECT_THAT(RunKlactl({"regions", "--help"}).out, HasSubstr("Satu daerah menurut kodenya"));
}

TEST_F(KlactlCliTest, AnUnknownCommandSuggestsTheNearest) {
  Result r = RunKlactl({"submision", "list"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_THAT(r.err, HasSubstr("perintah tidak dikenal \"submision\" untuk \"klactl\". Maksud Anda \"submission\"?"));
  EXPECT_THAT(r.err, HasSubstr("Lihat: klactl --help"));

  // Options before the command, with their values, are stepped over.
  r = RunKlactl({"--lang", "en", "--addr", "127.0.0.1:1", "-o", "json", "submission", "subimt", "35.72"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown command \"subimt\" for \"klactl submission\". Did you mean \"submit\"?"));

  // Nothing near: the commands that exist.
  r = RunKlactl({"regions", "zzzzzz"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_THAT(r.err, HasSubstr("Perintah yang ada: get, list, search, import"));

  // An argument of a command is not a command.
  Options o;
  int rc = 0;
  auto app = BuildApp(o, &rc);
  EXPECT_FALSE(UnknownCommand(*app, {"regions", "get", "35.72"}, "id").has_value());
  EXPECT_FALSE(UnknownCommand(*app, {"--output=json", "regions", "list"}, "id").has_value());
}

TEST_F(KlactlCliTest, UsageErrorsExitTwoWithASentenceInTheLanguage) {
  Result r = RunKlactl({"regions", "get"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_THAT(r.err, HasSubstr("code wajib diberikan"));
  EXPECT_THAT(r.err, HasSubstr("Lihat: klactl regions get --help"));

  r = RunKlactl({"health", "--timeout", "abc"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_THAT(r.err, HasSubstr("nilai tidak sah"));
  EXPECT_THAT(r.err, HasSubstr("durasi, misalnya 10s atau 2m"));

  r = RunKlactl({"--lang", "en", "health", "--timeout", "abc"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_THAT(r.err, HasSubstr("a duration such as 10s or 2m"));

  r = RunKlactl({"-o", "yaml", "health"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_THAT(r.err, HasSubstr("--output"));

  r = RunKlactl({"--context", "../etc", "health"});
  EXPECT_EQ(r.rc, 2);
}

TEST(EditDistanceTest, CountsSwapsAsOneEdit) {
  EXPECT_EQ(EditDistance("submit", "submit"), 0);
  EXPECT_EQ(EditDistance("subimt", "submit"), 1);
  EXPECT_EQ(EditDistance("submision", "submission"), 1);
  EXPECT_EQ(EditDistance("", "abc"), 3);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3);
}

TEST_F(KlactlCliTest, BashCompletesCommandsOptionsAndFixedValues) {
  auto complete = [&](const std::string& words, int cword) {
    return RunShell("bash", "source \"$F\"; COMP_WORDS=(" + words + "); COMP_CWORD=" + std::to_string(cword) +
                                "; _klactl; echo \"${COMPREPLY[*]}\"");
  };
  EXPECT_EQ(complete("klactl reg", 1), "regions\n");
  EXPECT_EQ(complete("klactl regions ''", 2), "get list search import\n");
  EXPECT_EQ(complete("klactl --addr 127.0.0.1:7400 submission sub", 4), "submit\n");
  EXPECT_EQ(complete("klactl -o ''", 2), "table json\n");
  EXPECT_EQ(complete("klactl regions list --output j", 4), "json\n");
  EXPECT_EQ(complete("klactl completion ''", 2), "bash zsh\n");
  EXPECT_THAT(complete("klactl regions list --pa", 3), HasSubstr("--page-size --page-token"));
  // A file argument: file names.
  EXPECT_THAT(complete("klactl rulebook validate " + dir_.path() + "/compl", 3), HasSubstr("completion.bash"));
}

TEST_F(KlactlCliTest, ZshCompletionUsesTheSameTable) {
  ASSERT_TRUE(std::ifstream("/usr/bin/zsh").good()) << "zsh is missing (scripts/bootstrap installs it)";
  const std::string out = RunShell("zsh",
                                   "autoload -U compinit && compinit -u -D; source \"$F\" && "
                                   "_klactl_candidates \"$(_klactl_path --addr x:1 submission)\" submission '' && "
                                   "_klactl_candidates \"$(_klactl_path regions list)\" --level '' ; "
                                   "_klactl_candidates \"$(_klactl_path)\" -o ''; whence -w _klactl");
  EXPECT_THAT(out, HasSubstr("submit"));
  EXPECT_THAT(out, HasSubstr("table json"));
  EXPECT_THAT(out, HasSubstr("_klactl: function"));
}

TEST_F(KlactlCliTest, TheServerSavedAtSignInIsUsedLater) {
  Options pusat;
  pusat.context = "pusat";
  ASSERT_TRUE(SaveLogin(LoginPath(pusat), {.token = "t0k3n",
                                           .name = "admin",
                                           .addr = "kla.kemenpppa.go.id:443",
                                           .tls_ca = "system",
                                           .expires = "2026-12-02T00:00:00Z"}));
  ASSERT_TRUE(UseContext("pusat"));

  Options o;  // no --addr: the current context's server
  ApplySavedServer(&o);
  EXPECT_EQ(o.addr, "kla.kemenpppa.go.id:443");
  EXPECT_EQ(o.tls_ca, "system");
  EXPECT_EQ(Client(o).token(), "t0k3n");

  Options other;  // --addr names another server: the token stays home
  other.addr = "127.0.0.1:7400";
  other.addr_given = true;
  ApplySavedServer(&other);
  EXPECT_EQ(other.addr, "127.0.0.1:7400");
  Client c(other);
  EXPECT_EQ(c.token(), "");
  EXPECT_EQ(c.withheld_for(), "kla.kemenpppa.go.id:443");

  Result who = RunKlactl({"whoami", "-o", "json"});
  ASSERT_EQ(who.rc, 0) << who.err;
  google::protobuf::Struct doc;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(who.out, &doc).ok()) << who.out;
  EXPECT_EQ(doc.fields().at("name").string_value(), "admin");
  EXPECT_EQ(doc.fields().at("addr").string_value(), "kla.kemenpppa.go.id:443");
  EXPECT_EQ(doc.fields().at("context").string_value(), "pusat");
}

TEST_F(KlactlCliTest, ContextsAreListedSwitchedAndDeleted) {
  for (const char* name : {"pusat", "latihan"}) {
    Options o;
    o.context = name;
    ASSERT_TRUE(SaveLogin(LoginPath(o), {.token = "t", .name = "admin", .addr = std::string(name) + ":7400"}));
  }
  ASSERT_EQ(RunKlactl({"context", "use", "latihan"}).rc, 0);
  Result list = RunKlactl({"context", "list", "-o", "json"});
  ASSERT_EQ(list.rc, 0);
  google::protobuf::Struct doc;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(list.out, &doc).ok()) << list.out;
  const auto& contexts = doc.fields().at("contexts").list_value().values();
  ASSERT_EQ(contexts.size(), 2);
  EXPECT_EQ(contexts[0].struct_value().fields().at("name").string_value(), "latihan");
  EXPECT_TRUE(contexts[0].struct_value().fields().at("current").bool_value());
  EXPECT_FALSE(contexts[1].struct_value().fields().at("current").bool_value());

  EXPECT_THAT(RunKlactl({"context", "list"}).out, HasSubstr("*  latihan"));
  Result none = RunKlactl({"context", "use", "tidak-ada"});
  EXPECT_EQ(none.rc, 1);
  EXPECT_THAT(none.err, HasSubstr("konteks tidak ada: tidak-ada"));

  ASSERT_EQ(RunKlactl({"context", "delete", "latihan"}).rc, 0);
  Options o;
  EXPECT_EQ(ContextName(o), "default");  // the current one was deleted
  EXPECT_EQ(RunKlactl({"context", "delete", "latihan"}).rc, 1);

  // Signed out: the server is kept for the next login, the token is not.
  ASSERT_EQ(RunKlactl({"--context", "pusat", "logout"}).rc, 0);
  Options p;
  p.context = "pusat";
  SavedLogin saved;
  ASSERT_TRUE(LoadLogin(LoginPath(p), &saved));
  EXPECT_EQ(saved.addr, "pusat:7400");
  EXPECT_EQ(saved.token, "");
  EXPECT_EQ(RunKlactl({"--context", "pusat", "whoami"}).rc, 1);
}

}  // namespace
}  // namespace kla::klactl
