#include "libs/auth/password.h"

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "libs/common/files.h"

namespace kla::auth {
namespace {

constexpr uint32_t kTimeCost = 3;
constexpr uint32_t kMemoryKib = 64 * 1024;
constexpr uint32_t kLanes = 1;
constexpr size_t kSaltLen = 16;
constexpr size_t kHashLen = 32;

}  // namespace

absl::StatusOr<std::string> HashPassword(absl::string_view password) {
  if (password.size() < 8) return absl::InvalidArgumentError("a password needs at least 8 characters");
  std::array<unsigned char, kSaltLen> salt{};
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) return absl::InternalError("no randomness");
  const size_t len = argon2_encodedlen(kTimeCost, kMemoryKib, kLanes, kSaltLen, kHashLen, Argon2_id);
  std::string encoded(len, '\0');
  const int rc = argon2id_hash_encoded(kTimeCost, kMemoryKib, kLanes, password.data(), password.size(), salt.data(),
                                       salt.size(), kHashLen, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) return absl::InternalError(argon2_error_message(rc));
  encoded.resize(encoded.find('\0'));
  return encoded;
}

bool VerifyPassword(absl::string_view password, const std::string& encoded) {
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

std::string NewSecret() {
  std::array<unsigned char, 32> b{};
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) std::abort();
  return absl::WebSafeBase64Escape(absl::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

std::string SecretDigest(absl::string_view secret) { return Sha256Hex(secret); }

}  // namespace kla::auth

namespace kla::auth {

bool CredentialMatches(absl::string_view secret, const std::string& stored) {
  if (absl::StartsWith(stored, "$argon2")) return VerifyPassword(secret, stored);
  const std::string digest = SecretDigest(secret);
  return digest.size() == stored.size() && CRYPTO_memcmp(digest.data(), stored.data(), digest.size()) == 0;
}

}  // namespace kla::auth
