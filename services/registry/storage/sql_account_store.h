#pragma once

#include "libs/common/secret_box.h"
#include "libs/storage/database.h"
#include "services/registry/domain/account.h"

namespace kla::registry {

// AccountStore on SQL: accounts with their credentials, and the token
// signing keys. With a SecretBox, private keys are stored sealed (AES-256-GCM,
// the key id as associated data) and keys found in clear are sealed by
// SealKeys; without one they are stored in clear.
class SqlAccountStore final : public AccountStore {
 public:
  explicit SqlAccountStore(storage::Database* db, const SecretBox* box = nullptr) : db_(db), box_(box) {}
  // Seals every private key still stored in clear (a database from before
  // keys were sealed). Returns how many. A no-op without a SecretBox.
  absl::StatusOr<int> SealKeys();
  absl::Status Insert(const StoredAccount& account) override;
  absl::StatusOr<std::optional<StoredAccount>> Get(absl::string_view name) override;
  absl::StatusOr<std::optional<StoredAccount>> GetByRequestId(absl::string_view request_id) override;
  absl::StatusOr<std::optional<StoredAccount>> GetByKeyDigest(absl::string_view digest) override;
  absl::Status Update(const StoredAccount& account, int64_t expected_version) override;
  absl::Status RecordSignIn(const StoredAccount& account) override;
  absl::StatusOr<int> CountFailedLogin(absl::string_view name, int limit, absl::Time lock_until) override;
  absl::StatusOr<std::vector<StoredAccount>> List(const AccountFilter& filter, absl::string_view after,
                                                  int limit) override;
  absl::StatusOr<int> CountActive(v1::Role role) override;
  absl::StatusOr<std::vector<Revocation>> Revocations(absl::Time since) override;
  absl::Status InsertKey(const StoredKey& key) override;
  absl::StatusOr<std::vector<StoredKey>> Keys(absl::Time at) override;
  absl::Status RetireKeys(absl::Time activated_before, absl::Time retire_at) override;

 private:
  absl::StatusOr<std::optional<StoredAccount>> GetWhere(absl::string_view column, absl::string_view value);
  absl::StatusOr<std::string> OpenPrivateKey(const std::string& kid, const std::string& stored) const;
  storage::Database* db_;
  const SecretBox* box_;
};

}  // namespace kla::registry
