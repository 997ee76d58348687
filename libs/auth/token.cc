#include "libs/auth/token.h"

#include <jwt.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/errors.h"
#include "libs/common/ids.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"

namespace kla::auth {
namespace {

struct JwtFree {
  void operator()(jwt_t* j) const { jwt_free(j); }
};
using Jwt = std::unique_ptr<jwt_t, JwtFree>;

constexpr char kIssuer[] = "kla";
// Tokens are for kla's own APIs; a token minted for another audience (or
// one without any) is refused.
constexpr char kAudience[] = "kla-api";
// Clocks of the registry and of the other processes may differ this much.
constexpr absl::Duration kClockLeeway = absl::Seconds(60);
using JwtInt = long;  // NOLINT(google-runtime-int): libjwt's integer claims are long

absl::Status Unauthenticated(absl::string_view why) {
  const absl::string_view reason = absl::StartsWith(why, "expired")   ? "TOKEN_EXPIRED"
                                   : absl::StartsWith(why, "revoked") ? "TOKEN_REVOKED"
                                                                      : "TOKEN_INVALID";
  return WithReason(absl::UnauthenticatedError(absl::StrCat("invalid token: ", why)), reason);
}

std::shared_ptr<EVP_PKEY> ParsePublicPem(absl::string_view pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  EVP_PKEY* key = in ? PEM_read_bio_PUBKEY(in.get(), nullptr, nullptr, nullptr) : nullptr;
  return key == nullptr ? nullptr : std::shared_ptr<EVP_PKEY>(key, &EVP_PKEY_free);
}

// The JWS ES256 check (RFC 7518 3.4): SHA-256 of "header.payload", the
// signature given as r || s (32 bytes each, base64url).
bool VerifyEs256(EVP_PKEY* key, absl::string_view signing_input, absl::string_view signature_b64) {
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  std::string raw;
  if (!absl::WebSafeBase64Unescape(signature_b64, &raw) || raw.size() != 64) return false;
  unsigned char digest[32];
  if (EVP_Digest(signing_input.data(), signing_input.size(), digest, nullptr, kSha256, nullptr) != 1) return false;
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(ECDSA_SIG_new(), &ECDSA_SIG_free);
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return false;
  }
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_len <= 0) return false;
  std::unique_ptr<unsigned char, void (*)(unsigned char*)> der_owner(der, [](unsigned char* p) { OPENSSL_free(p); });
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new(key, nullptr), &EVP_PKEY_CTX_free);
  return ctx && EVP_PKEY_verify_init(ctx.get()) == 1 &&
         EVP_PKEY_verify(ctx.get(), der, static_cast<size_t>(der_len), digest, sizeof(digest)) == 1;
}

std::string Grant(jwt_t* j, const char* name) {
  const char* v = jwt_get_grant(j, name);
  return v != nullptr ? v : "";
}

// ["35.72","35.05"] -> {35.72, 35.05}. Region codes need no JSON escapes.
std::vector<std::string> ParseStringArray(const char* json) {
  std::vector<std::string> out;
  if (json == nullptr) return out;
  absl::string_view s(json);
  s = absl::StripAsciiWhitespace(s);
  if (!absl::ConsumePrefix(&s, "[") || !absl::ConsumeSuffix(&s, "]")) return out;
  for (absl::string_view item : absl::StrSplit(s, ',', absl::SkipWhitespace())) {
    item = absl::StripAsciiWhitespace(item);
    if (absl::ConsumePrefix(&item, "\"") && absl::ConsumeSuffix(&item, "\"")) out.emplace_back(item);
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> TokenIssuer::Issue(Principal* p) const {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return absl::InternalError("jwt_new failed");
  Jwt j(raw);
  const absl::Time now = clock_->Now();
  p->token_id = NewUuid();
  p->issued_at = absl::FromUnixSeconds(absl::ToUnixSeconds(now));
  // A renewed token keeps its session's sign-in time and never outlives
  // the session's end (`p->expires` set by the caller).
  if (p->auth_time == absl::InfinitePast()) p->auth_time = p->issued_at;
  p->expires = std::min(now + ttl_, p->expires);
  std::vector<std::string> quoted;
  for (const auto& r : p->assigned_regions) quoted.push_back(absl::StrCat("\"", r, "\""));
  const std::string regions = absl::StrCat("{\"regions\":[", absl::StrJoin(quoted, ","), "]}");
  bool ok = jwt_add_grant(j.get(), "iss", kIssuer) == 0 && jwt_add_grant(j.get(), "sub", p->subject.c_str()) == 0 &&
            jwt_add_grant(j.get(), "role", std::string(RoleName(p->role)).c_str()) == 0 &&
            jwt_add_grant(j.get(), "prov", p->province_code.c_str()) == 0 &&
            jwt_add_grant(j.get(), "reg", p->region_code.c_str()) == 0 &&
            jwt_add_grant(j.get(), "opd", p->agency.c_str()) == 0 &&
            jwt_add_grants_json(j.get(), regions.c_str()) == 0 &&
            jwt_add_grant(j.get(), "jti", p->token_id.c_str()) == 0 &&
            jwt_add_grant_int(j.get(), "gen", static_cast<JwtInt>(p->generation)) == 0 &&
            jwt_add_grant(j.get(), "aud", kAudience) == 0 &&
            jwt_add_grant_int(j.get(), "iat", static_cast<JwtInt>(absl::ToUnixSeconds(now))) == 0 &&
            jwt_add_grant_int(j.get(), "nbf", static_cast<JwtInt>(absl::ToUnixSeconds(now))) == 0 &&
            jwt_add_grant_int(j.get(), "auth_time", static_cast<JwtInt>(absl::ToUnixSeconds(p->auth_time))) == 0 &&
            jwt_add_grant_int(j.get(), "exp", static_cast<JwtInt>(absl::ToUnixSeconds(p->expires))) == 0 &&
            jwt_add_header(j.get(), "kid", key_.kid.c_str()) == 0 &&
            jwt_set_alg(j.get(), JWT_ALG_ES256, reinterpret_cast<const unsigned char*>(key_.private_pem.data()),
                        static_cast<int>(key_.private_pem.size())) == 0;
  if (!ok) return absl::InternalError("cannot build the token");
  char* encoded = jwt_encode_str(j.get());
  if (encoded == nullptr) return absl::InternalError("cannot sign the token");
  std::string token(encoded);
  free(encoded);  // libjwt 1.10 allocates with malloc
  return token;
}

absl::Status TokenVerifier::AddKey(absl::string_view public_pem) {
  auto kid = KeyIdOf(public_pem);
  if (!kid.ok()) return kid.status();
  auto parsed = ParsePublicPem(public_pem);
  if (parsed == nullptr) return absl::InvalidArgumentError("not a public key in PEM");
  absl::MutexLock lock(&mu_);
  keys_[*kid] = std::string(public_pem);
  parsed_[*kid] = std::move(parsed);
  return absl::OkStatus();
}

void TokenVerifier::RemoveKey(const std::string& kid) {
  absl::MutexLock lock(&mu_);
  keys_.erase(kid);
  parsed_.erase(kid);
  verified_.clear();
}

std::vector<std::string> TokenVerifier::KeyIds() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> out;
  for (const auto& [kid, pem] : keys_) out.push_back(kid);
  return out;
}

void TokenVerifier::Revoke(const std::string& subject, int64_t min_generation) {
  absl::MutexLock lock(&mu_);
  int64_t& min = min_generation_[subject];
  min = std::max(min, min_generation);
}

void TokenVerifier::SetRevocations(std::map<std::string, int64_t> min_generation) {
  absl::MutexLock lock(&mu_);
  min_generation_ = std::move(min_generation);
}

namespace {
constexpr size_t kMaxVerified = 50000;  // ~ every active person and system at once
}  // namespace

namespace {

// The registered claims (RFC 7519 4.1) every kla token must carry.
absl::Status CheckClaims(jwt_t* j, absl::Time now, absl::Duration max_lifetime) {
  if (Grant(j, "iss") != kIssuer) return Unauthenticated("wrong issuer");
  if (Grant(j, "aud") != kAudience) return Unauthenticated("not issued for kla");
  const JwtInt iat = jwt_get_grant_int(j, "iat");
  const JwtInt exp = jwt_get_grant_int(j, "exp");
  const JwtInt nbf = jwt_get_grant_int(j, "nbf");
  if (iat <= 0 || exp <= 0) return Unauthenticated("no issue or expiry time");
  // A token longer-lived than any the registry issues was not made by it
  // (or by a key that leaked): refuse it however well it is signed.
  if (absl::Seconds(exp - iat) > max_lifetime) return Unauthenticated("lifetime longer than allowed");
  if (absl::FromUnixSeconds(iat) > now + kClockLeeway) return Unauthenticated("issued in the future");
  if (nbf > 0 && absl::FromUnixSeconds(nbf) > now + kClockLeeway) return Unauthenticated("not valid yet");
  if (now >= absl::FromUnixSeconds(exp)) return Unauthenticated("expired: log in again");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Principal> TokenVerifier::Verify(absl::string_view token) const {
  if (token.empty() || token.size() > 8192) return Unauthenticated("missing or oversized");
  const std::string t(token);
  {
    absl::MutexLock lock(&mu_);
    if (auto hit = verified_.find(t); hit != verified_.end()) {
      const Principal& p = hit->second;
      if (clock_->Now() >= p.expires) return Unauthenticated("expired: log in again");
      auto it = min_generation_.find(p.subject);
      if (it != min_generation_.end() && p.generation < it->second) return Unauthenticated("revoked: sign in again");
      return p;
    }
  }
  // libjwt parses (without checking); the signature is checked here against
  // the key named by the header, parsed once when it was added.
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, t.c_str(), nullptr, 0) != 0) return Unauthenticated("malformed");
  Jwt j(raw);
  const char* alg = jwt_get_header(j.get(), "alg");
  if (alg == nullptr || absl::string_view(alg) != "ES256") return Unauthenticated("not signed with ES256");
  const char* kid_c = jwt_get_header(j.get(), "kid");
  if (kid_c == nullptr) return Unauthenticated("no key id");
  std::shared_ptr<EVP_PKEY> key;
  {
    absl::MutexLock lock(&mu_);
    auto it = parsed_.find(kid_c);
    if (it == parsed_.end()) return Unauthenticated("signed with an unknown key");
    key = it->second;
  }
  const size_t last_dot = t.rfind('.');
  if (last_dot == std::string::npos ||
      !VerifyEs256(key.get(), absl::string_view(t).substr(0, last_dot), absl::string_view(t).substr(last_dot + 1))) {
    return Unauthenticated("bad signature");
  }
  KLA_RETURN_IF_ERROR(CheckClaims(j.get(), clock_->Now(), max_lifetime_));
  const JwtInt exp = jwt_get_grant_int(j.get(), "exp");
  Principal p;
  p.subject = Grant(j.get(), "sub");
  if (p.subject.empty() || !ParseRole(Grant(j.get(), "role"), &p.role) || p.role == Role::kPublic) {
    return Unauthenticated("missing subject or role");
  }
  p.province_code = Grant(j.get(), "prov");
  p.region_code = Grant(j.get(), "reg");
  p.agency = Grant(j.get(), "opd");
  char* regions = jwt_get_grants_json(j.get(), "regions");
  p.assigned_regions = ParseStringArray(regions);
  free(regions);
  p.token_id = Grant(j.get(), "jti");
  p.issued_at = absl::FromUnixSeconds(jwt_get_grant_int(j.get(), "iat"));
  p.generation = jwt_get_grant_int(j.get(), "gen");  // 0 when absent
  const JwtInt auth_time = jwt_get_grant_int(j.get(), "auth_time");
  p.auth_time = auth_time > 0 ? absl::FromUnixSeconds(auth_time) : p.issued_at;
  p.expires = absl::FromUnixSeconds(exp);
  {
    absl::MutexLock lock(&mu_);
    auto it = min_generation_.find(p.subject);
    if (it != min_generation_.end() && p.generation < it->second) return Unauthenticated("revoked: sign in again");
    if (verified_.size() >= kMaxVerified) verified_.clear();  // bounded; refilled by the next calls
    verified_.emplace(t, p);
  }
  return p;
}

}  // namespace kla::auth
