// Throughput of the registration package: packing a bag of incompressible JPEG-like files
// into one TAR (and ZIP) with its MD5 and SHA-256 taken as it is written, verifying that
// package without unpacking it, and sealing it (AES-256-GCM, SM4-GCM) with the digests of
// both sides; next to `openssl speed -evp` for the digests and ciphers, libgcrypt's GCM
// alone, and GNU tar of the same folder. The bag is read once into the page cache first,
// so every figure is CPU and page-cache bound. Prints MB/s (10^6 bytes); never fails on time.
//   bench_package [total_MiB=2048] [files=512]
#include <gcrypt.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "pipeline/sealed_package.h"
#include "stages/deposit/package_file.h"
#include "stages/verify/verify_stage.h"

namespace fs = std::filesystem;
using lantai::DigestAlgorithm;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }
double mb_per_s(std::uint64_t bytes, double seconds) { return double(bytes) / 1e6 / seconds; }

void row(const std::string& what, double speed) { std::printf("%-58s %10.0f\n", what.c_str(), speed); }

// `openssl speed -evp NAME` on 1 MiB blocks, one core: its last figure, in 1000s of bytes a second.
double openssl_speed(const std::string& name) {
  const std::string command = "openssl speed -evp " + name + " -bytes 1048576 -seconds 2 2>/dev/null | tail -1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return 0;
  char line[512] = {};
  std::string last;
  while (std::fgets(line, sizeof line, pipe)) last = line;
  ::pclose(pipe);
  const std::size_t k = last.rfind('k');
  if (k == std::string::npos) return 0;
  std::size_t start = last.find_last_of(' ', k);
  return std::atof(last.substr(start + 1, k - start - 1).c_str()) / 1000.0;
}

double command_speed(const std::string& command, std::uint64_t bytes) {
  const auto start = Clock::now();
  if (std::system(command.c_str()) != 0) return 0;
  return mb_per_s(bytes, seconds_since(start));
}

// libgcrypt's GCM alone over 512 MiB of 1 MiB chunks, one core.
double gcrypt_gcm_speed(int algorithm, std::size_t key_bytes) {
  gcry_cipher_hd_t handle;
  if (gcry_cipher_open(&handle, algorithm, GCRY_CIPHER_MODE_GCM, 0) != 0) return 0;
  std::string key(key_bytes, 'k'), block(1 << 20, 'x');
  unsigned char nonce[12] = {}, tag[16];
  gcry_cipher_setkey(handle, key.data(), key.size());
  const auto start = Clock::now();
  for (int i = 0; i < 512; ++i) {
    nonce[11] = static_cast<unsigned char>(i);
    gcry_cipher_reset(handle);
    gcry_cipher_setiv(handle, nonce, sizeof nonce);
    gcry_cipher_final(handle);
    gcry_cipher_encrypt(handle, block.data(), block.size(), nullptr, 0);
    gcry_cipher_gettag(handle, tag, sizeof tag);
  }
  gcry_cipher_close(handle);
  return mb_per_s(512ull << 20, seconds_since(start));
}

std::string digest_of(const lantai::deposit::PackageFile& package, DigestAlgorithm algorithm) {
  for (const auto& [a, hex] : package.digests)
    if (a == algorithm) return hex;
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  gcry_check_version(nullptr);  // as lantai initialises it (pipeline/sealed_package.cpp)
  gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
  gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
  const std::uint64_t total_mib = argc > 1 ? std::stoull(argv[1]) : 2048;
  const int files = argc > 2 ? std::stoi(argv[2]) : 512;
  const fs::path root = fs::temp_directory_path() / ("lantai-bench-package-" + std::to_string(::getpid()));
  const fs::path bag = root / "J012-bench";
  fs::remove_all(root);
  fs::create_directories(bag / "data");

  // Incompressible like JPEG: random bytes, framed as JPEGs, one folder per 档号 of 32 pages.
  std::mt19937_64 random(42);
  const std::uint64_t per_file = (total_mib << 20) / static_cast<std::uint64_t>(files);
  std::string bytes(per_file, '\0');
  std::string md5_manifest, sha256_manifest;
  for (int i = 0; i < files; ++i) {
    for (std::size_t j = 0; j + 8 <= bytes.size(); j += 8) {
      const std::uint64_t word = random();
      std::memcpy(bytes.data() + j, &word, 8);
    }
    bytes[0] = '\xFF', bytes[1] = '\xD8';
    char name[96];
    std::snprintf(name, sizeof name, "data/entity/J012-WS·2021-Y-BGS-%04d/%04d.jpg", i / 32 + 1, i % 32 + 1);
    fs::create_directories((bag / name).parent_path());
    std::ofstream(bag / name, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    md5_manifest += lantai::hex_digest(DigestAlgorithm::md5, bytes) + "  " + name + "\n";
    sha256_manifest += lantai::hex_digest(DigestAlgorithm::sha256, bytes) + "  " + name + "\n";
  }
  const std::uint64_t total = per_file * static_cast<std::uint64_t>(files);
  std::ofstream(bag / "bagit.txt") << "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";
  std::ofstream(bag / "manifest-md5.txt") << md5_manifest;
  std::ofstream(bag / "manifest-sha256.txt") << sha256_manifest;
  std::system(("cat $(find '" + bag.string() + "' -type f) > /dev/null").c_str());  // into the page cache

  std::printf("bag: %d JPEG-like files (random bytes), %.1f MB; written to %s\n\n", files, double(total) / 1e6,
              root.c_str());
  std::printf("%-58s %10s\n", "reference, one core", "MB/s");
  const double md5 = openssl_speed("md5"), sha256 = openssl_speed("sha256");
  row("openssl speed -evp md5", md5);
  row("openssl speed -evp sha256", sha256);
  row("  both in one pass would give at most", 1.0 / (1.0 / md5 + 1.0 / sha256));
  row("openssl speed -evp sm3", openssl_speed("sm3"));
  row("tar --format=pax -cf OUT (GNU tar, no digest)",
      command_speed("tar --format=pax -C '" + root.string() + "' -cf '" + (root / "gnu.tar").string() + "' J012-bench",
                    total));
  fs::remove(root / "gnu.tar");
  row("tar --format=pax -cf - | tee OUT | md5sum",
      command_speed("tar --format=pax -C '" + root.string() + "' -cf - J012-bench | tee '" +
                        (root / "gnu.tar").string() + "' | md5sum > /dev/null",
                    total));
  fs::remove(root / "gnu.tar");

  std::printf("\n%-58s %10s\n", "lantai package (one read of the bag, digests as written)", "MB/s");
  const std::vector<DigestAlgorithm> md5_sha256{DigestAlgorithm::md5, DigestAlgorithm::sha256};
  lantai::deposit::PackageFile package;
  for (int run = 1; run <= 2; ++run) {
    const auto start = Clock::now();
    package = lantai::deposit::write_package(bag, root / "J012-bench.tar", lantai::deposit::PackageFormat::tar, 0,
                                             md5_sha256);
    row("write_package tar, MD5 + SHA-256, run " + std::to_string(run), mb_per_s(total, seconds_since(start)));
  }
  {
    const auto start = Clock::now();
    lantai::deposit::write_package(bag, root / "J012-bench-sm3.tar", lantai::deposit::PackageFormat::tar, 0,
                                   {DigestAlgorithm::md5, DigestAlgorithm::sha256, DigestAlgorithm::sm3});
    row("write_package tar, MD5 + SHA-256 + SM3", mb_per_s(total, seconds_since(start)));
    fs::remove(root / "J012-bench-sm3.tar");
  }
  {
    const auto start = Clock::now();
    lantai::deposit::write_package(bag, root / "J012-bench.zip", lantai::deposit::PackageFormat::zip, 0, md5_sha256);
    row("write_package zip (stored), MD5 + SHA-256", mb_per_s(total, seconds_since(start)));
    fs::remove(root / "J012-bench.zip");
  }
  std::printf("  md5 %s\n", digest_of(package, DigestAlgorithm::md5).c_str());

  lantai::deposit::PackageFacts facts;
  facts.batch_id = "J012-bench";
  lantai::write_file_atomically(root / "J012-bench.package.json", lantai::deposit::package_json(package, facts));
  for (auto policy : {lantai::verify::Policy::rfc8493, lantai::verify::Policy::centre}) {
    lantai::verify::VerifyOptions options;
    options.policy = policy;
    const auto start = Clock::now();
    const auto findings = lantai::verify::verify_package(root / "J012-bench.tar", options);
    const double speed = mb_per_s(total, seconds_since(start));
    row(std::string("verify_package tar, ") +
            (policy == lantai::verify::Policy::centre ? "centre (+ the file's MD5, SHA-256)" : "rfc8493"),
        speed);
    // The bench bag has no bag-info or form, so the centre policy names those; RFC 8493 finds nothing.
    if (policy == lantai::verify::Policy::rfc8493 && !findings.empty())
      std::printf("  unexpected: %s\n", findings.front().message.c_str());
  }

  std::printf("\n%-58s %10s\n", "sealing, one core", "MB/s");
  row("openssl speed -evp aes-256-gcm", openssl_speed("aes-256-gcm"));
  row("openssl speed -evp sm4-ctr (OpenSSL 3.0 has no SM4-GCM)", openssl_speed("sm4-ctr"));
  row("libgcrypt AES-256-GCM alone", gcrypt_gcm_speed(GCRY_CIPHER_AES256, 32));
  row("libgcrypt SM4-GCM alone", gcrypt_gcm_speed(GCRY_CIPHER_SM4, 16));
  for (auto cipher : {lantai::SealCipher::aes256_gcm, lantai::SealCipher::sm4_gcm}) {
    const fs::path key_file = root / "key";
    std::ofstream(key_file) << std::string(2 * lantai::seal_key_bytes(cipher), 'a');
    const lantai::SealKey key = lantai::SealKey::load(key_file, cipher);
    const std::string name(lantai::seal_cipher_name(cipher));
    const std::string digests = cipher == lantai::SealCipher::sm4_gcm ? "MD5 + SHA-256 + SM3" : "MD5 + SHA-256";
    auto start = Clock::now();
    lantai::seal_package(root / "J012-bench.tar", root / "J012-bench.tar.sealed", key);
    row("lantai seal " + name + ", " + digests + " of both sides", mb_per_s(package.bytes, seconds_since(start)));
    start = Clock::now();
    lantai::unseal_package(root / "J012-bench.tar.sealed", root / "restored.tar", key);
    row("lantai unseal " + name + ", the same digests", mb_per_s(package.bytes, seconds_since(start)));
    fs::remove(root / "J012-bench.tar.sealed");
    fs::remove(root / "restored.tar");
  }
  fs::remove_all(root);
}
