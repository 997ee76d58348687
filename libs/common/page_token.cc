#include "libs/common/page_token.h"

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "absl/base/thread_annotations.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/errors.h"

namespace kla {
namespace {

constexpr absl::string_view kVersion = "p2";
constexpr size_t kTagBytes = 16;

// The process's page-token key. A random one until SetPageTokenKey is
// called, so a process without a configured secret still refuses tokens it
// did not make (they just do not survive a restart).
class TokenKey {
 public:
  static TokenKey& Get() {
    static auto* key = new TokenKey();
    return *key;
  }
  void Set(absl::string_view secret) {
    // Derived, so the page-token key never equals the secret it comes from.
    std::string derived = Mac(secret, "kla page tokens v2");
    absl::MutexLock lock(&mu_);
    key_ = std::move(derived);
  }
  std::string Tag(absl::string_view body) {
    absl::MutexLock lock(&mu_);
    return Mac(key_, body).substr(0, kTagBytes);
  }

 private:
  TokenKey() {
    key_.resize(32);
    RAND_bytes(reinterpret_cast<unsigned char*>(key_.data()), static_cast<int>(key_.size()));
  }
  static std::string Mac(absl::string_view key, absl::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
         data.size(), md, &len);
    return std::string(reinterpret_cast<const char*>(md), len);
  }
  absl::Mutex mu_;
  std::string key_ ABSL_GUARDED_BY(mu_);
};

// A short digest of the query's filters (not secret; the tag protects it).
std::string Fingerprint(absl::string_view data) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(md), 8));
}

absl::Status BadToken() {
  return InvalidField("page_token", "not a page token from a previous response to this same query");
}

}  // namespace

void SetPageTokenKey(absl::string_view secret) { TokenKey::Get().Set(secret); }

std::string EncodePageToken(absl::string_view query_fingerprint, absl::string_view last_key) {
  const std::string body = absl::StrCat(kVersion, "|", Fingerprint(query_fingerprint), "|", last_key);
  return absl::WebSafeBase64Escape(absl::StrCat(TokenKey::Get().Tag(body), body));
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view token, absl::string_view query_fingerprint) {
  if (token.empty()) return std::string();
  if (token.size() > 1024) return BadToken();
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) || raw.size() <= kTagBytes) return BadToken();
  const absl::string_view tag = absl::string_view(raw).substr(0, kTagBytes);
  const absl::string_view body = absl::string_view(raw).substr(kTagBytes);
  const std::string want = TokenKey::Get().Tag(body);
  if (CRYPTO_memcmp(want.data(), tag.data(), kTagBytes) != 0) return BadToken();
  std::vector<std::string> parts = absl::StrSplit(body, absl::MaxSplits('|', 2));
  if (parts.size() != 3 || parts[0] != kVersion || parts[1] != Fingerprint(query_fingerprint)) return BadToken();
  return parts[2];
}

absl::StatusOr<int> ResolvePageSize(int requested, int default_size, int max_size) {
  if (requested < 0) return InvalidField("page_size", "must not be negative");
  if (requested == 0) return default_size;
  return std::min(requested, max_size);
}

}  // namespace kla
