#include "libs/common/page_token.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/common/errors.h"

namespace kla {
namespace {

constexpr absl::string_view kVersion = "p1";

// A short digest of the fingerprint, and a check over the whole token body so
// an edited token is caught (integrity against accidents, not a secret: the
// keys in tokens are not confidential).
std::string Digest(absl::string_view data) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(md), 6));
}

absl::Status BadToken() {
  return InvalidField("page_token", "not a page token from a previous response to this same query");
}

}  // namespace

std::string EncodePageToken(absl::string_view query_fingerprint, absl::string_view last_key) {
  const std::string body = absl::StrCat(kVersion, "|", Digest(query_fingerprint), "|", last_key);
  return absl::WebSafeBase64Escape(absl::StrCat(body, "|", Digest(body)));
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view token, absl::string_view query_fingerprint) {
  if (token.empty()) return std::string();
  if (token.size() > 1024) return BadToken();
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return BadToken();
  const size_t last_bar = raw.rfind('|');
  if (last_bar == std::string::npos) return BadToken();
  const absl::string_view body = absl::string_view(raw).substr(0, last_bar);
  if (Digest(body) != absl::string_view(raw).substr(last_bar + 1)) return BadToken();
  std::vector<std::string> parts = absl::StrSplit(body, absl::MaxSplits('|', 2));
  if (parts.size() != 3 || parts[0] != kVersion || parts[1] != Digest(query_fingerprint)) return BadToken();
  return parts[2];
}

absl::StatusOr<int> ResolvePageSize(int requested, int default_size, int max_size) {
  if (requested < 0) return InvalidField("page_size", "must not be negative");
  if (requested == 0) return default_size;
  return std::min(requested, max_size);
}

}  // namespace kla
