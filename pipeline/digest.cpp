#include "pipeline/digest.h"

#include <openssl/evp.h>

#include <array>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace lantai {

std::string_view to_string(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::md5: return "md5";
    case DigestAlgorithm::sha1: return "sha1";
    case DigestAlgorithm::sha256: return "sha256";
    case DigestAlgorithm::sha224: return "sha224";
    case DigestAlgorithm::sha384: return "sha384";
    case DigestAlgorithm::sha512: return "sha512";
    case DigestAlgorithm::sm3: return "sm3";
  }
  return "sha256";
}

std::size_t hex_length(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::md5: return 32;
    case DigestAlgorithm::sha1: return 40;
    case DigestAlgorithm::sha256: return 64;
    case DigestAlgorithm::sha224: return 56;
    case DigestAlgorithm::sha384: return 96;
    case DigestAlgorithm::sha512: return 128;
    case DigestAlgorithm::sm3: return 64;
  }
  return 64;
}

namespace {

const EVP_MD* evp_of(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::md5: return EVP_md5();
    case DigestAlgorithm::sha1: return EVP_sha1();
    case DigestAlgorithm::sha256: return EVP_sha256();
    case DigestAlgorithm::sha224: return EVP_sha224();
    case DigestAlgorithm::sha384: return EVP_sha384();
    case DigestAlgorithm::sha512: return EVP_sha512();
    case DigestAlgorithm::sm3: return EVP_sm3();
  }
  return EVP_sha256();
}

using Context = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

Context start(DigestAlgorithm algorithm) {
  Context context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!context || EVP_DigestInit_ex(context.get(), evp_of(algorithm), nullptr) != 1)
    throw std::runtime_error("OpenSSL cannot start a " + std::string(to_string(algorithm)) +
                             " digest");
  return context;
}

std::string finish(EVP_MD_CTX* context) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(context, digest.data(), &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 15]);
  }
  return hex;
}

}  // namespace

std::string hex_digest(DigestAlgorithm algorithm, std::string_view bytes) {
  Context context = start(algorithm);
  EVP_DigestUpdate(context.get(), bytes.data(), bytes.size());
  return finish(context.get());
}

struct DigestStream::Contexts {
  std::vector<Context> each;
};

DigestStream::DigestStream(const std::vector<DigestAlgorithm>& algorithms) : contexts_(std::make_unique<Contexts>()) {
  for (DigestAlgorithm algorithm : algorithms) contexts_->each.push_back(start(algorithm));
}
DigestStream::~DigestStream() = default;
DigestStream::DigestStream(DigestStream&&) noexcept = default;

void DigestStream::update(std::string_view bytes) {
  for (auto& context : contexts_->each) EVP_DigestUpdate(context.get(), bytes.data(), bytes.size());
}

std::vector<std::string> DigestStream::finish() {
  std::vector<std::string> hex;
  for (auto& context : contexts_->each) hex.push_back(lantai::finish(context.get()));
  return hex;
}

std::vector<std::string> hex_digests_of_file(const std::filesystem::path& file,
                                             const std::vector<DigestAlgorithm>& algorithms) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  DigestStream digests(algorithms);
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    std::streamsize n = in.gcount();
    if (n <= 0) break;
    digests.update({buffer.data(), static_cast<size_t>(n)});
  }
  if (in.bad()) throw std::runtime_error("cannot read " + file.string());
  return digests.finish();
}

}  // namespace lantai
