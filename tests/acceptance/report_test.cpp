// The reports: 验收报告 always, 整改意见书 on a fail only, as JSON and as PDF whose Chinese
// text a PDF reader gets back and whose fonts are embedded; recorded in the ledger for
// the deposit.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "pipeline/acceptance/acceptance.h"
#include "pipeline/files.h"
#include "tests/acceptance/acceptance_fixture.h"
#include "tests/support/pdf_inspection.h"

namespace lantai::acceptance {
namespace {

namespace fs = std::filesystem;

// Lines wrap where a cell ends them; compare without spaces and line breaks.
std::string without_spaces(const std::string& text) {
  std::string out;
  for (char c : text)
    if (c != ' ' && c != '\n') out += c;
  return out;
}

void check_every_item(Acceptance& acceptance, const StoredSample& sample, const std::string& failing_ref) {
  for (const std::string& ref : sample.refs)
    for (const CheckItem& item : check_items())
      if (item.method == CheckMethod::inspector) {
        const bool fails = ref == failing_ref && item.code == "inspector.entry_images";
        acceptance.record_check({sample.number, ref, std::string(item.code), !fails,
                                 fails ? "第3页为他件内容，与目录不符" : "", "王质检"});
      }
}

//! A failed sample gets both documents in both forms; the PDFs read back in Chinese with every font embedded.
TEST(AcceptanceReports, FailWritesReportAndCorrectiveActionNotice) {
  auto lot = testing::make_lot("report-fail", 40);
  Acceptance acceptance(*lot.ledger, lot.work_dir);
  const StoredSample sample = acceptance.draw({5, std::nullopt, "张三"}).sample;
  ASSERT_EQ(sample.refs.size(), 2u);
  check_every_item(acceptance, sample, sample.refs[1]);

  const WrittenReports written = acceptance.write_reports(sample.number);
  EXPECT_EQ(written.judgement.verdict, Verdict::fail);
  ASSERT_EQ(written.files.size(), 4u);
  for (const StageOutput& file : written.files) {
    EXPECT_TRUE(fs::exists(lot.work_dir / file.path)) << file.path;
    EXPECT_TRUE(file.path.starts_with("reports/")) << file.path;
  }
  EXPECT_EQ(lot.ledger->acceptance_reports().size(), 4u);

  const auto report = nlohmann::json::parse(read_file(lot.work_dir / "reports/acceptance-1.json"));
  EXPECT_EQ(report["verdict"], "fail");
  EXPECT_EQ(report["verdict_zh"], "不合格");
  EXPECT_EQ(report["sample"]["seed"], "5");
  EXPECT_EQ(report["sample"]["records"].size(), 2u);
  EXPECT_EQ(report["checks"].size(), 2 * 4u);
  const auto notice = nlohmann::json::parse(read_file(lot.work_dir / "reports/corrective-action-1.json"));
  ASSERT_EQ(notice["defects"].size(), 1u);
  EXPECT_EQ(notice["defects"][0]["record_ref"], sample.refs[1]);
  EXPECT_EQ(notice["defects"][0]["item_name"], "目录数据与数字图像对应");
  EXPECT_EQ(notice["defects"][0]["problem"], "第3页为他件内容，与目录不符");

  const std::string report_text = without_spaces(lantai::testing::pdf_text(lot.work_dir / "reports/acceptance-1.pdf"));
  for (const std::string& expected : {std::string("数字化成果验收报告"), std::string("验收结论：不合格"),
                                      std::string("示例市档案馆"), sample.refs[0], std::string("目录数据与数字图像对应"),
                                      std::string("王质检")})
    EXPECT_NE(report_text.find(expected), std::string::npos) << expected << " not in:\n" << report_text;
  const std::string notice_text =
      without_spaces(lantai::testing::pdf_text(lot.work_dir / "reports/corrective-action-1.pdf"));
  for (const std::string& expected : {std::string("数字化成果整改意见书"), sample.refs[1],
                                      std::string("第3页为他件内容，与目录不符")})
    EXPECT_NE(notice_text.find(expected), std::string::npos) << expected << " not in:\n" << notice_text;
  for (const char* pdf : {"reports/acceptance-1.pdf", "reports/corrective-action-1.pdf"}) {
    const auto fonts = lantai::testing::pdf_fonts(lot.work_dir / pdf);
    ASSERT_FALSE(fonts.empty()) << pdf;
    for (const auto& font : fonts) EXPECT_TRUE(font.embedded) << pdf << ": " << font.name;
  }
}

//! A pass writes the report alone, and withdraws a notice the checks no longer bear out.
TEST(AcceptanceReports, PassWritesReportOnly) {
  auto lot = testing::make_lot("report-pass", 40);
  Acceptance acceptance(*lot.ledger, lot.work_dir);
  const StoredSample sample = acceptance.draw({5, std::nullopt, "张三"}).sample;
  check_every_item(acceptance, sample, sample.refs[1]);
  acceptance.write_reports(sample.number);
  ASSERT_TRUE(fs::exists(lot.work_dir / "reports/corrective-action-1.pdf"));

  acceptance.record_check({0, sample.refs[1], "inspector.entry_images", true, "复核：第3页属本件附件", "赵主管"});
  const WrittenReports written = acceptance.write_reports(sample.number);
  EXPECT_EQ(written.judgement.verdict, Verdict::pass);
  EXPECT_EQ(written.files.size(), 2u);
  EXPECT_FALSE(fs::exists(lot.work_dir / "reports/corrective-action-1.pdf"));
  EXPECT_FALSE(fs::exists(lot.work_dir / "reports/corrective-action-1.json"));
  EXPECT_EQ(lot.ledger->acceptance_reports().size(), 2u);
  const std::string text = without_spaces(lantai::testing::pdf_text(lot.work_dir / "reports/acceptance-1.pdf"));
  EXPECT_NE(text.find("验收结论：合格"), std::string::npos) << text;
  EXPECT_NE(text.find("赵主管"), std::string::npos) << "the history shows the re-check";
}

//! A verdict is signed off only once decided; the report shows the sign-off, and that it no longer stands once a check comes after it.
TEST(AcceptanceReports, SignOffStandsUntilACheckComesAfter) {
  auto lot = testing::make_lot("sign-off", 40);
  Acceptance acceptance(*lot.ledger, lot.work_dir);
  const StoredSample sample = acceptance.draw({5, std::nullopt, "张三"}).sample;
  EXPECT_THROW(acceptance.sign_off({0, "赵主管", ""}), AcceptanceError) << "pending: nothing to sign";
  check_every_item(acceptance, sample, "");
  EXPECT_THROW(acceptance.sign_off({0, " ", ""}), AcceptanceError);
  const SampleSignOff signed_off = acceptance.sign_off({0, "赵主管", "同意验收"});
  EXPECT_EQ(signed_off.verdict, "pass");
  EXPECT_FALSE(signed_off.signed_at.empty());
  acceptance.write_reports(sample.number);
  auto report = nlohmann::json::parse(read_file(lot.work_dir / "reports/acceptance-1.json"));
  ASSERT_EQ(report["sign_offs"].size(), 1u);
  EXPECT_EQ(report["sign_offs"][0]["signed_by"], "赵主管");
  EXPECT_EQ(report["sign_offs"][0]["stands"], true);
  EXPECT_NE(without_spaces(lantai::testing::pdf_text(lot.work_dir / "reports/acceptance-1.pdf")).find("签发：赵主管"),
            std::string::npos);

  acceptance.record_check({0, sample.refs[0], "inspector.image_quality", true, "复核", "王质检"});
  acceptance.write_reports(sample.number);
  report = nlohmann::json::parse(read_file(lot.work_dir / "reports/acceptance-1.json"));
  EXPECT_EQ(report["sign_offs"][0]["stands"], false);
  EXPECT_EQ(acceptance.sign_offs(0).size(), 1u);
}

}  // namespace
}  // namespace lantai::acceptance
