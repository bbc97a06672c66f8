// The bag's signature (its 唯一性认证信息 as a signature): SM2 (GB/T 32918) over SM3
// (GB/T 32905) through OpenSSL 3, shared by `lantai keys new`, the deposit, which signs,
// and verify, which checks.
//
// Keys: PEM files, the private key PKCS#8 (`-----BEGIN PRIVATE KEY-----`, file mode 0600),
// the public key SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`). A key is named by
// its fingerprint: the SM3 of its public key's DER encoding, 64 hex digits.
//
// The signature is a tag file at the bag's root, bag-signature-sm2.txt, UTF-8, one
// `Label: value` per line, in this order:
//
//   Signature-Format: lantai.bag-signature/1
//   Signature-Algorithm: SM2-with-SM3
//   Signer-ID: 1234567812345678
//   Public-Key-SM3: <fingerprint of the signing key>
//   Signed-File: tagmanifest-md5.txt <SM3 of its bytes>
//   Signed-File: tagmanifest-sha256.txt <SM3 of its bytes>      (one per tag manifest)
//   Signature: <base64 of the DER-encoded SM2 signature>
//
// What is signed: the bytes of every line before `Signature:` (their newlines included),
// with SM2's user ID (Signer-ID; the GB/T 35276 default) in its Z value. The tag manifests
// list every other tag file (bagit.txt, bag-info.txt, the payload manifests, the forms),
// so the one signature covers every tag file and, through the payload manifests, the
// payload. The signature file cannot be listed in a tag manifest (it is written after
// them, from their bytes), so no tag manifest lists it: RFC 8493 §2.2.1 lets a tag file go
// unlisted, and its own signature protects it.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lantai {

inline constexpr const char* kBagSignaturePath = "bag-signature-sm2.txt";
inline constexpr const char* kBagSignatureFormat = "lantai.bag-signature/1";
inline constexpr const char* kBagSignatureAlgorithm = "SM2-with-SM3";
inline constexpr const char* kSm2DefaultUserId = "1234567812345678";  // GB/T 35276-2017

// An SM2 key; a private key also answers as its public half. Errors (a file that cannot
// be read, a key that is not SM2) throw std::runtime_error naming the file.
class Sm2Key {
 public:
  static Sm2Key load_private(const std::filesystem::path& pem_file);
  static Sm2Key load_public(const std::filesystem::path& pem_file);
  static Sm2Key generate();
  ~Sm2Key();
  Sm2Key(Sm2Key&&) noexcept;
  Sm2Key& operator=(Sm2Key&&) noexcept;

  std::string fingerprint() const;  // SM3 of the public key's DER, hex
  std::string private_pem() const;  // PKCS#8; throws for a public key
  std::string public_pem() const;

  std::string sign(std::string_view message) const;  // DER signature; throws for a public key
  bool verifies(std::string_view message, std::string_view der_signature) const;

 private:
  struct Handle;
  explicit Sm2Key(std::unique_ptr<Handle> handle);
  std::unique_ptr<Handle> handle_;
};

// Writes DIR/sm2-private.pem (mode 0600) and DIR/sm2-public.pem, never over existing
// files; returns the key's fingerprint. Throws std::runtime_error.
std::string write_new_key_pair(const std::filesystem::path& dir);

// The text of bag-signature-sm2.txt for the tag manifests in bag_dir (every
// tagmanifest-*.txt, in name order). Throws std::runtime_error when one cannot be read.
std::string sign_bag(const std::filesystem::path& bag_dir, const Sm2Key& key);

// Problems with the bag's signature as checked with the trusted key, each one line that
// starts with the file it is about; empty when the signature holds.
std::vector<std::string> check_bag_signature(const std::filesystem::path& bag_dir, const Sm2Key& trusted);

// What the signature check reads of a bag wherever it lies (a folder, or a package file
// read without unpacking it).
struct SignedBag {
  std::vector<std::string> tag_manifests;  // its tagmanifest-*.txt, in byte order
  // The SM3 (hex) of a plain file at the bag's top; nullopt when absent or not plain.
  std::function<std::optional<std::string>(const std::string& name)> sm3_of;
  // The bytes of bag-signature-sm2.txt; nullopt when absent or not a plain file.
  std::optional<std::string> signature_text;
};
std::vector<std::string> check_bag_signature(const SignedBag& bag, const Sm2Key& trusted);

// The Public-Key-SM3 the bag's signature file names, or "" when it has none.
std::string signature_key_fingerprint(const std::filesystem::path& bag_dir);
std::string fingerprint_in_signature(std::string_view signature_text);

std::string base64_encode(std::string_view bytes);
std::string base64_decode(std::string_view text);  // throws std::invalid_argument

}  // namespace lantai
