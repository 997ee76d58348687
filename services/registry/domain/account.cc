#include "services/registry/domain/account.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "libs/auth/password.h"
#include "libs/common/errors.h"
#include "libs/common/files.h"
#include "libs/common/log.h"
#include "libs/common/page_token.h"
#include "libs/common/status_macros.h"
#include "libs/kernel/etag.h"
#include "libs/kernel/time.h"
#include "services/registry/domain/region.h"

namespace kla::registry {
namespace {

using google::protobuf::util::TimeUtil;

static_assert(static_cast<int>(auth::Role::kNationalAdmin) == v1::ROLE_NATIONAL_ADMIN);
static_assert(static_cast<int>(auth::Role::kService) == v1::ROLE_SERVICE);

constexpr size_t kMinPasswordLength = 12;
constexpr char kWrongCredentials[] = "wrong name or password";

absl::Status WrongCredentials() {
  return WithReason(absl::UnauthenticatedError(kWrongCredentials), "INVALID_CREDENTIALS");
}

bool IsWrongCredentials(const absl::Status& s) {
  return s.code() == absl::StatusCode::kUnauthenticated && s.message() == kWrongCredentials;
}

bool IsSystemRole(v1::Role role) { return role == v1::ROLE_SERVICE || role == v1::ROLE_INTEGRATION; }

bool IsValidName(absl::string_view name) {
  static const std::regex kName("[a-z0-9][a-z0-9._-]{2,63}");
  return std::regex_match(name.begin(), name.end(), kName);
}

// An Argon2id verification against a fixed hash, so an unknown name takes as
// long as a wrong password.
void SpendAsLongAsAVerify(absl::string_view password) {
  static const std::string kDummy = *auth::HashPassword("kla-timing-equaliser");
  (void)auth::VerifyPassword(password, kDummy);
}

}  // namespace

auth::Principal AccountManager::PrincipalOf(const v1::Account& a) {
  auth::Principal p;
  p.subject = a.name();
  p.role = static_cast<auth::Role>(a.role());
  p.province_code = a.province_code();
  p.region_code = a.region_code();
  p.agency = a.agency();
  p.assigned_regions.assign(a.assigned_regions().begin(), a.assigned_regions().end());
  return p;
}

absl::Status AccountManager::Start() {
  KLA_ASSIGN_OR_RETURN(std::vector<StoredKey> keys, store_->Keys(clock_->Now()));
  if (keys.empty()) {
    KLA_ASSIGN_OR_RETURN(auth::SigningKey key, auth::GenerateSigningKey());
    absl::Status st = store_->InsertKey({.key = key, .activate_at = clock_->Now()});
    // Another registry replica may have created the first key at the same time.
    if (!st.ok() && st.code() != absl::StatusCode::kAlreadyExists) return st;
    log::Info("token signing key created", {{"kid", key.kid}});
  }
  return Refresh();
}

absl::Status AccountManager::Refresh() {
  const absl::Time now = clock_->Now();
  KLA_ASSIGN_OR_RETURN(std::vector<StoredKey> keys, store_->Keys(now));
  std::set<std::string> live;
  const StoredKey* signing = nullptr;
  for (const StoredKey& k : keys) {
    live.insert(k.key.kid);
    KLA_RETURN_IF_ERROR(verifier_->AddKey(k.key.public_pem));
    if (signing == nullptr && k.activate_at <= now) signing = &k;  // newest active first
  }
  KLA_ASSIGN_OR_RETURN(auto revocations, store_->Revocations(now - options_.token_ttl));
  std::map<std::string, int64_t> min_generation;
  for (const Revocation& r : revocations) min_generation[r.name] = r.min_generation;
  verifier_->SetRevocations(std::move(min_generation));
  absl::MutexLock lock(&mu_);
  // Retired keys leave the verifier; keys others added (tests) stay.
  for (const std::string& kid : published_kids_) {
    if (!live.contains(kid)) verifier_->RemoveKey(kid);
  }
  published_kids_ = live;
  if (signing != nullptr && (issuer_ == nullptr || issuer_->kid() != signing->key.kid)) {
    issuer_ = std::make_unique<auth::TokenIssuer>(signing->key, clock_, options_.token_ttl);
  }
  if (issuer_ == nullptr) return absl::FailedPreconditionError("no active token signing key");
  return absl::OkStatus();
}

absl::Status AccountManager::ValidateScope(const v1::Account& a, Violations* v) {
  auto need_region = [&](absl::string_view field, const std::string& code, bool province) -> void {
    if (code.empty()) {
      v->Add(std::string(field), absl::StrCat("required for role ", v1::Role_Name(a.role())));
      return;
    }
    if (province ? !IsProvinceCode(code) : !IsRegencyCode(code)) {
      v->Add(std::string(field),
             province ? "a province code such as \"35\"" : "a kabupaten/kota code such as \"35.72\"");
      return;
    }
    auto region = regions_->Get(code);
    if (!region.ok() || !region->has_value()) v->Add(std::string(field), absl::StrCat("no region has code ", code));
  };
  auto must_be_empty = [&](absl::string_view field, bool empty) {
    if (!empty) v->Add(std::string(field), absl::StrCat("not used by role ", v1::Role_Name(a.role())));
  };
  const bool wants_province = a.role() == v1::ROLE_PROVINCE_VERIFIER || a.role() == v1::ROLE_FIELD_VERIFIER;
  const bool wants_region = a.role() == v1::ROLE_REGION_OPERATOR || a.role() == v1::ROLE_OPD_CONTRIBUTOR;
  if (wants_province) {
    need_region("account.province_code", a.province_code(), true);
  } else {
    must_be_empty("account.province_code", a.province_code().empty());
  }
  if (wants_region) {
    need_region("account.region_code", a.region_code(), false);
  } else {
    must_be_empty("account.region_code", a.region_code().empty());
  }
  if (a.role() == v1::ROLE_OPD_CONTRIBUTOR) {
    if (absl::StripAsciiWhitespace(a.agency()).empty()) {
      v->Add("account.agency", "required for an OPD contributor, e.g. \"Dinas Kesehatan\"");
    }
  } else {
    must_be_empty("account.agency", a.agency().empty());
  }
  if (a.role() == v1::ROLE_FIELD_VERIFIER) {
    std::set<std::string> seen;
    for (int i = 0; i < a.assigned_regions_size(); ++i) {
      const std::string& code = a.assigned_regions(i);
      const std::string field = absl::StrCat("account.assigned_regions[", i, "]");
      need_region(field, code, false);
      if (IsRegencyCode(code) && ProvinceOf(code) == a.province_code()) {
        v->Add(field, absl::StrCat(code, " lies in the verifier's home province ", a.province_code(),
                                   ": field verifiers never verify their own province"));
      }
      if (!seen.insert(code).second) v->Add(field, "listed twice");
    }
  } else {
    must_be_empty("account.assigned_regions", a.assigned_regions().empty());
  }
  return absl::OkStatus();
}

absl::Status AccountManager::ValidateNew(const v1::Account& a) {
  Violations v;
  if (!IsValidName(a.name())) {
    v.Add("account.name", "3-64 characters of a-z, 0-9, \".\", \"_\", \"-\", starting with a letter or digit");
  }
  if (absl::StripAsciiWhitespace(a.display_name()).empty()) v.Add("account.display_name", "required");
  if (a.kind() != v1::ACCOUNT_KIND_PERSON && a.kind() != v1::ACCOUNT_KIND_SYSTEM) {
    v.Add("account.kind", "required: PERSON or SYSTEM");
  }
  if (a.role() == v1::ROLE_UNSPECIFIED || !v1::Role_IsValid(a.role())) {
    v.Add("account.role", "required");
  } else {
    const bool system = IsSystemRole(a.role());
    if (a.kind() == v1::ACCOUNT_KIND_PERSON && system) {
      v.Add("account.kind", absl::StrCat(v1::Role_Name(a.role()), " is for system accounts"));
    }
    // A region's own information system may act as its operator (answers,
    // evidence, submission through the API); every other role needs a
    // person.
    if (a.kind() == v1::ACCOUNT_KIND_SYSTEM && !system && a.role() != v1::ROLE_REGION_OPERATOR) {
      v.Add("account.kind", absl::StrCat(v1::Role_Name(a.role()),
                                         " is for people; systems are INTEGRATION, SERVICE or REGION_OPERATOR"));
    }
    KLA_RETURN_IF_ERROR(ValidateScope(a, &v));
  }
  return v.ToStatus("invalid account");
}

absl::StatusOr<std::string> AccountManager::NewCredential(StoredAccount& stored) {
  const std::string secret = auth::NewSecret();
  // Random, 256 bits: a digest protects it as well as Argon2 would, at no
  // cost (onboarding 514 operators at once). A person's own password is
  // Argon2id (Login, ChangePassword).
  stored.credential = auth::SecretDigest(secret);
  if (stored.account.kind() == v1::ACCOUNT_KIND_PERSON) stored.account.set_password_change_required(true);
  stored.credential_used = false;
  stored.failed_logins = 0;
  stored.locked_until = absl::InfinitePast();
  return secret;
}

absl::StatusOr<AccountWithSecret> AccountManager::Create(const v1::Account& input, absl::string_view request_id,
                                                         absl::string_view actor) {
  if (request_id.empty()) return InvalidField("request_id", "required: a client-chosen id that makes retries safe");
  KLA_ASSIGN_OR_RETURN(std::optional<StoredAccount> earlier, store_->GetByRequestId(request_id));
  if (earlier) {
    if (earlier->account.name() != input.name()) {
      return InvalidField("request_id", absl::StrCat("already used to create account ", earlier->account.name()));
    }
    AccountWithSecret out;
    if (!earlier->credential_used) {  // the first answer was lost: hand out a fresh secret
      KLA_ASSIGN_OR_RETURN(out.secret, NewCredential(*earlier));
      KLA_RETURN_IF_ERROR(store_->Update(*earlier, earlier->version));
      ++earlier->version;
    }
    out.account = earlier->account;
    out.account.set_etag(FormatEtag(kAccountEtag, earlier->version));
    return out;
  }
  KLA_RETURN_IF_ERROR(ValidateNew(input));
  StoredAccount stored;
  stored.account = input;
  stored.account.set_state(v1::ACCOUNT_STATE_ACTIVE);
  stored.account.set_password_change_required(false);
  const auto now = ToProtoTime(clock_->Now());
  *stored.account.mutable_create_time() = now;
  *stored.account.mutable_update_time() = now;
  stored.account.clear_last_login_time();
  stored.account.set_created_by(std::string(actor));
  stored.account.clear_etag();
  stored.request_id = std::string(request_id);
  stored.version = 1;
  KLA_ASSIGN_OR_RETURN(std::string secret, NewCredential(stored));
  absl::Status st = store_->Insert(stored);
  if (st.code() == absl::StatusCode::kAlreadyExists) {
    return absl::AlreadyExistsError(absl::StrCat("account ", input.name(), " already exists"));
  }
  KLA_RETURN_IF_ERROR(st);
  stored.account.set_etag(FormatEtag(kAccountEtag, stored.version));
  return AccountWithSecret{stored.account, secret};
}

absl::StatusOr<StoredAccount> AccountManager::Load(absl::string_view name) {
  if (name.empty()) return InvalidField("name", "required");
  KLA_ASSIGN_OR_RETURN(std::optional<StoredAccount> a, store_->Get(name));
  if (!a) return NotFound("account", name);
  a->account.set_etag(FormatEtag(kAccountEtag, a->version));
  return *a;
}

absl::StatusOr<v1::Account> AccountManager::Get(absl::string_view name) {
  KLA_ASSIGN_OR_RETURN(StoredAccount a, Load(name));
  return a.account;
}

absl::StatusOr<AccountPage> AccountManager::List(const AccountFilter& filter, int page_size,
                                                 absl::string_view page_token) {
  if (!filter.region_code.empty()) KLA_RETURN_IF_ERROR(ValidateRegionCode("region_code", filter.region_code));
  if (!v1::Role_IsValid(filter.role)) return InvalidField("role", "unknown role");
  KLA_ASSIGN_OR_RETURN(const int size, ResolvePageSize(page_size));
  const std::string fingerprint = absl::StrCat("accounts|", filter.role, "|", filter.region_code);
  KLA_ASSIGN_OR_RETURN(const std::string after, DecodePageToken(page_token, fingerprint));
  KLA_ASSIGN_OR_RETURN(std::vector<StoredAccount> rows, store_->List(filter, after, size + 1));
  AccountPage page;
  if (static_cast<int>(rows.size()) > size) {
    rows.resize(static_cast<size_t>(size));
    page.next_page_token = EncodePageToken(fingerprint, rows.back().account.name());
  }
  for (auto& r : rows) {
    r.account.set_etag(FormatEtag(kAccountEtag, r.version));
    page.accounts.push_back(std::move(r.account));
  }
  return page;
}

void AccountManager::BumpGeneration(StoredAccount* a, absl::Time now) {
  ++a->token_generation;
  a->tokens_not_before = now;
}

void AccountManager::Publish(const StoredAccount& a) { verifier_->Revoke(a.account.name(), a.token_generation); }

absl::StatusOr<v1::Account> AccountManager::Update(const v1::Account& input, const std::vector<std::string>& paths,
                                                   absl::string_view actor) {
  KLA_ASSIGN_OR_RETURN(StoredAccount stored, Load(input.name()));
  if (input.etag().empty()) return InvalidField("account.etag", "required: the etag you read");
  if (input.etag() != stored.account.etag()) {
    return StaleEtag(absl::StrCat("account ", input.name(), " was changed by someone else (etag ", input.etag(),
                                  " is stale): read it again"));
  }
  if (paths.empty()) {
    return InvalidField("update_mask", "name at least one of display_name, email, state, agency, assigned_regions");
  }
  v1::Account next = stored.account;
  bool disabling = false;
  for (const auto& p : paths) {
    if (p == "display_name") {
      next.set_display_name(input.display_name());
    } else if (p == "email") {
      next.set_email(input.email());
    } else if (p == "state") {
      if (input.state() != v1::ACCOUNT_STATE_ACTIVE && input.state() != v1::ACCOUNT_STATE_DISABLED) {
        return InvalidField("account.state", "ACTIVE or DISABLED");
      }
      disabling = input.state() == v1::ACCOUNT_STATE_DISABLED && next.state() == v1::ACCOUNT_STATE_ACTIVE;
      next.set_state(input.state());
    } else if (p == "agency") {
      next.set_agency(input.agency());
    } else if (p == "assigned_regions") {
      *next.mutable_assigned_regions() = input.assigned_regions();
    } else {
      return InvalidField("update_mask", absl::StrCat("\"", p,
                                                      "\" cannot be updated; allowed: display_name, email, state, "
                                                      "agency, assigned_regions"));
    }
  }
  Violations v;
  if (absl::StripAsciiWhitespace(next.display_name()).empty()) v.Add("account.display_name", "required");
  KLA_RETURN_IF_ERROR(ValidateScope(next, &v));
  KLA_RETURN_IF_ERROR(v.ToStatus("invalid account"));
  if (disabling && next.role() == v1::ROLE_NATIONAL_ADMIN) {
    KLA_ASSIGN_OR_RETURN(const int admins, store_->CountActive(v1::ROLE_NATIONAL_ADMIN));
    if (admins <= 1) {
      return WithReason(
          absl::FailedPreconditionError("this is the last active national admin: create another one first"),
          "LAST_NATIONAL_ADMIN");
    }
  }
  const absl::Time now = clock_->Now();
  *next.mutable_update_time() = ToProtoTime(now);
  next.clear_etag();
  stored.account = next;
  // Scope changes (assignments, agency) and disabling take effect at once:
  // tokens carrying the old scope are revoked.
  BumpGeneration(&stored, now);
  (void)actor;  // the account's history is the audit log's job (kept in logs)
  KLA_RETURN_IF_ERROR(store_->Update(stored, stored.version));
  Publish(stored);
  log::Info("account updated", {{"account", stored.account.name()}, {"by", actor}});
  next.set_etag(FormatEtag(kAccountEtag, stored.version + 1));
  return next;
}

absl::StatusOr<AccountWithSecret> AccountManager::ResetCredentials(absl::string_view name, absl::string_view etag) {
  if (etag.empty()) return InvalidField("etag", "required: the etag you read");
  KLA_ASSIGN_OR_RETURN(StoredAccount stored, Load(name));
  if (etag != stored.account.etag()) {
    return StaleEtag(absl::StrCat("account ", name, " was changed by someone else: read it again"));
  }
  KLA_ASSIGN_OR_RETURN(std::string secret, NewCredential(stored));
  const absl::Time now = clock_->Now();
  BumpGeneration(&stored, now);
  stored.account.clear_etag();
  *stored.account.mutable_update_time() = ToProtoTime(now);
  KLA_RETURN_IF_ERROR(store_->Update(stored, stored.version));
  Publish(stored);
  stored.account.set_etag(FormatEtag(kAccountEtag, stored.version + 1));
  return AccountWithSecret{stored.account, secret};
}

absl::StatusOr<absl::Time> AccountManager::RevokeTokens(absl::string_view name) {
  KLA_ASSIGN_OR_RETURN(StoredAccount stored, Load(name));
  const absl::Time now = clock_->Now();
  BumpGeneration(&stored, now);
  KLA_RETURN_IF_ERROR(store_->RecordSignIn(stored));
  Publish(stored);
  return now;
}

absl::Status AccountManager::CheckNewPassword(absl::string_view name, absl::string_view old_password,
                                              absl::string_view password, absl::string_view field) {
  if (password.size() < kMinPasswordLength) {
    return InvalidField(field, absl::StrCat("at least ", kMinPasswordLength, " characters"));
  }
  if (absl::AsciiStrToLower(password) == name) return InvalidField(field, "must not be the account name");
  if (password == old_password) return InvalidField(field, "must differ from the current password");
  return absl::OkStatus();
}

absl::StatusOr<SignIn> AccountManager::Issue(StoredAccount& stored, const auth::Principal* session) {
  auth::Principal p = PrincipalOf(stored.account);
  p.generation = stored.token_generation;
  if (session != nullptr) {
    p.auth_time = session->auth_time;
    p.expires = session->auth_time + options_.session_max;
  }
  std::string token;
  {
    absl::MutexLock lock(&mu_);
    if (issuer_ == nullptr) return absl::UnavailableError("token signing is not ready");
    KLA_ASSIGN_OR_RETURN(token, issuer_->Issue(&p));
  }
  stored.account.set_etag(FormatEtag(kAccountEtag, stored.version));
  return SignIn{token, p.expires, stored.account, p.auth_time + options_.session_max};
}

absl::StatusOr<SignIn> AccountManager::Login(absl::string_view name, absl::string_view password,
                                             absl::string_view new_password, absl::string_view source) {
  Violations v;
  if (name.empty()) v.Add("name", "required");
  if (password.empty()) v.Add("password", "required");
  if (name.size() > 64) v.Add("name", "at most 64 characters");
  if (password.size() > 1024 || new_password.size() > 1024) v.Add("password", "at most 1024 bytes");
  KLA_RETURN_IF_ERROR(v.ToStatus("name and password required"));
  const std::string key = absl::AsciiStrToLower(name);
  // Claimed before anything is looked up: a name that does not exist is
  // throttled exactly as one that does.
  KLA_RETURN_IF_ERROR(throttle_.Claim(key, source));
  bool checked = false;
  absl::StatusOr<SignIn> in = CheckPassword(key, password, new_password, &checked);
  if (!checked) {
    throttle_.Finish(key, source, SignInThrottle::Result::kNotChecked);
  } else {
    throttle_.Finish(key, source,
                     IsWrongCredentials(in.status()) ? SignInThrottle::Result::kWrong : SignInThrottle::Result::kRight);
  }
  return in;
}

absl::StatusOr<SignIn> AccountManager::CheckPassword(const std::string& name, absl::string_view password,
                                                     absl::string_view new_password, bool* checked) {
  std::optional<SignInThrottle::HashSlot> slot;
  KLA_RETURN_IF_ERROR(throttle_.AcquireHash(&slot));
  KLA_ASSIGN_OR_RETURN(std::optional<StoredAccount> found, store_->Get(name));
  *checked = true;
  if (!found || found->account.kind() != v1::ACCOUNT_KIND_PERSON) {
    SpendAsLongAsAVerify(password);
    return WrongCredentials();
  }
  StoredAccount& a = *found;
  const absl::Time now = clock_->Now();
  if (a.locked_until > now) {
    *checked = false;
    const std::string until = FormatWibClock(a.locked_until);
    return WithReason(ResourceExhaustedRetryAfter(absl::StrCat("too many failed sign-ins: try again after ", until),
                                                  a.locked_until - now),
                      "ACCOUNT_LOCKED", {{"until", until}});
  }
  // A one-time password is checked by digest; the sign-in still takes as
  // long as an Argon2 check, so timing never tells which names exist or
  // still await their first sign-in.
  if (!absl::StartsWith(a.credential, "$argon2")) SpendAsLongAsAVerify(password);
  if (!auth::CredentialMatches(password, a.credential)) {
    // Counted in the database too, atomically, so registry replicas share
    // the account's limit.
    KLA_RETURN_IF_ERROR(
        store_->CountFailedLogin(a.account.name(), options_.max_failed_logins, now + options_.lockout).status());
    return WrongCredentials();
  }
  if (a.account.state() != v1::ACCOUNT_STATE_ACTIVE) return WrongCredentials();
  a.failed_logins = 0;
  a.locked_until = absl::InfinitePast();
  a.credential_used = true;
  *a.account.mutable_last_login_time() = ToProtoTime(now);
  if (a.account.password_change_required()) {
    if (new_password.empty()) {
      return WithReason(
          absl::FailedPreconditionError(
              "this is a one-time password: choose a new password (new_password, at least 12 characters)"),
          "NEW_PASSWORD_REQUIRED");
    }
    KLA_RETURN_IF_ERROR(CheckNewPassword(a.account.name(), password, new_password, "new_password"));
    KLA_ASSIGN_OR_RETURN(a.credential, auth::HashPassword(new_password));
    a.account.set_password_change_required(false);
    *a.account.mutable_update_time() = ToProtoTime(now);
    a.account.clear_etag();
    KLA_RETURN_IF_ERROR(store_->Update(a, a.version));
    ++a.version;
  } else {
    KLA_RETURN_IF_ERROR(store_->RecordSignIn(a));
  }
  return Issue(a);
}

absl::StatusOr<SignIn> AccountManager::LoginWithApiKey(absl::string_view api_key) {
  if (api_key.empty()) return InvalidField("api_key", "required");
  KLA_ASSIGN_OR_RETURN(std::optional<StoredAccount> found, store_->GetByKeyDigest(auth::SecretDigest(api_key)));
  if (!found || found->account.kind() != v1::ACCOUNT_KIND_SYSTEM ||
      found->account.state() != v1::ACCOUNT_STATE_ACTIVE) {
    return absl::UnauthenticatedError("unknown API key, or its account is disabled");
  }
  if (!found->credential_used) {
    found->credential_used = true;
    *found->account.mutable_last_login_time() = ToProtoTime(clock_->Now());
    KLA_RETURN_IF_ERROR(store_->RecordSignIn(*found));
  }
  return Issue(*found);
}

absl::StatusOr<SignIn> AccountManager::Renew(const auth::Principal& caller) {
  auto ended = [](absl::string_view why) {
    return WithReason(absl::UnauthenticatedError(absl::StrCat(why, ": sign in again")), "SESSION_ENDED");
  };
  KLA_ASSIGN_OR_RETURN(std::optional<StoredAccount> found, store_->Get(caller.subject));
  if (found && found->account.kind() != v1::ACCOUNT_KIND_PERSON) {
    return WithReason(absl::FailedPreconditionError("system accounts sign in again with their API key"),
                      "SYSTEM_ACCOUNT_NO_PASSWORD");
  }
  if (!found || found->account.state() != v1::ACCOUNT_STATE_ACTIVE) return ended("the account is disabled");
  // A password change, a reset or "sign out everywhere" raised the
  // generation: the session it ended stays ended.
  if (found->token_generation != caller.generation) return ended("the session was ended");
  if (clock_->Now() >= caller.auth_time + options_.session_max) return ended("the session is over");
  return Issue(*found, &caller);
}

absl::StatusOr<v1::Account> AccountManager::ChangePassword(absl::string_view name, absl::string_view password,
                                                           absl::string_view new_password, absl::string_view source) {
  if (password.size() > 1024 || new_password.size() > 1024) return InvalidField("password", "at most 1024 bytes");
  KLA_ASSIGN_OR_RETURN(StoredAccount a, Load(name));
  if (a.account.kind() != v1::ACCOUNT_KIND_PERSON) {
    return WithReason(
        absl::FailedPreconditionError("system accounts have API keys, not passwords: ask an admin to reset it"),
        "SYSTEM_ACCOUNT_NO_PASSWORD");
  }
  // Guessing the current password with a stolen token is throttled as a
  // sign-in is.
  KLA_RETURN_IF_ERROR(throttle_.Claim(a.account.name(), source));
  std::optional<SignInThrottle::HashSlot> slot;
  if (absl::Status busy = throttle_.AcquireHash(&slot); !busy.ok()) {
    throttle_.Finish(a.account.name(), source, SignInThrottle::Result::kNotChecked);
    return busy;
  }
  const bool right = auth::CredentialMatches(password, a.credential);
  throttle_.Finish(a.account.name(), source, right ? SignInThrottle::Result::kRight : SignInThrottle::Result::kWrong);
  if (!right) return absl::UnauthenticatedError("wrong current password");
  KLA_RETURN_IF_ERROR(CheckNewPassword(a.account.name(), password, new_password, "new_password"));
  KLA_ASSIGN_OR_RETURN(a.credential, auth::HashPassword(new_password));
  const absl::Time now = clock_->Now();
  a.account.set_password_change_required(false);
  *a.account.mutable_update_time() = ToProtoTime(now);
  a.account.clear_etag();
  BumpGeneration(&a, now);
  KLA_RETURN_IF_ERROR(store_->Update(a, a.version));
  Publish(a);
  a.account.set_etag(FormatEtag(kAccountEtag, a.version + 1));
  return a.account;
}

absl::StatusOr<std::vector<StoredKey>> AccountManager::SigningKeys() { return store_->Keys(clock_->Now()); }

absl::StatusOr<StoredKey> AccountManager::RotateSigningKey() {
  KLA_ASSIGN_OR_RETURN(auth::SigningKey key, auth::GenerateSigningKey());
  StoredKey next{.key = key, .activate_at = clock_->Now() + options_.key_propagation};
  // Every older key signs until the new one activates; its last tokens
  // expire one lifetime later.
  KLA_RETURN_IF_ERROR(store_->RetireKeys(next.activate_at, next.activate_at + options_.token_ttl));
  KLA_RETURN_IF_ERROR(store_->InsertKey(next));
  KLA_RETURN_IF_ERROR(Refresh());
  log::Info("token signing key rotation started",
            {{"kid", key.kid}, {"activates", absl::FormatTime(next.activate_at)}});
  return next;
}

absl::StatusOr<std::vector<Revocation>> AccountManager::Revocations() {
  return store_->Revocations(clock_->Now() - options_.token_ttl);
}

absl::StatusOr<SignIn> AccountManager::ServiceToken(absl::string_view service) {
  const std::string name = absl::StrCat("svc.", service);
  KLA_ASSIGN_OR_RETURN(std::optional<StoredAccount> found, store_->Get(name));
  if (!found) {
    StoredAccount a;
    a.account.set_name(name);
    a.account.set_display_name(absl::StrCat("kla ", service, " service"));
    a.account.set_kind(v1::ACCOUNT_KIND_SYSTEM);
    a.account.set_role(v1::ROLE_SERVICE);
    a.account.set_state(v1::ACCOUNT_STATE_ACTIVE);
    *a.account.mutable_create_time() = ToProtoTime(clock_->Now());
    *a.account.mutable_update_time() = ToProtoTime(clock_->Now());
    a.account.set_created_by("kla-server");
    a.request_id = absl::StrCat("kla-server:", name);
    a.version = 1;
    absl::Status st = store_->Insert(a);
    if (!st.ok() && st.code() != absl::StatusCode::kAlreadyExists) return st;
    KLA_ASSIGN_OR_RETURN(found, store_->Get(name));
    if (!found) return absl::InternalError("service account vanished");
  }
  if (found->account.state() != v1::ACCOUNT_STATE_ACTIVE) {
    return WithReason(absl::PermissionDeniedError(absl::StrCat("service account ", name, " is disabled")),
                      "ACCOUNT_DISABLED");
  }
  return Issue(*found);
}

absl::StatusOr<bool> AccountManager::EnsureFirstAdmin(const std::string& path) {
  KLA_ASSIGN_OR_RETURN(const int admins, store_->CountActive(v1::ROLE_NATIONAL_ADMIN));
  if (admins > 0) return false;
  std::string name = "admin";
  for (int i = 2;; ++i) {
    KLA_ASSIGN_OR_RETURN(std::optional<StoredAccount> taken, store_->Get(name));
    if (!taken) break;
    name = absl::StrCat("admin-", i);
  }
  v1::Account a;
  a.set_name(name);
  a.set_display_name("Admin Nasional KLA (KemenPPPA)");
  a.set_kind(v1::ACCOUNT_KIND_PERSON);
  a.set_role(v1::ROLE_NATIONAL_ADMIN);
  KLA_ASSIGN_OR_RETURN(AccountWithSecret created,
                       Create(a, absl::StrCat("kla-server:first-admin:", name), "kla-server"));
  absl::Status written =
      WriteFileAtomically(path,
                          absl::StrCat("# kla: admin nasional pertama / first national admin\n",
                                       "# Kata sandi sekali pakai: `klactl login` meminta kata sandi baru.\n",
                                       "# One-time password: `klactl login` asks for a new one.\n",
                                       "name: ", created.account.name(), "\n", "password: ", created.secret, "\n"),
                          0600);
  if (!written.ok()) {
    // Without the file nobody could sign in: disable the account, so the next
    // start creates another.
    KLA_ASSIGN_OR_RETURN(std::optional<StoredAccount> s, store_->Get(name));
    if (s) {
      s->account.set_state(v1::ACCOUNT_STATE_DISABLED);
      (void)store_->Update(*s, s->version);
    }
    return written;
  }
  log::Info("first national admin created", {{"account", name}, {"credentials", path}});
  return true;
}

}  // namespace kla::registry
