#include "pipeline/sealed_package.h"

#include <fcntl.h>
#include <gcrypt.h>
#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <system_error>

#include <nlohmann/json.hpp>

#include "pipeline/files.h"
#include "pipeline/registration.h"
#include "pipeline/threaded_digest.h"

namespace lantai {
namespace fs = std::filesystem;

namespace {

constexpr char kMagic[8] = {'L', 'T', 'S', 'E', 'A', 'L', 'E', 'D'};
constexpr unsigned char kVersion = 1;
constexpr std::size_t kFileNonceBytes = 8;
constexpr std::uintmax_t kMaxKeyFileBytes = 4096;
// A chunk's nonce ends in its index as 32 bits, so no nonce repeats within a file.
constexpr std::uint64_t kMaxChunks = 1ull << 32;

unsigned char cipher_code(SealCipher cipher) { return cipher == SealCipher::sm4_gcm ? 2 : 1; }

std::string errno_text() { return std::error_code(errno, std::generic_category()).message(); }

void put_be(std::string& out, std::size_t at, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i, value >>= 8) out[at + static_cast<std::size_t>(i)] = static_cast<char>(value & 0xFF);
}

std::uint64_t get_be(std::string_view in, std::size_t at, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<unsigned char>(in[at + static_cast<std::size_t>(i)]);
  return value;
}

void init_gcrypt() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (!gcry_check_version(GCRYPT_VERSION))
      throw std::runtime_error("libgcrypt is older than the one lantai was built with");
    // Keys live in ordinary memory, wiped after use; libgcrypt's locked pool needs privileges.
    gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
    gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
  });
}

// One GCM context for a whole file; each chunk restarts it under its own nonce.
class Gcm {
 public:
  explicit Gcm(const SealKey& key) {
    init_gcrypt();
    const int algorithm = key.cipher() == SealCipher::sm4_gcm ? GCRY_CIPHER_SM4 : GCRY_CIPHER_AES256;
    if (gcry_cipher_open(&handle_, algorithm, GCRY_CIPHER_MODE_GCM, 0) != 0)
      throw std::runtime_error(std::string("libgcrypt cannot open ") + std::string(seal_cipher_name(key.cipher())));
    if (gcry_cipher_setkey(handle_, key.bytes().data(), key.bytes().size()) != 0) {
      gcry_cipher_close(handle_);
      throw std::runtime_error("libgcrypt refused the key");
    }
  }
  ~Gcm() { gcry_cipher_close(handle_); }
  Gcm(const Gcm&) = delete;
  Gcm& operator=(const Gcm&) = delete;

  void start(const unsigned char* nonce, std::string_view aad) {
    gcry_cipher_reset(handle_);
    gcry_cipher_setiv(handle_, nonce, 12);
    gcry_cipher_authenticate(handle_, aad.data(), aad.size());
    gcry_cipher_final(handle_);  // each chunk is one call
  }
  void encrypt(char* data, std::size_t size, unsigned char* tag) {
    if (gcry_cipher_encrypt(handle_, data, size, nullptr, 0) != 0 || gcry_cipher_gettag(handle_, tag, kSealTagBytes) != 0)
      throw std::runtime_error("libgcrypt failed to encrypt");
  }
  bool decrypt(char* data, std::size_t size, const unsigned char* tag) {
    if (gcry_cipher_decrypt(handle_, data, size, nullptr, 0) != 0) return false;
    return gcry_cipher_checktag(handle_, tag, kSealTagBytes) == 0;
  }

 private:
  gcry_cipher_hd_t handle_ = nullptr;
};

// Chunk i's nonce and associated data (the format in sealed_package.h).
struct ChunkParameters {
  unsigned char nonce[12];
  std::string aad;
  ChunkParameters(const std::string& header, std::uint64_t index, bool final_chunk) : aad(header) {
    std::memcpy(nonce, header.data() + 24, kFileNonceBytes);
    std::string counter(4, '\0');
    put_be(counter, 0, index, 4);
    std::memcpy(nonce + kFileNonceBytes, counter.data(), 4);
    aad.resize(header.size() + 9);
    put_be(aad, header.size(), index, 8);
    aad.back() = final_chunk ? 1 : 0;
  }
};

std::uint64_t chunk_count(std::uint64_t length, std::uint32_t chunk_bytes) {
  return length == 0 ? 1 : (length + chunk_bytes - 1) / chunk_bytes;
}

// Reads exactly size bytes unless the file ends first; returns how many.
std::size_t read_full(int fd, char* into, std::size_t size) {
  std::size_t got = 0;
  while (got < size) {
    const ssize_t n = ::read(fd, into + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(errno_text());
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  return got;
}

class InputFile {
 public:
  explicit InputFile(const fs::path& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) throw std::runtime_error(path.string() + ": cannot be read: " + errno_text());
    ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  }
  ~InputFile() { ::close(fd_); }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// <path>.partial, renamed to path by commit() once synced; removed if never committed.
class PartialFile {
 public:
  explicit PartialFile(fs::path path) : path_(std::move(path)), partial_(path_.string() + ".partial") {
    fd_ = ::open(partial_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error(partial_.string() + ": cannot be written: " + errno_text());
  }
  ~PartialFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) {
      std::error_code ignored;
      fs::remove(partial_, ignored);
    }
  }
  PartialFile(const PartialFile&) = delete;
  PartialFile& operator=(const PartialFile&) = delete;

  void write(const char* data, std::size_t size) {
    while (size > 0) {
      const ssize_t n = ::write(fd_, data, size);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw std::runtime_error(partial_.string() + ": cannot be written: " + errno_text());
      data += n;
      size -= static_cast<std::size_t>(n);
    }
  }
  void commit() {
    if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
      fd_ = -1;
      throw std::runtime_error(partial_.string() + ": cannot be synced: " + errno_text());
    }
    fd_ = -1;
    fs::rename(partial_, path_);
    committed_ = true;
    sync_directory(path_.parent_path().empty() ? fs::path(".") : path_.parent_path());
  }

 private:
  fs::path path_, partial_;
  int fd_ = -1;
  bool committed_ = false;
};

NamedDigests named(const std::vector<DigestAlgorithm>& algorithms, ThreadedDigestStream& stream) {
  NamedDigests digests;
  std::vector<std::string> hex = stream.finish();
  for (std::size_t i = 0; i < algorithms.size(); ++i) digests.emplace_back(algorithms[i], std::move(hex[i]));
  return digests;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<SealCipher> seal_cipher_from_option(std::string_view option) {
  if (option == "aes256") return SealCipher::aes256_gcm;
  if (option == "sm4") return SealCipher::sm4_gcm;
  return std::nullopt;
}

std::string_view seal_cipher_name(SealCipher cipher) {
  return cipher == SealCipher::sm4_gcm ? "SM4-GCM" : "AES-256-GCM";
}

std::size_t seal_key_bytes(SealCipher cipher) { return cipher == SealCipher::sm4_gcm ? 16 : 32; }

std::vector<DigestAlgorithm> seal_digest_algorithms(SealCipher cipher) {
  if (cipher == SealCipher::sm4_gcm) return {DigestAlgorithm::md5, DigestAlgorithm::sha256, DigestAlgorithm::sm3};
  return {DigestAlgorithm::md5, DigestAlgorithm::sha256};
}

SealKey SealKey::load(const fs::path& key_file, SealCipher cipher) {
  const std::size_t size = seal_key_bytes(cipher);
  const std::string what = key_file.string() + ": not an " + std::string(seal_cipher_name(cipher)) + " key (" +
                           std::to_string(size) + " raw bytes, or " + std::to_string(2 * size) + " hex digits)";
  std::error_code error;
  if (!fs::is_regular_file(key_file, error)) throw SealError(key_file.string() + ": no such key file");
  if (fs::file_size(key_file, error) > kMaxKeyFileBytes) throw SealError(what);
  std::string text;
  try {
    text = read_file(key_file);
  } catch (const std::exception&) {
    throw SealError(key_file.string() + ": the key file cannot be read");
  }
  std::string key;
  if (text.size() == size) {
    key = std::move(text);
  } else {
    std::size_t begin = 0, end = text.size();
    while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
    while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
    if (end - begin == 2 * size) {
      key.resize(size);
      for (std::size_t i = 0; i < size; ++i) {
        const int high = hex_value(text[begin + 2 * i]), low = hex_value(text[begin + 2 * i + 1]);
        if (high < 0 || low < 0) {
          ::explicit_bzero(key.data(), key.size());
          key.clear();
          break;
        }
        key[i] = static_cast<char>(high * 16 + low);
      }
    }
    ::explicit_bzero(text.data(), text.size());
  }
  if (key.size() != size) throw SealError(what);
  return SealKey(cipher, std::move(key));
}

SealKey::~SealKey() { ::explicit_bzero(bytes_.data(), bytes_.size()); }

SealKey::SealKey(SealKey&& other) noexcept : cipher_(other.cipher_), bytes_(std::move(other.bytes_)) {
  ::explicit_bzero(other.bytes_.data(), other.bytes_.size());
}

SealedFigures seal_package(const fs::path& package, const fs::path& out, const SealKey& key, std::uint32_t chunk_bytes) {
  if (chunk_bytes == 0 || chunk_bytes > kMaxSealChunkBytes) throw std::invalid_argument("chunk size out of range");
  init_gcrypt();
  SealedFigures figures;
  figures.cipher = key.cipher();
  figures.chunk_bytes = chunk_bytes;
  figures.package = package;
  figures.sealed = out;
  const std::vector<DigestAlgorithm> algorithms = seal_digest_algorithms(key.cipher());
  // Each side's digests on a thread of their own, beside the cipher on this one.
  ThreadedDigestStream plain_digests(algorithms), sealed_digests(algorithms);

  InputFile in(package);
  std::error_code error;
  const std::uint64_t length = fs::file_size(package, error);
  if (error) throw std::runtime_error(package.string() + ": cannot be read: " + error.message());

  std::string header(kSealHeaderBytes, '\0');
  std::memcpy(header.data(), kMagic, sizeof kMagic);
  header[8] = static_cast<char>(kVersion);
  header[9] = static_cast<char>(cipher_code(key.cipher()));
  put_be(header, 12, chunk_bytes, 4);
  put_be(header, 16, length, 8);
  gcry_create_nonce(header.data() + 24, kFileNonceBytes);

  PartialFile sealed(out);
  sealed.write(header.data(), header.size());
  sealed_digests.update(header);
  Gcm gcm(key);
  std::vector<char> buffer(chunk_bytes + kSealTagBytes);
  const std::uint64_t chunks = chunk_count(length, chunk_bytes);
  if (chunks > kMaxChunks) throw std::runtime_error(package.string() + ": too large to seal in chunks of this size");
  for (std::uint64_t i = 0; i < chunks; ++i) {
    const std::size_t size = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_bytes, length - i * chunk_bytes));
    if (read_full(in.fd(), buffer.data(), size) != size)
      throw std::runtime_error(package.string() + ": became shorter while it was sealed");
    plain_digests.update({buffer.data(), size});
    const ChunkParameters chunk(header, i, i + 1 == chunks);
    gcm.start(chunk.nonce, chunk.aad);
    gcm.encrypt(buffer.data(), size, reinterpret_cast<unsigned char*>(buffer.data() + size));
    sealed.write(buffer.data(), size + kSealTagBytes);
    sealed_digests.update({buffer.data(), size + kSealTagBytes});
  }
  char extra = 0;
  if (read_full(in.fd(), &extra, 1) != 0) throw std::runtime_error(package.string() + ": grew while it was sealed");
  sealed.commit();
  figures.package_bytes = length;
  figures.sealed_bytes = kSealHeaderBytes + length + chunks * kSealTagBytes;
  figures.package_digests = named(algorithms, plain_digests);
  figures.sealed_digests = named(algorithms, sealed_digests);
  return figures;
}

namespace {

struct SealedHeader {
  std::string bytes;
  SealCipher cipher = SealCipher::aes256_gcm;
  std::uint32_t chunk_bytes = 0;
  std::uint64_t length = 0;
};

SealedHeader read_header(int fd, const fs::path& sealed) {
  const std::string name = sealed.string();
  SealedHeader header;
  header.bytes.resize(kSealHeaderBytes);
  if (read_full(fd, header.bytes.data(), kSealHeaderBytes) != kSealHeaderBytes ||
      std::memcmp(header.bytes.data(), kMagic, sizeof kMagic) != 0)
    throw SealError(name + ": not a sealed package (no LTSEALED header)");
  if (static_cast<unsigned char>(header.bytes[8]) != kVersion)
    throw SealError(name + ": sealed package version " + std::to_string(static_cast<unsigned char>(header.bytes[8])) +
                    ", this lantai reads version 1");
  const auto code = static_cast<unsigned char>(header.bytes[9]);
  if (code != 1 && code != 2) throw SealError(name + ": unknown cipher " + std::to_string(code) + " in its header");
  header.cipher = code == 2 ? SealCipher::sm4_gcm : SealCipher::aes256_gcm;
  header.chunk_bytes = static_cast<std::uint32_t>(get_be(header.bytes, 12, 4));
  header.length = get_be(header.bytes, 16, 8);
  if (header.chunk_bytes == 0 || header.chunk_bytes > kMaxSealChunkBytes)
    throw SealError(name + ": chunk size " + std::to_string(header.chunk_bytes) + " in its header is out of range");
  if (chunk_count(header.length, header.chunk_bytes) > kMaxChunks)
    throw SealError(name + ": its header states an impossible length");
  return header;
}

}  // namespace

SealCipher sealed_cipher(const fs::path& sealed) {
  try {
    InputFile in(sealed);
    return read_header(in.fd(), sealed).cipher;
  } catch (const SealError&) {
    throw;
  } catch (const std::exception& error) {
    throw SealError(error.what());
  }
}

SealedFigures unseal_package(const fs::path& sealed, const fs::path& out, const SealKey& key) {
  const std::string name = sealed.string();
  InputFile in(sealed);
  const SealedHeader header = read_header(in.fd(), sealed);
  if (header.cipher != key.cipher())
    throw SealError(name + ": sealed with " + std::string(seal_cipher_name(header.cipher)) + ", the key is for " +
                    std::string(seal_cipher_name(key.cipher())));
  const std::uint64_t chunks = chunk_count(header.length, header.chunk_bytes);
  const std::uint64_t expected = kSealHeaderBytes + header.length + chunks * kSealTagBytes;
  std::error_code error;
  const std::uint64_t found = fs::file_size(sealed, error);
  if (found != expected)
    throw SealError(name + ": " + std::to_string(found) + " bytes where its header promises " +
                    std::to_string(expected) + ": cut short, extended, or its header changed; nothing was written");

  SealedFigures figures;
  figures.cipher = header.cipher;
  figures.chunk_bytes = header.chunk_bytes;
  figures.sealed = sealed;
  figures.package = out;
  const std::vector<DigestAlgorithm> algorithms = seal_digest_algorithms(header.cipher);
  // Each side's digests on a thread of their own, beside the cipher on this one.
  ThreadedDigestStream plain_digests(algorithms), sealed_digests(algorithms);
  sealed_digests.update(header.bytes);
  PartialFile restored(out);
  Gcm gcm(key);
  std::vector<char> buffer(header.chunk_bytes + kSealTagBytes);
  for (std::uint64_t i = 0; i < chunks; ++i) {
    const std::size_t size =
        static_cast<std::size_t>(std::min<std::uint64_t>(header.chunk_bytes, header.length - i * header.chunk_bytes));
    if (read_full(in.fd(), buffer.data(), size + kSealTagBytes) != size + kSealTagBytes)
      throw SealError(name + ": ends inside chunk " + std::to_string(i + 1) + " of " + std::to_string(chunks) +
                      "; nothing was written");
    sealed_digests.update({buffer.data(), size + kSealTagBytes});
    const ChunkParameters chunk(header.bytes, i, i + 1 == chunks);
    gcm.start(chunk.nonce, chunk.aad);
    // Written only once authenticated: no unchecked byte reaches the output.
    if (!gcm.decrypt(buffer.data(), size, reinterpret_cast<const unsigned char*>(buffer.data() + size)))
      throw SealError(name + ": chunk " + std::to_string(i + 1) + " of " + std::to_string(chunks) +
                      " does not authenticate: a wrong key, or the file was changed; nothing was written");
    plain_digests.update({buffer.data(), size});
    restored.write(buffer.data(), size);
  }
  char extra = 0;
  if (read_full(in.fd(), &extra, 1) != 0)
    throw SealError(name + ": bytes after its final chunk; nothing was written");
  restored.commit();
  figures.package_bytes = header.length;
  figures.sealed_bytes = expected;
  figures.package_digests = named(algorithms, plain_digests);
  figures.sealed_digests = named(algorithms, sealed_digests);
  return figures;
}

std::string sealed_json(const SealedFigures& figures) {
  using nlohmann::ordered_json;
  auto digests = [](const NamedDigests& named_digests) {
    ordered_json list = ordered_json::array();
    for (const auto& [algorithm, hex] : named_digests)
      list.push_back({{"algorithm", std::string(form_algorithm_name(algorithm))}, {"value", hex}});
    return list;
  };
  ordered_json json;
  json["form"] = "lantai.sealed-package/1";
  json["file"] = figures.sealed.filename().string();
  json["size_bytes"] = figures.sealed_bytes;
  json["data_volume_gb"] = data_volume_gb(figures.sealed_bytes);
  json["digests"] = digests(figures.sealed_digests);
  json["cipher"] = std::string(seal_cipher_name(figures.cipher));
  json["chunk_bytes"] = figures.chunk_bytes;
  json["package"] = {{"file", figures.package.filename().string()},
                     {"size_bytes", figures.package_bytes},
                     {"data_volume_gb", data_volume_gb(figures.package_bytes)},
                     {"digests", digests(figures.package_digests)}};
  return json.dump(2) + "\n";
}

}  // namespace lantai
