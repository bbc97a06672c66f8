// lantai verify PACKAGE: the bag inside a .tar or .zip judged by the same rules as a bag
// folder, read with libarchive without unpacking; with the centre policy, the package
// file's own digests against package.json; hostile archives refused entry by entry.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <nlohmann/json.hpp>

#include "pipeline/utf8.h"
#include "stages/verify/four_properties.h"
#include "stages/deposit/deposit_stage.h"
#include "stages/verify/verify_stage.h"
#include "tests/stages/deposit/synthetic_work.h"
#include "tests/support/test_virus_db.h"
#include "pipeline/virus_scanner.h"

namespace lantai::verify {
namespace {

namespace fs = std::filesystem;
using namespace lantai::test_support;

std::string describe(const std::vector<Finding>& findings) {
  std::string text;
  for (const Finding& finding : findings) text += "  " + finding.code + "  " + finding.message + "\n";
  return text.empty() ? "  (none)\n" : text;
}

std::size_t rejects(const std::vector<Finding>& findings) {
  return std::count_if(findings.begin(), findings.end(), [](const Finding& f) { return f.severity == Severity::reject; });
}

bool has(const std::vector<Finding>& findings, const std::string& code, const std::string& text) {
  return std::any_of(findings.begin(), findings.end(), [&](const Finding& f) {
    return f.code == code && f.message.find(text) != std::string::npos;
  });
}

// An entry to add to a hand-made archive.
struct RawEntry {
  std::string name;
  unsigned type = AE_IFREG;
  std::string content;
  std::string link;  // symlink target, or hard link target
  bool hardlink = false;
};

// The bag at bag_dir as a pax TAR under top/, then the extra entries, as another tool might write them.
void write_tar(const fs::path& out, const fs::path& bag_dir, const std::string& top, const std::vector<RawEntry>& extra) {
  const ScopedUtf8Locale utf8;
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  ASSERT_EQ(archive_write_open_filename(a, out.c_str()), ARCHIVE_OK);
  auto add = [&](const RawEntry& raw) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname_utf8(e, raw.name.c_str());
    archive_entry_set_filetype(e, raw.type);
    archive_entry_set_perm(e, 0644);
    if (raw.hardlink) archive_entry_set_hardlink_utf8(e, raw.link.c_str());
    else if (!raw.link.empty()) archive_entry_set_symlink_utf8(e, raw.link.c_str());
    archive_entry_set_size(e, raw.type == AE_IFREG && !raw.hardlink ? static_cast<la_int64_t>(raw.content.size()) : 0);
    archive_write_header(a, e);
    if (!raw.content.empty()) archive_write_data(a, raw.content.data(), raw.content.size());
    archive_entry_free(e);
  };
  std::vector<std::pair<std::string, fs::path>> files;
  for (const auto& item : fs::recursive_directory_iterator(bag_dir))
    files.emplace_back(relative_utf8(item.path(), bag_dir) + (item.is_directory() ? "/" : ""), item.path());
  std::sort(files.begin(), files.end());
  add({top + "/", AE_IFDIR});
  for (const auto& [rel, path] : files)
    add({top + "/" + rel, rel.ends_with("/") ? AE_IFDIR : AE_IFREG, rel.ends_with("/") ? "" : read_file(path)});
  for (const RawEntry& raw : extra) add(raw);
  archive_write_close(a);
  archive_write_free(a);
}

class PackageVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override { deposit("deposit:\n"); }

  void deposit(const std::string& section_yaml) {
    batch_ = make_synthetic_work(work_.path());
    Profile profile = load_profile(scratch_.path(), section_yaml);
    ProfileSection section = profile.section("deposit");
    deposit::DepositStage stage;
    stage.setup(section, StageContext{work_.path(), work_.path(), 1});
    stage.process(batch_);
  }
  fs::path bag() const { return work_.path() / "deposit" / utf8_path(batch_.batch_id); }
  fs::path beside(const std::string& suffix) const {
    return work_.path() / "deposit" / utf8_path(batch_.batch_id + suffix);
  }
  static VerifyOptions centre() {
    VerifyOptions options;
    options.policy = Policy::centre;
    return options;
  }

  TempDir work_{"package-verify-work"};
  TempDir scratch_{"package-verify-scratch"};
  BatchWork batch_;
};

//! The deposit's package verifies with the centre policy: the bag inside, and MD5 and SHA-256 of the file equal package.json.
TEST_F(PackageVerifyTest, DepositedPackageVerifies) {
  const auto findings = verify_package(beside(".tar"), centre());
  EXPECT_EQ(rejects(findings), 0u) << describe(findings);
  EXPECT_TRUE(findings.empty()) << describe(findings);
  // The same bag as a folder gives the same verdict.
  EXPECT_EQ(rejects(verify_bag(bag(), centre())), 0u);
}

//! A payload byte flipped inside the package: the file is named, and the package's MD5 no longer matches package.json.
TEST_F(PackageVerifyTest, FlippedPayloadByteNamesTheFile) {
  std::string bytes = read_file(beside(".tar"));
  const std::string page = fake_jpeg(kRef2, 1);
  const std::size_t at = bytes.find(page);
  ASSERT_NE(at, std::string::npos);
  bytes[at + 40] = static_cast<char>(bytes[at + 40] ^ 0x01);
  write_bytes(beside(".tar"), bytes);
  const auto findings = verify_package(beside(".tar"), centre());
  const std::string file = std::string("data/entity/") + kRef2 + "/0001.jpg";
  EXPECT_TRUE(has(findings, "verify.checksum_mismatch", file + ": md5 digest differs")) << describe(findings);
  EXPECT_TRUE(has(findings, "verify.checksum_mismatch", file + ": sha256 digest differs")) << describe(findings);
  EXPECT_TRUE(has(findings, "verify.package_mismatch", ".package.json: MD5 is ")) << describe(findings);
  EXPECT_TRUE(has(findings, "verify.package_mismatch", ".package.json: SHA-256 is ")) << describe(findings);
}

//! package.json that states another MD5, or is missing, fails the centre policy; --package-form names another file.
TEST_F(PackageVerifyTest, PackageJsonMustMatch) {
  auto json = nlohmann::json::parse(read_file(beside(".package.json")));
  json["digests"][0]["value"] = std::string(32, '0');
  const fs::path other = scratch_.path() / "other.package.json";
  write_bytes(other, json.dump());
  VerifyOptions options = centre();
  options.package_form = other;
  EXPECT_TRUE(has(verify_package(beside(".tar"), options), "verify.package_mismatch",
                  "other.package.json: MD5 is 00000000000000000000000000000000"));
  fs::remove(beside(".package.json"));
  EXPECT_TRUE(has(verify_package(beside(".tar"), centre()), "verify.package_mismatch", ".package.json: missing"));
  // RFC 8493 alone does not ask for it.
  EXPECT_EQ(rejects(verify_package(beside(".tar"))), 0u);
}

//! The ZIP variant verifies the same way.
TEST_F(PackageVerifyTest, ZipPackageVerifies) {
  deposit("deposit:\n  package: zip\n");
  const auto findings = verify_package(beside(".zip"), centre());
  EXPECT_TRUE(findings.empty()) << describe(findings);
}

//! Hostile entries ('..', an absolute path, a symlink, a hard link, an entry outside the top folder, one given twice) are each refused with one line, and nothing is written to disk.
TEST_F(PackageVerifyTest, HostileEntriesRefused) {
  const std::string top = batch_.batch_id;
  const std::string escaped = "lantai-escaped-" + std::to_string(::getpid());
  struct Case {
    RawEntry entry;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{top + "/../" + escaped, AE_IFREG, "escape"}, "climbs out of its folder with '..'"},
      {{"/tmp/lantai-absolute", AE_IFREG, "absolute"}, "an absolute path"},
      {{top + "/data/entity/evil", AE_IFLNK, "", "/etc/passwd"}, "a link"},
      {{top + "/data/entity/hard", AE_IFREG, "", top + "/bagit.txt", true}, "a link"},
      {{"elsewhere/x", AE_IFREG, "outside"}, "outside the package's top folder " + top + "/"},
      {{top + "/bagit.txt", AE_IFREG, "BagIt-Version: 0.1\n"}, "given twice"},
  };
  for (const Case& c : cases) {
    const fs::path tar = scratch_.path() / "hostile.tar";
    write_tar(tar, bag(), top, {c.entry});
    const auto findings = verify_package(tar);
    EXPECT_TRUE(has(findings, "verify.package_unsafe", "hostile.tar: " + c.entry.name + ": " + c.expected))
        << c.entry.name << "\n"
        << describe(findings);
    EXPECT_EQ(findings.size(), 1u) << describe(findings);  // the bag itself is intact
    EXPECT_FALSE(fs::exists("/tmp/lantai-absolute"));
    EXPECT_FALSE(fs::exists(fs::current_path().parent_path() / escaped));
    EXPECT_FALSE(fs::exists(scratch_.path().parent_path() / escaped));
  }
}

//! A file that is not a TAR or ZIP, and a package cut short, each give one clear line.
TEST_F(PackageVerifyTest, DamagedPackages) {
  const fs::path junk = scratch_.path() / "junk.tar";
  write_bytes(junk, std::string(4096, 'x'));
  const auto junk_findings = verify_package(junk);
  EXPECT_TRUE(has(junk_findings, "verify.malformed", "junk.tar: not a TAR or ZIP file")) << describe(junk_findings);

  const std::string bytes = read_file(beside(".tar"));
  const fs::path cut = scratch_.path() / "cut.tar";
  // Cut inside a 512-byte block, wherever the bag's layout puts its entries (a cut at an
  // entry's boundary reads as a shorter TAR, caught by the bag's own checks).
  write_bytes(cut, bytes.substr(0, bytes.size() / 2 + 100));
  const auto cut_findings = verify_package(cut);
  EXPECT_GT(rejects(cut_findings), 0u);
  EXPECT_TRUE(has(cut_findings, "verify.malformed", "cut.tar: ")) << describe(cut_findings);
}

//! The run's self-check (the verify stage on a bag with its package) checks the package file too, its findings named by the package.
TEST_F(PackageVerifyTest, SelfCheckVerifiesThePackage) {
  VerifyStage stage;
  Profile profile = load_profile(scratch_.path(), "verify: {}\n");
  ProfileSection section = profile.section("verify");
  stage.setup(section, StageContext{});
  EXPECT_EQ(rejects(stage.process(Bag{bag(), false, beside(".tar")}).findings), 0u);
  std::string bytes = read_file(beside(".tar"));
  bytes[bytes.size() - 1] = 'x';  // inside the end blocks: only the package digest sees it
  write_bytes(beside(".tar"), bytes);
  const auto findings = stage.process(Bag{bag(), false, beside(".tar")}).findings;
  EXPECT_TRUE(has(findings, "verify.package_mismatch", batch_.batch_id + ".tar: " + batch_.batch_id + ".package.json: MD5 is"))
      << describe(findings);
  EXPECT_EQ(rejects(findings), 2u) << describe(findings);  // MD5 and SHA-256
}

// A package of many small entries (20 files, 4 KiB each) and one of 64 KiB, one entry holding EICAR.
void write_many_entries(const fs::path& out, const fs::path& bag_dir, const std::string& top) {
  std::vector<RawEntry> extra;
  for (int i = 0; i < 20; ++i) extra.push_back({top + "/data/many/" + std::to_string(i) + ".txt", AE_IFREG, std::string(4096, 'a' + i)});
  extra.push_back({top + "/data/large.bin", AE_IFREG, std::string(64 << 10, 'L')});
  extra.push_back({top + "/data/infected.txt", AE_IFREG, eicar_test_file()});
  write_tar(out, bag_dir, top, extra);
}

//! The virus scan of a package goes entry by entry: more entries than ClamAV's max_files and a package larger than its
//! max_file_size are still scanned, the infected entry is named, and only an entry over the limit is not scanned.
TEST_F(PackageVerifyTest, ScansEntryByEntryWithinTheLimits) {
  write_test_virus_db(scratch_.path() / "db");
  VirusScanLimits limits;
  limits.max_files = 5;                    // fewer than the package's entries
  limits.max_file_size_bytes = 32 << 10;  // smaller than the package, larger than every entry but one
  const auto scanner = VirusScanner::load(scratch_.path() / "db", limits, scratch_.path() / "clamav-tmp");
  const fs::path tar = scratch_.path() / "many.tar";
  write_many_entries(tar, bag(), batch_.batch_id);
  ASSERT_GT(fs::file_size(tar), limits.max_file_size_bytes);
  VerifyOptions options;
  options.virus_scanner = scanner.get();
  const auto findings = verify_package(tar, options);
  EXPECT_TRUE(has(findings, "verify.virus_found", "data/infected.txt: infected with " + std::string(kTestSignatureName)))
      << describe(findings);
  EXPECT_TRUE(has(findings, "verify.not_virus_scanned", "data/large.bin: not scanned for viruses: larger"))
      << describe(findings);
  const auto scan_findings = std::count_if(findings.begin(), findings.end(), [](const Finding& f) {
    return f.code == "verify.virus_found" || f.code == "verify.not_virus_scanned";
  });
  EXPECT_EQ(scan_findings, 2) << describe(findings);
  EXPECT_TRUE(fs::is_empty(scratch_.path() / "clamav-tmp")) << "the entries' copies are gone";
}

// The report's items by number, with their evidence as one text.
std::map<std::string, CheckItem> items_of(const FourPropertiesReport& report) {
  std::map<std::string, CheckItem> items;
  for (const CheckItem& item : report.items) items[item.id] = item;
  return items;
}

std::string evidence(const CheckItem& item) {
  std::string text;
  for (const std::string& line : item.evidence) text += line + "\n";
  return text;
}

//! The 四性 report of a package file (.tar and .zip) reads the bag inside through what verify read: every item
//! measures what it measures on the bag folder, and 1-14 compares the package file's own MD5 and SHA-256 with
//! package.json.
TEST_F(PackageVerifyTest, ReportOnThePackageFile) {
  AssessmentContext context;
  context.checker = "centre check";
  context.centre_policy = true;
  const auto folder = items_of(assess_four_properties(bag(), verify_bag(bag(), centre()), context));
  for (const char* format : {"tar", "zip"}) {
    SCOPED_TRACE(format);
    if (std::string(format) == "zip") deposit("deposit:\n  package: zip\n");
    const fs::path package = beside(std::string(".") + format);
    PackageCheck check = check_package(package, centre());
    ASSERT_TRUE(check.contents);
    context.package_file = check.digests;
    const FourPropertiesReport report = assess_four_properties(*check.contents, package.string(), check.findings, context);
    EXPECT_EQ(report.bag, package.string());
    auto items = items_of(report);
    for (const auto& [id, item] : folder) {
      if (id == "1-14") continue;
      EXPECT_EQ(items[id].verdict, item.verdict) << id << ": " << items[id].measured << "\n" << evidence(items[id]);
      EXPECT_EQ(items[id].measured, item.measured) << id;
    }
    const std::string md5 = hex_digest(DigestAlgorithm::md5, read_file(package));
    // The printed header: batch, External-Identifier, the package's MD5, the version, the signature boxes.
    EXPECT_EQ(report.batch_id, batch_.batch_id);
    EXPECT_EQ(report.external_identifier, batch_.batch_id);
    EXPECT_EQ(report.package_md5, md5);
    EXPECT_FALSE(report.lantai_version.empty());
    const std::string html = four_properties_html(report);
    for (const std::string& shown : {md5, std::string("lantai ") + report.lantai_version,
                                     std::string("检测人 checked by"), std::string("审核人 approved by")})
      EXPECT_NE(html.find(shown), std::string::npos) << shown;
    EXPECT_NE(four_properties_json(report).find("\"package_md5\": \"" + md5 + "\""), std::string::npos);
    EXPECT_EQ(items["1-14"].verdict, ItemVerdict::pass) << evidence(items["1-14"]);
    EXPECT_NE(evidence(items["1-14"]).find("MD5 of " + package.filename().string() + " " + md5 + ", as package.json records"),
              std::string::npos)
        << evidence(items["1-14"]);
    EXPECT_NE(evidence(items["1-14"]).find("of manifest-sha256.txt"), std::string::npos);
  }
  // package.json stating another MD5: 1-14 fails, naming both digests.
  auto json = nlohmann::json::parse(read_file(beside(".package.json")));
  json["digests"][0]["value"] = std::string(32, '0');
  write_bytes(beside(".package.json"), json.dump());
  PackageCheck check = check_package(beside(".zip"), centre());
  context.package_file = check.digests;
  auto items = items_of(assess_four_properties(*check.contents, "p", check.findings, context));
  EXPECT_EQ(items["1-14"].verdict, ItemVerdict::fail);
  EXPECT_NE(evidence(items["1-14"]).find("package.json records " + std::string(32, '0')), std::string::npos)
      << evidence(items["1-14"]);
}

//! The run's self-check report puts the package file's MD5 into 1-14.
TEST_F(PackageVerifyTest, SelfCheckReportHasThePackageDigest) {
  VerifyStage stage;
  Profile profile = load_profile(scratch_.path(), "verify: {}\n");
  ProfileSection section = profile.section("verify");
  stage.setup(section, StageContext{work_.path(), work_.path(), 1});
  stage.process(Bag{bag(), false, beside(".tar")});
  const auto json = nlohmann::json::parse(read_file(work_.path() / "reports" / "four-properties.json"));
  const std::string md5 = hex_digest(DigestAlgorithm::md5, read_file(beside(".tar")));
  bool found = false;
  for (const auto& item : json["items"])
    if (item["item"] == "1-14")
      for (const auto& line : item["evidence"])
        found = found || line.get<std::string>().find("MD5 of " + batch_.batch_id + ".tar " + md5) != std::string::npos;
  EXPECT_TRUE(found) << json.dump(1);
}

}  // namespace
}  // namespace lantai::verify
