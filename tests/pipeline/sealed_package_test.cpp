// Sealing a package (SM4-GCM, AES-256-GCM): round trips byte for byte, and every way of
// damaging a sealed file, or the wrong key, fails with one line and leaves nothing.
#include "pipeline/sealed_package.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <random>

#include "pipeline/files.h"

namespace lantai {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("lantai-seal-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void write_bytes(const fs::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string random_bytes(std::size_t size, unsigned seed) {
  std::mt19937 generator(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(generator() & 0xFF);
  return bytes;
}

std::string hex_of(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : bytes) {
    hex += digits[c >> 4];
    hex += digits[c & 15];
  }
  return hex;
}

struct Sealing {
  SealCipher cipher;
  const char* name;
};

class SealTest : public ::testing::TestWithParam<Sealing> {
 protected:
  SealCipher cipher() const { return GetParam().cipher; }
  // A key file of the right length for the cipher, in hex.
  fs::path key_file(const std::string& name, unsigned seed) {
    const fs::path file = dir_.path() / name;
    write_bytes(file, hex_of(random_bytes(seal_key_bytes(cipher()), seed)) + "\n");
    return file;
  }
  // A package of 2.5 chunks, sealed with 64 KiB chunks.
  void seal_sample() {
    package_ = dir_.path() / "batch.tar";
    write_bytes(package_, random_bytes(160 * 1024 + 7, 3));
    sealed_ = dir_.path() / "batch.tar.sealed";
    figures_ = seal_package(package_, sealed_, SealKey::load(key_file("key.hex", 1), cipher()), 64 * 1024);
  }
  // Unsealing fails with SealError whose text has `reason`, and leaves no output at all.
  void expect_refused(const std::string& reason, const fs::path& key) {
    const fs::path out = dir_.path() / "restored.tar";
    try {
      unseal_package(sealed_, out, SealKey::load(key, cipher()));
      ADD_FAILURE() << "unsealed a damaged file: " << reason;
    } catch (const SealError& error) {
      EXPECT_NE(std::string(error.what()).find(reason), std::string::npos) << error.what();
      EXPECT_EQ(std::string(error.what()).find('\n'), std::string::npos);
    }
    EXPECT_FALSE(fs::exists(out));
    EXPECT_FALSE(fs::exists(out.string() + ".partial"));
  }

  TempDir dir_;
  fs::path package_, sealed_;
  SealedFigures figures_;
};

//! Sealed and unsealed, the package comes back byte for byte; the digests before and after are those of the two files.
TEST_P(SealTest, RoundTrip) {
  seal_sample();
  const std::string original = read_file(package_);
  const std::string sealed = read_file(sealed_);
  EXPECT_EQ(sealed.size(), kSealHeaderBytes + original.size() + 3 * kSealTagBytes);
  EXPECT_EQ(sealed.find(original.substr(1000, 64)), std::string::npos) << "plaintext visible";
  const auto algorithms = seal_digest_algorithms(cipher());
  const auto plain = hex_digests_of_file(package_, algorithms);
  const auto outer = hex_digests_of_file(sealed_, algorithms);
  for (std::size_t i = 0; i < algorithms.size(); ++i) {
    EXPECT_EQ(figures_.package_digests[i].second, plain[i]);
    EXPECT_EQ(figures_.sealed_digests[i].second, outer[i]);
  }
  EXPECT_EQ(sealed_cipher(sealed_), cipher());

  const fs::path out = dir_.path() / "restored.tar";
  const SealedFigures back = unseal_package(sealed_, out, SealKey::load(dir_.path() / "key.hex", cipher()));
  EXPECT_EQ(read_file(out), original);
  EXPECT_EQ(back.package_digests, figures_.package_digests);
  EXPECT_EQ(back.sealed_digests, figures_.sealed_digests);
  EXPECT_NE(sealed_json(figures_).find(std::string(seal_cipher_name(cipher()))), std::string::npos);
}

//! An empty package seals to one empty chunk and comes back empty.
TEST_P(SealTest, EmptyPackage) {
  package_ = dir_.path() / "empty.tar";
  write_bytes(package_, "");
  sealed_ = dir_.path() / "empty.sealed";
  const fs::path key = key_file("key.hex", 1);
  seal_package(package_, sealed_, SealKey::load(key, cipher()));
  EXPECT_EQ(fs::file_size(sealed_), kSealHeaderBytes + kSealTagBytes);
  unseal_package(sealed_, dir_.path() / "back.tar", SealKey::load(key, cipher()));
  EXPECT_EQ(fs::file_size(dir_.path() / "back.tar"), 0u);
}

//! The wrong key fails on the first chunk and writes nothing.
TEST_P(SealTest, WrongKeyFails) {
  seal_sample();
  expect_refused("chunk 1 of 3 does not authenticate", key_file("other.hex", 2));
}

//! One flipped byte, in a chunk, a tag or the header, fails.
TEST_P(SealTest, FlippedByteFails) {
  seal_sample();
  const std::string good = read_file(sealed_);
  for (std::size_t at : {std::size_t{kSealHeaderBytes + 70'000}, good.size() - 1, std::size_t{20}}) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x40);
    write_bytes(sealed_, bad);
    expect_refused(at == 20 ? "cut short, extended, or its header changed" : "does not authenticate",
                   dir_.path() / "key.hex");
  }
  // A changed nonce byte keeps the length: it fails on authentication.
  std::string bad = good;
  bad[30] = static_cast<char>(bad[30] ^ 1);
  write_bytes(sealed_, bad);
  expect_refused("chunk 1 of 3 does not authenticate", dir_.path() / "key.hex");
}

//! Truncated (after a whole chunk or inside one), extended, or two chunks swapped: each fails.
TEST_P(SealTest, TruncatedOrReorderedFails) {
  seal_sample();
  const std::string good = read_file(sealed_);
  const std::size_t chunk = 64 * 1024 + kSealTagBytes;
  write_bytes(sealed_, good.substr(0, kSealHeaderBytes + 2 * chunk));
  expect_refused("cut short", dir_.path() / "key.hex");
  write_bytes(sealed_, good.substr(0, good.size() - 5));
  expect_refused("cut short", dir_.path() / "key.hex");
  write_bytes(sealed_, good + "x");
  expect_refused("extended", dir_.path() / "key.hex");
  std::string swapped = good;
  swapped.replace(kSealHeaderBytes, chunk, good.substr(kSealHeaderBytes + chunk, chunk));
  swapped.replace(kSealHeaderBytes + chunk, chunk, good.substr(kSealHeaderBytes, chunk));
  write_bytes(sealed_, swapped);
  expect_refused("chunk 1 of 3 does not authenticate", dir_.path() / "key.hex");
  // A header claiming the file ends after chunk 2 (so chunk 2 would be the final one) cannot be forged either.
  std::string shorter = good.substr(0, kSealHeaderBytes + 2 * chunk);
  for (int i = 0; i < 8; ++i) shorter[16 + i] = 0;
  shorter[21] = 0x02;  // 128 KiB, big-endian
  write_bytes(sealed_, shorter);
  expect_refused("chunk 1 of 2 does not authenticate", dir_.path() / "key.hex");
}

//! A key file of the wrong length, or not hex, is refused without its content in the message.
TEST_P(SealTest, BadKeyFile) {
  const fs::path file = dir_.path() / "bad.key";
  write_bytes(file, "secret-secret-secret");
  try {
    SealKey::load(file, cipher());
    ADD_FAILURE() << "accepted a bad key file";
  } catch (const SealError& error) {
    EXPECT_EQ(std::string(error.what()).find("secret"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find(seal_cipher_name(cipher())), std::string::npos);
  }
  write_bytes(file, random_bytes(seal_key_bytes(cipher()), 9));  // raw bytes are a key too
  EXPECT_NO_THROW(SealKey::load(file, cipher()));
}

INSTANTIATE_TEST_SUITE_P(Ciphers, SealTest,
                         ::testing::Values(Sealing{SealCipher::aes256_gcm, "aes256"}, Sealing{SealCipher::sm4_gcm, "sm4"}),
                         [](const auto& info) { return std::string(info.param.name); });

//! libgcrypt's AES-256-GCM agrees with OpenSSL's EVP: one sealed chunk decrypts and authenticates there, with the format's nonce and associated data.
TEST(SealFormat, AesChunkMatchesOpenSsl) {
  TempDir dir;
  const std::string key_bytes = random_bytes(32, 5);
  write_bytes(dir.path() / "key", key_bytes);
  const std::string plain = random_bytes(5000, 6);
  write_bytes(dir.path() / "p.tar", plain);
  seal_package(dir.path() / "p.tar", dir.path() / "p.sealed", SealKey::load(dir.path() / "key", SealCipher::aes256_gcm));
  const std::string sealed = read_file(dir.path() / "p.sealed");
  const std::string header = sealed.substr(0, kSealHeaderBytes);
  std::string nonce = header.substr(24, 8) + std::string(4, '\0');  // chunk 0
  std::string aad = header + std::string(8, '\0') + std::string(1, '\1');  // index 0, final
  const std::string ciphertext = sealed.substr(kSealHeaderBytes, plain.size());
  std::string tag = sealed.substr(kSealHeaderBytes + plain.size(), kSealTagBytes);

  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ASSERT_EQ(EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr), 1);
  ASSERT_EQ(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, nullptr), 1);
  ASSERT_EQ(EVP_DecryptInit_ex(ctx, nullptr, nullptr, reinterpret_cast<const unsigned char*>(key_bytes.data()),
                               reinterpret_cast<const unsigned char*>(nonce.data())),
            1);
  int length = 0;
  ASSERT_EQ(EVP_DecryptUpdate(ctx, nullptr, &length, reinterpret_cast<const unsigned char*>(aad.data()),
                              static_cast<int>(aad.size())),
            1);
  std::string out(plain.size(), '\0');
  ASSERT_EQ(EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &length,
                              reinterpret_cast<const unsigned char*>(ciphertext.data()), static_cast<int>(ciphertext.size())),
            1);
  ASSERT_EQ(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag.data()), 1);
  EXPECT_EQ(EVP_DecryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()) + length, &length), 1)
      << "OpenSSL does not authenticate the chunk";
  EVP_CIPHER_CTX_free(ctx);
  EXPECT_EQ(out, plain);
}

}  // namespace
}  // namespace lantai
