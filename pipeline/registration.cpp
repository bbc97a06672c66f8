#include "pipeline/registration.h"

#include <cstdio>

namespace lantai {

std::string data_volume_gb(std::uint64_t bytes) {
  const std::uint64_t thousandths = bytes / 1'000'000 + (bytes % 1'000'000 >= 500'000 ? 1 : 0);
  char text[32];
  std::snprintf(text, sizeof text, "%llu.%03llu", static_cast<unsigned long long>(thousandths / 1000),
                static_cast<unsigned long long>(thousandths % 1000));
  return text;
}

std::string_view form_algorithm_name(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::md5: return "MD5";
    case DigestAlgorithm::sha1: return "SHA-1";
    case DigestAlgorithm::sha256: return "SHA-256";
    case DigestAlgorithm::sha224: return "SHA-224";
    case DigestAlgorithm::sha384: return "SHA-384";
    case DigestAlgorithm::sha512: return "SHA-512";
    case DigestAlgorithm::sm3: return "SM3";
  }
  return "SHA-256";
}

std::optional<DigestAlgorithm> algorithm_from_form_name(std::string_view name) {
  for (DigestAlgorithm algorithm : {DigestAlgorithm::md5, DigestAlgorithm::sha256, DigestAlgorithm::sm3})
    if (form_algorithm_name(algorithm) == name) return algorithm;
  return std::nullopt;
}

}  // namespace lantai
