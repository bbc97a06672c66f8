// Derivatives: named by 档号 and serial, written atomically, deterministic bytes.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <opencv2/imgproc.hpp>

#include <filesystem>

#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "pipeline/jpeg_codec.h"
#include "stages/derivatives/derivative_stage.h"
#include "tests/stages/item_stage_support.h"

namespace lantai::derivatives {
namespace {

//! The stage writes WORK/derivatives/<档号>/<serial>.jpg and reports its checksum.
TEST(DerivativeStage, WritesNamedOutput) {
  auto work = std::filesystem::temp_directory_path() / "lantai-derivatives";
  std::filesystem::remove_all(work);
  DerivativeStage stage;
  YAML::Node none;
  ProfileSection section("test.yaml", "derivatives", none);
  stage.setup(section, StageContext{work, {}, 1});
  Item page = stage_testing::page_item(cv::Mat(100, 80, CV_8UC1, cv::Scalar(128)));
  page.seq = 7;
  Outcome outcome = stage.process(page);
  ASSERT_EQ(outcome.outputs.size(), 1u);
  EXPECT_EQ(outcome.outputs[0].path, "derivatives/J012-WS·2021-Y-BGS-0001/0007.jpg");
  std::string bytes = read_file(work / std::filesystem::u8path(outcome.outputs[0].path));
  EXPECT_EQ(outcome.outputs[0].sha256, hex_digest(DigestAlgorithm::sha256, bytes));
  EXPECT_EQ(outcome.outputs[0].size_bytes, bytes.size());
}

// A set-up stage writing below work, and a colour page to store.
DerivativeStage stage_in(const std::filesystem::path& work) {
  std::filesystem::remove_all(work);
  DerivativeStage stage;
  YAML::Node none;
  ProfileSection section("test.yaml", "derivatives", none);
  stage.setup(section, StageContext{work, {}, 1});
  return stage;
}
cv::Mat colour_page() {
  cv::Mat image(300, 240, CV_8UC3, cv::Scalar(225, 235, 240));
  cv::circle(image, {120, 150}, 60, cv::Scalar(30, 30, 210), 8);  // a red seal
  return image;
}

//! The stage hands on the pixels exactly as the file holds them, so the stages after it read what is delivered.
TEST(DerivativeStage, HandsOnThePixelsTheFileHolds) {
  const auto work = std::filesystem::temp_directory_path() / "lantai-derivatives-hand-on";
  const DerivativeStage stage = stage_in(work);
  const Item page = stage_testing::page_item(colour_page());
  const Outcome outcome = stage.process(page);
  ASSERT_TRUE(outcome.image.has_value());
  const cv::Mat stored = decode_jpeg(read_file(work / std::filesystem::u8path(outcome.outputs[0].path)));
  EXPECT_EQ(cv::norm(*outcome.image, stored, cv::NORM_INF), 0);
  EXPECT_LT(cv::norm(*outcome.image, colour_page(), cv::NORM_L1) / (300.0 * 240 * 3), 2.0);  // close to what came in
}

//! reload_image gives back the very pixels handed on; a file changed since gives none, so the rerun redoes the stage.
TEST(DerivativeStage, ReloadsItsPixelsOnlyFromAnUnchangedFile) {
  const auto work = std::filesystem::temp_directory_path() / "lantai-derivatives-reload";
  const DerivativeStage stage = stage_in(work);
  const Item page = stage_testing::page_item(colour_page());
  const Outcome outcome = stage.process(page);
  const std::optional<cv::Mat> again = stage.reload_image(page, outcome.outputs);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(cv::norm(*again, *outcome.image, cv::NORM_INF), 0);
  const cv::Mat other(300, 240, CV_8UC3, cv::Scalar(0, 0, 0));
  write_file_atomically(work / std::filesystem::u8path(outcome.outputs[0].path), encode_jpeg(other, 90, 300.0));
  EXPECT_FALSE(stage.reload_image(page, outcome.outputs).has_value());
}

}  // namespace
}  // namespace lantai::derivatives
