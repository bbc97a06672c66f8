// The command line: clear one-line errors and exit codes; status reads the ledger.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_support.h"

namespace lantai::e2e {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> with(std::vector<std::string> args, const std::string& flag, const std::string& value) {
  for (size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == flag) args[i + 1] = value;
  return args;
}

//! An unreadable profile, a profile with an unknown key and a missing catalogue stop the run with one line and exit 3.
TEST(CommandLine, RefusesUnusableInputs) {
  const fs::path work = e2e_dir() / "work-refused";
  const fs::path bad_profile = e2e_dir() / "bad-profile.yaml";
  std::ofstream(bad_profile) << "profile: bad\nquality:\n  min_resolution_dip: 300\n";
  struct Case {
    std::vector<std::string> args;
    std::string says;
  } cases[] = {
      {with(run_args(work), "--profile", "/nonexistent.yaml"), "/nonexistent.yaml"},
      {with(run_args(work), "--profile", bad_profile.string()), "quality.min_resolution_dip"},
      {with(run_args(work), "--catalog", "/nonexistent.csv"), "/nonexistent.csv"},
      {with(run_args(work), "--in", "/nonexistent-folder"), "/nonexistent-folder"},
  };
  for (const Case& c : cases) {
    CommandResult result = run_command(c.args);
    EXPECT_EQ(result.exit_code, 3) << result.output;
    EXPECT_NE(result.output.find(c.says), std::string::npos) << result.output;
    EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;
  }
}

//! A missing or out-of-range option is a usage error (exit 2) naming it; a run without --profile takes the
//! default one and says so; --help works for every command.
TEST(CommandLine, UsageAndHelp) {
  CommandResult missing = run_command({lantai_bin().string(), "run", "--in", "x"});
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("--out is required"), std::string::npos) << missing.output;
  // No --profile: the default, which covers pages, photos and recordings, is named.
  EXPECT_NE(missing.output.find("da-t31-2017-paper.yaml (the default"), std::string::npos) << missing.output;
  EXPECT_EQ(run_command({lantai_bin().string(), "run", "--jobs", "0"}).exit_code, 2);
  for (const char* command : {"run", "verify", "status", "samples", "profile", "sample", "carriers"}) {
    CommandResult help = run_command({lantai_bin().string(), command, "--help"});
    EXPECT_EQ(help.exit_code, 0) << command;
    EXPECT_NE(help.output.find("Usage"), std::string::npos) << command;
  }
}

//! verify prints every problem on its own line, warnings as warnings; exit 0 only for a valid bag.
TEST(CommandLine, VerifyPrintsEveryProblemAndWarning) {
  const fs::path bag = e2e_dir() / "cli-bag";
  fs::remove_all(bag);
  fs::create_directories(bag / "data");
  std::ofstream(bag / "bagit.txt") << "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";
  std::ofstream(bag / "data" / "a.txt") << "a";
  // md5("a") twice: a duplicate, a warning.
  std::ofstream(bag / "manifest-md5.txt") << "0cc175b9c0f1b6a831c399e269772661  data/a.txt\n"
                                             "0cc175b9c0f1b6a831c399e269772661  data/a.txt\n";
  CommandResult result = run_command({lantai_bin().string(), "verify", bag.string()});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("warning: verify.duplicate_entry: manifest-md5.txt: line 2:"), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find(": OK, 1 warning"), std::string::npos) << result.output;

  // The same bag under the centre policy, and with two more problems: every one on its line.
  result = run_command(
      {lantai_bin().string(), "verify", "--policy", "centre", "--virus-db", test_virus_db().string(), bag.string()});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("verify.policy: manifest-sha256.txt: missing"), std::string::npos) << result.output;
  std::ofstream(bag / "data" / "b.txt") << "b";
  std::ofstream(bag / "bag-info.txt") << "Payload-Oxum: 1.1\n";
  result = run_command({lantai_bin().string(), "verify", bag.string()});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("verify.unlisted_file: data/b.txt: "), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("verify.oxum_mismatch: bag-info.txt: "), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("INVALID, 2 errors, 1 warning"), std::string::npos) << result.output;
  // --fast still sees the unlisted file; a bad --policy is a usage error.
  EXPECT_EQ(run_command({lantai_bin().string(), "verify", "--fast", bag.string()}).exit_code, 1);
  EXPECT_EQ(run_command({lantai_bin().string(), "verify", "--policy", "lenient", bag.string()}).exit_code, 2);
  fs::remove_all(bag);
}

//! The centre's check of the sample bag through the command: keys new, a missing virus database stops verify with one
//! line (exit 4), --report writes the 四性 report, and a key that did not sign fails.
TEST(CommandLine, CentreCheckScansReportsAndChecksKeys) {
  const fs::path bag = bag_of(e2e_dir() / "work");
  const fs::path dir = e2e_dir() / "centre-check";
  fs::remove_all(dir);
  CommandResult result = run_command({lantai_bin().string(), "keys", "new", "--out", (dir / "keys").string()});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("fingerprint (SM3 of the public key): "), std::string::npos) << result.output;
  EXPECT_EQ(run_command({lantai_bin().string(), "keys", "new", "--out", (dir / "keys").string()}).exit_code, 4);

  result = run_command({lantai_bin().string(), "verify", "--policy", "centre", "--virus-db", (dir / "none").string(),
                        bag.string()});
  EXPECT_EQ(result.exit_code, 4) << result.output;
  EXPECT_TRUE(result.output.starts_with("lantai: virus scan: no ClamAV signature database in ")) << result.output;
  EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;

  result = run_command({lantai_bin().string(), "verify", "--policy", "centre", "--virus-db", test_virus_db().string(),
                        "--report", (dir / "report").string(), bag.string()});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  const std::string report = slurp(dir / "report" / "four-properties.json");
  EXPECT_NE(report.find("\"item\": \"4-2\""), std::string::npos) << report;
  EXPECT_TRUE(fs::exists(dir / "report" / "four-properties.html"));

  // The package file, as the centre receives it: the same report, 1-14 with the file's own MD5.
  const fs::path package = fs::path(bag.string() + ".tar");
  ASSERT_TRUE(fs::exists(package));
  result = run_command({lantai_bin().string(), "verify", "--policy", "centre", "--no-virus-scan", "--report",
                        (dir / "package-report").string(), package.string()});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  const std::string package_report = slurp(dir / "package-report" / "four-properties.json");
  // The same verdicts as the folder's, but without the scan nothing can be a plain pass.
  const std::string folder_result = nlohmann::json::parse(report)["result"];
  EXPECT_EQ(nlohmann::json::parse(package_report)["result"], folder_result == "fail" ? "fail" : "pass, items not done")
      << package_report;
  EXPECT_NE(package_report.find("MD5 of " + package.filename().string()), std::string::npos) << package_report;
  EXPECT_NE(package_report.find("as package.json records"), std::string::npos) << package_report;

  // The limits come from a profile's clamav section: a bad one is refused with one line naming it.
  const fs::path bad_profile = dir / "bad-limits.yaml";
  std::ofstream(bad_profile) << "profile: bad-limits\nclamav:\n  max_file_size_mb: 0\n";
  result = run_command({lantai_bin().string(), "verify", "--policy", "centre", "--virus-db", test_virus_db().string(),
                        "--profile", bad_profile.string(), bag.string()});
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_NE(result.output.find("max_file_size_mb"), std::string::npos) << result.output;

  // The sample bag is not signed: --trust fails it, naming the missing signature.
  result = run_command({lantai_bin().string(), "verify", "--trust", (dir / "keys" / "sm2-public.pem").string(),
                        bag.string()});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("verify.signature: bag-signature-sm2.txt: missing"), std::string::npos) << result.output;
  fs::remove_all(dir);
}

//! status prints the counts per stage and per finding code from the ledger.
TEST(CommandLine, StatusShowsCounts) {
  CommandResult result = run_command({lantai_bin().string(), "status", (e2e_dir() / "work").string()});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("qc.blank"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("link.orphan_folder"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("accepted"), std::string::npos) << result.output;
}

//! A WORK output changed since it was made (same size, other bytes) stops the run with exit 4 naming the file; nothing damaged is deposited.
TEST(CommandLine, RunFailsWhenItsDepositCannotBeMade) {
  const fs::path work = e2e_dir() / "work-damaged";
  fs::remove_all(work);
  fs::copy(e2e_dir() / "work", work, fs::copy_options::recursive);
  std::string damaged;  // the first page of a deposited record
  for (const auto& record : read_csv(work / "reports" / "records.csv"))
    if (damaged.empty() && record.at("status") == "deposited")
      damaged = (work / "derivatives" / fs::u8path(record.at("record")) / "0001.jpg").string();
  ASSERT_TRUE(fs::exists(damaged)) << damaged;
  std::string bytes = slurp(damaged);
  bytes[bytes.size() / 2] ^= 0x20;
  std::ofstream(damaged, std::ios::binary | std::ios::trunc) << bytes;

  CommandResult result = run_command(run_args(work));
  EXPECT_EQ(result.exit_code, 4) << result.output;
  EXPECT_NE(result.output.find("lantai: the deposit bag was not made"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find(fs::path(damaged).filename().string()), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("damaged"), std::string::npos) << result.output;
}

//! `--ocr later` ends without a deposit and says so, with exit 0: a scheduler records the intake as done.
TEST(CommandLine, OcrLaterEndsWithoutDeposit) {
  const fs::path work = e2e_dir() / "work-ocr-later";
  fs::remove_all(work);
  fs::copy(e2e_dir() / "work", work, fs::copy_options::recursive);
  std::vector<std::string> args = run_args(work);
  args.insert(args.end(), {"--ocr", "later"});
  CommandResult result = run_command(args);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("waits for ocr"), std::string::npos) << result.output;
  args.back() = "soon";
  EXPECT_EQ(run_command(args).exit_code, 2);
}

//! A rerun on a WORK with another 全宗号 is refused with exit 3 and one line naming both.
TEST(CommandLine, RefusesAnotherFonds) {
  CommandResult result = run_command(with(run_args(e2e_dir() / "work"), "--fonds", "J999"));
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_NE(result.output.find("J012"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("J999"), std::string::npos) << result.output;
  EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;
}

}  // namespace
}  // namespace lantai::e2e
