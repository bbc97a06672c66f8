#include "pipeline/bag_signature.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "pipeline/digest.h"
#include "pipeline/files.h"

namespace lantai {
namespace fs = std::filesystem;

namespace {

std::string openssl_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string read_small_file(const fs::path& file, const char* what) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot read the " + what);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

constexpr std::uintmax_t kMaxSignatureBytes = 1u << 20;

// The bag's tag manifests, by name (byte order).
std::vector<std::string> tag_manifests_of(const fs::path& bag_dir) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(bag_dir, error)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("tagmanifest-") && name.ends_with(".txt")) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The SM3 of a file in the bag; nullopt when it is not a plain readable file.
std::optional<std::string> sm3_of(const fs::path& file) {
  std::error_code error;
  if (!fs::is_regular_file(fs::symlink_status(file, error))) return std::nullopt;
  try {
    return hex_digests_of_file(file, {DigestAlgorithm::sm3}).front();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

struct Sm2Key::Handle {
  EVP_PKEY* key = nullptr;
  bool is_private = false;
  ~Handle() { EVP_PKEY_free(key); }
};

Sm2Key::Sm2Key(std::unique_ptr<Handle> handle) : handle_(std::move(handle)) {}
Sm2Key::~Sm2Key() = default;
Sm2Key::Sm2Key(Sm2Key&&) noexcept = default;
Sm2Key& Sm2Key::operator=(Sm2Key&&) noexcept = default;

Sm2Key Sm2Key::generate() {
  auto handle = std::make_unique<Handle>();
  handle->key = EVP_PKEY_Q_keygen(nullptr, nullptr, "SM2");
  if (!handle->key) throw std::runtime_error("cannot make an SM2 key: " + openssl_error());
  handle->is_private = true;
  return Sm2Key(std::move(handle));
}

Sm2Key Sm2Key::load_private(const fs::path& pem_file) {
  const std::string pem = read_small_file(pem_file, "SM2 private key");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  auto handle = std::make_unique<Handle>();
  handle->key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (!handle->key) throw std::runtime_error(pem_file.string() + ": not a PEM private key (" + openssl_error() + ")");
  if (!EVP_PKEY_is_a(handle->key, "SM2"))
    throw std::runtime_error(pem_file.string() + ": not an SM2 key; make one with lantai keys new");
  handle->is_private = true;
  return Sm2Key(std::move(handle));
}

Sm2Key Sm2Key::load_public(const fs::path& pem_file) {
  const std::string pem = read_small_file(pem_file, "SM2 public key");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  auto handle = std::make_unique<Handle>();
  handle->key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (!handle->key) throw std::runtime_error(pem_file.string() + ": not a PEM public key (" + openssl_error() + ")");
  if (!EVP_PKEY_is_a(handle->key, "SM2")) throw std::runtime_error(pem_file.string() + ": not an SM2 public key");
  return Sm2Key(std::move(handle));
}

std::string Sm2Key::fingerprint() const {
  unsigned char* der = nullptr;
  const int size = i2d_PUBKEY(handle_->key, &der);
  if (size <= 0) throw std::runtime_error("cannot encode the SM2 public key: " + openssl_error());
  std::string bytes(reinterpret_cast<char*>(der), static_cast<std::size_t>(size));
  OPENSSL_free(der);
  return hex_digest(DigestAlgorithm::sm3, bytes);
}

std::string Sm2Key::private_pem() const {
  if (!handle_->is_private) throw std::runtime_error("a public key has no private half");
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PrivateKey(bio.get(), handle_->key, nullptr, nullptr, 0, nullptr, nullptr))
    throw std::runtime_error("cannot write the SM2 private key: " + openssl_error());
  return bio_text(bio.get());
}

std::string Sm2Key::public_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PUBKEY(bio.get(), handle_->key))
    throw std::runtime_error("cannot write the SM2 public key: " + openssl_error());
  return bio_text(bio.get());
}

namespace {

// An SM3 digest-sign or digest-verify context with SM2's user ID set, as OpenSSL's
// EVP_PKEY-SM2 documents it.
struct Sm2Context {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pkey = nullptr;
  explicit Sm2Context(EVP_PKEY* key) : pkey(EVP_PKEY_CTX_new(key, nullptr)) {
    if (!md || !pkey || EVP_PKEY_CTX_set1_id(pkey, kSm2DefaultUserId, 16) <= 0)
      throw std::runtime_error("cannot set up SM2: " + openssl_error());
    EVP_MD_CTX_set_pkey_ctx(md, pkey);
  }
  ~Sm2Context() {
    EVP_MD_CTX_free(md);
    EVP_PKEY_CTX_free(pkey);
  }
};

}  // namespace

std::string Sm2Key::sign(std::string_view message) const {
  if (!handle_->is_private) throw std::runtime_error("a public key cannot sign");
  Sm2Context context(handle_->key);
  std::size_t size = 0;
  if (EVP_DigestSignInit(context.md, nullptr, EVP_sm3(), nullptr, handle_->key) <= 0 ||
      EVP_DigestSignUpdate(context.md, message.data(), message.size()) <= 0 ||
      EVP_DigestSignFinal(context.md, nullptr, &size) <= 0)
    throw std::runtime_error("cannot sign with SM2: " + openssl_error());
  std::string signature(size, '\0');
  if (EVP_DigestSignFinal(context.md, reinterpret_cast<unsigned char*>(signature.data()), &size) <= 0)
    throw std::runtime_error("cannot sign with SM2: " + openssl_error());
  signature.resize(size);
  return signature;
}

bool Sm2Key::verifies(std::string_view message, std::string_view der_signature) const {
  Sm2Context context(handle_->key);
  const bool ok = EVP_DigestVerifyInit(context.md, nullptr, EVP_sm3(), nullptr, handle_->key) > 0 &&
                  EVP_DigestVerifyUpdate(context.md, message.data(), message.size()) > 0 &&
                  EVP_DigestVerifyFinal(context.md, reinterpret_cast<const unsigned char*>(der_signature.data()),
                                        der_signature.size()) == 1;
  ERR_clear_error();
  return ok;
}

std::string write_new_key_pair(const fs::path& dir) {
  fs::create_directories(dir);
  const fs::path private_file = dir / "sm2-private.pem", public_file = dir / "sm2-public.pem";
  for (const fs::path& file : {private_file, public_file})
    if (fs::exists(file)) throw std::runtime_error(file.string() + " exists; a key is never overwritten");
  const Sm2Key key = Sm2Key::generate();
  // Created 0600 from the first byte, whatever the umask: the private key is never readable by others.
  const std::string pem = key.private_pem();
  const int fd = ::open(private_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error(private_file.string() + ": cannot be created");
  const bool written = ::fchmod(fd, 0600) == 0 &&
                       ::write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    fs::remove(private_file);
    throw std::runtime_error(private_file.string() + ": cannot be written");
  }
  write_file_atomically(public_file, key.public_pem());
  return key.fingerprint();
}

std::string sign_bag(const fs::path& bag_dir, const Sm2Key& key) {
  std::string signed_lines = std::string("Signature-Format: ") + kBagSignatureFormat + "\n" +
                             "Signature-Algorithm: " + kBagSignatureAlgorithm + "\n" +
                             "Signer-ID: " + kSm2DefaultUserId + "\n" + "Public-Key-SM3: " + key.fingerprint() + "\n";
  const std::vector<std::string> manifests = tag_manifests_of(bag_dir);
  if (manifests.empty()) throw std::runtime_error(bag_dir.string() + ": no tag manifest to sign");
  for (const std::string& name : manifests) {
    const auto digest = sm3_of(bag_dir / name);
    if (!digest) throw std::runtime_error((bag_dir / name).string() + ": cannot be read to sign it");
    signed_lines += "Signed-File: " + name + " " + *digest + "\n";
  }
  return signed_lines + "Signature: " + base64_encode(key.sign(signed_lines)) + "\n";
}

std::string fingerprint_in_signature(std::string_view signature_text) {
  std::istringstream in{std::string(signature_text)};
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with("Public-Key-SM3: ")) return line.substr(16);
  return "";
}

std::string signature_key_fingerprint(const fs::path& bag_dir) {
  std::ifstream in(bag_dir / kBagSignaturePath);
  std::stringstream text;
  text << in.rdbuf();
  const std::string bytes = text.str();
  return fingerprint_in_signature(bytes);
}

std::vector<std::string> check_bag_signature(const fs::path& bag_dir, const Sm2Key& trusted) {
  SignedBag bag;
  bag.tag_manifests = tag_manifests_of(bag_dir);
  bag.sm3_of = [&](const std::string& name) -> std::optional<std::string> {
    return name.find('/') == std::string::npos ? sm3_of(bag_dir / name) : std::nullopt;
  };
  std::error_code error;
  const fs::path path = bag_dir / kBagSignaturePath;
  if (fs::is_regular_file(fs::symlink_status(path, error))) {
    if (fs::file_size(path, error) > kMaxSignatureBytes)
      return {std::string(kBagSignaturePath) + ": larger than 1 MiB; not a signature file"};
    bag.signature_text = read_small_file(path, "signature");
  }
  return check_bag_signature(bag, trusted);
}

std::vector<std::string> check_bag_signature(const SignedBag& bag, const Sm2Key& trusted) {
  const std::string file = kBagSignaturePath;
  std::vector<std::string> problems;
  auto problem = [&](const std::string& about, const std::string& reason) {
    problems.push_back(about + ": " + reason);
  };
  if (!bag.signature_text) {
    problem(file, "missing; the bag is not signed (or its signature was removed)");
    return problems;
  }
  if (bag.signature_text->size() > kMaxSignatureBytes) {
    problem(file, "larger than 1 MiB; not a signature file");
    return problems;
  }
  const std::string& text = *bag.signature_text;
  if (text.empty()) {
    problem(file, "has no final 'Signature:' line");
    return problems;
  }
  const std::size_t signature_at = text.rfind("\nSignature: ");
  if (signature_at == std::string::npos || text.back() != '\n') {
    problem(file, "has no final 'Signature:' line");
    return problems;
  }
  const std::string signed_lines = text.substr(0, signature_at + 1);
  std::string signature;
  try {
    signature = base64_decode(text.substr(signature_at + 12, text.size() - signature_at - 13));
  } catch (const std::invalid_argument&) {
    problem(file, "the Signature line is not base64");
    return problems;
  }
  std::map<std::string, std::string> fields;
  std::map<std::string, std::string> signed_files;
  std::istringstream lines(signed_lines);
  std::string line;
  while (std::getline(lines, line)) {
    const std::size_t colon = line.find(": ");
    if (colon == std::string::npos) {
      problem(file, "malformed line '" + line + "'");
      return problems;
    }
    const std::string label = line.substr(0, colon), value = line.substr(colon + 2);
    if (label == "Signed-File") {
      const std::size_t space = value.rfind(' ');
      if (space == std::string::npos) {
        problem(file, "malformed Signed-File line '" + line + "'");
        return problems;
      }
      signed_files[value.substr(0, space)] = value.substr(space + 1);
    } else {
      fields[label] = value;
    }
  }
  if (fields["Signature-Format"] != kBagSignatureFormat || fields["Signature-Algorithm"] != kBagSignatureAlgorithm ||
      fields["Signer-ID"] != kSm2DefaultUserId) {
    problem(file, std::string("not a ") + kBagSignatureFormat + " signature with " + kBagSignatureAlgorithm +
                      " and Signer-ID " + kSm2DefaultUserId);
    return problems;
  }
  const std::string trusted_fingerprint = trusted.fingerprint();
  if (fields["Public-Key-SM3"] != trusted_fingerprint) {
    problem(file, "signed with the key " + fields["Public-Key-SM3"] + ", not the trusted key " + trusted_fingerprint);
    return problems;
  }
  if (!trusted.verifies(signed_lines, signature)) {
    problem(file, "the signature does not verify with the trusted key: the signature file was changed");
    return problems;
  }
  // The signature holds: now every tag manifest must be one it signed, unchanged.
  for (const std::string& name : bag.tag_manifests) {
    auto listed = signed_files.find(name);
    if (listed == signed_files.end()) {
      problem(name, "not signed: added or renamed after the bag was signed");
      continue;
    }
    const auto found = bag.sm3_of(name);
    if (!found || *found != listed->second) problem(name, "changed since the bag was signed (its SM3 differs)");
  }
  for (const auto& [name, digest] : signed_files)
    if (name.find('/') != std::string::npos ||
        std::find(bag.tag_manifests.begin(), bag.tag_manifests.end(), name) == bag.tag_manifests.end())
      problem(name, "signed, but no longer in the bag");
  return problems;
}

std::string base64_encode(std::string_view bytes) {
  std::string text(4 * ((bytes.size() + 2) / 3), '\0');
  const int size =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  text.resize(static_cast<std::size_t>(size));
  return text;
}

std::string base64_decode(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) throw std::invalid_argument("not base64");
  std::string bytes(3 * text.size() / 4, '\0');
  const int size = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bytes.data()),
                                   reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (size < 0) throw std::invalid_argument("not base64");
  // EVP_DecodeBlock counts the padding as zero bytes.
  std::size_t padding = 0;
  for (std::size_t i = text.size(); i > 0 && text[i - 1] == '=' && padding < 2; --i) ++padding;
  bytes.resize(static_cast<std::size_t>(size) - padding);
  return bytes;
}

}  // namespace lantai
