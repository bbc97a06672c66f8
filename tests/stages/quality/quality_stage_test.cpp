// The page quality check: resolution against the profile, blank pages, fingerprints.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <opencv2/imgproc.hpp>

#include <random>

#include "stages/quality/quality_stage.h"
#include "tests/stages/item_stage_support.h"

namespace lantai::quality {
namespace {

// An A4 page at 300 dpi: white paper, optional lines of glyph-like blocks, speckle noise
// and a dark scan border along the left edge.
cv::Mat draw_page(int lines, unsigned seed, bool border = true) {
  cv::Mat page(3508, 2480, CV_8UC1, cv::Scalar(235));
  std::mt19937 random(seed);
  for (int line = 0; line < lines; ++line)
    for (int x = 300; x < 2180; x += 56)
      if (random() % 7 != 0)
        cv::rectangle(page, cv::Rect(x + 6, 400 + line * 90 + 6, 30 + static_cast<int>(random() % 14), 40), cv::Scalar(30),
                      4);
  for (int i = 0; i < 400; ++i)
    page.at<uchar>(static_cast<int>(random() % 3508), static_cast<int>(random() % 2480)) = 40;
  if (border) page.colRange(0, 40) = cv::Scalar(20);
  return page;
}

Item page_of(const cv::Mat& image, double dpi) {
  Item page = stage_testing::page_item(image, dpi, "A/0001.jpg");
  return page;
}

QualityStage make_stage() {
  QualityStage stage;
  // These pages keep a scan border (1.6% of the page) to show that content boxes leave it
  // out; the check for a border left after cleanup has its own tests (capture_checks_test).
  const YAML::Node settings = YAML::Load("max_dark_border_ratio: 0.05");
  ProfileSection section("test.yaml", "quality", settings);
  stage.setup(section, {});
  section.finish();
  return stage;
}

//! A page below the minimum resolution gets qc.resolution.low with value and threshold; 300 dpi does not.
TEST(QualityStage, FlagsLowResolution) {
  QualityStage stage = make_stage();
  Item low = page_of(draw_page(10, 1), 150);
  Outcome outcome = stage_testing::run_stage(stage, low);
  ASSERT_EQ(outcome.findings.size(), 1u);
  EXPECT_EQ(outcome.findings[0].code, "qc.resolution.low");
  EXPECT_EQ(outcome.findings[0].value, "150");
  EXPECT_EQ(outcome.findings[0].threshold, "200");
  Item good = page_of(draw_page(10, 1), 300);
  EXPECT_TRUE(stage_testing::run_stage(stage, good).findings.empty());
}

//! A page of specks and a scan border is blank; a page with a single short line is not.
TEST(QualityStage, TellsBlankFromSparse) {
  QualityStage stage = make_stage();
  Item blank = page_of(draw_page(0, 2), 300);
  Outcome outcome = stage_testing::run_stage(stage, blank);
  ASSERT_EQ(outcome.findings.size(), 1u);
  EXPECT_EQ(outcome.findings[0].code, "qc.blank");
  EXPECT_LT(*blank.measurements.number("ink_ratio"), 0.0002);
  Item sparse = page_of(draw_page(1, 3), 300);
  EXPECT_TRUE(stage_testing::run_stage(stage, sparse).findings.empty());
  EXPECT_GT(*sparse.measurements.number("ink_ratio"), 0.0002);
}

//! Two scans of one sheet, placed differently on the scanner, fingerprint close; another page far.
TEST(QualityStage, FingerprintsSeparateRescansFromOtherPages) {
  QualityStage stage = make_stage();
  Item first = page_of(draw_page(20, 4), 300);
  cv::Mat moved(3508, 2480, CV_8UC1, cv::Scalar(235));
  cv::Mat blurred;
  cv::GaussianBlur(first.image.pixels(), blurred, cv::Size(3, 3), 0);
  blurred(cv::Rect(100, 0, 2380, 3400)).copyTo(moved(cv::Rect(0, 60, 2380, 3400)));  // shifted on the bed
  Item rescan = page_of(moved, 300);
  Item other = page_of(draw_page(20, 5), 300);
  stage_testing::run_stage(stage, first);
  stage_testing::run_stage(stage, rescan);
  stage_testing::run_stage(stage, other);
  const int same = hamming_distance(first.measurements.text("fingerprint"), rescan.measurements.text("fingerprint"));
  const int different = hamming_distance(first.measurements.text("fingerprint"), other.measurements.text("fingerprint"));
  EXPECT_LE(same, 16);
  EXPECT_GT(different, 32);
  EXPECT_EQ(hamming_distance("ab", "abc"), -1);
}

}  // namespace
}  // namespace lantai::quality
