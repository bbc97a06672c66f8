// The check items: keyed uniquely, every stage's rejects counted against a named machine
// item, and docs/acceptance.md listing exactly these items with their Chinese names.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "pipeline/acceptance/check_items.h"
#include "stages/stage_sequence.h"

namespace lantai::acceptance {
namespace {

//! Codes are unique, and the rules are the standard's: entry ↔ images and machine items 100%, the rest the profile's rate.
TEST(CheckItems, KeyedUniquelyWithTheStandardsRules) {
  std::set<std::string_view> codes;
  for (const CheckItem& item : check_items()) {
    EXPECT_TRUE(codes.insert(item.code).second) << item.code;
    EXPECT_FALSE(item.name_zh.empty()) << item.code;
    if (item.method == CheckMethod::machine) {
      EXPECT_EQ(item.rule, PassRule::every_record) << item.code;
    }
  }
  EXPECT_EQ(find_check_item("inspector.entry_images")->rule, PassRule::every_record);
  EXPECT_EQ(find_check_item("inspector.image_quality")->rule, PassRule::min_pass_percent);
  EXPECT_EQ(find_check_item("nothing"), nullptr);
}

//! Every stage of the sequence (and the catalogue the runtime reads) has its rejects counted under a named machine item.
TEST(CheckItems, EveryStageBelongsToAMachineItem) {
  std::set<std::string> stages{"catalog"};
  for (const StageInfo& info : make_stage_sequence().describe()) stages.insert(info.id);
  for (const std::string& stage : stages)
    EXPECT_NE(machine_item_of_stage(stage).code, "machine.other") << stage << " is in no machine item";
  for (const CheckItem& item : check_items())
    for (std::string_view stage : item.stages) EXPECT_TRUE(stages.count(std::string(stage))) << stage;
}

//! docs/acceptance.md lists every item with its Chinese name, and no item the code does not have.
TEST(CheckItems, DocsListEveryItem) {
  std::ifstream in(std::filesystem::path(LANTAI_SOURCE_DIR) / "docs" / "acceptance.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string docs = text.str();
  ASSERT_FALSE(docs.empty()) << "docs/acceptance.md missing";
  for (const CheckItem& item : check_items())
    EXPECT_NE(docs.find("| `" + std::string(item.code) + "` | " + std::string(item.name_zh) + " |"), std::string::npos)
        << item.code << " not documented with its name";
  const std::regex listed(R"(^\| `((machine|inspector)\.[a-z_]+)` \|)", std::regex::multiline);
  for (auto it = std::sregex_iterator(docs.begin(), docs.end(), listed); it != std::sregex_iterator(); ++it)
    EXPECT_NE(find_check_item((*it)[1].str()), nullptr) << (*it)[1] << " is documented but not an item";
}

}  // namespace
}  // namespace lantai::acceptance
