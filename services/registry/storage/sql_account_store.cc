#include "services/registry/storage/sql_account_store.h"

#include "absl/strings/str_cat.h"
#include "libs/common/errors.h"
#include "libs/common/status_macros.h"

namespace kla::registry {
namespace {

using storage::FromMicros;
using storage::Result;
using storage::Row;
using storage::ToMicros;
using storage::Value;

constexpr absl::string_view kColumns =
    "SELECT content, version, credential, request_id, credential_used, failed_logins, locked_until,"
    " tokens_not_before, token_generation FROM registry_accounts";

// Instants far in the past or future are stored as the extremes of BIGINT's
// useful range (absl's infinities have no microsecond value).
int64_t Micros(absl::Time t) {
  if (t == absl::InfinitePast()) return 0;
  return ToMicros(t);
}
absl::Time Instant(int64_t us) { return us == 0 ? absl::InfinitePast() : FromMicros(us); }

std::string ScopeCodes(const v1::Account& a) {
  std::string out = " ";
  if (!a.province_code().empty()) absl::StrAppend(&out, a.province_code(), " ");
  if (!a.region_code().empty()) absl::StrAppend(&out, a.region_code(), " ");
  for (const auto& r : a.assigned_regions()) absl::StrAppend(&out, r, " ");
  return out;
}

Value KeyDigest(const StoredAccount& a) {
  if (a.account.kind() != v1::ACCOUNT_KIND_SYSTEM || a.credential.empty()) return storage::Null();
  return a.credential;
}

absl::StatusOr<StoredAccount> FromRow(const Row& row) {
  StoredAccount a;
  if (!a.account.ParseFromString(row.Text(0))) return absl::DataLossError("stored account unreadable");
  a.version = row.Int(1);
  a.credential = row.Text(2);
  a.request_id = row.Text(3);
  a.credential_used = row.Int(4) != 0;
  a.failed_logins = static_cast<int>(row.Int(5));
  a.locked_until = Instant(row.Int(6));
  a.tokens_not_before = Instant(row.Int(7));
  a.token_generation = row.Int(8);
  return a;
}

absl::StatusOr<std::vector<StoredAccount>> FromResult(const Result& r) {
  std::vector<StoredAccount> out;
  for (const Row& row : r.rows) {
    KLA_ASSIGN_OR_RETURN(StoredAccount a, FromRow(row));
    out.push_back(std::move(a));
  }
  return out;
}

std::string Content(const StoredAccount& a) {
  v1::Account stored = a.account;
  stored.clear_etag();
  return stored.SerializeAsString();
}

}  // namespace

absl::Status SqlAccountStore::Insert(const StoredAccount& a) {
  return db_
      ->Execute(
          "INSERT INTO registry_accounts (name, request_id, content, version, role, state, scope_codes, credential,"
          " key_digest, credential_used, failed_logins, locked_until, tokens_not_before, token_generation)"
          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {a.account.name(), a.request_id, storage::Blob(Content(a)), a.version, static_cast<int64_t>(a.account.role()),
           static_cast<int64_t>(a.account.state()), ScopeCodes(a.account),
           a.account.kind() == v1::ACCOUNT_KIND_PERSON ? a.credential : std::string(), KeyDigest(a),
           static_cast<int64_t>(a.credential_used), static_cast<int64_t>(a.failed_logins), Micros(a.locked_until),
           Micros(a.tokens_not_before), a.token_generation})
      .status();
}

absl::StatusOr<std::optional<StoredAccount>> SqlAccountStore::GetWhere(absl::string_view column,
                                                                       absl::string_view value) {
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute(absl::StrCat(kColumns, " WHERE ", column, " = ?"), {std::string(value)}));
  if (r.rows.empty()) return std::nullopt;
  KLA_ASSIGN_OR_RETURN(StoredAccount a, FromRow(r.rows[0]));
  // Systems keep their key digest in key_digest; the domain sees one field.
  if (a.account.kind() == v1::ACCOUNT_KIND_SYSTEM) {
    KLA_ASSIGN_OR_RETURN(Result k,
                         db_->Execute("SELECT key_digest FROM registry_accounts WHERE name = ?", {a.account.name()}));
    if (!k.rows.empty()) a.credential = k.rows[0].Text(0);
  }
  return a;
}

absl::StatusOr<std::optional<StoredAccount>> SqlAccountStore::Get(absl::string_view name) {
  return GetWhere("name", name);
}

absl::StatusOr<std::optional<StoredAccount>> SqlAccountStore::GetByRequestId(absl::string_view request_id) {
  return GetWhere("request_id", request_id);
}

absl::StatusOr<std::optional<StoredAccount>> SqlAccountStore::GetByKeyDigest(absl::string_view digest) {
  return GetWhere("key_digest", digest);
}

absl::Status SqlAccountStore::Update(const StoredAccount& a, int64_t expected_version) {
  KLA_ASSIGN_OR_RETURN(
      Result r,
      db_->Execute(
          "UPDATE registry_accounts SET content = ?, version = version + 1, state = ?, scope_codes = ?,"
          " credential = ?, key_digest = ?, credential_used = ?, failed_logins = ?, locked_until = ?,"
          " tokens_not_before = ?, token_generation = ? WHERE name = ? AND version = ?",
          {storage::Blob(Content(a)), static_cast<int64_t>(a.account.state()), ScopeCodes(a.account),
           a.account.kind() == v1::ACCOUNT_KIND_PERSON ? a.credential : std::string(), KeyDigest(a),
           static_cast<int64_t>(a.credential_used), static_cast<int64_t>(a.failed_logins), Micros(a.locked_until),
           Micros(a.tokens_not_before), a.token_generation, a.account.name(), expected_version}));
  if (r.affected_rows != 1) return StaleEtag("the account was changed concurrently: read it again");
  return absl::OkStatus();
}

absl::Status SqlAccountStore::RecordSignIn(const StoredAccount& a) {
  return db_
      ->Execute(
          "UPDATE registry_accounts SET content = ?, credential_used = ?, failed_logins = ?, locked_until = ?,"
          " tokens_not_before = ?, token_generation = ? WHERE name = ?",
          {storage::Blob(Content(a)), static_cast<int64_t>(a.credential_used), static_cast<int64_t>(a.failed_logins),
           Micros(a.locked_until), Micros(a.tokens_not_before), a.token_generation, a.account.name()})
      .status();
}

absl::StatusOr<int> SqlAccountStore::CountFailedLogin(absl::string_view name, int limit, absl::Time lock_until) {
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute("UPDATE registry_accounts SET failed_logins = failed_logins + 1"
                                              " WHERE name = ? RETURNING failed_logins",
                                              {std::string(name)}));
  if (r.rows.empty()) return 0;
  const int count = static_cast<int>(r.rows[0].Int(0));
  if (count >= limit) {
    KLA_RETURN_IF_ERROR(db_->Execute("UPDATE registry_accounts SET failed_logins = 0, locked_until = ? WHERE name = ?",
                                     {Micros(lock_until), std::string(name)})
                            .status());
  }
  return count;
}

absl::StatusOr<std::vector<StoredAccount>> SqlAccountStore::List(const AccountFilter& filter, absl::string_view after,
                                                                 int limit) {
  std::string sql = absl::StrCat(kColumns, " WHERE name > ?");
  std::vector<Value> params = {std::string(after)};
  if (filter.role != v1::ROLE_UNSPECIFIED) {
    sql += " AND role = ?";
    params.emplace_back(static_cast<int64_t>(filter.role));
  }
  if (!filter.region_code.empty()) {
    // A province filter also finds accounts of its kabupaten/kota.
    sql += " AND (scope_codes LIKE ? OR scope_codes LIKE ?)";
    params.emplace_back(absl::StrCat("% ", filter.region_code, " %"));
    params.emplace_back(absl::StrCat("% ", filter.region_code, ".%"));
  }
  sql += " ORDER BY name LIMIT ?";
  params.emplace_back(static_cast<int64_t>(limit));
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute(sql, params));
  return FromResult(r);
}

absl::StatusOr<int> SqlAccountStore::CountActive(v1::Role role) {
  KLA_ASSIGN_OR_RETURN(Result r,
                       db_->Execute("SELECT COUNT(*) FROM registry_accounts WHERE role = ? AND state = ?",
                                    {static_cast<int64_t>(role), static_cast<int64_t>(v1::ACCOUNT_STATE_ACTIVE)}));
  return static_cast<int>(r.rows[0].Int(0));
}

absl::StatusOr<std::vector<Revocation>> SqlAccountStore::Revocations(absl::Time since) {
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute("SELECT name, token_generation, tokens_not_before FROM registry_accounts"
                                              " WHERE tokens_not_before > ? ORDER BY name",
                                              {Micros(since)}));
  std::vector<Revocation> out;
  for (const Row& row : r.rows) out.push_back({row.Text(0), row.Int(1), Instant(row.Int(2))});
  return out;
}

absl::Status SqlAccountStore::InsertKey(const StoredKey& k) {
  return db_
      ->Execute(
          "INSERT INTO registry_signing_keys (kid, private_pem, public_pem, activate_at, retire_at)"
          " VALUES (?, ?, ?, ?, ?)",
          {k.key.kid, box_ != nullptr ? box_->Seal(k.key.private_pem, k.key.kid) : k.key.private_pem, k.key.public_pem,
           ToMicros(k.activate_at),
           k.retire_at == absl::InfiniteFuture() ? storage::Null() : Value(ToMicros(k.retire_at))})
      .status();
}

absl::StatusOr<std::vector<StoredKey>> SqlAccountStore::Keys(absl::Time at) {
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute("SELECT kid, private_pem, public_pem, activate_at, retire_at"
                                              " FROM registry_signing_keys WHERE retire_at IS NULL OR retire_at > ?"
                                              " ORDER BY activate_at DESC, kid",
                                              {ToMicros(at)}));
  std::vector<StoredKey> out;
  for (const Row& row : r.rows) {
    StoredKey k;
    KLA_ASSIGN_OR_RETURN(std::string private_pem, OpenPrivateKey(row.Text(0), row.Text(1)));
    k.key = {.kid = row.Text(0), .private_pem = std::move(private_pem), .public_pem = row.Text(2)};
    k.activate_at = FromMicros(row.Int(3));
    if (!row.IsNull(4)) k.retire_at = FromMicros(row.Int(4));
    out.push_back(std::move(k));
  }
  return out;
}

absl::StatusOr<std::string> SqlAccountStore::OpenPrivateKey(const std::string& kid, const std::string& stored) const {
  if (!SecretBox::IsSealed(stored)) return stored;
  if (box_ == nullptr) {
    return absl::FailedPreconditionError("the token signing keys are sealed: start with the secrets key file");
  }
  absl::StatusOr<std::string> opened = box_->Open(stored, kid);
  if (!opened.ok()) {
    return absl::FailedPreconditionError("the token signing keys do not open with this secrets key");
  }
  return opened;
}

absl::StatusOr<int> SqlAccountStore::SealKeys() {
  if (box_ == nullptr) return 0;
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute("SELECT kid, private_pem FROM registry_signing_keys"));
  int sealed = 0;
  for (const Row& row : r.rows) {
    if (SecretBox::IsSealed(row.Text(1))) continue;
    KLA_RETURN_IF_ERROR(
        db_->Execute("UPDATE registry_signing_keys SET private_pem = ? WHERE kid = ? AND private_pem = ?",
                     {box_->Seal(row.Text(1), row.Text(0)), row.Text(0), row.Text(1)})
            .status());
    ++sealed;
  }
  return sealed;
}

absl::Status SqlAccountStore::RetireKeys(absl::Time activated_before, absl::Time retire_at) {
  return db_
      ->Execute("UPDATE registry_signing_keys SET retire_at = ? WHERE retire_at IS NULL AND activate_at < ?",
                {ToMicros(retire_at), ToMicros(activated_before)})
      .status();
}

}  // namespace kla::registry
