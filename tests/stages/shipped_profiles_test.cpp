// Every profile in profiles/ sets up every stage of the sequence and the runtime's own
// sections, as `lantai run` would: no unknown key, no value out of range.
#include <gtest/gtest.h>

#include <filesystem>

#include "pipeline/runtime/runner.h"
#include "stages/stage_sequence.h"

namespace lantai {
namespace {

namespace fs = std::filesystem;

std::string value_of(const std::vector<StageRecord>& records, const std::string& stage, const std::string& key) {
  for (const StageRecord& record : records)
    if (record.info.id == stage)
      for (const EffectiveValue& value : record.settings)
        if (value.key == key) return value.value;
  return {};
}

//! Each shipped profile is accepted whole by every stage; the bitonal and drawings profiles choose G4 and lossless TIFF and their resolutions.
TEST(ShippedProfiles, EveryStageAcceptsEveryProfile) {
  const fs::path folder = fs::path(LANTAI_SOURCE_DIR) / "profiles";
  int count = 0;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().filename().string());
    StageSequence stages = make_stage_sequence();
    std::vector<StageRecord> records;
    ASSERT_NO_THROW(records = effective_profile(entry.path(), stages));
    EXPECT_FALSE(value_of(records, "derivatives", "format").empty());
    ++count;
  }
  EXPECT_GE(count, 3);

  StageSequence stages = make_stage_sequence();
  const auto bitonal = effective_profile(folder / "da-t31-2017-bitonal-text.yaml", stages);
  EXPECT_EQ(value_of(bitonal, "derivatives", "format"), "tiff");
  EXPECT_EQ(value_of(bitonal, "derivatives", "tiff_compression"), "g4");
  EXPECT_EQ(value_of(bitonal, "quality", "min_resolution_dpi"), "300");
  StageSequence more_stages = make_stage_sequence();
  const auto drawings = effective_profile(folder / "da-t31-2017-drawings.yaml", more_stages);
  EXPECT_EQ(value_of(drawings, "derivatives", "tiff_compression"), "lzw");
  EXPECT_EQ(value_of(drawings, "quality", "min_resolution_dpi"), "200");
  EXPECT_GT(std::stoll(value_of(drawings, "decode", "max_pixels")), 558'000'000);  // an A0 sheet at 600 dpi
}

// One stage's effective settings as key=value lines, where each came from left aside.
std::vector<std::string> settings_of(const std::vector<StageRecord>& records, const std::string& stage) {
  std::vector<std::string> settings;
  for (const StageRecord& record : records)
    if (record.info.id == stage)
      for (const EffectiveValue& value : record.settings) settings.push_back(value.key + "=" + value.value);
  return settings;
}

//! The paper profile checks the recordings of a paper lot as dat62-preservation does: its effective av settings are the same, key for key, so neither drifts from the other unnoticed.
TEST(ShippedProfiles, PaperProfileChecksRecordingsAsDat62Preservation) {
  const fs::path folder = fs::path(LANTAI_SOURCE_DIR) / "profiles";
  StageSequence paper_stages = make_stage_sequence();
  StageSequence dat62_stages = make_stage_sequence();
  const auto paper = settings_of(effective_profile(folder / "da-t31-2017-paper.yaml", paper_stages), "av");
  const auto dat62 = settings_of(effective_profile(folder / "dat62-preservation.yaml", dat62_stages), "av");
  ASSERT_FALSE(dat62.empty());
  EXPECT_EQ(paper, dat62);
}

}  // namespace
}  // namespace lantai
