#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kla::auth {

// An ES256 (ECDSA P-256) key pair in PEM. The registry signs tokens with the
// private key; every service verifies them with the public key alone.
struct SigningKey {
  std::string kid;          // key id: first 16 hex digits of SHA-256 of the public key
  std::string private_pem;  // PKCS#8
  std::string public_pem;   // SubjectPublicKeyInfo
};

absl::StatusOr<SigningKey> GenerateSigningKey();

// The key id of a public key in PEM.
absl::StatusOr<std::string> KeyIdOf(absl::string_view public_pem);

// Loads "<dir>/signing-key.pem" (private) and derives the rest, creating the
// key (mode 0600) when the file does not exist.
absl::StatusOr<SigningKey> LoadOrCreateSigningKey(const std::string& dir);

// Derives the public half and key id from a private key in PEM.
absl::StatusOr<SigningKey> FromPrivatePem(absl::string_view private_pem);

}  // namespace kla::auth
