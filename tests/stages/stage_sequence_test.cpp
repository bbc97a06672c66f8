// The stage list and what its stages declare: the registry of finding codes, the
// measurements and the outputs are built from these declarations, so they must be sound.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "stages/stage_sequence.h"

namespace lantai {
namespace {

std::string read_docs(const char* name) {
  std::ifstream in(std::filesystem::path(LANTAI_SOURCE_DIR) / "docs" / name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

//! Every finding code is declared once, with a meaning, across the core and all stages.
TEST(StageSequence, FindingCodesAreUniqueAndExplained) {
  const StageSequence stages = make_stage_sequence();
  std::set<std::string_view> seen;
  for (const FindingCode& code : stages.finding_codes()) {
    EXPECT_TRUE(seen.insert(code.code).second) << code.code << " declared twice";
    EXPECT_FALSE(code.meaning.empty()) << code.code;
  }
  EXPECT_TRUE(seen.count("qc.blank"));
  EXPECT_TRUE(seen.count("internal.exception"));
  EXPECT_TRUE(seen.count("catalog.duplicate_ref"));
}

//! docs/findings.md lists every declared code, and names no code that nothing reports.
TEST(StageSequence, FindingsDocMatchesTheRegistry) {
  const std::string docs = read_docs("findings.md");
  ASSERT_FALSE(docs.empty()) << "docs/findings.md missing";
  std::set<std::string> declared;
  for (const FindingCode& code : make_stage_sequence().finding_codes()) {
    declared.emplace(code.code);
    EXPECT_NE(docs.find("`" + std::string(code.code) + "`"), std::string::npos) << code.code << " not documented";
  }
  const std::regex listed(R"(^\| `([a-z_]+(\.[a-z_0-9]+)+)` \|)", std::regex::multiline);
  for (auto it = std::sregex_iterator(docs.begin(), docs.end(), listed); it != std::sregex_iterator(); ++it)
    EXPECT_TRUE(declared.count((*it)[1])) << (*it)[1] << " is documented but no stage declares it";
}

//! Stage ids, measurement names and output kinds are each unique, so reports and the ledger can key on them.
TEST(StageSequence, DeclarationsDoNotClash) {
  std::set<std::string> ids, measurements, outputs;
  for (const StageInfo& info : make_stage_sequence().describe()) {
    EXPECT_TRUE(ids.insert(info.id).second) << info.id;
    for (const MeasurementInfo& m : info.measurements)
      EXPECT_TRUE(measurements.emplace(m.name).second) << m.name << " measured by two stages";
    for (const OutputInfo& o : info.outputs) EXPECT_TRUE(outputs.emplace(o.kind).second) << o.kind;
  }
  EXPECT_TRUE(measurements.count("skew_deg"));
  EXPECT_TRUE(outputs.count("derivative"));
}

//! The page chain scans each file for viruses before decode opens it, makes pixels only where a stage says so, and stores them (derivatives) before OCR.
TEST(StageSequence, PageChainStoresPixelsBeforeReadingThem) {
  const StageSequence stages = make_stage_sequence();
  const auto& chain = stages.chains.at(ItemKind::page);
  std::vector<std::string> order;
  for (const auto& stage : chain) order.push_back(stage->describe().id);
  EXPECT_EQ(order,
            (std::vector<std::string>{"virus_scan", "decode", "orient", "deskew", "derivatives", "quality", "ocr"}));
  EXPECT_FALSE(chain[0]->describe().makes_pixels);
  EXPECT_TRUE(chain[1]->describe().makes_pixels);
  EXPECT_FALSE(chain[6]->describe().makes_pixels);
}

}  // namespace
}  // namespace lantai
