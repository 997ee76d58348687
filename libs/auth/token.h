#pragma once

#include <openssl/types.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/auth/keys.h"
#include "libs/auth/principal.h"
#include "libs/common/clock.h"

namespace kla::auth {

// Issues short-lived ES256 JWTs for principals (the registry does this at
// login). Claims: iss "kla", aud "kla-api", sub, role, prov, reg, opd,
// regions, jti, gen, iat, nbf, exp, auth_time; header kid names the key so verifiers can hold several during a
// rotation.
class TokenIssuer {
 public:
  TokenIssuer(SigningKey key, const Clock* clock, absl::Duration ttl = absl::Minutes(15))
      : key_(std::move(key)), clock_(clock), ttl_(ttl) {}
  // Returns the token; `principal.token_id`, `issued_at` and `expires` are
  // filled in, and `auth_time` when it was not set (a new sign-in). The
  // token expires after the issuer's ttl, or at `principal.expires` if that
  // comes first (the end of a renewed session).
  absl::StatusOr<std::string> Issue(Principal* principal) const;
  const std::string& kid() const { return key_.kid; }

 private:
  SigningKey key_;
  const Clock* clock_;
  absl::Duration ttl_;
};

// Verifies tokens locally with public keys (no call to the registry).
// Thread-safe; keys can be added and removed while serving, so a key is
// rotated by adding the new one everywhere, then signing with it, then
// removing the old one after the token lifetime.
class TokenVerifier {
 public:
  // The longest token lifetime (exp - iat) any issuer may give.
  static constexpr absl::Duration kMaxLifetime = absl::Hours(12);

  explicit TokenVerifier(const Clock* clock) : clock_(clock) {}
  // Tokens living longer than `lifetime` (at most kMaxLifetime) are refused.
  void set_max_lifetime(absl::Duration lifetime) { max_lifetime_ = std::min(lifetime, kMaxLifetime); }
  absl::Status AddKey(absl::string_view public_pem);
  void RemoveKey(const std::string& kid);
  // Key ids currently accepted.
  std::vector<std::string> KeyIds() const;
  // Revokes every token of `subject` whose generation is below
  // `min_generation` (account disabled, credentials reset, "sign out
  // everywhere"). Exact, unlike a time bound with whole-second tokens.
  void Revoke(const std::string& subject, int64_t min_generation);
  // Replaces the whole revocation list (a sync from the registry).
  void SetRevocations(std::map<std::string, int64_t> min_generation);
  // UNAUTHENTICATED for a malformed, forged, expired or unknown-key token,
  // one signed with another algorithm, without issue time, for another
  // issuer or audience, not yet valid, or living longer than allowed.
  absl::StatusOr<Principal> Verify(absl::string_view token) const;

 private:
  const Clock* clock_;
  absl::Duration max_lifetime_ = kMaxLifetime;
  mutable absl::Mutex mu_;
  std::map<std::string, std::string> keys_ ABSL_GUARDED_BY(mu_);  // kid -> public PEM
  // The same keys parsed once: OpenSSL 3 decodes a PEM key slowly and under
  // global locks, so signatures are checked against these.
  std::map<std::string, std::shared_ptr<EVP_PKEY>> parsed_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int64_t> min_generation_ ABSL_GUARDED_BY(mu_);  // subject -> lowest valid generation
  // Tokens whose signature checked out, so a client's next calls skip the
  // ECDSA check and OpenSSL's key decoding (which serialises threads on
  // provider locks). Expiry and revocation are still checked on every call;
  // removing a key empties it.
  mutable std::unordered_map<std::string, Principal> verified_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kla::auth
