#include "libs/common/secret_box.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libs/common/files.h"

namespace kla {
namespace {

constexpr size_t kKeyLen = 32;
constexpr size_t kNonceLen = 12;
constexpr size_t kTagLen = 16;

using Ctx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* U(absl::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

absl::StatusOr<SecretBox> SecretBox::FromKey(absl::string_view key) {
  if (key.size() == kKeyLen) return SecretBox(std::string(key));
  std::string decoded;
  const absl::string_view text = absl::StripAsciiWhitespace(key);
  if ((absl::Base64Unescape(text, &decoded) || absl::WebSafeBase64Unescape(text, &decoded)) &&
      decoded.size() == kKeyLen) {
    return SecretBox(decoded);
  }
  return absl::InvalidArgumentError("the secrets key must be 32 bytes, raw or base64");
}

absl::StatusOr<SecretBox> SecretBox::FromKeyFile(const std::string& path) {
  absl::StatusOr<std::string> key = ReadWholeFile(path);
  if (!key.ok()) return absl::InvalidArgumentError(absl::StrCat("cannot read ", path));
  return FromKey(*key);
}

std::string SecretBox::DeriveKey(absl::string_view purpose) const {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), U(purpose), purpose.size(), md, &len);
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string SecretBox::Seal(absl::string_view plaintext, absl::string_view associated) const {
  std::string out(kNonceLen + plaintext.size() + kTagLen, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  if (RAND_bytes(bytes, kNonceLen) != 1) std::abort();  // no randomness, no safe nonce
  Ctx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key_), bytes);
  EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(associated), static_cast<int>(associated.size()));
  EVP_EncryptUpdate(ctx.get(), bytes + kNonceLen, &len, U(plaintext), static_cast<int>(plaintext.size()));
  EVP_EncryptFinal_ex(ctx.get(), bytes + kNonceLen + len, &len);
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagLen, bytes + kNonceLen + plaintext.size());
  return absl::StrCat("v1:", absl::Base64Escape(out));
}

absl::StatusOr<std::string> SecretBox::Open(absl::string_view sealed, absl::string_view associated) const {
  std::string raw;
  if (!IsSealed(sealed) || !absl::Base64Unescape(sealed.substr(3), &raw) || raw.size() < kNonceLen + kTagLen) {
    return absl::InvalidArgumentError("not a sealed secret");
  }
  const size_t n = raw.size() - kNonceLen - kTagLen;
  std::string plain(n, '\0');
  Ctx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key_), U(raw));
  EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(associated), static_cast<int>(associated.size()));
  EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len, U(raw) + kNonceLen,
                    static_cast<int>(n));
  std::string tag = raw.substr(kNonceLen + n);
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagLen, tag.data());
  if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len, &len) != 1) {
    return absl::DataLossError("a stored secret does not open with this key");
  }
  return plain;
}

}  // namespace kla
