// 拼接: a page scanned in two parts stitched back into one, at decode. The page is drawn
// (an A3 sheet: two 文书 pages in the sample lot's fonts side by side, rules across, a red
// seal), cut into two overlapping parts as a scanner's glass would take them (the second
// part turned and shifted a little), written as TIFF and read back through the stage.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <iostream>

#include <opencv2/imgproc.hpp>
#include <opencv2/calib3d.hpp>
#include <opencv2/features2d.hpp>

#include "samples/page_composer.h"
#include "samples/sample_document.h"
#include "samples/seeded_random.h"
#include "samples/text_renderer.h"
#include "stages/decode/page_stitcher.h"
#include "tests/stages/decode/decode_test_support.h"
#include "tests/stages/decode/image_files.h"

namespace lantai::decode {
namespace {

using namespace lantai::test_images;

const cv::Scalar kSealRed(40, 40, 205);  // BGR

struct Sheet {
  cv::Mat image;        // CV_8UC3
  cv::Point seal;       // the seal's centre
  int dpi = 300;
};

// An A3 sheet in landscape, as the sample lot's documents are painted: two pages of one
// document side by side (the first with its red letterhead, rule and seal), a rule drawn
// across both, and a red seal of our own on the right half.
Sheet draw_sheet(std::uint32_t seed, int dpi = 200) {
  samples::TextRenderer text;
  samples::SeededRandom random(seed);
  samples::PageComposer composer(text);
  const auto& documents = samples::sample_documents();
  const auto& document = documents[seed % documents.size()];
  const auto layouts = composer.lay_out(document, 2, static_cast<int>(seed % 20), random);
  cv::Mat l = composer.paint(layouts[0], dpi), r = composer.paint(layouts[1], dpi);
  if (l.channels() == 1) cv::cvtColor(l, l, cv::COLOR_GRAY2BGR);
  if (r.channels() == 1) cv::cvtColor(r, r, cv::COLOR_GRAY2BGR);
  Sheet sheet;
  cv::hconcat(l, r, sheet.image);
  sheet.dpi = dpi;
  const int unit = std::max(2, dpi / 100);
  cv::line(sheet.image, {sheet.image.cols / 20, sheet.image.rows * 7 / 8},
           {sheet.image.cols * 19 / 20, sheet.image.rows * 7 / 8}, cv::Scalar(30, 30, 30), unit);
  sheet.seal = {sheet.image.cols * 4 / 5, sheet.image.rows * 3 / 4};
  const int radius = dpi * 2 / 3;  // a 42 mm seal
  cv::circle(sheet.image, sheet.seal, radius, kSealRed, 4 * unit, cv::LINE_AA);
  cv::circle(sheet.image, sheet.seal, radius / 4, kSealRed, cv::FILLED, cv::LINE_AA);
  return sheet;
}

// What a scanner adds to each part on its own: a little noise.
void scanner_noise(cv::Mat& part, int seed) {
  cv::Mat noise(part.size(), part.type());
  cv::theRNG().state = static_cast<std::uint64_t>(seed);
  cv::randn(noise, cv::Scalar::all(0), cv::Scalar::all(3));
  cv::Mat signed_part;
  part.convertTo(signed_part, CV_16S);
  noise.convertTo(noise, CV_16S);
  cv::Mat noisy = signed_part + noise;
  noisy.convertTo(part, part.type());
}

struct Parts {
  cv::Mat a, b;
  int b_from = 0;  // the sheet's column where part b begins (before its turn)
};

// Left and right parts overlapping by `overlap` of a part; b turned by turn_deg about its
// centre and shifted, the glass's edges showing white. across: top and bottom instead.
Parts cut(const cv::Mat& whole, double overlap, double turn_deg, cv::Point2d shift, bool across = false) {
  cv::Mat sheet = whole;
  if (across) cv::rotate(whole, sheet, cv::ROTATE_90_CLOCKWISE);
  const int width = static_cast<int>(std::lround(sheet.cols / (2 - overlap)));
  Parts parts;
  parts.a = sheet(cv::Rect(0, 0, width, sheet.rows)).clone();
  parts.b_from = sheet.cols - width;
  const cv::Mat b = sheet(cv::Rect(parts.b_from, 0, width, sheet.rows));
  cv::Mat turn = cv::getRotationMatrix2D(cv::Point2f(width / 2.0f, sheet.rows / 2.0f), turn_deg, 1.0);
  turn.at<double>(0, 2) += shift.x;
  turn.at<double>(1, 2) += shift.y;
  cv::warpAffine(b, parts.b, turn, b.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(255));
  scanner_noise(parts.a, 1);
  scanner_noise(parts.b, 2);
  if (across) {
    cv::rotate(parts.a, parts.a, cv::ROTATE_90_COUNTERCLOCKWISE);
    cv::rotate(parts.b, parts.b, cv::ROTATE_90_COUNTERCLOCKWISE);
  }
  return parts;
}

class StitchTest : public DecodeTest {
 protected:
  Outcome stitch(const cv::Mat& a, const cv::Mat& b, int dpi) {
    write_tiff(path("0007a.tif"), {a}, {.compression = 5, .resolution = static_cast<float>(dpi), .rows_per_strip = 64});
    write_tiff(path("0007b.tif"), {b}, {.compression = 5, .resolution = static_cast<float>(dpi), .rows_per_strip = 64});
    Item item;
    item.rel_path = "J012-WS·2021-Y-BGS-0001/0007a.tif";
    item.source = path("0007a.tif");
    item.parts = {{"J012-WS·2021-Y-BGS-0001/0007a.tif", path("0007a.tif")},
                  {"J012-WS·2021-Y-BGS-0001/0007b.tif", path("0007b.tif")}};
    const auto started = std::chrono::steady_clock::now();
    Outcome outcome = stage_.process(item);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    std::cout << "stitched " << a.cols << "x" << a.rows << " + " << b.cols << "x" << b.rows << " in " << ms
              << " ms; " << outcome.measurements.text("stitch_seams") << "\n";
    return outcome;
  }
};

// The rotation and shift that carry the sheet onto the stitched page, found from ORB
// features of reduced copies (a check independent of the stitcher's own placement).
cv::Mat align(const cv::Mat& sheet, const cv::Mat& page) {
  constexpr double kScale = 0.25;
  cv::Mat s, p;
  cv::cvtColor(sheet, s, cv::COLOR_BGR2GRAY);
  cv::cvtColor(page, p, cv::COLOR_BGR2GRAY);
  cv::resize(s, s, cv::Size(), kScale, kScale, cv::INTER_AREA);
  cv::resize(p, p, cv::Size(), kScale, kScale, cv::INTER_AREA);
  cv::Ptr<cv::ORB> orb = cv::ORB::create(4000);
  std::vector<cv::KeyPoint> ks, kp;
  cv::Mat ds, dp;
  orb->detectAndCompute(s, cv::noArray(), ks, ds);
  orb->detectAndCompute(p, cv::noArray(), kp, dp);
  std::vector<cv::DMatch> matches;
  cv::BFMatcher(cv::NORM_HAMMING, true).match(ds, dp, matches);
  std::vector<cv::Point2f> from, to;
  for (const cv::DMatch& m : matches) {
    from.push_back(ks[m.queryIdx].pt * (1 / kScale));
    to.push_back(kp[m.trainIdx].pt * (1 / kScale));
  }
  cv::Mat warp = cv::estimateAffinePartial2D(from, to, cv::noArray(), cv::RANSAC, 3.0);
  EXPECT_FALSE(warp.empty());
  if (warp.empty()) warp = cv::Mat::eye(2, 3, CV_64F);
  warp.convertTo(warp, CV_32F);
  return warp;
}

//! Two parts overlapping by 40%, the second turned 0.4° and shifted: one page the sheet's size,
//! its content the sheet's, its colours unchanged inside each part, the seal still red.
TEST_F(StitchTest, TwoPartsMakeTheSheetAgain) {
  const Sheet sheet = draw_sheet(11, 300);
  const Parts parts = cut(sheet.image, 0.40, 0.4, {3, -5});
  const Outcome outcome = stitch(parts.a, parts.b, sheet.dpi);
  EXPECT_TRUE(outcome.findings.empty()) << ::testing::PrintToString(codes_of(outcome)) << " "
                                        << (outcome.findings.empty() ? "" : outcome.findings[0].message);
  ASSERT_TRUE(outcome.image);
  const cv::Mat& page = *outcome.image;
  ASSERT_EQ(page.type(), CV_8UC3);
  EXPECT_EQ(outcome.measurements.number("stitch_parts"), 2);
  EXPECT_NEAR(*outcome.measurements.number("stitch_overlap_share"), 0.40, 0.02);
  EXPECT_LT(*outcome.measurements.number("stitch_seam_error"), 12);
  EXPECT_EQ(outcome.measurements.number("resolution_dpi"), sheet.dpi);
  // Geometry: the sheet's size, give or take what the turn of part b adds at its corners.
  const int slack = static_cast<int>(std::ceil(sheet.image.rows * std::sin(0.4 * CV_PI / 180))) + 8;
  EXPECT_NEAR(page.cols, sheet.image.cols, slack);
  EXPECT_NEAR(page.rows, sheet.image.rows, slack);

  // Content: the sheet laid over the page matches it.
  const cv::Mat warp = align(sheet.image, page);
  cv::Mat laid;
  cv::warpAffine(sheet.image, laid, warp, page.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(255));
  cv::Mat laid_grey, page_grey, ncc;
  cv::cvtColor(laid, laid_grey, cv::COLOR_BGR2GRAY);
  cv::cvtColor(page, page_grey, cv::COLOR_BGR2GRAY);
  const cv::Rect inner(slack, slack, page.cols - 2 * slack, page.rows - 2 * slack);
  cv::matchTemplate(page_grey(inner), laid_grey(inner), ncc, cv::TM_CCOEFF_NORMED);
  std::cout << "normalised cross-correlation with the sheet: " << ncc.at<float>(0, 0) << "\n";
  EXPECT_GT(ncc.at<float>(0, 0), 0.9);

  // Colours: inside each part, away from the overlap and the edges, the mean colour is the sheet's.
  const int width = parts.a.cols;
  const cv::Rect only_a(slack + 20, slack + 20, parts.b_from - 2 * slack - 40, page.rows - 2 * slack - 40);
  const cv::Rect only_b(width + slack + 20, slack + 20, page.cols - width - 2 * slack - 40, page.rows - 2 * slack - 40);
  for (const cv::Rect& region : {only_a, only_b}) {
    const cv::Scalar stitched = cv::mean(page(region)), original = cv::mean(laid(region));
    std::cout << "mean colour difference inside a part (B, G, R): " << stitched[0] - original[0] << ", "
              << stitched[1] - original[1] << ", " << stitched[2] - original[2] << "\n";
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(stitched[c], original[c], 1.0) << "channel " << c;
  }
  // The seal, in part b only, is still red.
  cv::Point2f seal;
  seal.x = warp.at<float>(0, 0) * sheet.seal.x + warp.at<float>(0, 1) * sheet.seal.y + warp.at<float>(0, 2);
  seal.y = warp.at<float>(1, 0) * sheet.seal.x + warp.at<float>(1, 1) * sheet.seal.y + warp.at<float>(1, 2);
  const int core = sheet.dpi / 12;
  const cv::Scalar centre = cv::mean(page(cv::Rect(cvRound(seal.x) - core / 2, cvRound(seal.y) - core / 2, core, core)));
  EXPECT_GT(centre[2], 170);
  EXPECT_LT(centre[0], 80);
  EXPECT_LT(centre[1], 80);
}

//! Parts overlapping by 20% of a part: stitched, with stitch.low_overlap naming both parts.
TEST_F(StitchTest, TwentyPercentOverlapIsAFinding) {
  const Sheet sheet = draw_sheet(12);
  // Cut across, so the overlap holds text (the middle of the sheet, between its two pages,
  // is margin: 20% of a part there holds nothing to register).
  const Parts parts = cut(sheet.image, 0.20, 0.3, {2, 4}, true);
  const Outcome outcome = stitch(parts.a, parts.b, sheet.dpi);
  const Finding* low = find_code(outcome, "stitch.low_overlap");
  ASSERT_NE(low, nullptr) << ::testing::PrintToString(codes_of(outcome));
  EXPECT_EQ(low->severity, Severity::warn);
  EXPECT_NE(low->message.find("0007a.tif"), std::string::npos) << low->message;
  EXPECT_NE(low->message.find("0007b.tif"), std::string::npos) << low->message;
  EXPECT_NEAR(std::stod(low->value), 0.20, 0.02);
  EXPECT_EQ(low->threshold, "0.333");
  EXPECT_TRUE(outcome.image) << "a warning: the page goes on";
  EXPECT_FALSE(find_code(outcome, "stitch.seam_error"));
}

//! Parts of two different sheets: stitch.failed, a reject naming both files; no page handed on.
TEST_F(StitchTest, PartsOfTwoPagesFail) {
  const Parts first = cut(draw_sheet(13).image, 0.40, 0, {0, 0});
  const Parts second = cut(draw_sheet(14).image, 0.40, 0, {0, 0});
  const Outcome outcome = stitch(first.a, second.b, 300);
  const Finding* failed = find_code(outcome, "stitch.failed");
  ASSERT_NE(failed, nullptr) << ::testing::PrintToString(codes_of(outcome));
  EXPECT_EQ(failed->severity, Severity::reject);
  EXPECT_NE(failed->message.find("0007a.tif + J012-WS·2021-Y-BGS-0001/0007b.tif"), std::string::npos)
      << failed->message;
  EXPECT_FALSE(outcome.image);
  EXPECT_TRUE(outcome.rejected());
}

//! Each part is held to max_pixels, and so is the stitched page: two parts within it whose
//! page would not be are refused before the page is made.
TEST_F(StitchTest, TheStitchedPageIsHeldToMaxPixels) {
  const Sheet sheet = draw_sheet(15);
  const Parts parts = cut(sheet.image, 0.40, 0, {0, 0});
  const long long part_pixels = static_cast<long long>(parts.a.total());
  stage_ = configured("{max_pixels: " + std::to_string(part_pixels + 1000) + "}");
  const Outcome outcome = stitch(parts.a, parts.b, sheet.dpi);
  const Finding* large = find_code(outcome, "decode.too_large");
  ASSERT_NE(large, nullptr) << ::testing::PrintToString(codes_of(outcome));
  EXPECT_NE(large->message.find("0007a.tif + "), std::string::npos) << large->message;
  EXPECT_FALSE(outcome.image);

  stage_ = configured("{max_pixels: " + std::to_string(part_pixels - 1) + "}");
  const Outcome parts_too_large = stitch(parts.a, parts.b, sheet.dpi);
  EXPECT_EQ(codes_of(parts_too_large), (std::vector<std::string>{"decode.too_large", "decode.too_large"}));
}

//! A grey page in parts stays grey.
TEST_F(StitchTest, GreyPartsMakeAGreyPage) {
  const Sheet sheet = draw_sheet(16);
  cv::Mat grey;
  cv::cvtColor(sheet.image, grey, cv::COLOR_BGR2GRAY);
  const Parts parts = cut(grey, 0.45, 0.2, {0, 3});
  const Outcome outcome = stitch(parts.a, parts.b, sheet.dpi);
  ASSERT_TRUE(outcome.image) << ::testing::PrintToString(codes_of(outcome));
  EXPECT_EQ(outcome.image->type(), CV_8UC1);
  EXPECT_EQ(outcome.measurements.text("colour_mode"), "grey");
}

}  // namespace
}  // namespace lantai::decode
