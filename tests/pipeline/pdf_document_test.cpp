// The PDF document helper: Chinese text comes back out of the file as written, every font
// it uses is embedded, and a long table runs over pages with its header repeated.
#include <gtest/gtest.h>

#include <filesystem>

#include "pipeline/files.h"
#include "pipeline/pdf_document.h"
#include "tests/support/pdf_inspection.h"

namespace lantai {
namespace {

std::filesystem::path written(const std::string& name, const std::string& bytes) {
  const auto file = std::filesystem::temp_directory_path() / ("lantai-pdf-" + name + ".pdf");
  write_file_atomically(file, bytes);
  return file;
}

// Lines wrap where the page width ends them; compare without spaces and line breaks.
std::string without_spaces(const std::string& text) {
  std::string out;
  for (char c : text)
    if (c != ' ' && c != '\n') out += c;
  return out;
}

//! Chinese title, heading, fields, table and paragraph come back as text; fonts embedded.
TEST(PdfDocument, WritesChineseTextWithEmbeddedFonts) {
  PdfDocument document("数字化成果验收报告", "J012 示例市档案馆");
  document.heading("一、抽检情况");
  document.fields({{"全宗号", "J012"}, {"单位名称", "示例市档案馆"}});
  document.table({{"档号", 2}, {"题名", 3}}, {{"J012-WS·2021-Y-BGS-0001", "关于档案数字化工作的通知"}});
  document.paragraph("经抽检，本批次数字化成果合格。");
  document.signature_lines({"验收人"});
  const auto file = written("chinese", document.finish());

  const std::string text = without_spaces(testing::pdf_text(file));
  for (const char* expected : {"数字化成果验收报告", "一、抽检情况", "全宗号", "示例市档案馆", "J012-WS·2021-Y-BGS-0001",
                               "关于档案数字化工作的通知", "经抽检，本批次数字化成果合格。", "验收人", "第1页"})
    EXPECT_NE(text.find(expected), std::string::npos) << expected << " not in:\n" << text;

  const auto fonts = testing::pdf_fonts(file);
  ASSERT_FALSE(fonts.empty());
  for (const auto& font : fonts) {
    EXPECT_TRUE(font.embedded) << font.name << " is not embedded";
    EXPECT_NE(font.name.find("CJK"), std::string::npos) << font.name << ": not the CJK font asked for";
  }
}

//! A table longer than a page continues on the next with its header again, and every row is printed.
TEST(PdfDocument, LongTableRunsOverPages) {
  PdfDocument document("整改意见书", "");
  std::vector<std::vector<std::string>> rows;
  for (int i = 1; i <= 120; ++i) rows.push_back({std::to_string(i), "问题" + std::to_string(i)});
  document.table({{"序号", 1}, {"问题描述", 4}}, rows);
  const auto file = written("long-table", document.finish());
  const std::string text = without_spaces(testing::pdf_text(file));
  EXPECT_NE(text.find("问题120"), std::string::npos);
  EXPECT_NE(text.find("第3页"), std::string::npos) << "120 rows should take three pages";
  // Every page knows how many there are: 第 n 页 共 m 页, m the same on each.
  std::size_t pages = 0;
  while (text.find("第" + std::to_string(pages + 1) + "页") != std::string::npos) ++pages;
  for (std::size_t n = 1; n <= pages; ++n)
    EXPECT_NE(text.find("第" + std::to_string(n) + "页共" + std::to_string(pages) + "页"), std::string::npos) << n;
  std::size_t headers = 0;
  for (std::size_t at = text.find("问题描述"); at != std::string::npos; at = text.find("问题描述", at + 1)) ++headers;
  EXPECT_GE(headers, 3u);
}

//! A grid of label and value boxes and boxes for seals come back as text, the labels as written.
TEST(PdfDocument, DrawsGridsAndSignBoxes) {
  PdfDocument document("电子文件和数字档案备份情况表", "");
  document.subtitle("（续表）");
  document.grid({{{"全宗号", 1, true, PdfAlign::centre}, {"J012", 2}}, {{"单位名称", 1, true}, {"示例市档案馆", 2}}}, true, 9);
  document.sign_boxes({{"填报单位（盖章）", {"日期：    年  月  日"}}, {"审核人", {"签字：", "日期："}}}, 35);
  const auto file = written("grid", document.finish());
  const std::string text = without_spaces(testing::pdf_text(file));
  for (const char* expected : {"（续表）", "全宗号J012", "单位名称示例市档案馆", "填报单位（盖章）", "日期：年月日", "审核人", "签字：",
                               "第1页共1页"})
    EXPECT_NE(text.find(expected), std::string::npos) << expected << " not in:\n" << text;
}

}  // namespace
}  // namespace lantai
