#include "libs/auth/keys.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace kla::auth {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;

std::string BioString(BIO* b) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(b, &data);  // NOLINT(google-runtime-int): OpenSSL's type
  return std::string(data, static_cast<size_t>(n));
}

absl::StatusOr<SigningKey> FromKey(EVP_PKEY* key) {
  Bio priv(BIO_new(BIO_s_mem())), pub(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PrivateKey(priv.get(), key, nullptr, nullptr, 0, nullptr, nullptr) ||
      !PEM_write_bio_PUBKEY(pub.get(), key)) {
    return absl::InternalError("cannot encode the signing key");
  }
  SigningKey out{.private_pem = BioString(priv.get()), .public_pem = BioString(pub.get())};
  auto kid = KeyIdOf(out.public_pem);
  if (!kid.ok()) return kid.status();
  out.kid = *kid;
  return out;
}

}  // namespace

absl::StatusOr<SigningKey> GenerateSigningKey() {
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx.get(), NID_X9_62_prime256v1) <= 0 ||
      EVP_PKEY_keygen(ctx.get(), &raw) <= 0) {
    return absl::InternalError("cannot generate an ES256 key");
  }
  Key key(raw);
  return FromKey(key.get());
}

absl::StatusOr<std::string> KeyIdOf(absl::string_view public_pem) {
  Bio in(BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size())));
  Key key(PEM_read_bio_PUBKEY(in.get(), nullptr, nullptr, nullptr));
  if (!key) return absl::InvalidArgumentError("not a public key in PEM");
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(key.get(), &der);
  if (n <= 0) return absl::InternalError("cannot encode the public key");
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(der, static_cast<size_t>(n), md);
  OPENSSL_free(der);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(md), 8));
}

absl::StatusOr<SigningKey> FromPrivatePem(absl::string_view private_pem) {
  Bio in(BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size())));
  Key key(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr));
  if (!key || EVP_PKEY_base_id(key.get()) != EVP_PKEY_EC) {
    return absl::InvalidArgumentError("not an EC private key in PEM");
  }
  return FromKey(key.get());
}

absl::StatusOr<SigningKey> LoadOrCreateSigningKey(const std::string& dir) {
  const std::string path = dir + "/signing-key.pem";
  std::ifstream in(path);
  if (in) {
    std::stringstream ss;
    ss << in.rdbuf();
    return FromPrivatePem(ss.str());
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  auto key = GenerateSigningKey();
  if (!key.ok()) return key.status();
  // 0600 from the start: the private key is never readable by others.
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("cannot write ", path));
  const ssize_t n = write(fd, key->private_pem.data(), key->private_pem.size());
  close(fd);
  if (n != static_cast<ssize_t>(key->private_pem.size())) return absl::UnavailableError("short write of the key");
  return key;
}

}  // namespace kla::auth
