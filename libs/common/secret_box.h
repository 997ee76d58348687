#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kla {

// Encryption at rest of secrets a service must keep readable (webhook
// signing secrets, token signing private keys): AES-256-GCM with a key from
// a file (a Kubernetes Secret), a random 96-bit nonce per value, the value's
// id as associated data (a value cannot be moved to another record).
class SecretBox {
 public:
  // The key file holds 32 bytes, raw or base64 (e.g. `head -c 32
  // /dev/urandom | base64`). INVALID_ARGUMENT otherwise.
  static absl::StatusOr<SecretBox> FromKeyFile(const std::string& path);
  static absl::StatusOr<SecretBox> FromKey(absl::string_view key);

  // "v1:" + base64(nonce | ciphertext | tag).
  std::string Seal(absl::string_view plaintext, absl::string_view associated) const;
  // INVALID_ARGUMENT for a value that is not sealed; DATA_LOSS when it does
  // not open with this key (another key, or altered).
  absl::StatusOr<std::string> Open(absl::string_view sealed, absl::string_view associated) const;

  // A key for another purpose derived from this one (HMAC-SHA256 of
  // `purpose`), so one secret file serves several uses without reusing a key.
  std::string DeriveKey(absl::string_view purpose) const;

  static bool IsSealed(absl::string_view value) { return value.substr(0, 3) == "v1:"; }

 private:
  explicit SecretBox(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

}  // namespace kla
