// The cataloguing stage on records with OCR text in a WORK of their own: fields that
// disagree with the catalogue are reported, fields that agree (or that the page does not
// show) are not; 档号 grammar and 件号 continuity across the catalogue.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "pipeline/files.h"
#include "stages/cataloguing/cataloguing_stage.h"

namespace lantai::cataloguing {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kColumns = {"档号", "题名", "责任者", "文号", "日期", "页数"};

constexpr const char* kPage =
    "临 江 市 档 案 局 文 件\n临档发 [2021] 11 号\n关于切实做好汛期档案安全工作\n的通知\n"
    "各县（市、区）档案局，局属各单位：\n"
    "为切实做好今年汛期档案安全工作，确保档案实体和数据安全，现就有关事项通知如下：\n"
    "临 江 市 档 案 局\n2021年6月1日\n— 1 —\n";

class CataloguingStageTest : public testing::Test {
 protected:
  void SetUp() override {
    work_ = fs::temp_directory_path() / ("lantai-cataloguing-" + std::to_string(::getpid()) + "-" +
                                         testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(work_);
    fs::create_directories(work_);
    catalog_.columns = kColumns;
  }
  void TearDown() override { fs::remove_all(work_); }

  void add_row(const std::string& ref, std::vector<std::string> values = {}) {
    CatalogRecord row;
    row.ref = ref;
    row.page_count = 1;
    row.values = values.empty() ? std::vector<std::string>{ref, "关于切实做好汛期档案安全工作的通知", "临江市档案局",
                                                           "临档发〔2021〕11号", "20210601", "1"}
                                : std::move(values);
    row.row = static_cast<int>(catalog_.records.size()) + 2;
    catalog_.index[ref] = catalog_.records.size();
    catalog_.records.push_back(row);
  }

  RecordWork record(const std::string& ref, const char* page_text = kPage) {
    RecordWork work;
    work.ref = ref;
    work.entry = *catalog_.find(ref);
    work.has_folder = true;
    work.work_dir = work_;
    work.catalog = &catalog_;
    RecordItem page;
    page.item_id = "p1";
    page.rel_path = ref + "/0001.jpg";
    page.seq = 1;
    page.outputs.push_back(write_output(work_, "ocr/" + ref + "/0001.txt", page_text, "ocr_text"));
    work.items.push_back(page);
    return work;
  }

  static std::vector<std::string> codes(const Outcome& outcome) {
    std::vector<std::string> out;
    for (const auto& finding : outcome.findings) out.push_back(finding.code);
    std::sort(out.begin(), out.end());
    return out;
  }

  fs::path work_;
  Catalog catalog_;
  CataloguingStage stage_;
};

//! A catalogue row that agrees with its page, read with OCR's spaces and brackets: no finding.
TEST_F(CataloguingStageTest, AgreeingRowHasNoFinding) {
  add_row("J012-WS·2021-D10-BGS-0001");
  const Outcome outcome = stage_.process(record("J012-WS·2021-D10-BGS-0001"));
  EXPECT_EQ(codes(outcome), std::vector<std::string>{});
  ASSERT_EQ(outcome.outputs.size(), 1u);
  EXPECT_EQ(outcome.outputs[0].kind, "catalogue_candidates");
  const auto json = nlohmann::json::parse(read_file(work_ / outcome.outputs[0].path));
  EXPECT_EQ(json["fields"]["文号"]["page"], "临档发〔2021〕11号");
  EXPECT_EQ(json["fields"]["日期"]["page"], "20210601");
  EXPECT_EQ(json["fields"]["题名"]["judged"], true);
}

//! Each wrong field gets its own code, the message both values, value and threshold filled.
TEST_F(CataloguingStageTest, WrongFieldsAreMismatches) {
  add_row("J012-WS·2021-D10-BGS-0001", {"J012-WS·2021-D10-BGS-0001", "关于2020年度档案工作情况的报告",
                                        "临江市财政局", "临档发〔2021〕12号", "20210610", "1"});
  const Outcome outcome = stage_.process(record("J012-WS·2021-D10-BGS-0001"));
  EXPECT_EQ(codes(outcome), (std::vector<std::string>{"catalog.mismatch.author", "catalog.mismatch.date",
                                                      "catalog.mismatch.docno", "catalog.mismatch.title"}));
  for (const Finding& finding : outcome.findings) {
    EXPECT_FALSE(finding.value.empty()) << finding.code;
    EXPECT_FALSE(finding.threshold.empty()) << finding.code;
    EXPECT_LT(std::stod(finding.value), std::stod(finding.threshold)) << finding.code;
    EXPECT_EQ(finding.item_id, "p1");
    EXPECT_EQ(finding.severity, Severity::warn);
  }
  const auto docno = std::find_if(outcome.findings.begin(), outcome.findings.end(),
                                  [](const Finding& f) { return f.code == "catalog.mismatch.docno"; });
  EXPECT_NE(docno->message.find("临档发〔2021〕12号"), std::string::npos);
  EXPECT_NE(docno->message.find("临档发〔2021〕11号"), std::string::npos);
}

//! A page that does not show a field clearly (no 文号, no date) is no mismatch for it.
TEST_F(CataloguingStageTest, UnclearFieldIsNotJudged) {
  add_row("J012-WS·2021-D10-BGS-0001", {"J012-WS·2021-D10-BGS-0001", "关于切实做好汛期档案安全工作的通知",
                                        "临江市档案局", "临档发〔2021〕99号", "19990101", "1"});
  const Outcome outcome = stage_.process(
      record("J012-WS·2021-D10-BGS-0001", "临江市档案局文件\n\n关于切实做好汛期档案安全工作的通知\n"
                                          "各县（市、区）档案局，局属各单位：\n"));
  EXPECT_EQ(codes(outcome), std::vector<std::string>{});
}

//! 档号 off the DA/T 22 grammar is reported; 件号 gaps name the missing numbers; repeats too.
TEST_F(CataloguingStageTest, GrammarAndNumbering) {
  add_row("J012-WS·2021-D10-BGS-0001");
  add_row("J012-WS·2021-D10-BGS-0002");
  add_row("J012-WS·2021-D10-BGS-0005");
  add_row("J012-WS·2021-Y-BGS-0002");   // another series, starting late
  add_row("J012-WS-2021-D10-BGS-0006");  // '-' for '·'
  EXPECT_EQ(codes(stage_.process(record("J012-WS·2021-D10-BGS-0002"))), std::vector<std::string>{});
  const Outcome gap = stage_.process(record("J012-WS·2021-D10-BGS-0005"));
  ASSERT_EQ(codes(gap), std::vector<std::string>{"catalog.numbering_gap"});
  EXPECT_NE(gap.findings[0].message.find("0003-0004"), std::string::npos) << gap.findings[0].message;
  EXPECT_EQ(gap.findings[0].value, "2");
  EXPECT_EQ(codes(stage_.process(record("J012-WS·2021-Y-BGS-0002"))),
            std::vector<std::string>{"catalog.numbering_gap"});
  EXPECT_EQ(codes(stage_.process(record("J012-WS-2021-D10-BGS-0006"))),
            std::vector<std::string>{"catalog.bad_ref_format"});
}

//! A local grammar with named parts; a pattern without an item part is refused.
TEST(RefGrammar, LocalGrammar) {
  RefGrammar grammar("(?<fonds>[0-9]{3})-(?<year>[0-9]{4})-(?<item>[0-9]{3,5})");
  auto parts = grammar.parse("012-2021-00042");
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->number, 42);
  EXPECT_EQ(parts->prefix, "012-2021-");
  EXPECT_EQ(number_in_series(*parts, "012-2021-043"), 43);
  EXPECT_FALSE(number_in_series(*parts, "012-2020-043"));
  EXPECT_FALSE(grammar.parse("012-2021-42"));
  EXPECT_THROW(RefGrammar("(?<fonds>[0-9]{3})-([0-9]+)"), std::invalid_argument);
  EXPECT_THROW(RefGrammar("(?<item>[0-9]+"), std::invalid_argument);
  EXPECT_TRUE(RefGrammar(kDefaultRefPattern).parse("J012-WS·2021-D30-BGS-0001"));
}

}  // namespace
}  // namespace lantai::cataloguing
