#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kla::auth {

// Argon2id in its standard encoded form ("$argon2id$v=19$m=...$salt$hash"),
// with a random salt. Parameters follow RFC 9106's second recommendation
// (64 MiB, 3 passes, 1 lane).
absl::StatusOr<std::string> HashPassword(absl::string_view password);
bool VerifyPassword(absl::string_view password, const std::string& encoded);

// A random secret for system accounts (API keys) and one-time passwords:
// 32 random bytes, base64url.
std::string NewSecret();
// API keys and one-time passwords are high-entropy: a SHA-256 digest (hex)
// suffices to store them.
std::string SecretDigest(absl::string_view secret);

// Whether `secret` matches a stored credential: an Argon2id encoding (a
// person's own password) or a SHA-256 digest (a one-time password or API
// key), compared in constant time.
bool CredentialMatches(absl::string_view secret, const std::string& stored);

}  // namespace kla::auth
