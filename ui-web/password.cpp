#include "ui-web/password.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>
#include <vector>

namespace lantai::review {

namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr unsigned long long kMaxN = 1ULL << 20;  // a stored text asking more is refused, not run

std::string base64(const std::vector<unsigned char>& bytes) {
  std::string text(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()), bytes.data(),
                                     static_cast<int>(bytes.size()));
  text.resize(static_cast<std::size_t>(length));
  return text;
}

std::vector<unsigned char> unbase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return {};
  std::vector<unsigned char> bytes(3 * text.size() / 4);
  const int length = EVP_DecodeBlock(bytes.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                     static_cast<int>(text.size()));
  if (length < 0) return {};
  std::size_t size = static_cast<std::size_t>(length);
  for (std::size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) --size;  // EVP_DecodeBlock counts padding
  bytes.resize(size);
  return bytes;
}

std::vector<unsigned char> scrypt(std::string_view password, const std::vector<unsigned char>& salt,
                                  const ScryptCost& cost, std::size_t length) {
  std::unique_ptr<EVP_KDF, decltype(&EVP_KDF_free)> kdf(EVP_KDF_fetch(nullptr, "SCRYPT", nullptr), EVP_KDF_free);
  if (!kdf) throw std::runtime_error("OpenSSL has no scrypt");
  std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> context(EVP_KDF_CTX_new(kdf.get()), EVP_KDF_CTX_free);
  uint64_t n = cost.n;
  uint32_t r = cost.r, p = cost.p;
  uint64_t max_memory = 256ULL << 20;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, const_cast<char*>(password.data()), password.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<unsigned char*>(salt.data()), salt.size()),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &max_memory),
      OSSL_PARAM_construct_end()};
  std::vector<unsigned char> key(length);
  if (!context || EVP_KDF_derive(context.get(), key.data(), key.size(), params) != 1)
    throw std::runtime_error("scrypt failed");
  return key;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

bool parse_number(std::string_view text, unsigned long long& value) {
  if (text.empty() || text.size() > 12) return false;
  value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return true;
}

}  // namespace

std::string hash_password(std::string_view password, const ScryptCost& cost) {
  std::vector<unsigned char> salt(kSaltBytes);
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) throw std::runtime_error("no random bytes for a salt");
  const auto hash = scrypt(password, salt, cost, kHashBytes);
  return "scrypt$" + std::to_string(cost.n) + "$" + std::to_string(cost.r) + "$" + std::to_string(cost.p) + "$" +
         base64(salt) + "$" + base64(hash);
}

bool verify_password(std::string_view password, std::string_view stored) {
  const auto parts = split(stored, '$');
  unsigned long long n = 0, r = 0, p = 0;
  if (parts.size() != 6 || parts[0] != "scrypt" || !parse_number(parts[1], n) || !parse_number(parts[2], r) ||
      !parse_number(parts[3], p) || n < 2 || n > kMaxN || (n & (n - 1)) != 0 || r == 0 || r > 32 || p == 0 || p > 16)
    return false;
  const auto salt = unbase64(parts[4]);
  const auto expected = unbase64(parts[5]);
  // A shortened hash would verify against a prefix of the right one: the lengths are ours.
  if (salt.size() != kSaltBytes || expected.size() != kHashBytes) return false;
  try {
    const auto hash = scrypt(password, salt, {n, static_cast<unsigned>(r), static_cast<unsigned>(p)}, expected.size());
    return CRYPTO_memcmp(hash.data(), expected.data(), hash.size()) == 0;
  } catch (const std::runtime_error&) {
    return false;
  }
}

}  // namespace lantai::review
