#include "libs/webhook/signature.h"

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace kla::webhook {
namespace {

constexpr absl::string_view kPrefix = "whsec_";

std::string Hmac(absl::string_view key, absl::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

}  // namespace

std::string NewSecret() {
  unsigned char key[32];
  RAND_bytes(key, sizeof(key));
  return absl::StrCat(kPrefix, absl::Base64Escape(absl::string_view(reinterpret_cast<const char*>(key), sizeof(key))));
}

absl::StatusOr<std::string> DecodeSecret(absl::string_view secret) {
  std::string key;
  if (!absl::Base64Unescape(absl::StripPrefix(secret, kPrefix), &key) || key.size() < 24 || key.size() > 64) {
    return absl::InvalidArgumentError("a webhook secret is whsec_ and base64 of 24 to 64 bytes");
  }
  return key;
}

std::string Sign(absl::string_view message_id, int64_t timestamp, absl::string_view body,
                 const std::vector<std::string>& keys) {
  const std::string content = absl::StrCat(message_id, ".", timestamp, ".", body);
  std::string out;
  for (const std::string& key : keys) {
    if (!out.empty()) out += ' ';
    absl::StrAppend(&out, "v1,", absl::Base64Escape(Hmac(key, content)));
  }
  return out;
}

bool Verify(const std::vector<std::string>& secrets, absl::string_view message_id, absl::string_view timestamp,
            absl::string_view body, absl::string_view signature_header, absl::Time now, absl::Duration tolerance) {
  int64_t ts = 0;
  if (!absl::SimpleAtoi(timestamp, &ts) || absl::AbsDuration(now - absl::FromUnixSeconds(ts)) > tolerance) {
    return false;
  }
  for (const std::string& secret : secrets) {
    auto key = DecodeSecret(secret);
    if (!key.ok()) continue;
    const std::string expected = Sign(message_id, ts, body, {*key});
    for (absl::string_view candidate : absl::StrSplit(signature_header, ' ', absl::SkipEmpty())) {
      if (candidate.size() == expected.size() &&
          CRYPTO_memcmp(candidate.data(), expected.data(), expected.size()) == 0) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace kla::webhook
