#include "tools/klactl/accounts.h"

#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/time_util.h"
#include "kla/registry/v1/account.grpc.pb.h"
#include "libs/common/files.h"
#include "libs/common/ids.h"
#include "tools/klactl/output.h"

namespace kla::klactl {
namespace {

namespace regv1 = kla::registry::v1;

std::string Stamp(const google::protobuf::Timestamp& ts) {
  return ts.seconds() == 0 && ts.nanos() == 0 ? "-" : ShowTime(ts);
}

std::string RoleLabel(regv1::Role r) { return std::string(absl::StripPrefix(regv1::Role_Name(r), "ROLE_")); }

bool ParseRole(const std::string& text, regv1::Role* out) {
  std::string name = absl::AsciiStrToUpper(absl::StrReplaceAll(text, {{"-", "_"}}));
  if (!absl::StartsWith(name, "ROLE_")) name = "ROLE_" + name;
  return regv1::Role_Parse(name, out) && *out != regv1::ROLE_UNSPECIFIED;
}

// A secret from a file (first line), an environment variable, or the
// terminal with echo off.
std::string ReadSecret(const Options& o, const std::string& file, const char* env, Text prompt) {
  if (!file.empty()) {
    std::string text;
    if (!ReadFile(file, &text)) return "";
    return std::string(absl::StripTrailingAsciiWhitespace(text.substr(0, text.find('\n'))));
  }
  if (const char* v = std::getenv(env); v != nullptr && *v != '\0') return v;
  std::cerr << T(o, prompt) << ": " << std::flush;
  termios old{};
  const bool tty = ::isatty(STDIN_FILENO) != 0 && ::tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  }
  return line;
}

void PrintAccount(const Options& o, const regv1::Account& a) {
  Table t({T(o, {"BIDANG", "FIELD"}), T(o, {"NILAI", "VALUE"})});
  t.Add({T(o, {"nama", "name"}), a.name()});
  t.Add({T(o, {"nama lengkap", "display name"}), a.display_name()});
  t.Add({T(o, {"jenis", "kind"}),
         a.kind() == regv1::ACCOUNT_KIND_SYSTEM ? T(o, {"sistem", "system"}) : T(o, {"orang", "person"})});
  t.Add({T(o, {"peran", "role"}), RoleLabel(a.role())});
  if (!a.province_code().empty()) t.Add({T(o, {"provinsi", "province"}), a.province_code()});
  if (!a.region_code().empty()) t.Add({T(o, {"kab/kota", "kabupaten/kota"}), a.region_code()});
  if (!a.agency().empty()) t.Add({"OPD", a.agency()});
  if (a.assigned_regions_size() > 0) {
    t.Add({T(o, {"wilayah tugas", "assigned regions"}), absl::StrJoin(a.assigned_regions(), ", ")});
  }
  t.Add({T(o, {"status", "state"}),
         a.state() == regv1::ACCOUNT_STATE_ACTIVE ? T(o, {"aktif", "active"}) : T(o, {"nonaktif", "disabled"})});
  t.Add({T(o, {"masuk terakhir", "last sign-in"}), Stamp(a.last_login_time())});
  t.Add({T(o, {"dibuat oleh", "created by"}), a.created_by()});
  t.Add({"etag", a.etag()});
  t.Print(std::cout);
}

// Shows the response with its one-time secret, or writes the secret to
// `secret_file` (0600) for scripts and shows the response without it.
template <typename Response>
int HandOver(const Options& o, Response resp, const std::string& secret_file) {
  const bool to_file = !secret_file.empty() && !resp.secret().empty();
  if (to_file) {
    if (!WriteFileAtomically(secret_file, resp.secret() + "\n", 0600).ok()) {
      std::cerr << "klactl: " << T(o, kError) << ": "
                << T(o, {"tidak dapat menulis rahasia ke ", "cannot write the secret to "}) << secret_file << "\n";
      return 1;
    }
    resp.clear_secret();
  }
  if (o.output == "json") {
    std::cout << ToJson(resp);
    return 0;
  }
  PrintAccount(o, resp.account());
  if (to_file) {
    std::cout << T(o, {"rahasia ditulis ke ", "secret written to "}) << secret_file << " (0600)\n";
  } else if (!resp.secret().empty()) {
    const bool person = resp.account().kind() == regv1::ACCOUNT_KIND_PERSON;
    std::cout << (person ? T(o, {"kata sandi sekali pakai", "one-time password"}) : "API key") << ": " << resp.secret()
              << "\n"
              << T(o, {"(ditampilkan sekali saja; sampaikan lewat saluran aman)",
                       "(shown once only; hand it over through a safe channel)"})
              << "\n";
  }
  return 0;
}

// "name: ..." and "password: ..." lines of the first admin's credentials file.
bool ReadCredentials(const std::string& path, std::string* name, std::string* password) {
  std::string text;
  if (!ReadFile(path, &text)) return false;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    if (absl::ConsumePrefix(&line, "name: ")) *name = std::string(absl::StripAsciiWhitespace(line));
    if (absl::ConsumePrefix(&line, "password: ")) *password = std::string(absl::StripAsciiWhitespace(line));
  }
  return !name->empty() && !password->empty();
}

int Login(const Options& o, std::string name, const std::string& password_file, const std::string& new_password_file,
          const std::string& api_key_file, const std::string& credentials_file) {
  Client cl(o);
  cl.RefuseSecretsInClear();  // before any password or key is read
  cl.ForgetToken();
  auto stub = regv1::AccountService::NewStub(cl.channel());
  regv1::LoginResponse resp;
  grpc::Status s;
  if (!api_key_file.empty()) {
    regv1::LoginWithApiKeyRequest req;
    req.set_api_key(ReadSecret(o, api_key_file, "KLA_API_KEY", {"API key", "API key"}));
    s = stub->LoginWithApiKey(cl.Context().get(), req, &resp);
  } else {
    regv1::LoginRequest req;
    if (!credentials_file.empty()) {
      std::string password;
      if (!ReadCredentials(credentials_file, &name, &password)) {
        std::cerr << "klactl: " << T(o, kError) << ": " << T(o, kCannotRead) << " " << credentials_file << "\n";
        return 2;
      }
      req.set_password(password);
    } else {
      if (name.empty()) {
        std::cerr << T(o, {"nama akun", "account name"}) << ": " << std::flush;
        std::getline(std::cin, name);
      }
      req.set_password(ReadSecret(o, password_file, "KLA_PASSWORD", {"kata sandi", "password"}));
    }
    req.set_name(name);
    s = stub->Login(cl.Context().get(), req, &resp);
    if (s.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
      // The one-time password works once: choose the real one now.
      std::cerr << T(o, {"kata sandi sekali pakai: buat kata sandi baru (minimal 12 karakter)",
                         "one-time password: choose a new password (at least 12 characters)"})
                << "\n";
      std::string next = ReadSecret(o, new_password_file, "KLA_NEW_PASSWORD", {"kata sandi baru", "new password"});
      if (new_password_file.empty() && std::getenv("KLA_NEW_PASSWORD") == nullptr) {
        if (ReadSecret(o, "", "KLA_NO_SUCH_VARIABLE", {"ulangi kata sandi baru", "repeat the new password"}) != next) {
          std::cerr << "klactl: " << T(o, kError) << ": " << T(o, {"kata sandi tidak sama", "the passwords differ"})
                    << "\n";
          return 2;
        }
      }
      req.set_new_password(next);
      s = stub->Login(cl.Context().get(), req, &resp);
    }
  }
  if (!s.ok()) return cl.Report(s);
  SavedLogin saved{.token = resp.token(),
                   .name = resp.account().name(),
                   .addr = o.addr,
                   .tls_ca = o.tls_ca,
                   .expires = google::protobuf::util::TimeUtil::ToString(resp.expire_time())};
  const std::string path = LoginPath(o);
  // The context becomes the current one, so later commands need no --addr.
  if (!SaveLogin(path, saved) || (o.token_file.empty() && !UseContext(ContextName(o)))) {
    std::cerr << "klactl: " << T(o, kError) << ": "
              << T(o, {"tidak dapat menyimpan token di ", "cannot save the token in "}) << path << "\n";
    return 1;
  }
  if (o.output == "json") {
    std::cout << ToJson(resp.account());
    return 0;
  }
  std::cout << T(o, {"masuk sebagai ", "signed in as "}) << resp.account().name() << " ("
            << RoleLabel(resp.account().role()) << ")" << T(o, {"; berlaku sampai ", "; valid until "})
            << Stamp(resp.expire_time()) << "\n";
  return 0;
}

// Forgets the token but keeps the server, so `klactl login` signs in there again.
int Logout(const Options& o) {
  SavedLogin saved;
  if (LoadLogin(LoginPath(o), &saved)) {
    saved.token.clear();
    saved.expires.clear();
    if (!SaveLogin(LoginPath(o), saved)) std::remove(LoginPath(o).c_str());
  }
  if (o.output == "json") {
    std::cout << JsonObject({{"signedOut", "true"}});
    return 0;
  }
  std::cout << T(o, {"keluar", "signed out"}) << "\n";
  return 0;
}

int Whoami(const Options& o) {
  SavedLogin saved;
  if (!LoadLogin(LoginPath(o), &saved) || saved.token.empty()) {
    std::cerr << "klactl: " << T(o, {"belum masuk (klactl login)", "not signed in (klactl login)"}) << "\n";
    return 1;
  }
  const std::string context = o.token_file.empty() ? ContextName(o) : "";
  if (o.output == "json") {
    std::cout << JsonObject({{"name", saved.name},
                             {"addr", saved.addr},
                             {"context", context},
                             {"tls", saved.tls_ca.empty() ? "" : "true"},
                             {"expireTime", saved.expires}});
    return 0;
  }
  std::cout << saved.name << " @ " << saved.addr << (context.empty() ? "" : " [" + context + "]")
            << T(o, {"; token berlaku sampai ", "; token valid until "}) << saved.expires << "\n";
  return 0;
}

int Passwd(const Options& o, const std::string& password_file, const std::string& new_password_file) {
  Client cl(o);
  auto stub = regv1::AccountService::NewStub(cl.channel());
  regv1::ChangePasswordRequest req;
  req.set_password(ReadSecret(o, password_file, "KLA_PASSWORD", {"kata sandi sekarang", "current password"}));
  req.set_new_password(ReadSecret(o, new_password_file, "KLA_NEW_PASSWORD", {"kata sandi baru", "new password"}));
  regv1::ChangePasswordResponse resp;
  grpc::Status s = stub->ChangePassword(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
    return 0;
  }
  std::cout << T(o, {"kata sandi diganti; masuk lagi dengan kata sandi baru (klactl login)",
                     "password changed; sign in again with the new one (klactl login)"})
            << "\n";
  return 0;
}

struct CreateFlags {
  std::string name, display_name, role, province, region, agency, assign, email, request_id, secret_file;
  bool system = false;
};

int AccountsCreate(const Options& o, const CreateFlags& f) {
  Client cl(o);
  auto stub = regv1::AccountService::NewStub(cl.channel());
  regv1::CreateAccountRequest req;
  req.set_request_id(f.request_id.empty() ? NewUuid() : f.request_id);
  auto* a = req.mutable_account();
  a->set_name(f.name);
  a->set_display_name(f.display_name.empty() ? f.name : f.display_name);
  regv1::Role role = regv1::ROLE_UNSPECIFIED;
  if (!ParseRole(f.role, &role)) {
    std::cerr << "klactl: " << T(o, kError) << ": --role: " << T(o, {"salah satu dari ", "one of "})
              << "national-admin, province-verifier, region-operator, opd-contributor, central-reviewer, "
                 "field-verifier, integration, service\n";
    return 2;
  }
  a->set_role(role);
  const bool system = f.system || role == regv1::ROLE_INTEGRATION || role == regv1::ROLE_SERVICE;
  a->set_kind(system ? regv1::ACCOUNT_KIND_SYSTEM : regv1::ACCOUNT_KIND_PERSON);
  a->set_province_code(f.province);
  a->set_region_code(f.region);
  a->set_agency(f.agency);
  a->set_email(f.email);
  for (absl::string_view r : absl::StrSplit(f.assign, ',', absl::SkipWhitespace())) {
    a->add_assigned_regions(std::string(absl::StripAsciiWhitespace(r)));
  }
  regv1::CreateAccountResponse resp;
  grpc::Status s = stub->CreateAccount(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  return HandOver(o, resp, f.secret_file);
}

int AccountsGet(const Options& o, const std::string& name) {
  Client cl(o);
  auto stub = regv1::AccountService::NewStub(cl.channel());
  regv1::GetAccountRequest req;
  req.set_name(name);
  regv1::GetAccountResponse resp;
  grpc::Status s = stub->GetAccount(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp.account());
  } else {
    PrintAccount(o, resp.account());
  }
  return 0;
}

int AccountsList(const Options& o, const std::string& role_text, const std::string& region) {
  Client cl(o);
  auto stub = regv1::AccountService::NewStub(cl.channel());
  regv1::ListAccountsRequest req;
  regv1::Role role = regv1::ROLE_UNSPECIFIED;
  if (!role_text.empty() && !ParseRole(role_text, &role)) {
    std::cerr << "klactl: " << T(o, kError) << ": --role " << role_text << "\n";
    return 2;
  }
  req.set_role(role);
  req.set_region_code(region);
  regv1::ListAccountsResponse all;
  do {
    regv1::ListAccountsResponse page;
    grpc::Status s = stub->ListAccounts(cl.Context().get(), req, &page);
    if (!s.ok()) return cl.Report(s);
    for (auto& a : *page.mutable_accounts()) *all.add_accounts() = std::move(a);
    req.set_page_token(page.next_page_token());
  } while (!req.page_token().empty());
  if (o.output == "json") {
    std::cout << ToJson(all);
    return 0;
  }
  Table t({T(o, kName), T(o, {"PERAN", "ROLE"}), T(o, {"WILAYAH", "SCOPE"}), T(o, kStatus),
           T(o, {"MASUK TERAKHIR", "LAST SIGN-IN"})});
  for (const auto& a : all.accounts()) {
    std::vector<std::string> scope;
    for (const std::string* c : {&a.province_code(), &a.region_code(), &a.agency()}) {
      if (!c->empty()) scope.push_back(*c);
    }
    for (const auto& r : a.assigned_regions()) scope.push_back(r);
    t.Add({a.name(), RoleLabel(a.role()), scope.empty() ? T(o, {"nasional", "national"}) : absl::StrJoin(scope, " "),
           a.state() == regv1::ACCOUNT_STATE_ACTIVE ? T(o, {"aktif", "active"}) : T(o, {"nonaktif", "disabled"}),
           Stamp(a.last_login_time())});
  }
  t.Print(std::cout);
  std::cout << T(o, kTotal) << ": " << all.accounts_size() << "\n";
  return 0;
}

// Reads the account, applies `change` under `mask`, writes it back with the
// etag just read.
template <typename Change>
int AccountsUpdate(const Options& o, const std::string& name, const std::vector<std::string>& mask, Change change) {
  Client cl(o);
  auto stub = regv1::AccountService::NewStub(cl.channel());
  regv1::GetAccountRequest get;
  get.set_name(name);
  regv1::GetAccountResponse got;
  grpc::Status s = stub->GetAccount(cl.Context().get(), get, &got);
  if (!s.ok()) return cl.Report(s);
  regv1::UpdateAccountRequest req;
  *req.mutable_account() = got.account();
  change(req.mutable_account());
  for (const auto& m : mask) req.mutable_update_mask()->add_paths(m);
  regv1::UpdateAccountResponse resp;
  s = stub->UpdateAccount(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp.account());
  } else {
    PrintAccount(o, resp.account());
  }
  return 0;
}

int AccountsReset(const Options& o, const std::string& name, const std::string& secret_file) {
  Client cl(o);
  auto stub = regv1::AccountService::NewStub(cl.channel());
  regv1::GetAccountRequest get;
  get.set_name(name);
  regv1::GetAccountResponse got;
  grpc::Status s = stub->GetAccount(cl.Context().get(), get, &got);
  if (!s.ok()) return cl.Report(s);
  regv1::ResetCredentialsRequest req;
  req.set_name(name);
  req.set_etag(got.account().etag());
  regv1::ResetCredentialsResponse resp;
  s = stub->ResetCredentials(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  return HandOver(o, resp, secret_file);
}

int AccountsRevoke(const Options& o, const std::string& name) {
  Client cl(o);
  auto stub = regv1::AccountService::NewStub(cl.channel());
  regv1::RevokeTokensRequest req;
  req.set_name(name);
  regv1::RevokeTokensResponse resp;
  grpc::Status s = stub->RevokeTokens(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
    return 0;
  }
  std::cout << T(o, {"semua token dicabut untuk ", "every token revoked for "}) << name << "\n";
  return 0;
}

int Keys(const Options& o, bool rotate) {
  Client cl(o);
  auto stub = regv1::AccountService::NewStub(cl.channel());
  if (rotate) {
    regv1::RotateSigningKeyResponse resp;
    grpc::Status s = stub->RotateSigningKey(cl.Context().get(), {}, &resp);
    if (!s.ok()) return cl.Report(s);
    std::cout << T(o, {"kunci baru ", "new key "}) << resp.key().kid() << T(o, {" dipakai mulai ", " signs from "})
              << Stamp(resp.key().activate_time()) << "\n";
  }
  regv1::ListSigningKeysResponse keys;
  grpc::Status s = stub->ListSigningKeys(cl.Context().get(), {}, &keys);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(keys);
    return 0;
  }
  Table t({"KID", T(o, {"AKTIF SEJAK", "ACTIVE FROM"}), T(o, {"PENSIUN", "RETIRES"})});
  for (const auto& k : keys.keys()) t.Add({k.kid(), Stamp(k.activate_time()), Stamp(k.retire_time())});
  t.Print(std::cout);
  return 0;
}

// Signing in and out: login, logout, whoami, passwd.
void AddSignInCommands(CLI::App& app, Options& o, int* rc) {
  static std::string name, password_file, new_password_file, api_key_file, credentials_file;
  auto* login = app.add_subcommand(
      "login", "Sign in; the server and token are saved (mode 0600) as the current context, used by later commands");
  login->add_option("--user,-u", name, "Account name (asked if missing)");
  login->add_option("--password-file", password_file,
                    "Read the password from this file (else $KLA_PASSWORD or prompt)");
  login->add_option("--new-password-file", new_password_file,
                    "New password when the account still has its one-time password (else $KLA_NEW_PASSWORD or "
                    "prompt)");
  login->add_option("--api-key-file", api_key_file, "Sign a system account in with the API key in this file");
  login->add_option("--credentials-file", credentials_file,
                    "Name and one-time password from this file (the first admin's, written by kla-server)");
  login->callback([&o, rc] { *rc = Login(o, name, password_file, new_password_file, api_key_file, credentials_file); });
  app.add_subcommand("logout", "Forget the saved token")->callback([&o, rc] { *rc = Logout(o); });
  app.add_subcommand("whoami", "Who the saved token belongs to")->callback([&o, rc] { *rc = Whoami(o); });
  auto* passwd = app.add_subcommand("passwd", "Change your own password");
  passwd->add_option("--password-file", password_file, "Current password from this file");
  passwd->add_option("--new-password-file", new_password_file, "New password from this file");
  passwd->callback([&o, rc] { *rc = Passwd(o, password_file, new_password_file); });
}

// The accounts of people and systems (national admins).
void AddAccountsGroup(CLI::App& app, Options& o, int* rc) {
  auto* accounts = app.add_subcommand("accounts", "Accounts of people and systems (national admins)");
  accounts->require_subcommand(1);
  accounts->fallthrough();
  static CreateFlags cf;
  static std::string name, secret_file, role_filter, region_filter, assign;
  auto* create = accounts->add_subcommand("create", "Create an account; prints its one-time password or API key");
  create->add_option("name", cf.name, "Sign-in name, e.g. op.kota-blitar")->required();
  create
      ->add_option("--role", cf.role,
                   "national-admin, province-verifier, region-operator, opd-contributor, central-reviewer, "
                   "field-verifier, integration or service")
      ->required();
  create->add_option("--display-name", cf.display_name, "Full name, e.g. \"Sekretariat Gugus Tugas KLA Kota Blitar\"");
  create->add_option("--province", cf.province, "Province (province verifier; home province of a field verifier)");
  create->add_option("--region", cf.region, "Kabupaten/kota (operator, OPD contributor)");
  create->add_option("--agency", cf.agency, "Agency (OPD contributor), e.g. \"Dinas Kesehatan\"");
  create->add_option("--assign", cf.assign, "Field verifier: assigned kabupaten/kota, comma-separated");
  create->add_option("--email", cf.email, "Contact e-mail");
  create->add_flag("--system", cf.system, "A system account (API key) instead of a person");
  create->add_option("--request-id", cf.request_id, "Idempotency key; reuse it to retry safely");
  create->add_option("--secret-file", cf.secret_file, "Write the secret to this file (0600) instead of printing it");
  create->callback([&o, rc] { *rc = AccountsCreate(o, cf); });

  auto* get = accounts->add_subcommand("get", "One account");
  get->add_option("name", name, "Account name")->required();
  get->callback([&o, rc] { *rc = AccountsGet(o, name); });

  auto* list = accounts->add_subcommand("list", "Accounts (all pages)");
  list->add_option("--role", role_filter, "Only this role");
  list->add_option("--region", region_filter, "Only accounts of this province or kabupaten/kota");
  list->callback([&o, rc] { *rc = AccountsList(o, role_filter, region_filter); });

  auto* disable = accounts->add_subcommand("disable", "Disable an account and revoke its tokens at once");
  disable->add_option("name", name, "Account name")->required();
  disable->callback([&o, rc] {
    *rc = AccountsUpdate(o, name, {"state"}, [](regv1::Account* a) { a->set_state(regv1::ACCOUNT_STATE_DISABLED); });
  });
  auto* enable = accounts->add_subcommand("enable", "Enable a disabled account");
  enable->add_option("name", name, "Account name")->required();
  enable->callback([&o, rc] {
    *rc = AccountsUpdate(o, name, {"state"}, [](regv1::Account* a) { a->set_state(regv1::ACCOUNT_STATE_ACTIVE); });
  });
  auto* assign_cmd = accounts->add_subcommand("assign", "Set a field verifier's assigned kabupaten/kota");
  assign_cmd->add_option("name", name, "Account name")->required();
  assign_cmd->add_option("--regions", assign, "Kabupaten/kota codes, comma-separated")->required();
  assign_cmd->callback([&o, rc] {
    *rc = AccountsUpdate(o, name, {"assigned_regions"}, [](regv1::Account* a) {
      a->clear_assigned_regions();
      for (absl::string_view r : absl::StrSplit(assign, ',', absl::SkipWhitespace())) {
        a->add_assigned_regions(std::string(absl::StripAsciiWhitespace(r)));
      }
    });
  });
  auto* reset = accounts->add_subcommand("reset", "New one-time password or API key; the old one stops working");
  reset->add_option("name", name, "Account name")->required();
  reset->add_option("--secret-file", secret_file, "Write the secret to this file (0600) instead of printing it");
  reset->callback([&o, rc] { *rc = AccountsReset(o, name, secret_file); });
  auto* revoke = accounts->add_subcommand("revoke", "Revoke every token of an account (sign out everywhere)");
  revoke->add_option("name", name, "Account name")->required();
  revoke->callback([&o, rc] { *rc = AccountsRevoke(o, name); });
  accounts->add_subcommand("keys", "Token signing keys")->callback([&o, rc] { *rc = Keys(o, false); });
  accounts->add_subcommand("rotate-key", "Start a signing key rotation (no downtime)")->callback([&o, rc] {
    *rc = Keys(o, true);
  });
}

}  // namespace

void AddAccountCommands(CLI::App& app, Options& o, int* rc) {
  AddSignInCommands(app, o, rc);
  AddAccountsGroup(app, o, rc);
}

namespace {

int ContextList(const Options& o) {
  const std::string current = ContextName(Options{});
  google::protobuf::Struct doc;
  auto* list = (*doc.mutable_fields())["contexts"].mutable_list_value();
  Table t({"", T(o, {"KONTEKS", "CONTEXT"}), T(o, {"SERVER", "SERVER"}), T(o, {"AKUN", "ACCOUNT"}),
           T(o, {"TOKEN BERLAKU SAMPAI", "TOKEN VALID UNTIL"})});
  for (const std::string& name : ListContexts()) {
    Options of;
    of.context = name;
    SavedLogin saved;
    if (!LoadLogin(LoginPath(of), &saved)) continue;
    const std::string expires = saved.token.empty() ? T(o, {"(sudah keluar)", "(signed out)"}) : saved.expires;
    t.Add({name == current ? "*" : "", name, saved.addr, saved.name, expires});
    auto& fields = *list->add_values()->mutable_struct_value()->mutable_fields();
    fields["name"].set_string_value(name);
    fields["addr"].set_string_value(saved.addr);
    fields["account"].set_string_value(saved.name);
    fields["signedIn"].set_bool_value(!saved.token.empty());
    fields["current"].set_bool_value(name == current);
  }
  if (o.output == "json") {
    std::cout << ToJson(doc);
  } else {
    t.Print(std::cout);
  }
  return 0;
}

int ContextUse(const Options& o, const std::string& name) {
  Options of;
  of.context = name;
  SavedLogin saved;
  if (!ValidContextName(name) || !LoadLogin(LoginPath(of), &saved)) {
    std::cerr << "klactl: " << T(o, kError) << ": " << T(o, {"konteks tidak ada: ", "no such context: "}) << name
              << T(o, {" (lihat klactl context list)", " (see klactl context list)"}) << "\n";
    return 1;
  }
  if (!UseContext(name)) {
    std::cerr << "klactl: " << T(o, kError) << ": " << T(o, {"tidak dapat menyimpan", "cannot save"}) << " "
              << ConfigDir() << "/current-context\n";
    return 1;
  }
  if (o.output == "json") {
    std::cout << JsonObject({{"current", name}, {"addr", saved.addr}});
    return 0;
  }
  std::cout << T(o, {"konteks sekarang: ", "current context: "}) << name << " (" << saved.addr << ")\n";
  return 0;
}

int ContextDelete(const Options& o, const std::string& name) {
  Options of;
  of.context = name;
  if (!ValidContextName(name) || std::remove(LoginPath(of).c_str()) != 0) {
    std::cerr << "klactl: " << T(o, kError) << ": " << T(o, {"konteks tidak ada: ", "no such context: "}) << name
              << "\n";
    return 1;
  }
  if (ContextName(Options{}) == name) std::remove((ConfigDir() + "/current-context").c_str());
  if (o.output == "json") {
    std::cout << JsonObject({{"deleted", name}});
    return 0;
  }
  std::cout << T(o, {"konteks dihapus: ", "context deleted: "}) << name << "\n";
  return 0;
}

}  // namespace

void AddContextCommands(CLI::App& app, Options& o, int* rc) {
  static std::string name;
  auto* context = app.add_subcommand(
      "context", "Saved sign-ins: klactl login --context NAME --addr HOST:PORT saves one and makes it current");
  context->require_subcommand(1);
  context->fallthrough();
  context->add_subcommand("list", "Saved sign-ins; * marks the current one")->callback([&o, rc] {
    *rc = ContextList(o);
  });
  auto* use = context->add_subcommand("use", "Make a saved sign-in the current one (its server is used by default)");
  use->add_option("name", name, "Context name")->required();
  use->callback([&o, rc] { *rc = ContextUse(o, name); });
  auto* del = context->add_subcommand("delete", "Forget a saved sign-in");
  del->add_option("name", name, "Context name")->required();
  del->callback([&o, rc] { *rc = ContextDelete(o, name); });
}

}  // namespace kla::klactl
