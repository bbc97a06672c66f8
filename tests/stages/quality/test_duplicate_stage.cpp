// The record-level duplicate check: close hashes and alike texts make the later page a duplicate.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>

#include "pipeline/files.h"
#include "stages/quality/duplicate_stage.h"

namespace lantai::quality {
namespace {

RecordPage page(int seq, const std::string& fingerprint, const std::string& text, const std::filesystem::path& work) {
  RecordPage p;
  p.seq = seq;
  p.rel_path = "A/000" + std::to_string(seq) + ".jpg";
  p.item_id = p.rel_path + "#0";
  p.facts.fingerprint = fingerprint;
  p.facts.ocr_chars = static_cast<int>(text.size() / 3);
  p.outputs.push_back(write_output(work, "ocr/A/" + std::to_string(seq) + ".txt", text, "ocr_text"));
  return p;
}

DuplicateStage make_stage() {
  DuplicateStage stage;
  YAML::Node none;
  ProfileSection section("test.yaml", "duplicates", none);
  stage.setup(section, {});
  return stage;
}

const std::string kHashA(64, '0');
const std::string kHashNear = "f" + std::string(63, '0');  // 4 bits away
const std::string kHashFar(64, 'f');
const std::string kText = "关于做好二〇二一年度档案数字化工作的通知各科室根据年度工作安排现将有关事项通知如下";
const std::string kOtherText = "会议纪要本次会议研究了档案室库房改造方案与经费预算并明确了责任分工和完成时限";

//! A later page with a close hash and the same text is flagged; the earlier one is not.
TEST(DuplicateStage, FlagsTheLaterOfTwoAlikePages) {
  auto work = std::filesystem::temp_directory_path() / "lantai-dup-1";
  RecordWork record;
  record.ref = "A";
  record.work_dir = work;
  record.pages = {page(1, kHashA, kText, work), page(2, kHashFar, kOtherText, work), page(3, kHashNear, kText, work)};
  Outcome outcome = make_stage().process(record);
  ASSERT_EQ(outcome.findings.size(), 1u);
  EXPECT_EQ(outcome.findings[0].code, "qc.duplicate");
  EXPECT_EQ(outcome.findings[0].item_id, "A/0003.jpg#0");
  EXPECT_NE(outcome.findings[0].message.find("A/0001.jpg"), std::string::npos);
}

//! Pages of alike layout but different text are not duplicates; blank pages are never compared.
TEST(DuplicateStage, DifferentTextOrBlankIsNotDuplicate) {
  auto work = std::filesystem::temp_directory_path() / "lantai-dup-2";
  RecordWork record;
  record.work_dir = work;
  record.pages = {page(1, kHashA, kText, work), page(2, kHashNear, kOtherText, work)};
  EXPECT_TRUE(make_stage().process(record).findings.empty());
  record.pages = {page(1, kHashA, "", work), page(2, kHashA, "", work)};
  record.pages[1].finding_codes = {"qc.blank"};
  EXPECT_TRUE(make_stage().process(record).findings.empty());
}

//! Bigram similarity: same text 1, unrelated text low, spaces ignored.
TEST(DuplicateStage, TextSimilarity) {
  EXPECT_DOUBLE_EQ(text_similarity(kText, kText), 1.0);
  EXPECT_LT(text_similarity(kText, kOtherText), 0.3);
  EXPECT_GT(text_similarity("档 案 数 字 化", "档案数字化"), 0.99);
}

}  // namespace
}  // namespace lantai::quality
