#include "stages/deposit/deposit_stage.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "stages/deposit/backup_form.h"
#include "stages/deposit/bag_builder.h"
#include "stages/deposit/catalogue_csv.h"
#include "tests/stages/deposit/synthetic_work.h"
#include "tests/support/pdf_inspection.h"
#include "tests/support/xlsx_reading.h"

namespace lantai::deposit {
namespace {

namespace fs = std::filesystem;
using namespace lantai::test_support;

// Lines of a text file, without their LF.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::map<std::string, std::string> bag_info_fields(const fs::path& bag) {
  std::map<std::string, std::string> fields;
  for (const std::string& line : lines_of(read_file(bag / "bag-info.txt"))) {
    size_t colon = line.find(": ");
    if (colon != std::string::npos) fields[line.substr(0, colon)] = line.substr(colon + 2);
  }
  return fields;
}

// Every regular file below dir, as '/'-separated paths relative to base.
std::vector<std::string> files_below(const fs::path& dir, const fs::path& base) {
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) files.push_back(relative_utf8(entry.path(), base));
  std::sort(files.begin(), files.end());
  return files;
}

class DepositTest : public ::testing::Test {
 protected:
  // A deposit stage set up from a profile whose deposit section is `section_yaml`.
  DepositStage make_stage(const std::string& section_yaml = "deposit:\n") {
    Profile profile = load_profile(scratch_.path(), section_yaml);
    ProfileSection section = profile.section("deposit");
    DepositStage stage;
    stage.setup(section, StageContext{work_.path(), work_.path(), 1});
    return stage;
  }

  // Builds the synthetic WORK and deposits it; returns the bag folder.
  fs::path deposit(const std::string& section_yaml = "deposit:\n") {
    batch_ = make_synthetic_work(work_.path());
    outcome_ = make_stage(section_yaml).process(batch_);
    return bag_dir_of(batch_, outcome_);
  }

  // What WORK/deposit holds, sorted.
  std::vector<std::string> deposit_folder() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(work_.path() / "deposit"))
      names.push_back(relative_utf8(entry.path(), work_.path()));
    std::sort(names.begin(), names.end());
    return names;
  }

  TempDir work_{"deposit-work"};
  TempDir scratch_{"deposit-scratch"};
  BatchWork batch_;
  Outcome outcome_;
};

//! The bag lands at WORK/deposit/<batch_id> with every file of the documented layout, and nothing half-built beside it.
TEST_F(DepositTest, LaysOutTheBag) {
  const fs::path bag = deposit();
  EXPECT_EQ(bag, work_.path() / "deposit" / utf8_path("J012-2021-批次01"));
  EXPECT_EQ(read_file(bag / "bagit.txt"), "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");
  for (const char* tag : {"bag-info.txt", "manifest-md5.txt", "manifest-sha256.txt", "tagmanifest-md5.txt",
                          "tagmanifest-sha256.txt", "forms/backup-form.json"})
    EXPECT_TRUE(fs::is_regular_file(bag / tag)) << tag;
  EXPECT_FALSE(fs::exists(bag / "manifest-sm3.txt"));

  std::vector<std::string> expected = {"data/catalogue/目录.csv"};
  for (const RecordSpec& spec : record_specs())
    for (int seq = 1; seq <= spec.pages; ++seq) {
      expected.push_back("data/entity/" + spec.values[0] + "/" + serial(seq) + ".jpg");
      if (seq != spec.page_without_ocr) expected.push_back("data/entity/" + spec.values[0] + "/" + serial(seq) + ".txt");
    }
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(files_below(bag / "data", bag), expected);

  EXPECT_EQ(deposit_folder(), (std::vector<std::string>{"deposit/J012-2021-批次01", "deposit/J012-2021-批次01-forms",
                                                        "deposit/J012-2021-批次01.package.json",
                                                        "deposit/J012-2021-批次01.tar"}));

  ASSERT_EQ(outcome_.outputs.size(), 10u)
      << "the bag, its backup form, the package file and its figures, five form PDFs and the workbook";
  EXPECT_EQ(outcome_.outputs[0].kind, "bag");
  EXPECT_EQ(outcome_.outputs[0].path, "deposit/J012-2021-批次01");
  EXPECT_EQ(outcome_.outputs[0].sha256, hex_digest(DigestAlgorithm::sha256, read_file(bag / "manifest-sha256.txt")));
  EXPECT_EQ(outcome_.outputs[1].kind, "backup_form");
  EXPECT_EQ(outcome_.outputs[1].path, "deposit/J012-2021-批次01/forms/backup-form.json");
  EXPECT_TRUE(outcome_.findings.empty());
}

//! The catalogue CSV is UTF-8 without BOM, CRLF, in the given order, with RFC 4180 quoting of commas and quotes.
TEST_F(DepositTest, WritesTheCatalogueAsRfc4180Csv) {
  const fs::path bag = deposit();
  const std::string csv = read_file(bag / "data/catalogue/目录.csv");
  EXPECT_EQ(csv,
            "档号,题名,责任者,日期,页数,备注\r\n"
            "J012-WS·2021-Y-BGS-0001,关于做好2021年档案工作的通知,办公室,20210315,2,\"含附件,共两页\"\r\n"
            "J012-WS·2021-Y-BGS-0002,年度工作总结,办公室,20211230,1,\"领导批示\"\"同意\"\"\"\r\n"
            "J012-WS·2021-D30-BGS-0003,会议纪要（第三次）,综合科,20210708,3,\r\n");
}

//! Quoting is needed for commas, quotes, CR and LF only, and a lone empty field is not a blank line.
TEST(CatalogueCsv, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(catalogue_csv({"a", "b"}, {{"x y", "1"}, {"多行\n文本", "回车\r"}}),
            "a,b\r\nx y,1\r\n\"多行\n文本\",\"回车\r\"\r\n");
  EXPECT_EQ(catalogue_csv({"only"}, {{""}}), "only\r\n\"\"\r\n");
}

//! Entity files are byte-identical copies of the WORK outputs, named by their basename under data/entity/<档号>/.
TEST_F(DepositTest, CopiesEntityFilesByteForByte) {
  const fs::path bag = deposit();
  for (const DepositRecord& record : batch_.records)
    for (const RecordItem& page : record.items)
      for (const StageOutput& output : page.outputs) {
        const std::string name = output.path.substr(output.path.rfind('/') + 1);
        const fs::path copy = bag / "data/entity" / utf8_path(record.entry.ref) / name;
        EXPECT_EQ(read_file(copy), read_file(work_.path() / utf8_path(output.path))) << output.path;
      }
}

//! Payload manifests have one "digest  path" line per payload file, sorted by path, with correct MD5 and SHA-256.
TEST_F(DepositTest, WritesSortedPayloadManifests) {
  const fs::path bag = deposit();
  const std::vector<std::string> payload = files_below(bag / "data", bag);
  for (auto [name, algorithm] : {std::pair{"manifest-md5.txt", DigestAlgorithm::md5},
                                 std::pair{"manifest-sha256.txt", DigestAlgorithm::sha256}}) {
    const std::vector<std::string> lines = lines_of(read_file(bag / name));
    ASSERT_EQ(lines.size(), payload.size()) << name;
    std::vector<std::string> paths;
    for (const std::string& line : lines) {
      const size_t gap = line.find("  ");
      ASSERT_NE(gap, std::string::npos) << line;
      const std::string path = line.substr(gap + 2);
      EXPECT_EQ(line.substr(0, gap), hex_digest(algorithm, read_file(bag / utf8_path(path)))) << path;
      paths.push_back(path);
    }
    EXPECT_TRUE(std::is_sorted(paths.begin(), paths.end())) << name;
    EXPECT_EQ(paths, payload) << name;
  }
}

//! Manifest paths percent-encode CR, LF and % (RFC 8493 §2.1.3) and nothing else.
TEST(BagBuilder, PercentEncodesManifestPaths) {
  EXPECT_EQ(encode_manifest_path("data/100%纸质\r\n扫描.jpg"), "data/100%25纸质%0D%0A扫描.jpg");
  EXPECT_EQ(encode_manifest_path("data/a b·c.txt"), "data/a b·c.txt");
}

//! bag-info.txt carries Payload-Oxum of the payload, the registration fields (全宗号, 单位名称) and the counts.
TEST_F(DepositTest, FillsBagInfo) {
  const fs::path bag = deposit();
  std::uint64_t octets = 0, streams = 0;
  for (const std::string& path : files_below(bag / "data", bag)) {
    octets += fs::file_size(bag / utf8_path(path));
    ++streams;
  }
  EXPECT_EQ(streams, 12u);
  auto fields = bag_info_fields(bag);
  EXPECT_EQ(fields["Payload-Oxum"], std::to_string(octets) + ".12");
  EXPECT_EQ(fields["Source-Organization"], "某某市档案馆");
  EXPECT_EQ(fields["External-Identifier"], "J012-2021-批次01");
  EXPECT_TRUE(std::regex_match(fields["Bagging-Date"], std::regex(R"(\d{4}-\d{2}-\d{2})"))) << fields["Bagging-Date"];
  EXPECT_TRUE(fields["Bag-Software-Agent"].starts_with("lantai"));
  EXPECT_EQ(fields["全宗号"], "J012");
  EXPECT_EQ(fields["单位名称"], "某某市档案馆");
  EXPECT_EQ(fields["Record-Count"], "3");
  EXPECT_EQ(fields["Page-Count"], "6");
  EXPECT_EQ(fields["Input-Item-Count"], "7");
  EXPECT_EQ(fields["Quarantined-Page-Count"], "1");
  EXPECT_EQ(fields["Withheld-Record-Count"], "1");
  EXPECT_EQ(fields["Processing-Profile"], "da-t31-2017-paper");
  EXPECT_EQ(fields["Processing-Profile-SHA256"], batch_.profile_sha256);
  for (const auto& [label, value] : fields) EXPECT_EQ(label.find(':'), std::string::npos) << label;
}

//! The backup form states the figures of the bag and the payload digest (its package_digests keys): digests of manifest-sha256.txt's bytes.
TEST_F(DepositTest, FillsTheBackupForm) {
  const fs::path bag = deposit();
  const auto form = nlohmann::ordered_json::parse(read_file(bag / "forms/backup-form.json"));
  const std::string manifest = read_file(bag / "manifest-sha256.txt");
  auto fields = bag_info_fields(bag);
  const std::string oxum = fields["Payload-Oxum"];
  const std::uint64_t octets = std::stoull(oxum.substr(0, oxum.find('.')));

  std::vector<std::string> keys;
  for (const auto& item : form.items()) keys.push_back(item.key());
  EXPECT_EQ(std::vector<std::string>(keys.begin(), keys.begin() + 4),
            (std::vector<std::string>{"form", "title", "fonds_code", "unit_name"}));
  EXPECT_EQ(form["title"], "电子文件和数字档案备份情况表");
  EXPECT_EQ(form["fonds_code"], "J012");
  EXPECT_EQ(form["unit_name"], "某某市档案馆");
  EXPECT_EQ(form["batch_id"], "J012-2021-批次01");
  EXPECT_EQ(form["bagging_date"], fields["Bagging-Date"]);
  EXPECT_EQ(form["carrier_type"], "online");
  EXPECT_EQ(form["record_count"], 3);
  EXPECT_EQ(form["page_count"], 6);
  EXPECT_EQ(form["file_count"], 12);
  EXPECT_EQ(form["total_bytes"], octets);
  EXPECT_EQ(form["data_volume_gb"], "0.000");
  EXPECT_EQ(form["package_digest_of"], "manifest-sha256.txt");
  ASSERT_EQ(form["package_digests"].size(), 2u);
  EXPECT_EQ(form["package_digests"][0]["algorithm"], "MD5");
  EXPECT_EQ(form["package_digests"][0]["value"], hex_digest(DigestAlgorithm::md5, manifest));
  EXPECT_EQ(form["package_digests"][1]["algorithm"], "SHA-256");
  EXPECT_EQ(form["package_digests"][1]["value"], hex_digest(DigestAlgorithm::sha256, manifest));
  ASSERT_EQ(form["records"].size(), 3u);
  EXPECT_EQ(form["records"][0]["ref"], kRef1);
  EXPECT_EQ(form["records"][0]["title"], "关于做好2021年档案工作的通知");
  EXPECT_EQ(form["records"][0]["page_count"], 2);
  EXPECT_EQ(form["records"][2]["ref"], kRef3);
  EXPECT_EQ(form["records"][2]["page_count"], 3);
}

//! The registration forms land beside the bag, recorded as outputs, and state the bag's own figures: Payload-Oxum, record count, package MD5, every 档号.
TEST_F(DepositTest, WritesTheRegistrationFormsBesideTheBag) {
  const fs::path bag = deposit();
  const fs::path forms = work_.path() / "deposit" / utf8_path("J012-2021-批次01-forms");
  std::vector<std::string> written;
  for (const StageOutput& output : outcome_.outputs) {
    if (output.kind != "registration_form") continue;
    written.push_back(output.path);
    const std::string bytes = read_file(work_.path() / utf8_path(output.path));
    EXPECT_EQ(output.sha256, hex_digest(DigestAlgorithm::sha256, bytes)) << output.path;
    EXPECT_EQ(output.role, OutputRole::work) << output.path;
  }
  EXPECT_EQ(written.size(), 6u);
  EXPECT_EQ(files_below(forms, work_.path()).size(), 6u);

  auto fields = bag_info_fields(bag);
  const std::string oxum = fields["Payload-Oxum"];
  const std::string octets = oxum.substr(0, oxum.find('.'));
  const std::string streams = oxum.substr(oxum.find('.') + 1);
  // The package file's MD5, as md5sum gives it: the digest the centre compares.
  const std::string md5 = hex_digests_of_file(bag.string() + ".tar", {DigestAlgorithm::md5}).front();
  std::string status = testing::pdf_text(forms / utf8_path("备份情况表.pdf"));
  status.erase(std::remove_if(status.begin(), status.end(), [](char c) { return c == ' ' || c == '\n'; }), status.end());
  for (const std::string& expected : {std::string("全宗号：J012"), std::string("某某市档案馆"), octets, md5,
                                      std::string("0.000")})
    EXPECT_NE(status.find(expected), std::string::npos) << expected << " not in:\n" << status;
  // The 续表 gives each digest with its algorithm, and says they are of the package file.
  std::string continued = testing::pdf_text(forms / utf8_path("备份情况表续表.pdf"));
  continued.erase(std::remove_if(continued.begin(), continued.end(), [](char c) { return c == ' ' || c == '\n'; }),
                  continued.end());
  EXPECT_NE(continued.find("MD5：" + md5), std::string::npos) << continued;
  EXPECT_NE(continued.find("数据包的摘要按数据包文件本身计算"), std::string::npos) << continued;
  std::string detail = testing::pdf_text(forms / utf8_path("登记明细表.pdf"));
  detail.erase(std::remove_if(detail.begin(), detail.end(), [](char c) { return c == ' ' || c == '\n'; }), detail.end());
  for (const char* ref : {kRef1, kRef2, kRef3}) EXPECT_NE(detail.find(ref), std::string::npos) << ref;

  const auto sheets = testing::read_xlsx(forms / utf8_path("登记备份表格.xlsx"));
  ASSERT_EQ(sheets.size(), 5u);
  const testing::XlsxCell* bytes = testing::cell_right_of(sheets[0], "数据量（字节）");
  const testing::XlsxCell* records = testing::cell_right_of(sheets[0], "档案条目数（件）");
  const testing::XlsxCell* files = testing::cell_right_of(sheets[0], "文件数");
  ASSERT_TRUE(bytes && records && files);
  EXPECT_EQ(bytes->text, octets);
  EXPECT_EQ(records->text, fields["Record-Count"]);
  EXPECT_EQ(files->text, streams);
  EXPECT_EQ(testing::cell_right_of(sheets[0], "数据包 MD5")->text, md5);
  const testing::XlsxCell* creator = testing::cell_right_of(sheets[3], "关于做好2021年档案工作的通知");
  ASSERT_TRUE(creator) << "the detail sheet lists the first record";
  EXPECT_EQ(creator->text, batch_.records[0].entry.field(batch_.catalog_columns, "责任者"));
}

//! A lot of pages, photos and recordings is counted by kind everywhere the deposit counts: 页数 is pages alone, photos in 张, recordings in 件 with their decoded length; the quarantined ones likewise. bag-info, the backup form (and its records) and the registration forms (PDF and spreadsheet) agree.
TEST_F(DepositTest, CountsPagesPhotosAndRecordingsApart) {
  batch_ = make_synthetic_work(work_.path());
  // The third record (3 items): a page, a photo and a recording of 1:02:03.4.
  std::vector<RecordItem>& items = batch_.records[2].items;
  ASSERT_EQ(items.size(), 3u);
  items[1].kind = ItemKind::photo;
  items[2].kind = ItemKind::av;
  items[2].measurements.set(kDecodedSecondsMeasurement, 3723.4);
  batch_.quarantined = {};
  batch_.quarantined.add(ItemKind::photo);
  batch_.quarantined.add(ItemKind::photo);
  batch_.quarantined.add(ItemKind::av);
  outcome_ = make_stage().process(batch_);
  const fs::path bag = bag_dir_of(batch_, outcome_);
  ASSERT_FALSE(bag.empty());

  auto fields = bag_info_fields(bag);
  EXPECT_EQ(fields["Page-Count"], "4");
  EXPECT_EQ(fields["Photo-Count"], "1");
  EXPECT_EQ(fields["Recording-Count"], "1");
  EXPECT_EQ(fields["Recording-Duration"], "1:02:03");
  EXPECT_EQ(fields["Quarantined-Page-Count"], "0");
  EXPECT_EQ(fields["Quarantined-Photo-Count"], "2");
  EXPECT_EQ(fields["Quarantined-Recording-Count"], "1");

  const auto form = nlohmann::ordered_json::parse(read_file(bag / "forms/backup-form.json"));
  EXPECT_EQ(form["page_count"], 4);
  EXPECT_EQ(form["photo_count"], 1);
  EXPECT_EQ(form["recording_count"], 1);
  EXPECT_EQ(form["recording_duration_s"], "3723.4");
  EXPECT_EQ(form["quarantined_photo_count"], 2);
  EXPECT_EQ(form["quarantined_recording_count"], 1);
  EXPECT_EQ(form["records"][2]["page_count"], 1);
  EXPECT_EQ(form["records"][2]["photo_count"], 1);
  EXPECT_EQ(form["records"][2]["recording_count"], 1);

  const fs::path forms = work_.path() / "deposit" / utf8_path("J012-2021-批次01-forms");
  const auto sheets = testing::read_xlsx(forms / utf8_path("登记备份表格.xlsx"));
  ASSERT_FALSE(sheets.empty());
  for (const auto& [label, expected] : std::map<std::string, std::string>{{"页数", "4"},
                                                                           {"照片（张）", "1"},
                                                                           {"录音录像（件）", "1"},
                                                                           {"录音录像时长", "1:02:03"},
                                                                           {"隔离页数", "0"},
                                                                           {"隔离照片（张）", "2"},
                                                                           {"隔离录音录像（件）", "1"}}) {
    const testing::XlsxCell* cell = testing::cell_right_of(sheets[0], label);
    ASSERT_TRUE(cell) << label;
    EXPECT_EQ(cell->text, expected) << label;
  }
  std::string detail = testing::pdf_text(forms / utf8_path("登记明细表.pdf"));
  detail.erase(std::remove_if(detail.begin(), detail.end(), [](char c) { return c == ' ' || c == '\n'; }), detail.end());
  EXPECT_NE(detail.find("1页，1张，1件（1:02:03）"), std::string::npos) << detail;
  EXPECT_NE(detail.find("2页"), std::string::npos) << detail;
}

//! Data volume is in GB of 10^9 bytes, rounded half up to exactly 3 decimals.
TEST(BackupForm, StatesDataVolumeInGbToThreeDecimals) {
  EXPECT_EQ(data_volume_gb(0), "0.000");
  EXPECT_EQ(data_volume_gb(499'999), "0.000");
  EXPECT_EQ(data_volume_gb(500'000), "0.001");
  EXPECT_EQ(data_volume_gb(1'234'567'890), "1.235");
  EXPECT_EQ(data_volume_gb(25'000'000'000ULL), "25.000");
}

//! Tag manifests cover bagit.txt, bag-info.txt, the payload manifests and the form, and no payload file.
TEST_F(DepositTest, WritesTagManifests) {
  const fs::path bag = deposit();
  for (auto [name, algorithm] : {std::pair{"tagmanifest-md5.txt", DigestAlgorithm::md5},
                                 std::pair{"tagmanifest-sha256.txt", DigestAlgorithm::sha256}}) {
    std::vector<std::string> paths;
    for (const std::string& line : lines_of(read_file(bag / name))) {
      const size_t gap = line.find("  ");
      const std::string path = line.substr(gap + 2);
      EXPECT_EQ(line.substr(0, gap), hex_digest(algorithm, read_file(bag / path))) << path;
      paths.push_back(path);
    }
    EXPECT_EQ(paths, (std::vector<std::string>{"bag-info.txt", "bagit.txt", "forms/backup-form.json",
                                               "manifest-md5.txt", "manifest-sha256.txt",
                                               "metadata/holdings.csv",
                                               "metadata/page-measurements.csv",
                                               "metadata/processing-history.json",
                                               "metadata/review-decisions.json"}))
        << name;
  }
}

//! The review's audit trail goes into the bag as it was decided: who, when, what, why, before and after.
TEST_F(DepositTest, CarriesTheReviewDecisions) {
  batch_ = make_synthetic_work(work_.path());
  ReviewDecision accept;
  accept.id = 7;
  accept.at = "2026-11-30T06:00:00Z";
  accept.by = "wang";
  accept.role = "supervisor";
  accept.action = ReviewAction::accept;
  accept.item_id = batch_.records[0].items[0].item_id;
  accept.record_ref = batch_.records[0].entry.ref;
  accept.code = "qc.blank";
  accept.reason = "空白页为原件背面";
  accept.before = R"({"severity":"reject","value":"0.0001"})";
  accept.after = R"({"overridden":true})";
  batch_.review_decisions.push_back(accept);
  const fs::path bag = bag_dir_of(batch_, make_stage().process(batch_));
  const auto trail = nlohmann::json::parse(read_file(bag / "metadata/review-decisions.json"));
  ASSERT_EQ(trail["decisions"].size(), 1u);
  const auto& decision = trail["decisions"][0];
  EXPECT_EQ(decision["id"], 7);
  EXPECT_EQ(decision["by"], "wang");
  EXPECT_EQ(decision["action"], "accept");
  EXPECT_EQ(decision["code"], "qc.blank");
  EXPECT_EQ(decision["item"], accept.item_id);
  EXPECT_EQ(decision["reason"], "空白页为原件背面");
  EXPECT_EQ(decision["before"]["value"], "0.0001");
  EXPECT_EQ(decision["after"]["overridden"], true);
  EXPECT_EQ(nlohmann::json::parse(read_file(bag / "metadata/processing-history.json"))["review_decisions"],
            "metadata/review-decisions.json");
}

//! With sm3_manifest: true the bag also has SM3 manifests and the form an SM3 payload digest.
TEST_F(DepositTest, WritesSm3WhenAsked) {
  const fs::path bag = deposit("deposit:\n  sm3_manifest: true\n");
  const std::string manifest = read_file(bag / "manifest-sha256.txt");
  const std::vector<std::string> lines = lines_of(read_file(bag / "manifest-sm3.txt"));
  ASSERT_EQ(lines.size(), 12u);
  const std::string first_path = lines[0].substr(66);
  EXPECT_EQ(lines[0].substr(0, 64), hex_digest(DigestAlgorithm::sm3, read_file(bag / utf8_path(first_path))));
  EXPECT_NE(read_file(bag / "tagmanifest-sm3.txt").find("manifest-sm3.txt"), std::string::npos);
  const auto form = nlohmann::json::parse(read_file(bag / "forms/backup-form.json"));
  ASSERT_EQ(form["package_digests"].size(), 3u);
  EXPECT_EQ(form["package_digests"][2]["algorithm"], "SM3");
  EXPECT_EQ(form["package_digests"][2]["value"], hex_digest(DigestAlgorithm::sm3, manifest));
}

//! With include_extras: false only the page images go into the entity data.
TEST_F(DepositTest, LeavesOcrTextOutWhenAsked) {
  const fs::path bag = deposit("deposit:\n  include_extras: false\n");
  for (const std::string& path : files_below(bag / "data/entity", bag)) EXPECT_TRUE(path.ends_with(".jpg")) << path;
  const std::string oxum = bag_info_fields(bag)["Payload-Oxum"];
  EXPECT_EQ(oxum.substr(oxum.find('.')), ".7");  // the catalogue and 6 images
}

//! A record stage's output for the whole record (its searchable PDF, an extra) goes beside the record's pages, checked like them, and not when only images are deposited; the processing history names the kinds deposited.
TEST_F(DepositTest, DepositsRecordOutputsWithTheExtras) {
  batch_ = make_synthetic_work(work_.path());
  DepositRecord& record = batch_.records[0];
  record.outputs.push_back(write_work_file(work_.path(), "pdf/" + record.entry.ref + ".pdf", "%PDF-1.7 record\n",
                                           "searchable_pdf", OutputRole::extra));
  StageRecord pdf_stage;
  pdf_stage.info.id = "searchable_pdf";
  pdf_stage.info.outputs = {{"searchable_pdf", OutputRole::extra, "the record's searchable PDF"}};
  batch_.processing.push_back(pdf_stage);
  fs::path bag = bag_dir_of(batch_, make_stage().process(batch_));
  const fs::path pdf = bag / "data/entity" / utf8_path(record.entry.ref) / utf8_path(record.entry.ref + ".pdf");
  EXPECT_EQ(read_file(pdf), "%PDF-1.7 record\n");
  EXPECT_NE(read_file(bag / "manifest-sha256.txt").find(record.entry.ref + ".pdf"), std::string::npos);
  const auto history = nlohmann::json::parse(read_file(bag / "metadata/processing-history.json"));
  EXPECT_EQ(history["stages"].back()["deposited_outputs"][0]["kind"], "searchable_pdf");

  bag = bag_dir_of(batch_, make_stage("deposit:\n  include_extras: false\n").process(batch_));
  EXPECT_FALSE(fs::exists(bag / "data/entity" / utf8_path(record.entry.ref) / utf8_path(record.entry.ref + ".pdf")));
  const auto images_only = nlohmann::json::parse(read_file(bag / "metadata/processing-history.json"));
  EXPECT_TRUE(images_only["stages"].back()["deposited_outputs"].empty());

  write_bytes(work_.path() / utf8_path(record.outputs[0].path), "%PDF-1.7 changed\n");
  EXPECT_THROW(make_stage().process(batch_), std::runtime_error);
}

//! The stage describes its parameters and refuses a profile key it does not know.
TEST_F(DepositTest, DescribesItselfAndRefusesUnknownKeys) {
  DepositStage stage;
  const StageInfo info = stage.describe();
  EXPECT_EQ(info.id, "deposit");
  ASSERT_EQ(info.params.size(), 3u);
  EXPECT_EQ(info.params[0].name, "sm3_manifest");
  EXPECT_EQ(info.params[1].name, "include_extras");
  EXPECT_EQ(info.params[2].name, "package");
  EXPECT_EQ(info.params[2].range, "tar|zip");
  EXPECT_THROW(make_stage("deposit:\n  sm3_manifests: true\n"), ProfileError);
  EXPECT_THROW(make_stage("deposit:\n  sm3_manifest: yes please\n"), ProfileError);
  EXPECT_THROW(make_stage("deposit:\n  package: tar.gz\n"), ProfileError);
}

//! Two deposits of the same batch into two WORKs give identical payload manifests and payload bytes.
TEST(DepositDeterminism, SameBatchGivesSamePayload) {
  TempDir first("deposit-det-a"), second("deposit-det-b"), scratch("deposit-det-profile");
  Profile profile = load_profile(scratch.path(), "deposit:\n  sm3_manifest: true\n");
  ProfileSection section = profile.section("deposit");
  DepositStage stage;
  stage.setup(section, StageContext{});
  BatchWork a = make_synthetic_work(first.path());
  BatchWork b = make_synthetic_work(second.path());
  const fs::path bag_a = bag_dir_of(a, stage.process(a));
  const fs::path bag_b = bag_dir_of(b, stage.process(b));
  for (const char* manifest : {"manifest-md5.txt", "manifest-sha256.txt", "manifest-sm3.txt"})
    EXPECT_EQ(read_file(bag_a / manifest), read_file(bag_b / manifest)) << manifest;
  const std::vector<std::string> files = files_below(bag_a / "data", bag_a);
  ASSERT_EQ(files, files_below(bag_b / "data", bag_b));
  for (const std::string& path : files)
    EXPECT_EQ(read_file(bag_a / utf8_path(path)), read_file(bag_b / utf8_path(path))) << path;
}

//! A WORK file whose bytes no longer match the ledger's sha256 stops the deposit, naming it, and leaves no bag.
TEST_F(DepositTest, RefusesDamagedWorkAndLeavesNoBag) {
  batch_ = make_synthetic_work(work_.path());
  const std::string damaged = "derivatives/" + std::string(kRef2) + "/0001.jpg";
  std::string bytes = read_file(work_.path() / utf8_path(damaged));
  bytes[bytes.size() / 2] ^= 0x01;
  write_bytes(work_.path() / utf8_path(damaged), bytes);

  DepositStage stage = make_stage();
  try {
    stage.process(batch_);
    FAIL() << "a damaged WORK file was deposited";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(damaged), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("damaged"), std::string::npos) << error.what();
  }
  EXPECT_FALSE(fs::exists(work_.path() / "deposit" / utf8_path(batch_.batch_id)));
  EXPECT_FALSE(fs::exists(work_.path() / "deposit" / utf8_path(batch_.batch_id + ".partial")));
}

//! A WORK output that has gone missing stops the deposit, naming the file.
TEST_F(DepositTest, RefusesMissingWorkFile) {
  batch_ = make_synthetic_work(work_.path());
  const std::string gone = "ocr/" + std::string(kRef3) + "/0003.txt";
  fs::remove(work_.path() / utf8_path(gone));
  DepositStage stage = make_stage();
  try {
    stage.process(batch_);
    FAIL() << "a deposit went ahead without " << gone;
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(gone), std::string::npos) << error.what();
  }
  EXPECT_FALSE(fs::exists(work_.path() / "deposit" / utf8_path(batch_.batch_id)));
}

//! Acceptance reports written before the deposit travel in metadata/acceptance/ byte for byte, under the tag manifests.
TEST_F(DepositTest, CarriesTheAcceptanceReports) {
  batch_ = make_synthetic_work(work_.path());
  const std::string report = "{\"document\": \"验收报告\", \"verdict\": \"pass\"}\n";
  batch_.acceptance_reports.push_back(
      write_output(work_.path(), "reports/acceptance-1.json", report, "acceptance_report_json"));
  outcome_ = make_stage().process(batch_);
  const fs::path bag = bag_dir_of(batch_, outcome_);
  EXPECT_EQ(read_file(bag / "metadata/acceptance/acceptance-1.json"), report);
  EXPECT_NE(read_file(bag / "tagmanifest-sha256.txt").find("metadata/acceptance/acceptance-1.json"), std::string::npos);
  EXPECT_EQ(read_file(bag / "manifest-sha256.txt").find("acceptance"), std::string::npos) << "a tag file, not payload";
}

//! A report changed after it was written stops the deposit, naming it, and leaves no bag.
TEST_F(DepositTest, RefusesAChangedAcceptanceReport) {
  batch_ = make_synthetic_work(work_.path());
  batch_.acceptance_reports.push_back(
      write_output(work_.path(), "reports/acceptance-1.json", "{\"verdict\": \"fail\"}\n", "acceptance_report_json"));
  write_bytes(work_.path() / "reports/acceptance-1.json", "{\"verdict\": \"pass\"}\n");
  try {
    make_stage().process(batch_);
    FAIL() << "a changed report was deposited";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("reports/acceptance-1.json"), std::string::npos) << error.what();
  }
  EXPECT_FALSE(fs::exists(work_.path() / "deposit" / utf8_path(batch_.batch_id)));
}

//! A .partial folder left by a killed deposit is removed, and none of its files reach the bag.
TEST_F(DepositTest, CleansALeftoverPartialFolder) {
  batch_ = make_synthetic_work(work_.path());
  const fs::path partial = work_.path() / "deposit" / utf8_path(batch_.batch_id + ".partial");
  write_bytes(partial / "data/entity/stale.jpg", "half written");
  write_bytes(partial / "bagit.txt", "BagIt-Version: 1.0\n");
  const fs::path bag = bag_dir_of(batch_, make_stage().process(batch_));
  EXPECT_FALSE(fs::exists(partial));
  EXPECT_FALSE(fs::exists(bag / "data/entity/stale.jpg"));
  EXPECT_EQ(read_file(bag / "manifest-sha256.txt").find("stale"), std::string::npos);
}

//! Depositing again replaces the earlier bag and its forms folder entirely and leaves no side folder.
TEST_F(DepositTest, ReplacesAnEarlierBag) {
  const fs::path bag = deposit();
  write_bytes(bag / "data/entity/extra.jpg", "from an earlier run");
  const fs::path forms = bag.string() + "-forms";
  write_bytes(forms / "old-form.pdf", "from an earlier run");
  DepositStage stage = make_stage();
  stage.process(batch_);
  EXPECT_FALSE(fs::exists(bag / "data/entity/extra.jpg"));
  EXPECT_FALSE(fs::exists(forms / "old-form.pdf")) << "the forms folder is replaced whole";
  EXPECT_TRUE(fs::exists(forms / utf8_path("备份情况表.pdf")));
  EXPECT_TRUE(fs::exists(bag / "bagit.txt"));
  EXPECT_EQ(deposit_folder(), (std::vector<std::string>{"deposit/J012-2021-批次01", "deposit/J012-2021-批次01-forms",
                                                        "deposit/J012-2021-批次01.package.json",
                                                        "deposit/J012-2021-批次01.tar"}));
}

}  // namespace
}  // namespace lantai::deposit
