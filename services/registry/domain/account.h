#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "kla/registry/v1/account.pb.h"
#include "libs/auth/keys.h"
#include "libs/auth/principal.h"
#include "libs/auth/token.h"
#include "libs/common/clock.h"
#include "libs/common/errors.h"
#include "services/registry/domain/region_store.h"
#include "services/registry/domain/sign_in_throttle.h"

namespace kla::registry {

// An account as stored: the account (etag and output-only fields derived),
// its credential and sign-in bookkeeping.
struct StoredAccount {
  v1::Account account;
  int64_t version = 0;
  // Argon2id encoding of a person's password; SHA-256 hex of a system's API
  // key; empty for a system account that has no key yet.
  std::string credential;
  std::string request_id;
  // False until the credential is first used (a create retry may then
  // replace it).
  bool credential_used = false;
  int failed_logins = 0;
  absl::Time locked_until = absl::InfinitePast();
  // Tokens of a lower generation are revoked; raised by every revocation.
  int64_t token_generation = 0;
  // When the tokens were last revoked (revocations older than a token
  // lifetime need not be published).
  absl::Time tokens_not_before = absl::InfinitePast();
};

// A token signing key with its lifetime.
struct StoredKey {
  auth::SigningKey key;
  absl::Time activate_at;
  absl::Time retire_at = absl::InfiniteFuture();  // infinite: current or next
};

// An account's revoked tokens: those below `min_generation`.
struct Revocation {
  std::string name;
  int64_t min_generation = 0;
  absl::Time at;
};

struct AccountFilter {
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string region_code;  // province or kabupaten/kota; empty: all
};

class AccountStore {
 public:
  virtual ~AccountStore() = default;
  // ALREADY_EXISTS when the name or the request id is taken.
  virtual absl::Status Insert(const StoredAccount& account) = 0;
  virtual absl::StatusOr<std::optional<StoredAccount>> Get(absl::string_view name) = 0;
  virtual absl::StatusOr<std::optional<StoredAccount>> GetByRequestId(absl::string_view request_id) = 0;
  // A system account by the SHA-256 of its API key.
  virtual absl::StatusOr<std::optional<StoredAccount>> GetByKeyDigest(absl::string_view digest) = 0;
  // Replaces the account (and its credential fields); ABORTED when the stored
  // version is not `expected_version`. The version goes up by one.
  virtual absl::Status Update(const StoredAccount& account, int64_t expected_version) = 0;
  // Sign-in bookkeeping only: does not change the version (etag).
  virtual absl::Status RecordSignIn(const StoredAccount& account) = 0;
  // One more failed sign-in of `name`, counted atomically (concurrent
  // failures on any replica all count); at `limit` the count starts again
  // and the account is locked until `lock_until`. Returns the count.
  virtual absl::StatusOr<int> CountFailedLogin(absl::string_view name, int limit, absl::Time lock_until) = 0;
  // Accounts by name after `after`.
  virtual absl::StatusOr<std::vector<StoredAccount>> List(const AccountFilter& filter, absl::string_view after,
                                                          int limit) = 0;
  virtual absl::StatusOr<int> CountActive(v1::Role role) = 0;
  // Accounts whose tokens were revoked after `since`.
  virtual absl::StatusOr<std::vector<Revocation>> Revocations(absl::Time since) = 0;

  virtual absl::Status InsertKey(const StoredKey& key) = 0;
  // Keys not retired before `at`, newest activation first.
  virtual absl::StatusOr<std::vector<StoredKey>> Keys(absl::Time at) = 0;
  // Sets retire_at on every key activated before `activated_before` that has
  // none yet.
  virtual absl::Status RetireKeys(absl::Time activated_before, absl::Time retire_at) = 0;
};

struct AccountPage {
  std::vector<v1::Account> accounts;
  std::string next_page_token;
};

struct AccountWithSecret {
  v1::Account account;
  std::string secret;
};

struct SignIn {
  std::string token;
  absl::Time expires;
  v1::Account account;
  absl::Time session_end;  // when renewals stop (sign-in + session_max)
};

struct AccountOptions {
  absl::Duration token_ttl = absl::Hours(1);
  // How long after a password sign-in its tokens may still be renewed: a
  // working day, then the person signs in again.
  absl::Duration session_max = absl::Hours(12);
  // How long a new signing key is published before it signs: long enough
  // for every service to have refreshed its keys.
  absl::Duration key_propagation = absl::Minutes(2);
  // Wrong passwords for one account from all sources, counted in the
  // database (shared by registry replicas), before it is locked for
  // `lockout`. Per source the in-memory throttle stops guessing much sooner.
  int max_failed_logins = 50;
  absl::Duration lockout = absl::Minutes(5);
  SignInLimits sign_in;
};

// Accounts, sign-in, signing keys and revocations. Verifies tokens it
// issues through `verifier`, which it keeps in step with the key table and
// the revocations (the process's verifier, shared with the other services
// it hosts).
class AccountManager {
 public:
  AccountManager(AccountStore* store, RegionStore* regions, auth::TokenVerifier* verifier, const Clock* clock,
                 AccountOptions options = {})
      : store_(store),
        regions_(regions),
        verifier_(verifier),
        clock_(clock),
        options_(options),
        throttle_(options_.sign_in, clock) {}

  // Loads keys (creating the first one) and revocations into the verifier.
  absl::Status Start();
  // Re-reads keys and revocations: picks up rotations, retires old keys.
  absl::Status Refresh();

  absl::StatusOr<AccountWithSecret> Create(const v1::Account& account, absl::string_view request_id,
                                           absl::string_view actor);
  absl::StatusOr<v1::Account> Get(absl::string_view name);
  absl::StatusOr<AccountPage> List(const AccountFilter& filter, int page_size, absl::string_view page_token);
  // `paths`: display_name, email, state, agency, assigned_regions.
  absl::StatusOr<v1::Account> Update(const v1::Account& account, const std::vector<std::string>& paths,
                                     absl::string_view actor);
  absl::StatusOr<AccountWithSecret> ResetCredentials(absl::string_view name, absl::string_view etag);
  absl::StatusOr<absl::Time> RevokeTokens(absl::string_view name);

  // `source`: the caller's address, for the per-source limits of
  // SignInThrottle (empty when unknown). UNAUTHENTICATED "wrong name or
  // password" for unknown names, wrong passwords and disabled accounts
  // alike; RESOURCE_EXHAUSTED with RetryInfo while throttled or locked.
  absl::StatusOr<SignIn> Login(absl::string_view name, absl::string_view password, absl::string_view new_password,
                               absl::string_view source = "");
  absl::StatusOr<SignIn> LoginWithApiKey(absl::string_view api_key);
  // A new token for `caller`'s session (a person signed in with a
  // password), ending with the session at the latest. UNAUTHENTICATED
  // (SESSION_ENDED) once the session is over, after the caller's tokens
  // were revoked, or when the account is disabled or gone;
  // FAILED_PRECONDITION for system accounts (they sign in with their key).
  absl::StatusOr<SignIn> Renew(const auth::Principal& caller);
  absl::StatusOr<v1::Account> ChangePassword(absl::string_view name, absl::string_view password,
                                             absl::string_view new_password, absl::string_view source = "");

  absl::StatusOr<std::vector<StoredKey>> SigningKeys();
  absl::StatusOr<StoredKey> RotateSigningKey();
  absl::StatusOr<std::vector<Revocation>> Revocations();

  // A token for the system account "svc.<service>" (created when missing),
  // for calls from a service hosted with this registry to another.
  // PERMISSION_DENIED when an admin disabled that account.
  absl::StatusOr<SignIn> ServiceToken(absl::string_view service);

  // When no national admin is active: creates one named "admin" (or
  // "admin-2", ...) with a one-time password and writes name and password to
  // `path` (mode 0600). Returns whether one was created.
  absl::StatusOr<bool> EnsureFirstAdmin(const std::string& path);

  // The principal an account signs in as.
  static auth::Principal PrincipalOf(const v1::Account& account);

 private:
  absl::Status ValidateNew(const v1::Account& account);
  absl::Status ValidateScope(const v1::Account& account, Violations* v);
  absl::StatusOr<StoredAccount> Load(absl::string_view name);
  // Login after the throttle admitted it; `checked` tells whether a
  // password was compared (the outcome counts for the throttle).
  absl::StatusOr<SignIn> CheckPassword(const std::string& name, absl::string_view password,
                                       absl::string_view new_password, bool* checked);
  // `session`: the sign-in a renewed token continues (null: a new one).
  absl::StatusOr<SignIn> Issue(StoredAccount& stored, const auth::Principal* session = nullptr);
  absl::StatusOr<std::string> NewCredential(StoredAccount& stored);
  absl::Status CheckNewPassword(absl::string_view name, absl::string_view old_password, absl::string_view password,
                                absl::string_view field);
  // Raises the account's token generation (stored by the caller's update),
  // then applies it to the verifier.
  static void BumpGeneration(StoredAccount* a, absl::Time now);
  void Publish(const StoredAccount& a);

  AccountStore* store_;
  RegionStore* regions_;
  auth::TokenVerifier* verifier_;
  const Clock* clock_;
  AccountOptions options_;
  SignInThrottle throttle_;

  absl::Mutex mu_;
  std::unique_ptr<auth::TokenIssuer> issuer_ ABSL_GUARDED_BY(mu_);  // the key signing now
  std::set<std::string> published_kids_ ABSL_GUARDED_BY(mu_);       // keys this manager put in the verifier
};

}  // namespace kla::registry
