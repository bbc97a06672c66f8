// find_skew: known skews are found to a few hundredths of a degree with the promised sign,
// and pages without lines of content give low confidence.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <numbers>
#include <vector>

#include "stages/deskew/deskew_stage.h"
#include "cluttered_scan.h"
#include "synthetic_page.h"

namespace lantai::deskew {
namespace {

const double kMinConfidence = DeskewSettings{}.min_confidence;

testing::SyntheticPage scanned_page(double skew_deg, unsigned seed) {
  testing::SyntheticPage spec;
  spec.skew_deg = skew_deg;
  spec.seed = seed;
  spec.lines = 10 + static_cast<int>(seed * 7 % 21);  // 10..30 lines
  spec.cell_px = 46 + static_cast<int>(seed % 9);
  // Scanner borders square to the image on one or two edges; they must not pull towards 0°.
  spec.border_left_px = seed % 2 ? 70 : 0;
  spec.border_top_px = seed % 3 ? 45 : 0;
  spec.border_right_px = seed % 2 ? 0 : 110;
  spec.speckle_ratio = 0.002;
  spec.blur_sigma_px = 1.2;
  return spec;
}

//! Skews across ±12° on 300-dpi A4 text with scan borders, specks and blur are found within 0.1° each, 0.03° on average.
TEST(SkewFinder, FindsKnownSkewsOfTextPages) {
  std::vector<double> truths;
  for (double a = -12; a <= 12.001; a += 1.2) truths.push_back(a);  // 21 values incl. 0 and ±12
  for (double a : {-0.3, 0.3, 3.33, -7.77}) truths.push_back(a);
  double sum = 0, worst = 0;
  for (size_t i = 0; i < truths.size(); ++i) {
    const double truth = std::round(truths[i] * 1000) / 1000;
    const SkewEstimate estimate = find_skew(testing::draw_page(scanned_page(truth, static_cast<unsigned>(i + 1))),
                                            SkewSettings{}, 300.0);
    const double error = std::abs(estimate.angle_deg - truth);
    EXPECT_LT(error, 0.1) << "truth " << truth << "°, found " << estimate.angle_deg << "°";
    EXPECT_GE(estimate.confidence, kMinConfidence) << "truth " << truth << "°";
    sum += error;
    worst = std::max(worst, error);
  }
  const double mean = sum / static_cast<double>(truths.size());
  EXPECT_LT(mean, 0.03) << "worst " << worst;
}

//! Scans as a lot has them (real Chinese text in one to three columns whose lines do not
//! line up, rules and a table; the facing page with its own lines at its own angle, a
//! dashed rule at another, the scanner's bed and dust; grey and 1-bit) measure within 0.3°.
TEST(SkewFinder, ClutteredScansOfEveryLayout) {
  const double skews[] = {-4.2, -1.7, 0.6, 2.9, 4.8, -0.4};
  int page = 0;
  for (int columns : {1, 2, 3})
    for (bool bitonal : {false, true}) {
      const double truth = skews[page];
      const testing::ClutteredScan scan = testing::make_cluttered_scan(900 + page++, truth, columns, bitonal);
      const SkewEstimate estimate = find_skew(scan.scan, SkewSettings{}, 300.0);
      EXPECT_NEAR(estimate.angle_deg, truth, 0.3) << scan.layout << (bitonal ? ", 1-bit" : ", grey");
      EXPECT_GE(estimate.confidence, kMinConfidence) << scan.layout;
    }
}

//! Bars drawn rising to the right (content turned counter-clockwise on screen) give a positive angle, falling ones negative.
TEST(SkewFinder, CounterClockwiseIsPositive) {
  for (double truth : {5.0, -5.0}) {
    cv::Mat page(3508, 2480, CV_8U, cv::Scalar(235));
    const double rise = std::tan(truth * std::numbers::pi / 180) * 1800;
    for (int y = 600; y < 3000; y += 80)
      cv::line(page, {300, y}, {2100, static_cast<int>(std::lround(y - rise))}, cv::Scalar(30), 24);
    const SkewEstimate estimate = find_skew(page, SkewSettings{}, 300.0);
    EXPECT_NEAR(estimate.angle_deg, truth, 0.1);
    EXPECT_GE(estimate.confidence, kMinConfidence);
  }
}

//! A colour (BGR) scan measures the same as its grey version.
TEST(SkewFinder, ColourPageMeasuresLikeGrey) {
  const cv::Mat grey = testing::draw_page(scanned_page(-4.4, 3));
  cv::Mat colour;
  cv::cvtColor(grey, colour, cv::COLOR_GRAY2BGR);
  const SkewEstimate from_grey = find_skew(grey, SkewSettings{}, 300.0);
  const SkewEstimate from_colour = find_skew(colour, SkewSettings{}, 300.0);
  EXPECT_NEAR(from_grey.angle_deg, -4.4, 0.1);
  EXPECT_NEAR(from_colour.angle_deg, from_grey.angle_deg, 0.01);
}

//! The same page gives exactly the same estimate twice.
TEST(SkewFinder, IsDeterministic) {
  const cv::Mat page = testing::draw_page(scanned_page(2.2, 4));
  const SkewEstimate first = find_skew(page, SkewSettings{}, 300.0);
  const SkewEstimate second = find_skew(page, SkewSettings{}, 300.0);
  EXPECT_EQ(first.angle_deg, second.angle_deg);
  EXPECT_EQ(first.confidence, second.confidence);
}

//! A 200-dpi page, and one whose resolution is unknown, are measured as well as a 300-dpi one.
TEST(SkewFinder, WorksAtOtherResolutions) {
  testing::SyntheticPage spec = scanned_page(6.5, 5);
  spec.width_px = 1654;  // A4 at 200 dpi
  spec.height_px = 2339;
  spec.cell_px = 34;
  spec.margin_px = 170;
  spec.border_left_px = 40;
  const cv::Mat page = testing::draw_page(spec);
  EXPECT_NEAR(find_skew(page, SkewSettings{}, 200.0).angle_deg, 6.5, 0.1);
  EXPECT_NEAR(find_skew(page, SkewSettings{}).angle_deg, 6.5, 0.1);
}

//! Vertical text (a page turned a quarter) is measured by its columns with the same sign.
TEST(SkewFinder, MeasuresVerticalText) {
  cv::Mat page;
  cv::rotate(testing::draw_page(scanned_page(3.1, 6)), page, cv::ROTATE_90_CLOCKWISE);
  const SkewEstimate estimate = find_skew(page, SkewSettings{}, 300.0);
  EXPECT_NEAR(estimate.angle_deg, 3.1, 0.1);
  EXPECT_GE(estimate.confidence, kMinConfidence);
}

//! Uniform noise, a blank sheet and a dusty blank sheet give confidence below the default minimum.
TEST(SkewFinder, NoiseAndBlankPagesAreNotConfident) {
  const SkewEstimate noise = find_skew(testing::draw_noise_page(2480, 3508, 11), SkewSettings{}, 300.0);
  EXPECT_LT(noise.confidence, kMinConfidence / 2);
  const SkewEstimate blank = find_skew(testing::draw_blank_page(2480, 3508, 12), SkewSettings{}, 300.0);
  EXPECT_EQ(blank.confidence, 0.0);
  EXPECT_EQ(blank.angle_deg, 0.0);
  cv::Mat dusty = testing::draw_blank_page(2480, 3508, 13);
  cv::RNG rng(13);
  for (int i = 0; i < 3000; ++i) {
    const int size = rng.uniform(2, 7);
    cv::rectangle(dusty, cv::Rect(rng.uniform(0, 2470), rng.uniform(0, 3500), size, size), cv::Scalar(20), -1);
  }
  EXPECT_LT(find_skew(dusty, SkewSettings{}, 300.0).confidence, kMinConfidence / 2);
}

//! A skew beyond the search range is not reported with confidence as the range's end.
TEST(SkewFinder, SkewBeyondRangeIsNotConfident) {
  SkewSettings settings;
  settings.max_angle_deg = 5;
  const SkewEstimate estimate = find_skew(testing::draw_page(scanned_page(9, 7)), settings, 300.0);
  EXPECT_LT(estimate.confidence, kMinConfidence) << estimate.angle_deg << "°";
}

}  // namespace
}  // namespace lantai::deskew
