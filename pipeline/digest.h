// Digests through OpenSSL 3 EVP: MD5 and SHA-256 for BagIt manifests, SM3 (GB/T 32905)
// where national cryptography is asked for, SHA-1, SHA-224, SHA-384 and SHA-512 for
// checking bags other tools made.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lantai {

enum class DigestAlgorithm { md5, sha1, sha224, sha256, sha384, sha512, sm3 };
std::string_view to_string(DigestAlgorithm algorithm);  // "md5", "sha1", "sha224", "sha256", … "sm3"

// Length of the algorithm's digest in hex digits.
std::size_t hex_length(DigestAlgorithm algorithm);

std::string hex_digest(DigestAlgorithm algorithm, std::string_view bytes);

// Digests of bytes that arrive in pieces: every algorithm fed from the same pieces, so
// a file is read (or written) once whatever the number of manifests.
class DigestStream {
 public:
  explicit DigestStream(const std::vector<DigestAlgorithm>& algorithms);  // throws std::runtime_error
  ~DigestStream();
  DigestStream(DigestStream&&) noexcept;
  void update(std::string_view bytes);
  std::vector<std::string> finish();  // one lowercase hex digest per algorithm, in order

 private:
  struct Contexts;
  std::unique_ptr<Contexts> contexts_;
};

// Reads the file once and returns one lowercase hex digest per algorithm, in order.
// Throws std::runtime_error naming the file when it cannot be read.
std::vector<std::string> hex_digests_of_file(const std::filesystem::path& file,
                                             const std::vector<DigestAlgorithm>& algorithms);

}  // namespace lantai
