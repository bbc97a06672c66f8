// Outer encryption of a registration package (lantai seal / unseal, lantai run
// --seal-key). DA/T 70-2018 3-8 forbids encryption inside the package, so a package that
// passed its checks is encrypted whole, as one file, for the journey; unsealing gives
// back its bytes exactly, and the centre checks those.
//
// Ciphers: SM4-GCM (GB/T 32907, the national choice) and AES-256-GCM, both authenticated.
// Both come from libgcrypt: OpenSSL 3.0, which Debian 12 ships, has SM4 but no SM4-GCM
// (EVP_CIPHER_fetch("SM4-GCM") is null; it arrived in OpenSSL 3.2), and one library for
// both keeps one code path. The tests check an AES-256-GCM chunk against OpenSSL's EVP.
//
// The sealed file, all integers big-endian:
//   header (32 bytes)   "LTSEALED", version 1, cipher (1 AES-256-GCM, 2 SM4-GCM), 2 zero
//                       bytes, chunk size (u32, plaintext bytes per chunk), plaintext
//                       length (u64), file nonce (8 random bytes)
//   chunks              each chunk's ciphertext (chunk size bytes, the last one shorter,
//                       one empty chunk for an empty file) followed by its 16-byte tag
// Chunk i (from 0) is encrypted under the nonce file nonce || i (u32), with the whole
// header, i (u64) and a final-chunk byte (1 on the last chunk, else 0) as associated data.
// So a changed header, a chunk moved, dropped or repeated, a file cut after any chunk, or
// bytes added after the last one all fail authentication, and the count of chunks
// follows from the authenticated length.
//
// Keys: a key file holds the raw key (32 bytes for AES-256, 16 for SM4) or its hex
// (64 or 32 digits, white space around it ignored). A key is never printed or logged,
// and is wiped from memory after use.
//
// Memory: one chunk at a time (chunk size at most kMaxSealChunkBytes, also when read from
// a hostile header). Outputs are written to <out>.partial, synced, and renamed only when
// complete (unseal: only when every chunk authenticated); on any failure nothing is left.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/digest.h"

namespace lantai {

enum class SealCipher { aes256_gcm, sm4_gcm };

std::optional<SealCipher> seal_cipher_from_option(std::string_view option);  // "aes256", "sm4"
std::string_view seal_cipher_name(SealCipher cipher);                        // "AES-256-GCM", "SM4-GCM"
std::size_t seal_key_bytes(SealCipher cipher);                              // 32, 16

inline constexpr std::uint32_t kSealChunkBytes = 1u << 20;
inline constexpr std::uint32_t kMaxSealChunkBytes = 64u << 20;
inline constexpr std::size_t kSealHeaderBytes = 32;
inline constexpr std::size_t kSealTagBytes = 16;

// A sealed file that does not authenticate, or is not a sealed file: one line, naming
// the file and what failed, never the key.
class SealError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A key for cipher from its key file. Throws SealError naming the file (not its content).
class SealKey {
 public:
  static SealKey load(const std::filesystem::path& key_file, SealCipher cipher);
  ~SealKey();
  SealKey(SealKey&& other) noexcept;
  SealKey(const SealKey&) = delete;
  SealKey& operator=(const SealKey&) = delete;
  SealKey& operator=(SealKey&&) = delete;
  SealCipher cipher() const { return cipher_; }
  std::string_view bytes() const { return bytes_; }

 private:
  SealKey(SealCipher cipher, std::string bytes) : cipher_(cipher), bytes_(std::move(bytes)) {}
  SealCipher cipher_;
  std::string bytes_;
};

using NamedDigests = std::vector<std::pair<DigestAlgorithm, std::string>>;

struct SealedFigures {
  SealCipher cipher = SealCipher::aes256_gcm;
  std::uint32_t chunk_bytes = kSealChunkBytes;
  std::filesystem::path package, sealed;
  std::uint64_t package_bytes = 0, sealed_bytes = 0;
  NamedDigests package_digests, sealed_digests;  // before and after encryption
};

// MD5 and SHA-256, and SM3 with SM4: the digests a seal records on both sides.
std::vector<DigestAlgorithm> seal_digest_algorithms(SealCipher cipher);

// Seals package into out, reading it once; both files' digests come from the same pass.
// Throws std::runtime_error when a file cannot be read or written.
SealedFigures seal_package(const std::filesystem::path& package, const std::filesystem::path& out,
                           const SealKey& key, std::uint32_t chunk_bytes = kSealChunkBytes);

// The cipher a sealed file names in its header (to load the key for it). Throws SealError.
SealCipher sealed_cipher(const std::filesystem::path& sealed);

// Restores the package from sealed into out, byte for byte. Throws SealError when the
// file is not a sealed file or any chunk fails to authenticate (wrong key, a changed,
// moved or missing byte); out is then not created.
SealedFigures unseal_package(const std::filesystem::path& sealed, const std::filesystem::path& out,
                             const SealKey& key);

// <sealed>.json: the cipher, chunk size, and both files' names, sizes and digests named
// as the forms name them, so the forms can carry the package's and the sealed file's.
std::string sealed_json(const SealedFigures& figures);

}  // namespace lantai
