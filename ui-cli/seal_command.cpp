// lantai seal PACKAGE --cipher sm4|aes256 --key KEYFILE [--out FILE]: the package file
// encrypted whole (SM4-GCM or AES-256-GCM), its digests before and after printed and
// written to <sealed>.json.
// lantai unseal SEALED --key KEYFILE --out FILE: the package restored byte for byte, or
// nothing when any chunk fails to authenticate.
#include <cstdio>
#include <map>
#include <memory>

#include "pipeline/files.h"
#include "pipeline/registration.h"
#include "pipeline/runtime/runner.h"
#include "pipeline/sealed_package.h"
#include "ui-cli/commands.h"

namespace lantai::cli {

namespace {

struct SealArguments {
  std::string input, key, out, cipher;
};

void print_digests(const char* label, const std::filesystem::path& file, std::uint64_t bytes,
                   const NamedDigests& digests) {
  std::printf("  %-8s %s (%llu bytes, %s GB)\n", label, file.c_str(), static_cast<unsigned long long>(bytes),
              data_volume_gb(bytes).c_str());
  for (const auto& [algorithm, hex] : digests)
    std::printf("           %-8s %s\n", std::string(form_algorithm_name(algorithm)).c_str(), hex.c_str());
}

SealKey load_key(const std::string& key_file, SealCipher cipher) {
  try {
    return SealKey::load(key_file, cipher);
  } catch (const SealError& error) {
    throw RunError(kExitBadInput, error.what());
  }
}

}  // namespace

void add_seal_commands(CLI::App& app) {
  auto seal_args = std::make_shared<SealArguments>();
  CLI::App* seal = app.add_subcommand(
      "seal", "Encrypt a package file whole for the journey (SM4-GCM or AES-256-GCM, authenticated); DA/T 70-2018 "
              "allows no encryption inside the package");
  seal->add_option("PACKAGE", seal_args->input, "the package file (WORK/deposit/<batch-id>.tar or .zip)")
      ->required()
      ->check(CLI::ExistingFile);
  seal->add_option("--cipher", seal_args->cipher, "sm4 (SM4-GCM, GB/T 32907) or aes256 (AES-256-GCM)")
      ->required()
      ->check(CLI::IsMember({"sm4", "aes256"}));
  seal->add_option("--key", seal_args->key,
                   "key file: 16 raw bytes or 32 hex digits for sm4, 32 raw bytes or 64 hex digits for aes256")
      ->required();
  seal->add_option("--out", seal_args->out, "the sealed file (default: PACKAGE.sealed); its figures go to OUT.json");
  seal->callback([seal_args] {
    const SealCipher cipher = *seal_cipher_from_option(seal_args->cipher);
    const SealKey key = load_key(seal_args->key, cipher);
    const std::filesystem::path out = seal_args->out.empty() ? seal_args->input + ".sealed" : seal_args->out;
    const SealedFigures figures = seal_package(seal_args->input, out, key);
    const std::filesystem::path json = out.string() + ".json";
    write_file_atomically(json, sealed_json(figures));
    std::printf("sealed with %s: %s\n", std::string(seal_cipher_name(cipher)).c_str(), out.c_str());
    print_digests("package", figures.package, figures.package_bytes, figures.package_digests);
    print_digests("sealed", figures.sealed, figures.sealed_bytes, figures.sealed_digests);
    std::printf("  figures  %s\n", json.c_str());
  });

  auto unseal_args = std::make_shared<SealArguments>();
  CLI::App* unseal = app.add_subcommand(
      "unseal", "Decrypt a sealed package byte for byte; written only when every chunk authenticates");
  unseal->add_option("SEALED", unseal_args->input, "the sealed file")->required()->check(CLI::ExistingFile);
  unseal->add_option("--key", unseal_args->key, "the key file it was sealed with")->required();
  unseal->add_option("--out", unseal_args->out, "the package file to restore")->required();
  unseal->callback([unseal_args] {
    SealedFigures figures;
    try {
      const SealCipher cipher = sealed_cipher(unseal_args->input);
      const SealKey key = load_key(unseal_args->key, cipher);
      figures = unseal_package(unseal_args->input, unseal_args->out, key);
    } catch (const SealError& error) {
      throw RunError(kExitVerifyFailed, error.what());
    }
    std::printf("unsealed (%s, every chunk authenticated): %s\n", std::string(seal_cipher_name(figures.cipher)).c_str(),
                unseal_args->out.c_str());
    print_digests("sealed", figures.sealed, figures.sealed_bytes, figures.sealed_digests);
    print_digests("package", figures.package, figures.package_bytes, figures.package_digests);
  });
}

}  // namespace lantai::cli
