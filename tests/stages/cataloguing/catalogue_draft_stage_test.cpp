// 目录建库 with no catalogue: the cataloguing stage reads each folder's first page, the
// draft stage turns what it read into a catalogue an inspector confirms and lantai reads
// back; an inspector's edits to an earlier draft are never overwritten.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "pipeline/catalog.h"
#include "pipeline/files.h"
#include "stages/cataloguing/catalogue_draft_stage.h"
#include "stages/cataloguing/cataloguing_stage.h"

namespace lantai::cataloguing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kLetterheadPage =
    "临 江 市 档 案 局 文 件\n临档发 [2021] 11 号\n关于切实做好汛期档案安全工作\n的通知\n"
    "各县（市、区）档案局，局属各单位：\n"
    "为切实做好今年汛期档案安全工作，确保档案实体和数据安全，现就有关事项通知如下：\n"
    "临 江 市 档 案 局\n2021年6月1日\n— 1 —\n";
constexpr const char* kBodyPage = "二、加强库房巡查，发现隐患及时处置，确保档案实体和数据安全。\n";

class CatalogueDraftTest : public testing::Test {
 protected:
  void SetUp() override {
    work_ = fs::temp_directory_path() / ("lantai-draft-" + std::to_string(::getpid()) + "-" +
                                         testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(work_);
    fs::create_directories(work_);
    batch_.work_dir = work_;
  }
  void TearDown() override { fs::remove_all(work_); }

  // A folder of `pages` pages, its first page's text as given, through the cataloguing
  // stage as the runtime calls it when the batch has no catalogue.
  void add_folder(const std::string& ref, const char* first_page, int pages) {
    RecordWork work;
    work.ref = ref;
    work.has_folder = true;
    work.work_dir = work_;
    for (int seq = 1; seq <= pages; ++seq) {
      RecordItem page;
      page.item_id = ref + std::to_string(seq);
      page.rel_path = ref + "/000" + std::to_string(seq) + ".tif";
      page.seq = seq;
      const std::string text = seq == 1 ? first_page : kBodyPage;
      page.outputs.push_back(
          write_output(work_, "ocr/" + ref + "/000" + std::to_string(seq) + ".txt", text, "ocr_text"));
      work.items.push_back(page);
    }
    const Outcome read = CataloguingStage().process(work);
    DepositRecord record;
    record.entry.ref = ref;
    record.entry.page_count = pages;
    record.items = work.items;
    record.outputs = read.outputs;
    batch_.records.push_back(record);
    findings_of_reading_.insert(findings_of_reading_.end(), read.findings.begin(), read.findings.end());
  }

  fs::path work_;
  BatchWork batch_;
  std::vector<Finding> findings_of_reading_;
};

//! The draft is a catalogue lantai reads back: one row per folder, its fields as read,
//! 页数 as found, and the fields to check named; UTF-8 with a BOM for spreadsheets.
TEST_F(CatalogueDraftTest, DraftIsACatalogueOfTheFoldersAsRead) {
  add_folder("J012-WS·2021-D10-BGS-0001", kLetterheadPage, 2);
  add_folder("J012-WS·2021-D10-BGS-0002", kBodyPage, 1);
  add_folder("not-a-ref", kLetterheadPage, 1);
  ASSERT_EQ(findings_of_reading_.size(), 1u);  // the folder name is checked as the 档号 it will be
  EXPECT_EQ(findings_of_reading_[0].code, "catalog.bad_ref_format");

  const Outcome outcome = CatalogueDraftStage().process(batch_);
  ASSERT_EQ(outcome.outputs.size(), 1u);
  EXPECT_EQ(outcome.outputs[0].path, kDraftPath);
  const std::string bytes = read_file(work_ / kDraftPath);
  EXPECT_EQ(bytes.substr(0, 3), "\xEF\xBB\xBF");

  const Catalog draft = load_catalog(work_ / kDraftPath);
  EXPECT_TRUE(draft.findings.empty());
  ASSERT_EQ(draft.records.size(), 3u);
  const CatalogRecord& first = draft.records[0];
  EXPECT_EQ(first.ref, "J012-WS·2021-D10-BGS-0001");
  EXPECT_EQ(first.page_count, 2);
  EXPECT_EQ(first.field(draft.columns, "题名"), "关于切实做好汛期档案安全工作的通知");
  EXPECT_EQ(first.field(draft.columns, "文号"), "临档发〔2021〕11号");
  EXPECT_EQ(first.field(draft.columns, "责任者"), "临江市档案局");
  EXPECT_EQ(first.field(draft.columns, "日期"), "20210601");
  EXPECT_EQ(first.field(draft.columns, "待核对"), "");

  // A first page with none of the fields: every one named for the inspector.
  const CatalogRecord& second = draft.records[1];
  EXPECT_EQ(second.field(draft.columns, "题名"), "");
  EXPECT_EQ(second.field(draft.columns, "待核对"), "题名 未识别；文号 未识别；责任者 未识别；日期 未识别");
}

//! A record none of whose pages OCR read still gets its row, and a finding says why it is bare.
TEST_F(CatalogueDraftTest, RecordWithoutTextKeepsItsRow) {
  DepositRecord unread;
  unread.entry.ref = "J012-WS·2021-D10-BGS-0003";
  unread.entry.page_count = 4;
  batch_.records.push_back(unread);
  const Outcome outcome = CatalogueDraftStage().process(batch_);
  ASSERT_EQ(outcome.findings.size(), 1u);
  EXPECT_EQ(outcome.findings[0].code, "catalog.draft_unread");
  const Catalog draft = load_catalog(work_ / kDraftPath);
  ASSERT_EQ(draft.records.size(), 1u);
  EXPECT_EQ(draft.records[0].page_count, 4);
}

//! An inspector's corrections in draft.csv survive the next draft: kept as draft.1.csv.
TEST_F(CatalogueDraftTest, AnEditedDraftIsKept) {
  add_folder("J012-WS·2021-D10-BGS-0001", kLetterheadPage, 1);
  CatalogueDraftStage stage;
  stage.process(batch_);
  EXPECT_TRUE(stage.process(batch_).findings.empty());  // the same draft again: nothing to keep
  EXPECT_FALSE(fs::exists(work_ / "catalogue/draft.1.csv"));

  const std::string edited = read_file(work_ / kDraftPath) + "J012-WS·2021-D10-BGS-0009,补录的题名,,,,1,\n";
  std::ofstream(work_ / kDraftPath, std::ios::binary) << edited;
  const Outcome again = stage.process(batch_);
  ASSERT_EQ(again.findings.size(), 1u);
  EXPECT_EQ(again.findings[0].code, "catalog.draft_kept");
  EXPECT_EQ(read_file(work_ / "catalogue/draft.1.csv"), edited);
  EXPECT_NE(read_file(work_ / kDraftPath), edited);
}

}  // namespace
}  // namespace lantai::cataloguing
