// Shared by the decode tests: a temporary folder per test, a stage set up from a profile
// text, and short ways to ask what a decode produced.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/profile.h"
#include "stages/decode/decode_stage.h"

namespace lantai::decode {

namespace fs = std::filesystem;

inline std::vector<std::string> codes_of(const Outcome& outcome) {
  std::vector<std::string> codes;
  for (const auto& finding : outcome.findings) codes.push_back(finding.code);
  return codes;
}

inline const Finding* find_code(const Outcome& outcome, const std::string& code) {
  for (const auto& finding : outcome.findings)
    if (finding.code == code) return &finding;
  return nullptr;
}

// Mean absolute difference per sample; 0 for identical images.
inline double mean_difference(const cv::Mat& a, const cv::Mat& b) {
  return cv::norm(a, b, cv::NORM_L1) / static_cast<double>(a.total() * a.channels());
}

// What decode handed on for a page, in the shape the tests ask about it.
struct DecodedFacts {
  int width_px = 0;
  int height_px = 0;
  ColourMode colour_mode = ColourMode::unknown;
  std::optional<double> resolution_dpi;
};
struct DecodedPage {
  std::string rel_path;
  cv::Mat image;  // empty when decode handed on none
  DecodedFacts facts;
};

// A page after decode, with what decode said about it.
struct Decoded {
  DecodedPage page;
  Outcome outcome;
};

class DecodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = "lantai-decode-" + std::to_string(::getpid()) + "-" + info->test_suite_name() + "-" + info->name();
    std::replace(name.begin(), name.end(), '/', '_');  // parameterised tests have '/' in their names
    dir_ = fs::temp_directory_path() / name;
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    stage_ = configured("{}");
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path path(const std::string& name) const { return dir_ / name; }

  // A stage set up through the real profile path from the body of a "decode:" section.
  DecodeStage configured(const std::string& section_yaml) const {
    const fs::path profile_file = dir_ / "profile.yaml";
    std::ofstream(profile_file) << "profile: test\ndecode: " << section_yaml << "\n";
    Profile profile = Profile::load(profile_file);
    ProfileSection section = profile.section("decode");
    DecodeStage stage;
    stage.setup(section, StageContext{dir_, dir_, 1});
    return stage;
  }

  Decoded decode(const std::string& name, int frame = 0) const { return decode_with(stage_, name, frame); }

  Decoded decode_with(const DecodeStage& stage, const std::string& name, int frame = 0) const {
    Item item;
    item.rel_path = "J012-WS·2021-Y-BGS-0001/" + name;
    item.frame = frame;
    item.source = dir_ / name;
    item.id = Item::make_id(item.rel_path, frame);
    Decoded result;
    result.outcome = stage.process(item);
    result.page.rel_path = item.rel_path;
    if (result.outcome.image) result.page.image = *result.outcome.image;
    const Measurements& measured = result.outcome.measurements;
    result.page.facts.width_px = static_cast<int>(measured.number("width_px").value_or(0));
    result.page.facts.height_px = static_cast<int>(measured.number("height_px").value_or(0));
    for (ColourMode mode : {ColourMode::bilevel, ColourMode::grey, ColourMode::colour})
      if (measured.text("colour_mode") == to_string(mode)) result.page.facts.colour_mode = mode;
    result.page.facts.resolution_dpi = measured.number("resolution_dpi");
    return result;
  }

  fs::path dir_;
  DecodeStage stage_;
};

}  // namespace lantai::decode
