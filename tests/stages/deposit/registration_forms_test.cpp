// The registration forms: every template drawn as an A4 PDF and as a workbook sheet, read
// back with poppler (text, fonts) and as a spreadsheet (libarchive + libxml2), and checked
// against the figures that went in.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "pipeline/registration.h"
#include "stages/deposit/forms/form_layout.h"
#include "stages/deposit/forms/pdf_renderer.h"
#include "stages/deposit/forms/registration_forms.h"
#include "tests/stages/deposit/synthetic_work.h"
#include "tests/support/pdf_inspection.h"
#include "tests/support/xlsx_reading.h"

namespace lantai::deposit::forms {
namespace {

namespace fs = std::filesystem;
using test_support::TempDir;

constexpr const char* kMd5 = "0123456789abcdef0123456789abcdef";
constexpr const char* kSha256 = "aa11bb22cc33dd44ee55ff6600112233445566778899aabbccddeeff00112233";
constexpr const char* kSm3 = "5e3f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7";
constexpr const char* kKey = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
constexpr std::uint64_t kPayloadBytes = 41'562'300;  // 0.042 GB
constexpr int kRecords = 120;

// 档号 as DA/T 22-2015 builds them, the longer ones (定期30年: D30) every third.
std::string ref_of(int n) {
  char serial[12];
  std::snprintf(serial, sizeof serial, "%04d", n);
  return std::string("J012-WS·2021-") + (n % 3 ? "Y" : "D30") + "-BGS-" + serial;
}

// A title long enough to wrap in its cell, and one with markup characters.
std::string title_of(int n) {
  if (n == 7) return "关于印发《示例市档案馆关于进一步加强档案数字化成果登记备份与异地异质备份管理工作的实施意见》的通知";
  if (n == 8) return "预算 <草案> & 说明";
  return "关于档案工作的通知（第 " + std::to_string(n) + " 号）";
}

RegistrationForms sample_forms(int records = kRecords) {
  RegistrationForms forms;
  forms.fonds_code = "J012";
  forms.unit_name = "示例市档案馆";
  forms.batch_id = "J012-3f5a9c0d21";
  forms.date = "2026-11-30";
  forms.profile_name = "da-t31-2017-paper";
  forms.record_count = records;
  forms.items.pages = records * 3;
  forms.quarantined.pages = 2;
  forms.withheld_record_count = 1;
  forms.payload_file_count = static_cast<std::uint64_t>(records) * 6 + 1;
  forms.payload_bytes = kPayloadBytes;
  forms.virus_scan = "ClamAV 1.4.6";
  forms.signature_key_sm3 = kKey;
  forms.package = {forms.batch_id, kPayloadBytes, forms.payload_file_count,
                   {{DigestAlgorithm::md5, kMd5}, {DigestAlgorithm::sha256, kSha256}, {DigestAlgorithm::sm3, kSm3}}};
  ItemCounts three_pages;
  three_pages.pages = 3;
  for (int n = 1; n <= records; ++n)
    forms.records.push_back({ref_of(n), title_of(n), n % 5 == 0 ? "" : "示例市档案馆办公室", "2021-03-0" + std::to_string(n % 9 + 1),
                             three_pages, n % 3 ? "永久" : "定期30年", n == 3 ? "" : "公开"});
  forms.carriers = {online_carrier(forms)};
  return forms;
}

std::string without_spaces(const std::string& text) {
  std::string out;
  for (char c : text)
    if (c != ' ' && c != '\n') out += c;
  return out;
}

std::vector<std::string> pages_of(const std::string& text) {
  std::vector<std::string> pages;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\f', start)) != std::string::npos; start = end + 1)
    pages.push_back(text.substr(start, end - start));
  return pages;
}

class RegistrationFormsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("forms");
    files_ = new std::vector<FormFile>(write_registration_forms(sample_forms(), dir_->path() / "forms"));
  }
  static void TearDownTestSuite() {
    delete files_;
    delete dir_;
  }
  static fs::path file(const std::string& name) { return dir_->path() / "forms" / utf8_path(name); }
  static std::string text_of(const std::string& pdf) { return testing::pdf_text(file(pdf)); }

  static TempDir* dir_;
  static std::vector<FormFile>* files_;
};
TempDir* RegistrationFormsTest::dir_ = nullptr;
std::vector<FormFile>* RegistrationFormsTest::files_ = nullptr;

//! Every form is written as its PDF, and all of them as one workbook; each file's recorded digest and size are its bytes'.
TEST_F(RegistrationFormsTest, WritesEachFormAsPdfAndAllAsOneWorkbook) {
  std::vector<std::string> names;
  for (const FormFile& written : *files_) {
    names.push_back(written.name);
    const std::string bytes = read_file(file(written.name));
    EXPECT_EQ(written.sha256, hex_digest(DigestAlgorithm::sha256, bytes)) << written.name;
    EXPECT_EQ(written.size_bytes, bytes.size()) << written.name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"备份情况表.pdf", "备份情况表续表.pdf", "备份载体目录.pdf", "登记明细表.pdf",
                                             "移交接收检验表.pdf", kWorkbookName}));
  EXPECT_FALSE(fs::exists(dir_->path() / "forms.partial"));
}

//! The backup status form states 全宗号, 单位名称, the package MD5, the counts and the data volume in GB to three decimals.
TEST_F(RegistrationFormsTest, BackupStatusFormCarriesTheBatchFigures) {
  const std::string text = without_spaces(text_of("备份情况表.pdf"));
  for (const std::string& expected : std::vector<std::string>{"电子文件和数字档案备份情况表", "全宗号：J012", "单位名称：示例市档案馆",
                                     "J012-3f5a9c0d21", kMd5, "0.042", "41562300", "721", "360", "完全备份",
                                     "在线传输", kKey, "填报单位（盖章）", "第1页共1页"})
    EXPECT_NE(text.find(without_spaces(expected)), std::string::npos) << expected << " not in:\n" << text;
}

//! The 续表 gives each carrier's digests with their algorithms named, and the signing key's fingerprint.
TEST_F(RegistrationFormsTest, ContinuationSheetNamesEachDigestsAlgorithm) {
  const std::string text = without_spaces(text_of("备份情况表续表.pdf"));
  for (const std::string& expected : std::vector<std::string>{"（续表）", std::string("MD5：") + kMd5, std::string("SHA-256：") + kSha256,
                                     std::string("SM3：") + kSm3, std::string("SM2签名公钥指纹（SM3）：") + kKey})
    EXPECT_NE(text.find(expected), std::string::npos) << expected << " not in:\n" << text;
}

//! 120 records fill several pages of the detail list: every 档号 on one line, every long 题名 printed whole, each page numbered n of m, the header row on each.
TEST_F(RegistrationFormsTest, DetailListRunsOverNumberedPages) {
  const std::string text = text_of("登记明细表.pdf");
  const std::vector<std::string> pages = pages_of(text);
  ASSERT_GE(pages.size(), 3u) << "120 records should take several pages";
  for (std::size_t i = 0; i < pages.size(); ++i) {
    const std::string page = without_spaces(pages[i]);
    const std::string number = "第" + std::to_string(i + 1) + "页共" + std::to_string(pages.size()) + "页";
    EXPECT_NE(page.find(number), std::string::npos) << "page " << i + 1 << " lacks " << number;
    EXPECT_NE(page.find("题名"), std::string::npos) << "page " << i + 1 << " lacks the header row";
  }
  // Read in drawing order, a cell's wrapped lines come apart: each 档号 stands on one line.
  for (int n = 1; n <= kRecords; ++n) EXPECT_NE(text.find(ref_of(n)), std::string::npos) << ref_of(n) << " not on one line";
  const std::string all = without_spaces(text);
  EXPECT_NE(all.find(without_spaces(title_of(7))), std::string::npos) << "a long 题名 is printed whole";
  EXPECT_NE(all.find(without_spaces(title_of(8))), std::string::npos) << "a 题名 is text, never markup";
}

//! The hand-over form has the unit's part filled and the centre's left to it.
TEST_F(RegistrationFormsTest, HandoverFormLeavesTheCentresPartBlank) {
  const std::string text = without_spaces(text_of("移交接收检验表.pdf"));
  for (const std::string& expected : std::vector<std::string>{"一、移交单位填写", std::string("数据包MD5：") + kMd5, "已检测，未发现病毒",
                                     "接收单位检验结果", "三、接收单位填写", "接收人（签字）：", "检验人（签字）："})
    EXPECT_NE(text.find(without_spaces(expected)), std::string::npos) << expected << " not in:\n" << text;
}

//! Every form's fonts are embedded, the CJK font among them, so it prints on any machine.
TEST_F(RegistrationFormsTest, EmbedsTheCjkFonts) {
  for (const FormTemplate* form : registration_form_templates()) {
    const auto fonts = testing::pdf_fonts(file(std::string(form->name) + ".pdf"));
    ASSERT_FALSE(fonts.empty()) << form->name;
    for (const auto& font : fonts) {
      EXPECT_TRUE(font.embedded) << form->name << ": " << font.name;
      EXPECT_NE(font.name.find("CJK"), std::string::npos) << form->name << ": " << font.name;
    }
  }
}

//! The workbook has one sheet per form, in order, and holds the same figures, numbers as numbers with the digits printed.
TEST_F(RegistrationFormsTest, WorkbookHoldsTheSameFiguresAsNumbers) {
  const auto sheets = testing::read_xlsx(file(kWorkbookName));
  std::vector<std::string> names;
  for (const auto& sheet : sheets) names.push_back(sheet.name);
  std::vector<std::string> expected;
  for (const FormTemplate* form : registration_form_templates()) expected.emplace_back(form->name);
  ASSERT_EQ(names, expected);

  const testing::XlsxSheet& status = sheets[0];
  ASSERT_TRUE(testing::cell_right_of(status, "全宗号"));
  EXPECT_EQ(testing::cell_right_of(status, "全宗号")->text, "J012");
  EXPECT_EQ(testing::cell_right_of(status, "单位名称")->text, "示例市档案馆");
  EXPECT_EQ(testing::cell_right_of(status, "数据包 MD5")->text, kMd5);
  const testing::XlsxCell* records = testing::cell_right_of(status, "档案条目数（件）");
  ASSERT_TRUE(records && records->number);
  EXPECT_EQ(*records->number, kRecords);
  EXPECT_EQ(records->number_format, "0");
  EXPECT_TRUE(records->bordered);
  const testing::XlsxCell* volume = testing::cell_right_of(status, "数据量（GB）");
  ASSERT_TRUE(volume && volume->number);
  EXPECT_DOUBLE_EQ(*volume->number, 0.042);
  EXPECT_EQ(volume->number_format, "0.000");
  ASSERT_TRUE(testing::cell_right_of(status, "数据量（字节）") && testing::cell_right_of(status, "数据量（字节）")->number);
  EXPECT_EQ(*testing::cell_right_of(status, "数据量（字节）")->number, static_cast<double>(kPayloadBytes));

  const testing::XlsxSheet& continued = sheets[1];
  bool digests_found = false;
  for (const auto& [ref, cell] : continued.cells)
    digests_found = digests_found || cell.text.find(std::string("MD5：\n") + kMd5 + "\nSHA-256：\n" + kSha256) != std::string::npos;
  EXPECT_TRUE(digests_found) << "the 续表 names each digest's algorithm";

  const testing::XlsxSheet& detail = sheets[3];
  for (int n = 1; n <= kRecords; ++n) {
    const testing::XlsxCell* serial = testing::cell_right_of(detail, ref_of(n));  // 题名 follows 档号
    ASSERT_TRUE(serial) << ref_of(n) << " not on the detail sheet";
    EXPECT_EQ(serial->text, title_of(n));
  }
}

//! Each sheet prints on A4 portrait, fitted to one page wide, numbered n of m; the detail list repeats its header row.
TEST_F(RegistrationFormsTest, WorkbookPrintsOnA4) {
  const auto sheets = testing::read_xlsx(file(kWorkbookName));
  for (const auto& sheet : sheets) {
    EXPECT_EQ(sheet.paper_size, "9") << sheet.name;
    EXPECT_TRUE(sheet.fit_to_page) << sheet.name;
    EXPECT_EQ(sheet.fit_to_height, "0") << sheet.name << ": as many pages long as it takes";
    EXPECT_NE(sheet.footer.find("第 &P 页 共 &N 页"), std::string::npos) << sheet.name;
    EXPECT_GT(sheet.merged_ranges, 0) << sheet.name;
  }
  EXPECT_FALSE(sheets[3].print_titles.empty()) << "the detail list's header row repeats on every page";
}

//! A template naming a value no form fills is a mistake caught when it is drawn, naming the key.
TEST(FormTemplates, RefuseAKeyNoFormFills) {
  const FormTemplate broken{.name = "x", .title = "x", .head = {.fields = {{"全宗号", "fonds_kode"}}}};
  try {
    render_pdf(broken, form_values(sample_forms(1)));
    FAIL() << "drawn";
  } catch (const std::logic_error& error) {
    EXPECT_NE(std::string(error.what()).find("fonds_kode"), std::string::npos) << error.what();
  }
}

//! Grid fields fill their row's slots in order; a wide one starts a row, and the last value stretches to the form's edge.
TEST(FormLayout, GridRowsFillTheFormsWidth) {
  const FieldGrid grid{.pairs_per_row = 2, .fields = {{"a", ""}, {"b", "", 2}, {"c", ""}}};
  const std::vector<LaidRow> rows = lay_out_grid(grid, FormValues{});
  ASSERT_EQ(rows.size(), 3u);
  for (const LaidRow& row : rows) {
    EXPECT_DOUBLE_EQ(row.front().x0_mm, 0);
    EXPECT_DOUBLE_EQ(row.back().x1_mm, kFormWidthMm);
  }
  EXPECT_EQ(rows[0].size(), 2u);
  EXPECT_EQ(rows[1].size(), 2u);
}

}  // namespace
}  // namespace lantai::deposit::forms
