// The record-level duplicate check: a later page whose content hash is close to an earlier one's.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "stages/quality/duplicate_stage.h"

namespace lantai::quality {
namespace {

RecordItem page(int seq, const std::string& fingerprint) {
  RecordItem p;
  p.seq = seq;
  p.rel_path = "A/000" + std::to_string(seq) + ".jpg";
  p.item_id = p.rel_path + "#0";
  if (!fingerprint.empty()) p.measurements.set("fingerprint", fingerprint);
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
const std::string kHashFar(64, 'f');                       // 256 bits away

//! The later of two close pages is flagged, naming the earlier one; a far page is not.
TEST(DuplicateStage, FlagsTheLaterOfTwoAlikePages) {
  RecordWork record;
  record.ref = "A";
  record.items = {page(1, kHashA), page(2, kHashFar), page(3, kHashNear)};
  Outcome outcome = make_stage().process(record);
  ASSERT_EQ(outcome.findings.size(), 1u);
  EXPECT_EQ(outcome.findings[0].code, "qc.duplicate");
  EXPECT_EQ(outcome.findings[0].item_id, "A/0003.jpg#0");
  EXPECT_EQ(outcome.findings[0].value, "4");
  EXPECT_NE(outcome.findings[0].message.find("A/0001.jpg"), std::string::npos);
}

//! Blank pages and pages without a fingerprint (not decoded) are never called duplicates.
TEST(DuplicateStage, SkipsBlankAndUndecodedPages) {
  RecordWork record;
  record.items = {page(1, kHashA), page(2, kHashA), page(3, "")};
  record.items[1].finding_codes = {"qc.blank"};
  EXPECT_TRUE(make_stage().process(record).findings.empty());
}

}  // namespace
}  // namespace lantai::quality
