// The sample lot's package file through the real command: what the run leaves beside the
// bag, md5sum against package.json against verify, and seal / unseal round trips.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "pipeline/digest.h"
#include "pipeline/runtime/ledger.h"
#include "tests/e2e/e2e_support.h"

namespace lantai::e2e {
namespace {

namespace fs = std::filesystem;

fs::path package_of(const fs::path& bag) { return bag.string() + ".tar"; }

std::string md5sum_of(const fs::path& file) {
  const CommandResult result = run_command({"md5sum", file.string()});
  return result.output.substr(0, 32);
}

//! The run leaves <batch>.tar and <batch>.package.json beside the bag, records the package in the ledger, and md5sum of the file equals package.json.
TEST(Package, RunLeavesThePackageAndItsFigures) {
  const fs::path work = e2e_dir() / "work";
  const fs::path bag = bag_of(work);
  const fs::path package = package_of(bag);
  ASSERT_TRUE(fs::is_regular_file(package));
  const auto figures = nlohmann::json::parse(slurp(bag.string() + ".package.json"));
  EXPECT_EQ(figures["file"], package.filename().string());
  EXPECT_EQ(figures["size_bytes"].get<std::uint64_t>(), fs::file_size(package));
  EXPECT_EQ(figures["fonds_code"], "J012");
  EXPECT_EQ(figures["unit_name"], "示例市档案馆");
  EXPECT_EQ(figures["digests"][0]["algorithm"], "MD5");
  EXPECT_EQ(figures["digests"][0]["value"], md5sum_of(package));

  const auto ledger = Ledger::open(work);
  bool recorded = false;
  for (const StageOutput& output : ledger->batch_outputs("deposit"))
    if (output.kind == "package") {
      recorded = true;
      EXPECT_EQ(output.path, "deposit/" + package.filename().string());
      EXPECT_EQ(output.sha256, hex_digests_of_file(package, {DigestAlgorithm::sha256}).front());
    }
  EXPECT_TRUE(recorded);
}

//! lantai verify --policy centre PACKAGE accepts the run's package (its MD5 recomputed equal to package.json), and names the file of a flipped payload byte.
TEST(Package, VerifyCommandOnThePackage) {
  const fs::path bag = bag_of(e2e_dir() / "work");
  std::vector<std::string> args = {lantai_bin().string(), "verify", "--policy", "centre"};
  for (const std::string& arg : virus_scan_args()) args.push_back(arg);
  std::vector<std::string> good = args;
  good.push_back(package_of(bag).string());
  const CommandResult ok = run_command(good);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find(": OK"), std::string::npos) << ok.output;

  // A copy with one payload byte flipped, its package.json beside it.
  const fs::path copy_dir = e2e_dir() / "package-copy";
  fs::remove_all(copy_dir);
  fs::create_directories(copy_dir);
  const fs::path copy = copy_dir / package_of(bag).filename();
  std::string bytes = slurp(package_of(bag));
  fs::path first_jpeg;
  for (const auto& entry : fs::recursive_directory_iterator(bag / "data/entity"))
    if (entry.path().extension() == ".jpg" && (first_jpeg.empty() || entry.path() < first_jpeg)) first_jpeg = entry.path();
  ASSERT_FALSE(first_jpeg.empty());
  const std::string jpeg = slurp(first_jpeg);
  const std::size_t at = bytes.find(jpeg.substr(0, 4096));
  ASSERT_NE(at, std::string::npos);
  bytes[at + 3000] = static_cast<char>(bytes[at + 3000] ^ 0x10);
  std::ofstream(copy, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  fs::copy_file(bag.string() + ".package.json", copy_dir / (bag.filename().string() + ".package.json"));
  std::vector<std::string> bad = args;
  bad.push_back(copy.string());
  const CommandResult damaged = run_command(bad);
  EXPECT_EQ(damaged.exit_code, 1) << damaged.output;
  const std::string rel = "data/entity/" + first_jpeg.parent_path().filename().string() + "/" +
                          first_jpeg.filename().string();
  EXPECT_NE(damaged.output.find("verify.checksum_mismatch: " + rel + ": md5 digest differs"), std::string::npos)
      << damaged.output;
  EXPECT_NE(damaged.output.find("verify.package_mismatch: "), std::string::npos) << damaged.output;
}

//! lantai seal then unseal, with SM4 and AES-256: the package comes back byte for byte; the wrong key exits 1 with one line and leaves nothing.
TEST(Package, SealAndUnsealCommands) {
  const fs::path package = package_of(bag_of(e2e_dir() / "work"));
  const fs::path dir = e2e_dir() / "sealing";
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const auto& [cipher, hex_digits] : {std::pair<std::string, int>{"sm4", 32}, {"aes256", 64}}) {
    std::ofstream(dir / (cipher + ".key")) << std::string(static_cast<std::size_t>(hex_digits), '7') << "\n";
    std::ofstream(dir / (cipher + "-other.key")) << std::string(static_cast<std::size_t>(hex_digits), '8') << "\n";
    const fs::path sealed = dir / (cipher + ".sealed");
    const CommandResult seal = run_command({lantai_bin().string(), "seal", package.string(), "--cipher", cipher, "--key",
                                            (dir / (cipher + ".key")).string(), "--out", sealed.string()});
    ASSERT_EQ(seal.exit_code, 0) << seal.output;
    EXPECT_NE(seal.output.find(md5sum_of(package)), std::string::npos) << seal.output;
    EXPECT_NE(seal.output.find(md5sum_of(sealed)), std::string::npos) << seal.output;
    EXPECT_EQ(seal.output.find("7777"), std::string::npos) << "the key was printed";
    const auto figures = nlohmann::json::parse(slurp(sealed.string() + ".json"));
    EXPECT_EQ(figures["package"]["digests"][0]["value"], md5sum_of(package));
    EXPECT_EQ(figures["digests"][0]["value"], md5sum_of(sealed));

    const fs::path restored = dir / (cipher + ".tar");
    const CommandResult wrong = run_command({lantai_bin().string(), "unseal", sealed.string(), "--key",
                                             (dir / (cipher + "-other.key")).string(), "--out", restored.string()});
    EXPECT_EQ(wrong.exit_code, 1) << wrong.output;
    EXPECT_NE(wrong.output.find("does not authenticate"), std::string::npos) << wrong.output;
    EXPECT_EQ(std::count(wrong.output.begin(), wrong.output.end(), '\n'), 1) << wrong.output;
    EXPECT_FALSE(fs::exists(restored));
    EXPECT_FALSE(fs::exists(restored.string() + ".partial"));

    const CommandResult unseal = run_command({lantai_bin().string(), "unseal", sealed.string(), "--key",
                                              (dir / (cipher + ".key")).string(), "--out", restored.string()});
    ASSERT_EQ(unseal.exit_code, 0) << unseal.output;
    EXPECT_EQ(slurp(restored), slurp(package));
  }
}

}  // namespace
}  // namespace lantai::e2e
