#include "stages/virus_scan/virus_scan_stage.h"

#include <gtest/gtest.h>

#include "tests/stages/deposit/synthetic_work.h"
#include "tests/support/test_virus_db.h"

namespace lantai::virus_scan {
namespace {

namespace fs = std::filesystem;
using namespace lantai::test_support;

class VirusScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_test_virus_db(dir_.path() / "db");
    scanner_ = VirusScanner::load(dir_.path() / "db", VirusScanLimits{});
  }

  // An item whose file (under the test folder) holds these bytes.
  Item item_of(const std::string& rel_path, const std::string& bytes) {
    write_bytes(dir_.path() / "scans" / rel_path, bytes);
    Item item;
    item.rel_path = rel_path;
    item.id = Item::make_id(rel_path, 0);
    item.source = dir_.path() / "scans" / rel_path;
    return item;
  }

  VirusScanStage stage_with(const VirusScanner* scanner) {
    VirusScanStage stage;
    Profile profile = load_profile(dir_.path(), "virus_scan: {}\n");
    ProfileSection section = profile.section("virus_scan");
    StageContext context;
    context.virus_scanner = scanner;
    stage.setup(section, context);
    settings_ = section.effective();
    return stage;
  }

  TempDir dir_{"virus-scan"};
  std::unique_ptr<VirusScanner> scanner_;
  std::vector<EffectiveValue> settings_;
};

//! A page holding the EICAR test string, even behind real image bytes, is quarantined with virus.found naming the
//! signature; a clean page passes.
TEST_F(VirusScanTest, InfectedFileIsQuarantinedWithTheSignature) {
  VirusScanStage stage = stage_with(scanner_.get());
  const Outcome infected = stage.process(item_of("J012-WS·2021-Y-BGS-0001/0001.jpg", eicar_test_file()));
  ASSERT_EQ(infected.findings.size(), 1u);
  EXPECT_EQ(infected.findings[0].code, "virus.found");
  EXPECT_TRUE(infected.rejected());
  EXPECT_NE(infected.findings[0].value.find(kTestSignatureName), std::string::npos) << infected.findings[0].value;
  EXPECT_TRUE(infected.findings[0].message.starts_with("J012-WS·2021-Y-BGS-0001/0001.jpg: infected with "))
      << infected.findings[0].message;

  const Outcome embedded =
      stage.process(item_of("J012-WS·2021-Y-BGS-0001/0002.jpg", fake_jpeg("x", 2) + eicar_test_file() + "\xFF\xD9"));
  ASSERT_EQ(embedded.findings.size(), 1u);
  EXPECT_EQ(embedded.findings[0].code, "virus.found");

  const Outcome clean = stage.process(item_of("J012-WS·2021-Y-BGS-0001/0003.jpg", fake_jpeg("x", 3)));
  EXPECT_TRUE(clean.findings.empty());
}

//! Every part of a page scanned in parts is scanned: an infected second part quarantines the page.
TEST_F(VirusScanTest, EveryPartOfAPageIsScanned) {
  VirusScanStage stage = stage_with(scanner_.get());
  Item item = item_of("J012-WS·2021-Y-BGS-0001/0007a.jpg", fake_jpeg("a", 1));
  const Item second = item_of("J012-WS·2021-Y-BGS-0001/0007b.jpg", eicar_test_file());
  item.parts = {{item.rel_path, item.source}, {second.rel_path, second.source}};
  const Outcome outcome = stage.process(item);
  ASSERT_EQ(outcome.findings.size(), 1u);
  EXPECT_TRUE(outcome.findings[0].message.starts_with("J012-WS·2021-Y-BGS-0001/0007b.jpg: "));
}

//! Without a scanner (--no-virus-scan) nothing is found, and the settings say so, so a later scanning run redoes the
//! items.
TEST_F(VirusScanTest, WithoutAScannerNothingIsScannedAndTheSettingsSaySo) {
  VirusScanStage stage = stage_with(nullptr);
  EXPECT_TRUE(stage.process(item_of("a/0001.jpg", eicar_test_file())).findings.empty());
  ASSERT_EQ(settings_.size(), 1u);
  EXPECT_EQ(settings_[0].key, "scanning");
  EXPECT_EQ(settings_[0].value, "off");
  stage_with(scanner_.get());
  EXPECT_EQ(settings_[0].value, "on");
}

//! A folder with no signatures, or none at all, is refused with one line that says what to do (fail closed).
TEST_F(VirusScanTest, MissingDatabaseIsRefusedClearly) {
  for (const fs::path& db : {dir_.path() / "nothing here", dir_.path() / "empty"}) {
    fs::create_directories(dir_.path() / "empty");
    try {
      VirusScanner::load(db, VirusScanLimits{});
      ADD_FAILURE() << "loaded " << db;
    } catch (const VirusDatabaseError& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find(db.string()), std::string::npos) << message;
      EXPECT_NE(message.find("--no-virus-scan"), std::string::npos) << message;
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
  }
}

//! A file larger than the profile's max_file_size is not passed as clean: it is not_scanned, and the stage quarantines
//! it.
TEST_F(VirusScanTest, FileBeyondTheLimitsIsNotScannedNotPassed) {
  VirusScanLimits tight;
  tight.max_file_size_bytes = 1 << 20;
  tight.max_scan_size_bytes = 1 << 20;
  const auto scanner = VirusScanner::load(dir_.path() / "db", tight);
  const Item big = item_of("a/0001.tif", std::string(3 << 20, 'x'));
  EXPECT_EQ(scanner->scan(big.source).verdict, VirusScanResult::Verdict::not_scanned);
  VirusScanStage stage = stage_with(scanner.get());
  const Outcome outcome = stage.process(big);
  ASSERT_EQ(outcome.findings.size(), 1u);
  EXPECT_EQ(outcome.findings[0].code, "virus.not_scanned");
  EXPECT_EQ(scanner_->scan(big.source).verdict, VirusScanResult::Verdict::clean);  // within the default limits
  EXPECT_NE(scanner->describe().find("1 signatures"), std::string::npos) << scanner->describe();
}

// A WAV header (what tells a recording by its content) and size bytes of silence.
std::string wav_of_size(std::size_t size) {
  std::string bytes(size, '\0');
  bytes.replace(0, 16, std::string("RIFF\0\0\0\0WAVEfmt ", 16));
  return bytes;
}

//! A recording over the file limit is scanned in overlapping windows instead of being withheld: every byte is read, so
//! EICAR in the last window and EICAR across two windows' edge are both found, a clean one passes with
//! virus.scanned_in_windows (info) saying how, and a page over the limit is still not_scanned.
TEST_F(VirusScanTest, RecordingBeyondTheFileLimitIsScannedInOverlappingWindows) {
  VirusScanLimits tight;
  tight.max_file_size_bytes = 1 << 20;
  tight.max_scan_size_bytes = 1 << 20;
  const auto scanner = VirusScanner::load(dir_.path() / "db", tight);
  ASSERT_EQ(scanner->window_bytes(), 1u << 20);
  const std::size_t size = (3 << 20) + 100;  // windows from 0, 768 KiB, 1536 KiB and 2304 KiB
  VirusScanStage stage = stage_with(scanner.get());

  const Item clean = item_of("LY-0001/0001.wav", wav_of_size(size));
  const VirusScanResult clean_result = scanner->scan(clean.source);
  EXPECT_EQ(clean_result.verdict, VirusScanResult::Verdict::clean) << clean_result.reason;
  EXPECT_EQ(clean_result.windows, 4u);
  const Outcome passed = stage.process(clean);
  ASSERT_EQ(passed.findings.size(), 1u);
  EXPECT_EQ(passed.findings[0].code, "virus.scanned_in_windows");
  EXPECT_EQ(passed.findings[0].value, "4");
  EXPECT_EQ(passed.findings[0].threshold, "1");
  EXPECT_FALSE(passed.rejected());

  std::string tail = wav_of_size(size);
  tail.replace(size - 80, eicar_test_file().size(), eicar_test_file());
  const Item last = item_of("LY-0001/0002.wav", tail);
  const VirusScanResult last_result = scanner->scan(last.source);
  EXPECT_EQ(last_result.verdict, VirusScanResult::Verdict::infected);
  EXPECT_EQ(last_result.windows, 4u);
  const Outcome quarantined = stage.process(last);
  ASSERT_EQ(quarantined.findings.size(), 1u);
  EXPECT_EQ(quarantined.findings[0].code, "virus.found");

  // The second window ends at 1792 KiB; the third, from 1536 KiB, holds the string whole.
  std::string edge = wav_of_size(size);
  edge.replace((1792 << 10) - 30, eicar_test_file().size(), eicar_test_file());
  const Item across = item_of("LY-0001/0003.wav", edge);
  const VirusScanResult across_result = scanner->scan(across.source);
  EXPECT_EQ(across_result.verdict, VirusScanResult::Verdict::infected);
  EXPECT_EQ(across_result.windows, 3u);

  const Item page = item_of("a/0001.tif", std::string(size, 'x'));
  EXPECT_EQ(scanner->scan(page.source).verdict, VirusScanResult::Verdict::not_scanned);
}

//! A package entry is scanned as it streams out of the package: an entry over the file limit
//! that is a recording is scanned in windows (EICAR in its last window found), any other entry
//! over the limit is refused by its first bytes, and an entry holding more or less than it declared
//! is named, never passed as clean.
TEST_F(VirusScanTest, PackageEntriesBeyondTheFileLimitAreScannedInWindowsWhenRecordings) {
  VirusScanLimits tight;
  tight.max_file_size_bytes = 1 << 20;
  tight.max_scan_size_bytes = 1 << 20;
  const auto scanner = VirusScanner::load(dir_.path() / "db", tight, dir_.path() / "tmp");
  const std::size_t size = (3 << 20) + 100;
  const auto scan_in_chunks = [&](const std::string& bytes, std::uint64_t declared) {
    auto stream = scanner->scan_stream("data/LY-0001/0001.wav", declared);
    for (std::size_t at = 0; at < bytes.size(); at += 65536) stream->add(std::string_view(bytes).substr(at, 65536));
    return stream->finish();
  };

  const VirusScanResult clean = scan_in_chunks(wav_of_size(size), size);
  EXPECT_EQ(clean.verdict, VirusScanResult::Verdict::clean) << clean.reason;
  EXPECT_EQ(clean.windows, 4u);

  std::string tail = wav_of_size(size);
  tail.replace(size - 80, eicar_test_file().size(), eicar_test_file());
  const VirusScanResult infected = scan_in_chunks(tail, size);
  EXPECT_EQ(infected.verdict, VirusScanResult::Verdict::infected);
  EXPECT_FALSE(infected.signature.empty());

  const VirusScanResult page = scan_in_chunks(std::string(size, 'x'), size);
  EXPECT_EQ(page.verdict, VirusScanResult::Verdict::not_scanned);
  EXPECT_NE(page.reason.find("max_file_size_mb"), std::string::npos) << page.reason;

  const VirusScanResult longer = scan_in_chunks(std::string(1000, 'x'), 10);
  EXPECT_EQ(longer.verdict, VirusScanResult::Verdict::not_scanned);
  EXPECT_NE(longer.reason.find("declares"), std::string::npos) << longer.reason;

  // An entry a damaged package could not give whole: what was not read was not scanned.
  const VirusScanResult shorter = scan_in_chunks(std::string(1000, 'x'), 5000);
  EXPECT_EQ(shorter.verdict, VirusScanResult::Verdict::not_scanned);
  EXPECT_NE(shorter.reason.find("could be read"), std::string::npos) << shorter.reason;
}

//! The limits are read from the profile's clamav section, strictly.
TEST_F(VirusScanTest, LimitsComeFromTheProfile) {
  Profile profile = load_profile(dir_.path(), "clamav:\n  max_file_size_mb: 64\n  max_files: 50\n");
  ProfileSection section = profile.section(kVirusScanSection);
  const VirusScanLimits limits = virus_scan_limits(section);
  EXPECT_EQ(limits.max_file_size_bytes, 64ull << 20);
  EXPECT_EQ(limits.max_files, 50u);
  Profile bad = load_profile(dir_.path(), "clamav:\n  max_file_size_mb: 0\n");
  ProfileSection bad_section = bad.section(kVirusScanSection);
  EXPECT_THROW(virus_scan_limits(bad_section), ProfileError);
}

}  // namespace
}  // namespace lantai::virus_scan
