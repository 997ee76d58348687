// AccountManager on both SQL engines with an injected clock: accounts,
// one-time credentials, sign-in, lockout, revocation, key rotation.

#include "services/registry/storage/sql_account_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "absl/strings/escaping.h"
#include "libs/common/errors.h"
#include "libs/testing/process.h"
#include "services/registry/domain/account.h"
#include "services/registry/storage/registry_test_fixture.h"

namespace kla::registry {
namespace {

using testing::Engine;
using ::testing::HasSubstr;

constexpr char kNewPassword[] = "Blitar-Layak-Anak-2025";

class AccountTest : public RegistryStorageTest {
 protected:
  void SetUp() override {
    RegistryStorageTest::SetUp();
    RegionDirectory dir(regions_.get());
    ASSERT_TRUE(dir.ImportRegions({.request_id = "accounts",
                                   .provinces_csv = "code,name\n35,Jawa Timur\n61,Kalimantan Barat\n",
                                   .regencies_csv = "code,province_code,name\n35.05,35,Kabupaten Blitar\n"
                                                    "35.72,35,Kota Blitar\n61.71,61,Kota Pontianak\n"})
                    .ok());
    store_ = std::make_unique<SqlAccountStore>(db_.get());
    accounts_ = std::make_unique<AccountManager>(store_.get(), regions_.get(), &verifier_, &clock_,
                                                 AccountOptions{.token_ttl = absl::Hours(1)});
    ASSERT_TRUE(accounts_->Start().ok());
  }

  v1::Account Operator(const std::string& name = "op.kota-blitar") {
    v1::Account a;
    a.set_name(name);
    a.set_display_name("Sekretariat Gugus Tugas KLA Kota Blitar");
    a.set_kind(v1::ACCOUNT_KIND_PERSON);
    a.set_role(v1::ROLE_REGION_OPERATOR);
    a.set_region_code("35.72");
    return a;
  }

  // Creates an account and replaces its one-time password.
  std::string CreateAndActivate(const v1::Account& a) {
    auto created = accounts_->Create(a, "req-" + a.name(), "test-admin");
    EXPECT_TRUE(created.ok()) << created.status();
    auto in = accounts_->Login(a.name(), created->secret, kNewPassword);
    EXPECT_TRUE(in.ok()) << in.status();
    return in->token;
  }

  // The "kid" header of a JWT.
  static std::string KidOf(const std::string& token) {
    std::string header;
    absl::WebSafeBase64Unescape(token.substr(0, token.find('.')), &header);
    const size_t at = header.find("\"kid\":\"");
    return header.substr(at + 7, 16);
  }

  auth::TokenVerifier verifier_{&clock_};
  std::unique_ptr<SqlAccountStore> store_;
  std::unique_ptr<AccountManager> accounts_;
};

TEST_P(AccountTest, CreateListsEveryScopeMistake) {
  v1::Account a;
  a.set_name("X");  // upper case
  a.set_kind(v1::ACCOUNT_KIND_PERSON);
  a.set_role(v1::ROLE_SERVICE);     // a system role on a person
  a.set_agency("Dinas Kesehatan");  // not used by the role
  auto r = accounts_->Create(a, "r1", "test-admin");
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const auto& v : GetFieldViolations(r.status())) fields.push_back(v.field);
  EXPECT_THAT(fields, ::testing::UnorderedElementsAre("account.name", "account.display_name", "account.kind",
                                                      "account.agency"));

  v1::Account fv;
  fv.set_name("fv.jatim");
  fv.set_display_name("Verifikator Lapangan");
  fv.set_kind(v1::ACCOUNT_KIND_PERSON);
  fv.set_role(v1::ROLE_FIELD_VERIFIER);
  fv.set_province_code("35");
  fv.add_assigned_regions("35.72");  // own province
  fv.add_assigned_regions("99.99");  // unknown
  r = accounts_->Create(fv, "r2", "test-admin");
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  const auto violations = GetFieldViolations(r.status());
  ASSERT_EQ(violations.size(), 2U);
  EXPECT_THAT(violations[0].description, HasSubstr("home province"));
  EXPECT_EQ(violations[1].field, "account.assigned_regions[1]");

  v1::Account op = Operator();
  op.clear_region_code();
  r = accounts_->Create(op, "r3", "test-admin");
  ASSERT_EQ(GetFieldViolations(r.status()).size(), 1U);
  EXPECT_EQ(GetFieldViolations(r.status())[0].field, "account.region_code");
}

TEST_P(AccountTest, OneTimePasswordMustBeReplacedAtFirstSignIn) {
  auto created = accounts_->Create(Operator(), "req-1", "test-admin");
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(created->account.password_change_required());
  EXPECT_EQ(created->account.created_by(), "test-admin");
  const std::string otp = created->secret;
  EXPECT_GE(otp.size(), 32U);

  EXPECT_EQ(accounts_->Login("op.kota-blitar", otp, "").status().code(), absl::StatusCode::kFailedPrecondition);
  auto weak = accounts_->Login("op.kota-blitar", otp, "short");
  EXPECT_EQ(weak.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldViolations(weak.status())[0].field, "new_password");

  auto in = accounts_->Login("op.kota-blitar", otp, kNewPassword);
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_FALSE(in->account.password_change_required());
  auto principal = verifier_.Verify(in->token);
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->subject, "op.kota-blitar");
  EXPECT_EQ(principal->role, auth::Role::kRegionOperator);
  EXPECT_EQ(principal->region_code, "35.72");
  EXPECT_EQ(in->expires, clock_.Now() + absl::Hours(1));

  EXPECT_TRUE(accounts_->Login("op.kota-blitar", kNewPassword, "").ok());
  EXPECT_EQ(accounts_->Login("op.kota-blitar", otp, "").status().code(), absl::StatusCode::kUnauthenticated);
}

// A session renews hour by hour, keeping its sign-in time, until 12 hours
// after the password was given; a password change ends it at once.
TEST_P(AccountTest, ASessionRenewsUntilItsEndAndNotAfterItWasEnded) {
  const std::string token = CreateAndActivate(Operator());
  const absl::Time signed_in = clock_.Now();
  auto caller = verifier_.Verify(token);
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->auth_time, absl::FromUnixSeconds(absl::ToUnixSeconds(signed_in)));
  clock_.Advance(absl::Minutes(50));
  auto renewed = accounts_->Renew(*caller);
  ASSERT_TRUE(renewed.ok()) << renewed.status();
  EXPECT_EQ(renewed->expires, clock_.Now() + absl::Hours(1));
  EXPECT_EQ(renewed->session_end, caller->auth_time + absl::Hours(12));
  auto next = verifier_.Verify(renewed->token);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->auth_time, caller->auth_time) << "a renewal is not a new sign-in";
  EXPECT_EQ(next->region_code, "35.72");
  // Renewed near its end, the token ends with the session.
  clock_.Advance(absl::Hours(11) + absl::Minutes(30) - absl::Minutes(50));
  auto last = accounts_->Renew(*next);
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(last->expires, caller->auth_time + absl::Hours(12));
  clock_.Advance(absl::Minutes(31));
  auto over = accounts_->Renew(*next);
  EXPECT_EQ(over.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(GetReason(over.status())->reason, "SESSION_ENDED");

  // A new sign-in, then the password changed: its session cannot renew.
  auto again = accounts_->Login("op.kota-blitar", kNewPassword, "");
  ASSERT_TRUE(again.ok()) << again.status();
  auto fresh = verifier_.Verify(again->token);
  ASSERT_TRUE(fresh.ok());
  ASSERT_TRUE(accounts_->ChangePassword("op.kota-blitar", kNewPassword, "another-password-2", "").ok());
  EXPECT_EQ(GetReason(accounts_->Renew(*fresh).status())->reason, "SESSION_ENDED");
}

TEST_P(AccountTest, UnknownNameAndWrongPasswordLookTheSame) {
  CreateAndActivate(Operator());
  auto unknown = accounts_->Login("nobody", "whatever-password", "");
  auto wrong = accounts_->Login("op.kota-blitar", "whatever-password", "");
  EXPECT_EQ(unknown.status(), wrong.status());
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_P(AccountTest, RepeatedFailuresLockTheAccountForAWhile) {
  CreateAndActivate(Operator());
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(accounts_->Login("op.kota-blitar", "guess", "").status().code(), absl::StatusCode::kUnauthenticated);
  }
  EXPECT_EQ(accounts_->Login("op.kota-blitar", kNewPassword, "").status().code(), absl::StatusCode::kResourceExhausted);
  clock_.Advance(absl::Minutes(6));
  EXPECT_TRUE(accounts_->Login("op.kota-blitar", kNewPassword, "").ok());
}

TEST_P(AccountTest, SigningPrivateKeysAreSealedAtRest) {
  // The fixture's store has no secrets key: its first key is in clear, as
  // in a database from before keys were sealed.
  auto before = store_->Keys(clock_.Now());
  ASSERT_TRUE(before.ok() && before->size() == 1) << before.status();
  auto box = SecretBox::FromKey(std::string(32, 'k'));
  ASSERT_TRUE(box.ok());
  SqlAccountStore sealed(db_.get(), &*box);
  EXPECT_EQ(*sealed.SealKeys(), 1);
  EXPECT_EQ(*sealed.SealKeys(), 0);  // nothing left in clear
  auto raw = db_->Execute("SELECT private_pem FROM registry_signing_keys");
  ASSERT_TRUE(raw.ok());
  for (const auto& row : raw->rows) {
    EXPECT_TRUE(SecretBox::IsSealed(row.Text(0)));
    EXPECT_EQ(row.Text(0).find("PRIVATE KEY"), std::string::npos);
  }
  auto opened = sealed.Keys(clock_.Now());
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ((*opened)[0].key.private_pem, (*before)[0].key.private_pem);
  // Without the key, or with another, the keys do not open: a clear error,
  // not a signing key made up anew.
  EXPECT_EQ(store_->Keys(clock_.Now()).status().code(), absl::StatusCode::kFailedPrecondition);
  auto other = SecretBox::FromKey(std::string(32, 'x'));
  EXPECT_EQ(SqlAccountStore(db_.get(), &*other).Keys(clock_.Now()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // A key stored through a sealed store is sealed from the start.
  auto fresh = auth::GenerateSigningKey();
  ASSERT_TRUE(sealed.InsertKey({.key = *fresh, .activate_at = clock_.Now()}).ok());
  auto rows = db_->Execute("SELECT private_pem FROM registry_signing_keys WHERE kid = ?", {fresh->kid});
  EXPECT_TRUE(SecretBox::IsSealed(rows->rows[0].Text(0)));
}

TEST_P(AccountTest, AStrangerCannotLockTheOwnerOut) {
  CreateAndActivate(Operator());
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(accounts_->Login("op.kota-blitar", "guess", "", "203.0.113.9").status().code(),
              absl::StatusCode::kUnauthenticated);
  }
  // The stranger waits; the owner, from the regional office, does not.
  EXPECT_EQ(accounts_->Login("op.kota-blitar", kNewPassword, "", "203.0.113.9").status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(accounts_->Login("op.kota-blitar", kNewPassword, "", "10.35.72.5").ok());
  // An unknown name answers exactly as a known one, before and after.
  for (int i = 0; i < 5; ++i) (void)accounts_->Login("op.tidak-ada", "guess", "", "203.0.113.9");
  auto unknown = accounts_->Login("op.tidak-ada", "guess", "", "203.0.113.9");
  auto known = accounts_->Login("op.kota-blitar", "guess", "", "203.0.113.9");
  EXPECT_EQ(unknown.status().code(), known.status().code());
  EXPECT_EQ(unknown.status().message(), known.status().message());
}

TEST_P(AccountTest, GuessesOnEveryReplicaCountTowardsOneAccountLimit) {
  CreateAndActivate(Operator());
  // A second registry replica on the same database, with its own memory.
  AccountManager replica(store_.get(), regions_.get(), &verifier_, &clock_, AccountOptions{});
  ASSERT_TRUE(replica.Start().ok());
  for (int i = 0; i < 25; ++i) {
    const std::string source = "198.51.100." + std::to_string(i);
    (void)accounts_->Login("op.kota-blitar", "guess", "", source);
    (void)replica.Login("op.kota-blitar", "guess", "", source);
  }
  // 50 wrong passwords in all: the account itself waits, on both replicas.
  EXPECT_EQ(accounts_->Login("op.kota-blitar", kNewPassword, "", "10.35.72.5").status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(replica.Login("op.kota-blitar", kNewPassword, "", "10.35.72.6").status().code(),
            absl::StatusCode::kResourceExhausted);
  clock_.Advance(absl::Minutes(6));
  EXPECT_TRUE(replica.Login("op.kota-blitar", kNewPassword, "", "10.35.72.6").ok());
}

TEST_P(AccountTest, ChangePasswordLimitsGuessesOfTheCurrentOne) {
  CreateAndActivate(Operator());
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(
        accounts_->ChangePassword("op.kota-blitar", "guess-guess-1", "a-new-password-1", "203.0.113.9").status().code(),
        absl::StatusCode::kUnauthenticated);
  }
  EXPECT_EQ(
      accounts_->ChangePassword("op.kota-blitar", kNewPassword, "a-new-password-1", "203.0.113.9").status().code(),
      absl::StatusCode::kResourceExhausted);
}

TEST_P(AccountTest, CreateRetryHandsOutAFreshSecretUntilTheFirstIsUsed) {
  auto first = accounts_->Create(Operator(), "req-1", "test-admin");
  ASSERT_TRUE(first.ok());
  auto retry = accounts_->Create(Operator(), "req-1", "test-admin");
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_NE(retry->secret, first->secret);
  EXPECT_EQ(accounts_->Login("op.kota-blitar", first->secret, kNewPassword).status().code(),
            absl::StatusCode::kUnauthenticated);
  ASSERT_TRUE(accounts_->Login("op.kota-blitar", retry->secret, kNewPassword).ok());
  auto late = accounts_->Create(Operator(), "req-1", "test-admin");
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->secret, "");  // used: the retry must not reset a working password
  EXPECT_EQ(accounts_->Create(Operator(), "req-2", "test-admin").status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(accounts_->Create(Operator("op.other"), "req-1", "test-admin").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(AccountTest, DisablingRevokesTokensAtOnceButNotTheLastAdmin) {
  const std::string token = CreateAndActivate(Operator());
  ASSERT_TRUE(verifier_.Verify(token).ok());
  v1::Account a = *accounts_->Get("op.kota-blitar");
  a.set_state(v1::ACCOUNT_STATE_DISABLED);
  auto updated = accounts_->Update(a, {"state"}, "test-admin");
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_NE(updated->etag(), a.etag());
  EXPECT_THAT(verifier_.Verify(token).status().message(), HasSubstr("revoked"));
  EXPECT_EQ(accounts_->Login("op.kota-blitar", kNewPassword, "").status().code(), absl::StatusCode::kUnauthenticated);
  // A stale etag is refused.
  EXPECT_EQ(accounts_->Update(a, {"display_name"}, "test-admin").status().code(), absl::StatusCode::kAborted);

  v1::Account admin;
  admin.set_name("admin");
  admin.set_display_name("Admin");
  admin.set_kind(v1::ACCOUNT_KIND_PERSON);
  admin.set_role(v1::ROLE_NATIONAL_ADMIN);
  CreateAndActivate(admin);
  admin = *accounts_->Get("admin");
  admin.set_state(v1::ACCOUNT_STATE_DISABLED);
  EXPECT_EQ(accounts_->Update(admin, {"state"}, "test-admin").status().code(), absl::StatusCode::kFailedPrecondition);

  // Another verifier (another process) learns it from the revocation list.
  auth::TokenVerifier other(&clock_);
  auto keys = accounts_->SigningKeys();
  ASSERT_TRUE(keys.ok());
  for (const auto& k : *keys) ASSERT_TRUE(other.AddKey(k.key.public_pem).ok());
  auto list = accounts_->Revocations();
  ASSERT_TRUE(list.ok());
  std::map<std::string, int64_t> min_generation;
  for (const auto& r : *list) min_generation[r.name] = r.min_generation;
  other.SetRevocations(min_generation);
  EXPECT_EQ(other.Verify(token).status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_P(AccountTest, SystemsSignInWithApiKeysThatCanBeReset) {
  v1::Account sys;
  sys.set_name("bps.integrasi");
  sys.set_display_name("Sistem BPS");
  sys.set_kind(v1::ACCOUNT_KIND_SYSTEM);
  sys.set_role(v1::ROLE_INTEGRATION);
  auto created = accounts_->Create(sys, "req-sys", "test-admin");
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_FALSE(created->account.password_change_required());
  auto in = accounts_->LoginWithApiKey(created->secret);
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_EQ(verifier_.Verify(in->token)->role, auth::Role::kIntegration);
  EXPECT_EQ(accounts_->Login("bps.integrasi", created->secret, "").status().code(),
            absl::StatusCode::kUnauthenticated);  // keys are not passwords

  auto reset = accounts_->ResetCredentials("bps.integrasi", accounts_->Get("bps.integrasi")->etag());
  ASSERT_TRUE(reset.ok()) << reset.status();
  EXPECT_EQ(accounts_->LoginWithApiKey(created->secret).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_FALSE(verifier_.Verify(in->token).ok());
  EXPECT_TRUE(accounts_->LoginWithApiKey(reset->secret).ok());
  // A system has no session to renew: it signs in with its key again.
  auto system = verifier_.Verify(accounts_->LoginWithApiKey(reset->secret)->token);
  ASSERT_TRUE(system.ok());
  EXPECT_EQ(accounts_->Renew(*system).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_P(AccountTest, ARegionsOwnSystemActsAsItsOperatorOtherPeopleRolesStayPeople) {
  v1::Account sid;
  sid.set_name("sid.35.72");
  sid.set_display_name("Sistem informasi KLA Kota Blitar");
  sid.set_kind(v1::ACCOUNT_KIND_SYSTEM);
  sid.set_role(v1::ROLE_REGION_OPERATOR);
  sid.set_region_code("35.72");
  auto created = accounts_->Create(sid, "req-sid", "test-admin");
  ASSERT_TRUE(created.ok()) << created.status();
  auto in = accounts_->LoginWithApiKey(created->secret);
  ASSERT_TRUE(in.ok()) << in.status();
  auto principal = verifier_.Verify(in->token);
  ASSERT_TRUE(principal.ok());
  EXPECT_EQ(principal->role, auth::Role::kRegionOperator);
  EXPECT_EQ(principal->region_code, "35.72");

  v1::Account verifier = sid;
  verifier.set_name("sys.verifikator");
  verifier.set_role(v1::ROLE_PROVINCE_VERIFIER);
  verifier.clear_region_code();
  verifier.set_province_code("35");
  auto refused = accounts_->Create(verifier, "req-sys-ver", "test-admin");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(refused.status().message()), ::testing::HasSubstr("invalid account"));
}

TEST_P(AccountTest, KeyRotationKeepsOldTokensValidUntilTheyExpire) {
  const std::string before = CreateAndActivate(Operator());
  const std::string old_kid = KidOf(before);
  auto next = accounts_->RotateSigningKey();
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_NE(next->key.kid, old_kid);
  EXPECT_EQ(accounts_->SigningKeys()->size(), 2U);
  // Published at once, but the old key keeps signing until every service
  // has had time to learn the new one.
  EXPECT_EQ(KidOf(accounts_->Login("op.kota-blitar", kNewPassword, "")->token), old_kid);
  clock_.Advance(absl::Minutes(3));
  ASSERT_TRUE(accounts_->Refresh().ok());
  const std::string after = accounts_->Login("op.kota-blitar", kNewPassword, "")->token;
  EXPECT_EQ(KidOf(after), next->key.kid);
  EXPECT_TRUE(verifier_.Verify(after).ok());
  EXPECT_TRUE(verifier_.Verify(before).ok());  // signed by the old key, still published
  // One token lifetime after the switch the old key is gone.
  clock_.Advance(absl::Hours(1));
  ASSERT_TRUE(accounts_->Refresh().ok());
  EXPECT_EQ(accounts_->SigningKeys()->size(), 1U);
  EXPECT_EQ(verifier_.KeyIds(), std::vector<std::string>{next->key.kid});
}

TEST_P(AccountTest, FirstAdminIsCreatedOnceWithAPrivateCredentialsFile) {
  const std::string path = dir_.path() + "/admin-credentials.txt";
  auto created = accounts_->EnsureFirstAdmin(path);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(*created);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  const std::string text = testing::ReadFile(path);
  const size_t at = text.find("\npassword: ");
  ASSERT_NE(at, std::string::npos);
  const std::string otp = text.substr(at + 11, text.find('\n', at + 1) - at - 11);
  auto in = accounts_->Login("admin", otp, kNewPassword);
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_EQ(in->account.role(), v1::ROLE_NATIONAL_ADMIN);
  EXPECT_FALSE(*accounts_->EnsureFirstAdmin(path));
}

TEST_P(AccountTest, ServiceTokensBelongToServiceAccountsAdminsCanDisable) {
  auto t = accounts_->ServiceToken("scoring");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(verifier_.Verify(t->token)->subject, "svc.scoring");
  EXPECT_EQ(verifier_.Verify(t->token)->role, auth::Role::kService);
  v1::Account svc = *accounts_->Get("svc.scoring");
  svc.set_state(v1::ACCOUNT_STATE_DISABLED);
  ASSERT_TRUE(accounts_->Update(svc, {"state"}, "test-admin").ok());
  EXPECT_EQ(accounts_->ServiceToken("scoring").status().code(), absl::StatusCode::kPermissionDenied);
}

TEST_P(AccountTest, ListFiltersByRoleAndRegionAndPages) {
  CreateAndActivate(Operator("op.kota-blitar"));
  v1::Account kab = Operator("op.kab-blitar");
  kab.set_region_code("35.05");
  accounts_->Create(kab, "req-kab", "test-admin").IgnoreError();
  v1::Account pv;
  pv.set_name("verif.jatim");
  pv.set_display_name("DP3AK Jawa Timur");
  pv.set_kind(v1::ACCOUNT_KIND_PERSON);
  pv.set_role(v1::ROLE_PROVINCE_VERIFIER);
  pv.set_province_code("35");
  ASSERT_TRUE(accounts_->Create(pv, "req-pv", "test-admin").ok());

  auto page = accounts_->List({.region_code = "35"}, 2, "");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->accounts.size(), 2U);
  EXPECT_EQ(page->accounts[0].name(), "op.kab-blitar");
  auto rest = accounts_->List({.region_code = "35"}, 2, page->next_page_token);
  ASSERT_EQ(rest->accounts.size(), 1U);
  EXPECT_EQ(rest->accounts[0].name(), "verif.jatim");
  EXPECT_EQ(accounts_->List({.region_code = "35.72"}, 0, "")->accounts.size(), 1U);
  EXPECT_EQ(accounts_->List({.role = v1::ROLE_PROVINCE_VERIFIER}, 0, "")->accounts.size(), 1U);
}

INSTANTIATE_TEST_SUITE_P(Engines, AccountTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         testing::EngineTestName());

}  // namespace
}  // namespace kla::registry
