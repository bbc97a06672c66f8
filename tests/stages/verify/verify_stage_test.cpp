#include "stages/verify/verify_stage.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <thread>

#include "stages/deposit/deposit_stage.h"
#include "stages/verify/four_properties.h"
#include "stages/verify/verify_codes.h"
#include "stages/verify/tag_lines.h"
#include "tests/stages/deposit/synthetic_work.h"

namespace lantai::verify {
namespace {

namespace fs = std::filesystem;
using namespace lantai::test_support;

std::string describe(const std::vector<Finding>& findings) {
  std::string text;
  for (const Finding& finding : findings) text += "  " + finding.code + "  " + finding.message + "\n";
  return text.empty() ? "  (none)\n" : text;
}

bool has_finding(const std::vector<Finding>& findings, const std::string& code, const std::string& file) {
  for (const Finding& finding : findings)
    if (finding.code == code && finding.message.starts_with(file + ": ")) return true;
  return false;
}

void replace_in_file(const fs::path& file, const std::string& from, const std::string& to) {
  std::string text = read_file(file);
  const size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from << " not in " << file;
  text.replace(at, from.size(), to);
  write_bytes(file, text);
}

void append_to_file(const fs::path& file, const std::string& text) { write_bytes(file, read_file(file) + text); }

// One fresh deposit bag (with SM3) per test binary, copied for every test that damages it.
class VerifyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    work_ = new TempDir("verify-work");
    Profile profile = load_profile(work_->path(), "deposit:\n  sm3_manifest: true\n");
    ProfileSection section = profile.section("deposit");
    deposit::DepositStage stage;
    stage.setup(section, StageContext{});
    batch_ = new BatchWork(make_synthetic_work(work_->path()));
    bag_dir_ = new fs::path(bag_dir_of(*batch_, stage.process(*batch_)));
  }
  static void TearDownTestSuite() {
    delete batch_;
    delete bag_dir_;
    delete work_;
  }

  // A copy of the fresh bag that a test may damage.
  fs::path fresh_copy() {
    const fs::path copy = copies_.path() / "bag";
    fs::remove_all(copy);
    fs::copy(*bag_dir_, copy, fs::copy_options::recursive);
    return copy;
  }

  static fs::path entity(const std::string& ref, const std::string& name) {
    return fs::path("data/entity") / utf8_path(ref) / name;
  }
  static std::string entity_path(const std::string& ref, const std::string& name) {
    return "data/entity/" + ref + "/" + name;
  }

  // The deposit stage's bag judged as lantai run judges it: the centre policy, SM3 asked for.
  static VerifyOptions centre() {
    VerifyOptions options;
    options.policy = Policy::centre;
    options.require_sm3 = true;
    return options;
  }

  static TempDir* work_;
  static BatchWork* batch_;
  static fs::path* bag_dir_;
  TempDir copies_{"verify-copy"};
};

TempDir* VerifyTest::work_ = nullptr;
BatchWork* VerifyTest::batch_ = nullptr;
fs::path* VerifyTest::bag_dir_ = nullptr;

//! A bag fresh from the deposit stage (MD5, SHA-256 and SM3 manifests, backup form) has no findings.
TEST_F(VerifyTest, FreshDepositHasNoFindings) {
  auto findings = verify_bag(*bag_dir_, centre());
  EXPECT_TRUE(findings.empty()) << describe(findings);
  findings = verify_bag(*bag_dir_);
  EXPECT_TRUE(findings.empty()) << describe(findings);
}

struct Expected {
  std::string code;
  std::string file;  // the path the message must start with
};

struct TamperCase {
  std::string name;
  std::function<void(const fs::path& bag)> tamper;
  std::vector<Expected> expected;  // each must be among the findings
};

// ref3: the third record's 档号 in the bag damaged.
std::vector<TamperCase> tamper_cases(const std::string& ref3 = kRef3) {
  const std::string jpg1 = "data/entity/" + std::string(kRef1) + "/0001.jpg";
  const std::string txt2 = "data/entity/" + std::string(kRef2) + "/0001.txt";
  const std::string extra = "data/entity/" + ref3 + "/0004.jpg";
  const std::string zero_md5(32, '0');
  const std::string zero_sha256(64, '0');
  return {
      {"flipped payload byte",
       [=](const fs::path& bag) {
         std::string bytes = read_file(bag / utf8_path(jpg1));
         bytes[10] ^= 0x20;
         write_bytes(bag / utf8_path(jpg1), bytes);
       },
       {{"verify.checksum_mismatch", jpg1}}},
      {"deleted payload file", [=](const fs::path& bag) { fs::remove(bag / utf8_path(txt2)); },
       {{"verify.missing_file", txt2}, {"verify.oxum_mismatch", "bag-info.txt"}}},
      {"extra file under data/", [=](const fs::path& bag) { write_bytes(bag / utf8_path(extra), "未登记的页"); },
       {{"verify.unlisted_file", extra}, {"verify.oxum_mismatch", "bag-info.txt"}}},
      {"edited Payload-Oxum",
       [](const fs::path& bag) { replace_in_file(bag / "bag-info.txt", "Payload-Oxum: ", "Payload-Oxum: 1"); },
       {{"verify.oxum_mismatch", "bag-info.txt"}, {"verify.checksum_mismatch", "bag-info.txt"}}},
      {"deleted bagit.txt", [](const fs::path& bag) { fs::remove(bag / "bagit.txt"); },
       {{"verify.malformed", "bagit.txt"}}},
      {"BagIt-Version 0.97",
       [](const fs::path& bag) { replace_in_file(bag / "bagit.txt", "BagIt-Version: 1.0", "BagIt-Version: 0.97"); },
       {{"verify.policy", "bagit.txt"}}},
      {"no data/ folder", [](const fs::path& bag) { fs::remove_all(bag / "data"); },
       {{"verify.malformed", "data/"}}},
      {"no md5 or sha256 payload manifest",
       [](const fs::path& bag) {
         fs::remove(bag / "manifest-md5.txt");
         fs::remove(bag / "manifest-sha256.txt");
       },
       {{"verify.policy", "manifest-md5.txt"}, {"verify.policy", "manifest-sha256.txt"}}},
      {"manifest path climbing out of the bag",
       [=](const fs::path& bag) { append_to_file(bag / "manifest-sha256.txt", zero_sha256 + "  ../etc/passwd\n"); },
       {{"verify.path_escape", "manifest-sha256.txt"}}},
      {"absolute manifest path",
       [=](const fs::path& bag) { append_to_file(bag / "manifest-md5.txt", zero_md5 + "  /etc/passwd\n"); },
       {{"verify.path_escape", "manifest-md5.txt"}}},
      {"payload path hidden behind data/..",
       [=](const fs::path& bag) { append_to_file(bag / "manifest-md5.txt", zero_md5 + "  data/../bagit.txt\n"); },
       {{"verify.path_escape", "manifest-md5.txt"}}},
      {"manifest line without a path",
       [=](const fs::path& bag) { append_to_file(bag / "manifest-sm3.txt", zero_sha256 + "\n"); },
       {{"verify.malformed", "manifest-sm3.txt"}}},
      {"manifest digest of the wrong length",
       [=](const fs::path& bag) { append_to_file(bag / "manifest-md5.txt", zero_sha256 + "  " + extra + "\n"); },
       {{"verify.malformed", "manifest-md5.txt"}}},
      {"listed file that is not there",
       [=](const fs::path& bag) { append_to_file(bag / "manifest-sha256.txt", zero_sha256 + "  " + extra + "\n"); },
       {{"verify.missing_file", extra}}},
      {"tampered form digest",
       [](const fs::path& bag) {
         const fs::path form = bag / "forms/backup-form.json";
         std::string text = read_file(form);
         const size_t at = text.find("\"value\": \"") + 10;
         text[at] = text[at] == '0' ? '1' : '0';
         write_bytes(form, text);
       },
       {{"verify.form_mismatch", "forms/backup-form.json"}, {"verify.checksum_mismatch", "forms/backup-form.json"}}},
      {"tampered form page count",
       [](const fs::path& bag) { replace_in_file(bag / "forms/backup-form.json", "\"page_count\": 6", "\"page_count\": 7"); },
       {{"verify.form_mismatch", "forms/backup-form.json"}}},
      {"form that is not JSON", [](const fs::path& bag) { write_bytes(bag / "forms/backup-form.json", "{ 表"); },
       {{"verify.form_mismatch", "forms/backup-form.json"}}},
      {"tampered tag file",
       [](const fs::path& bag) { append_to_file(bag / "bag-info.txt", "Contact-Name: 张三\n"); },
       {{"verify.checksum_mismatch", "bag-info.txt"}}},
      {"deleted tag file", [](const fs::path& bag) { fs::remove(bag / "forms/backup-form.json"); },
       {{"verify.missing_file", "forms/backup-form.json"}}},
      {"deleted tag manifest", [](const fs::path& bag) { fs::remove(bag / "tagmanifest-md5.txt"); },
       {{"verify.policy", "tagmanifest-md5.txt"}}},
      {"tampered holdings",
       [](const fs::path& bag) {
         replace_in_file(bag / "metadata/holdings.csv", std::string(kRef2) + ",", std::string(kRef2) + "X,");
       },
       {{"verify.holdings_mismatch", "metadata/holdings.csv"}}},
      {"bag-info line without a label",
       [](const fs::path& bag) { append_to_file(bag / "bag-info.txt", "没有冒号的一行\n"); },
       {{"verify.malformed", "bag-info.txt"}}},
      {"symbolic link in the payload",
       [=](const fs::path& bag) { fs::create_symlink("/etc/hostname", bag / utf8_path(extra)); },
       {{"verify.malformed", extra}}},
  };
}

//! Each way of damaging a bag yields the expected reject finding naming the damaged file.
TEST_F(VerifyTest, NamesEachDamagedFile) {
  for (const TamperCase& tamper_case : tamper_cases()) {
    SCOPED_TRACE(tamper_case.name);
    const fs::path bag = fresh_copy();
    tamper_case.tamper(bag);
    const auto findings = verify_bag(bag, centre());
    ASSERT_FALSE(findings.empty());
    for (const Expected& expected : tamper_case.expected)
      EXPECT_TRUE(has_finding(findings, expected.code, expected.file))
          << "expected " << expected.code << " on " << expected.file << ", found:\n"
          << describe(findings);
    for (const Finding& finding : findings) {
      EXPECT_EQ(finding.severity, Severity::reject) << finding.code;
      EXPECT_EQ(finding.message.find('\n'), std::string::npos) << finding.message;
    }
  }
}

// The same lot with the third record numbered 件号 1 of its series, so that the 四性 report,
// which also judges the numbering (2-6), passes the fresh bag.
class ReportAgreesWithVerifyTest : public ::testing::Test {
 protected:
  static constexpr const char* kFirstOfSeries = "J012-WS·2021-D30-BGS-0001";
  static void SetUpTestSuite() {
    work_ = new TempDir("verify-report-work");
    Profile profile = load_profile(work_->path(), "deposit:\n  sm3_manifest: true\n");
    ProfileSection section = profile.section("deposit");
    deposit::DepositStage stage;
    stage.setup(section, StageContext{});
    BatchWork batch = make_synthetic_work(work_->path());
    batch.records[2].entry.ref = batch.records[2].entry.values[0] = kFirstOfSeries;
    bag_dir_ = new fs::path(bag_dir_of(batch, stage.process(batch)));
  }
  static void TearDownTestSuite() {
    delete bag_dir_;
    delete work_;
  }
  static FourPropertiesReport report_on(const fs::path& bag, const std::vector<Finding>& findings) {
    AssessmentContext context;
    context.checker = "centre check";
    context.centre_policy = true;
    return assess_four_properties(bag, findings, context);
  }
  static TempDir* work_;
  static fs::path* bag_dir_;
  TempDir copies_{"verify-report-copy"};
};

TempDir* ReportAgreesWithVerifyTest::work_ = nullptr;
fs::path* ReportAgreesWithVerifyTest::bag_dir_ = nullptr;

//! For the fresh bag and every tampering above, the 四性 report's overall result is fail exactly when verify rejects the bag, and each reject finding is evidence of a failing item.
TEST_F(ReportAgreesWithVerifyTest, ReportFailsExactlyWhenVerifyFails) {
  VerifyOptions options;
  options.policy = Policy::centre;
  options.require_sm3 = true;
  const auto fresh = verify_bag(*bag_dir_, options);
  ASSERT_TRUE(fresh.empty()) << describe(fresh);
  // No virus scan here: 4-1 and 4-2 are not done, so the fresh bag passes with items not done.
  const FourPropertiesReport fresh_report = report_on(*bag_dir_, fresh);
  EXPECT_EQ(fresh_report.result(), OverallResult::pass_items_not_done);
  EXPECT_NE(four_properties_json(fresh_report).find("\"result\": \"pass, items not done\""), std::string::npos);
  EXPECT_NE(four_properties_html(fresh_report).find("通过，有未检项目 pass, items not done"), std::string::npos);
  for (const TamperCase& tamper_case : tamper_cases(kFirstOfSeries)) {
    SCOPED_TRACE(tamper_case.name);
    const fs::path bag = copies_.path() / "bag";
    fs::remove_all(bag);
    fs::copy(*bag_dir_, bag, fs::copy_options::recursive);
    tamper_case.tamper(bag);
    const auto findings = verify_bag(bag, options);
    const FourPropertiesReport report = report_on(bag, findings);
    EXPECT_EQ(report.result() == OverallResult::fail, any_reject(findings)) << describe(findings);
    for (const Finding& finding : findings) {
      if (finding.severity != Severity::reject) continue;
      const std::string line = finding.code + ": " + finding.message;
      const bool failed_with_it = std::any_of(report.items.begin(), report.items.end(), [&](const CheckItem& item) {
        return item.verdict == ItemVerdict::fail &&
               std::find(item.evidence.begin(), item.evidence.end(), line) != item.evidence.end();
      });
      EXPECT_TRUE(failed_with_it) << line;
    }
  }
}

//! A signed bag checked without a key: 1-1 is not done, so the report cannot say a plain pass.
TEST_F(ReportAgreesWithVerifyTest, SignatureNotCheckedIsNotDone) {
  const fs::path bag = copies_.path() / "signed";
  fs::copy(*bag_dir_, bag, fs::copy_options::recursive);
  write_bytes(bag / kBagSignaturePath, "signature\n");
  const FourPropertiesReport report = report_on(bag, {});
  EXPECT_EQ(report.items.front().id, "1-1");
  EXPECT_EQ(report.items.front().verdict, ItemVerdict::not_done) << report.items.front().measured;
  EXPECT_EQ(report.result(), OverallResult::pass_items_not_done);
}

//! Every reject code verify can report bears on at least one item of the report; warnings are evidence, never a failure.
TEST(ReportItems, EveryRejectCodeHasAnItem) {
  for (const FindingCode& code : verify_finding_codes()) {
    EXPECT_FALSE(report_items_for(code("x: y")).empty()) << code.code;
  }
  EXPECT_EQ(report_items_for(kOxumMismatch("bag-info.txt: …", "100.3", "100.4")), std::vector<std::string_view>{"2-11"});
  EXPECT_EQ(report_items_for(kOxumMismatch("bag-info.txt: …", "100.3", "0101.3")), std::vector<std::string_view>{"2-2"});
  EXPECT_EQ(report_items_for(kPolicy("tagmanifest-md5.txt: missing; …")), std::vector<std::string_view>{"2-9"});
  EXPECT_EQ(report_items_for(kPolicy("bagit.txt: BagIt-Version is '0.97'")), std::vector<std::string_view>{"1-13"});
  EXPECT_TRUE(report_items_for(Finding{"verify.something_new", Severity::reject}).empty());
}

//! A reject of a code no item covers fails the report under an item of its own; a warning is listed as evidence and fails nothing.
TEST_F(ReportAgreesWithVerifyTest, UnmappedRejectsFailAndWarningsAreEvidence) {
  const std::vector<Finding> findings = {Finding{"verify.something_new", Severity::reject, "", "", "x: new rule"},
                                         kCaseTwins("data/A.txt: differs only in case from data/a.txt")};
  const FourPropertiesReport report = report_on(*bag_dir_, findings);
  EXPECT_EQ(report.result(), OverallResult::fail);
  const CheckItem& other = report.items.back();
  EXPECT_EQ(other.id, "other");
  EXPECT_EQ(other.verdict, ItemVerdict::fail);
  EXPECT_EQ(other.evidence, std::vector<std::string>{"verify.something_new: x: new rule"});
  for (const CheckItem& item : report.items)
    if (item.id == "2-7") {
      EXPECT_EQ(item.verdict, ItemVerdict::pass);
      EXPECT_EQ(item.evidence.back(), "warning: verify.case_twins: data/A.txt: differs only in case from data/a.txt");
    }
}

//! A flipped byte is reported per manifest with the digest found as value and the listed digest as threshold.
TEST_F(VerifyTest, ReportsFoundAndListedDigests) {
  const fs::path bag = fresh_copy();
  const fs::path jpg = bag / entity(kRef3, "0002.jpg");
  std::string bytes = read_file(jpg);
  bytes.back() ^= 0x01;
  write_bytes(jpg, bytes);
  const auto findings = verify_bag(bag, centre());
  ASSERT_EQ(findings.size(), 3u) << describe(findings);  // md5, sha256, sm3
  for (const Finding& finding : findings) {
    EXPECT_EQ(finding.code, "verify.checksum_mismatch");
    EXPECT_TRUE(finding.message.starts_with(entity_path(kRef3, "0002.jpg") + ": ")) << finding.message;
    EXPECT_NE(finding.value, finding.threshold);
  }
  EXPECT_EQ(findings[1].value, hex_digest(DigestAlgorithm::sha256, bytes));
  EXPECT_NE(read_file(bag / "manifest-sha256.txt").find(findings[1].threshold), std::string::npos);
}

//! A line of a manifest that does not parse is named by its line number.
TEST_F(VerifyTest, NamesTheLineOfAMalformedManifest) {
  const fs::path bag = fresh_copy();
  append_to_file(bag / "manifest-sha256.txt", std::string(64, 'a') + "  ../etc/passwd\n");
  const auto findings = verify_bag(bag, centre());
  bool named = false;
  for (const Finding& finding : findings)
    named = named || (finding.code == "verify.path_escape" &&
                      finding.message.starts_with("manifest-sha256.txt: line 13: "));
  EXPECT_TRUE(named) << describe(findings);
}

// A bag written by hand, not by lantai: RFC 8493 details the deposit stage never produces.
class HandMadeBagTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bag_ = dir_.path() / "bag";
    write_bytes(bag_ / "bagit.txt", "BagIt-Version: 1.0\r\nTag-File-Character-Encoding: UTF-8\r\n");
    add("data/100%纯 文本.txt", "百分号与空格\n");
    add("data/子目录/图像.jpg", "\xFF\xD8\xFF\xD9");
  }
  void add(const std::string& path, const std::string& bytes) {
    write_bytes(bag_ / utf8_path(path), bytes);
    files_.emplace_back(path, bytes);
  }
  // CRLF lines, one tab as separator, upper-case hex: all allowed by RFC 8493.
  void write_manifest(DigestAlgorithm algorithm) {
    std::string text;
    for (const auto& [path, bytes] : files_) {
      std::string digest = hex_digest(algorithm, bytes);
      for (char& c : digest) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      std::string encoded;
      for (char c : path) encoded += c == '%' ? std::string("%25") : std::string(1, c);
      text += digest + "\t" + encoded + "\r\n";
    }
    write_bytes(bag_ / ("manifest-" + std::string(to_string(algorithm)) + ".txt"), text);
  }

  TempDir dir_{"verify-hand"};
  fs::path bag_;
  std::vector<std::pair<std::string, std::string>> files_;
};

//! A minimal valid bag with CRLF, tabs, upper-case hex, a percent-encoded name and no bag-info passes; a manifest in an unknown algorithm is a warning.
TEST_F(HandMadeBagTest, AcceptsWhatRfc8493Allows) {
  write_manifest(DigestAlgorithm::md5);
  write_bytes(bag_ / "notes.txt", "a tag file no tag manifest lists\n");
  auto findings = verify_bag(bag_);
  EXPECT_TRUE(findings.empty()) << describe(findings);
  write_bytes(bag_ / "manifest-blake3.txt", "not checked  data/nothing\n");
  findings = verify_bag(bag_);
  ASSERT_EQ(findings.size(), 1u) << describe(findings);
  EXPECT_EQ(findings[0].code, "verify.unchecked_manifest");
  EXPECT_EQ(findings[0].severity, Severity::warn);
}

//! An empty payload with an empty manifest and a matching Payload-Oxum of 0.0 passes.
TEST(EmptyBag, AcceptsAnEmptyPayload) {
  TempDir dir("verify-empty");
  const fs::path bag = dir.path() / "bag";
  write_bytes(bag / "bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");
  fs::create_directories(bag / "data");
  write_bytes(bag / "manifest-sha256.txt", "");
  write_bytes(bag / "bag-info.txt", "Payload-Oxum: 0.0\nExternal-Description: 空\n  续行\n");
  const auto findings = verify_bag(bag);
  EXPECT_TRUE(findings.empty()) << describe(findings);
}

//! A file listed in one payload manifest but missing from another is unlisted there, and a missing folder is malformed.
TEST_F(HandMadeBagTest, EveryPayloadFileMustBeInEveryManifest) {
  write_manifest(DigestAlgorithm::sha256);
  add("data/后加.txt", "只在 md5 清单里\n");
  write_manifest(DigestAlgorithm::md5);
  auto findings = verify_bag(bag_);
  ASSERT_EQ(findings.size(), 1u) << describe(findings);
  EXPECT_EQ(findings[0].code, "verify.unlisted_file");
  EXPECT_EQ(findings[0].message, "data/后加.txt: in data/ but not listed in manifest-sha256.txt");

  findings = verify_bag(dir_.path() / "no such bag");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].code, "verify.malformed");
}

//! Manifest paths decode only %0D, %0A and %25, and paths that leave the bag are recognised.
TEST(TagLines, DecodesPathsAndSpotsEscapes) {
  EXPECT_EQ(decode_manifest_path("data/a%0d%0Ab%25c%20d%2"), "data/a\r\nb%c%20d%2");
  EXPECT_EQ(escape_reason("data/ok/文件.txt"), "");
  EXPECT_NE(escape_reason("../etc/passwd"), "");
  EXPECT_NE(escape_reason("/etc/passwd"), "");
  EXPECT_NE(escape_reason("data/a/../../x"), "");
  EXPECT_NE(escape_reason("data//x"), "");
  EXPECT_EQ(split_lines("a\r\nb\rc\nd"), (std::vector<std::string_view>{"a", "b", "c", "d"}));
  EXPECT_EQ(split_lines("a\n"), (std::vector<std::string_view>{"a"}));
}

//! The stage wraps verify_bag with the centre policy, requires SM3 when the bag's maker was asked for it, and refuses unknown profile keys.
TEST_F(VerifyTest, StageWrapsVerifyBag) {
  VerifyStage stage;
  EXPECT_EQ(stage.describe().id, "verify");
  EXPECT_TRUE(stage.describe().params.empty());
  {
    Profile profile = load_profile(copies_.path(), "verify:\n");
    ProfileSection section = profile.section("verify");
    stage.setup(section, StageContext{});
  }
  {
    Profile profile = load_profile(copies_.path(), "verify:\n  strict: true\n");
    ProfileSection section = profile.section("verify");
    EXPECT_THROW(stage.setup(section, StageContext{}), ProfileError);
  }
  const fs::path bag = fresh_copy();
  fs::remove(bag / "bagit.txt");
  Bag unit{bag};
  Outcome outcome = stage.process(unit);
  EXPECT_TRUE(outcome.rejected());
  EXPECT_TRUE(has_finding(outcome.findings, "verify.malformed", "bagit.txt")) << describe(outcome.findings);
  // The centre policy: a bag valid by RFC 8493 alone but carrying a fetch.txt is refused.
  const fs::path fetching = fresh_copy();
  write_bytes(fetching / "fetch.txt", "");
  EXPECT_TRUE(verify_bag(fetching).empty());
  EXPECT_TRUE(has_finding(stage.process(Bag{fetching}).findings, "verify.policy", "fetch.txt"));
  // A bag made with SM3 manifests, now without them: passes unless its maker was asked for SM3.
  const fs::path no_sm3 = fresh_copy();
  fs::remove(no_sm3 / "manifest-sm3.txt");
  fs::remove(no_sm3 / "tagmanifest-sm3.txt");
  replace_in_file(no_sm3 / "tagmanifest-md5.txt", "manifest-sm3.txt", "manifest-sm3.gone");
  EXPECT_FALSE(has_finding(stage.process(Bag{no_sm3, false}).findings, "verify.policy", "manifest-sm3.txt"));
  EXPECT_TRUE(has_finding(stage.process(Bag{no_sm3, true}).findings, "verify.policy", "manifest-sm3.txt"));
}

//! Several threads verifying bags at once get the same findings as one thread alone.
TEST_F(VerifyTest, IsSafeFromManyThreads) {
  const fs::path bag = fresh_copy();
  fs::remove(bag / utf8_path(entity_path(kRef1, "0002.txt")));
  const auto alone = describe(verify_bag(bag));
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i)
    threads.emplace_back([&, i] { results[i] = describe(verify_bag(i % 2 ? bag : *bag_dir_)); });
  for (auto& thread : threads) thread.join();
  for (size_t i = 0; i < results.size(); ++i) EXPECT_EQ(results[i], i % 2 ? alone : "  (none)\n");
}

}  // namespace
}  // namespace lantai::verify
