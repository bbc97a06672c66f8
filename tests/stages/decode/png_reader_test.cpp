#include <gtest/gtest.h>

#include "tests/stages/decode/decode_test_support.h"
#include "tests/stages/decode/image_files.h"

namespace lantai::decode {
namespace {

using namespace lantai::test_images;

//! A colour PNG with pHYs for 150 dpi (5906 dots/metre) round-trips exactly, as BGR, with 150 dpi.
TEST_F(DecodeTest, PngColourWithPhys150Dpi) {
  const cv::Mat drawn = draw_page(300, 200, 3);
  write_png(path("p.png"), drawn, 5906);
  const Decoded d = decode("p.png");
  EXPECT_TRUE(d.outcome.findings.empty()) << ::testing::PrintToString(codes_of(d.outcome));
  ASSERT_EQ(d.page.image.type(), CV_8UC3);
  EXPECT_EQ(mean_difference(d.page.image, drawn), 0);
  EXPECT_EQ(d.page.facts.colour_mode, ColourMode::colour);
  ASSERT_TRUE(d.page.facts.resolution_dpi);
  EXPECT_DOUBLE_EQ(*d.page.facts.resolution_dpi, 150);
}

//! A grey PNG without pHYs decodes exactly and warns decode.resolution_missing, without rejecting.
TEST_F(DecodeTest, PngGreyWithoutPhysWarnsMissing) {
  const cv::Mat drawn = draw_page(120, 90, 1);
  write_png(path("g.png"), drawn);
  const Decoded d = decode("g.png");
  EXPECT_EQ(codes_of(d.outcome), std::vector<std::string>{"decode.resolution_missing"});
  EXPECT_EQ(d.outcome.findings[0].severity, Severity::warn);
  EXPECT_EQ(d.outcome.findings[0].message.rfind(d.page.rel_path + ": ", 0), 0u);
  ASSERT_EQ(d.page.image.type(), CV_8UC1);
  EXPECT_EQ(mean_difference(d.page.image, drawn), 0);
  EXPECT_EQ(d.page.facts.colour_mode, ColourMode::grey);
}

//! 16-bit grey samples scale to 8 bits: 0 → 0, 32896 (128·257) → 128, 65535 → 255.
TEST_F(DecodeTest, Png16BitScalesTo8) {
  cv::Mat grey16(4, 3, CV_16UC1);
  for (int y = 0; y < 4; ++y) {
    grey16.at<std::uint16_t>(y, 0) = 0;
    grey16.at<std::uint16_t>(y, 1) = 32896;
    grey16.at<std::uint16_t>(y, 2) = 65535;
  }
  write_png_16bit(path("deep.png"), grey16);
  const Decoded d = decode("deep.png");
  ASSERT_EQ(d.page.image.type(), CV_8UC1);
  EXPECT_EQ(d.page.image.at<unsigned char>(2, 0), 0);
  EXPECT_EQ(d.page.image.at<unsigned char>(2, 1), 128);
  EXPECT_EQ(d.page.image.at<unsigned char>(2, 2), 255);
}

//! A colour palette expands to its BGR colours; a palette of greys gives a grey page.
TEST_F(DecodeTest, PngPaletteExpands) {
  cv::Mat indices(10, 10, CV_8UC1, cv::Scalar(0));
  indices(cv::Rect(0, 0, 5, 10)).setTo(1);
  write_png_palette(path("pal.png"), indices, {{255, 0, 0}, {0, 0, 255}});  // RGB: red, blue
  const Decoded colour = decode("pal.png");
  ASSERT_EQ(colour.page.image.type(), CV_8UC3);
  EXPECT_EQ(colour.page.facts.colour_mode, ColourMode::colour);
  EXPECT_EQ(colour.page.image.at<cv::Vec3b>(5, 2), cv::Vec3b(255, 0, 0));  // blue, as BGR
  EXPECT_EQ(colour.page.image.at<cv::Vec3b>(5, 8), cv::Vec3b(0, 0, 255));  // red

  write_png_palette(path("greys.png"), indices, {{10, 10, 10}, {200, 200, 200}});
  const Decoded grey = decode("greys.png");
  ASSERT_EQ(grey.page.image.type(), CV_8UC1);
  EXPECT_EQ(grey.page.facts.colour_mode, ColourMode::grey);
  EXPECT_EQ(grey.page.image.at<unsigned char>(5, 2), 200);
  EXPECT_EQ(grey.page.image.at<unsigned char>(5, 8), 10);
}

//! Alpha is composited on white paper: transparent → 255, opaque keeps its colour, half → between.
TEST_F(DecodeTest, PngAlphaCompositesOnWhite) {
  cv::Mat bgra(2, 3, CV_8UC4);
  for (int y = 0; y < 2; ++y) {
    bgra.at<cv::Vec4b>(y, 0) = {0, 0, 0, 0};
    bgra.at<cv::Vec4b>(y, 1) = {0, 0, 0, 255};
    bgra.at<cv::Vec4b>(y, 2) = {0, 0, 0, 128};
  }
  write_png(path("alpha.png"), bgra);
  const Decoded d = decode("alpha.png");
  ASSERT_EQ(d.page.image.type(), CV_8UC3);
  EXPECT_EQ(d.page.image.at<cv::Vec3b>(1, 0), cv::Vec3b(255, 255, 255));
  EXPECT_EQ(d.page.image.at<cv::Vec3b>(1, 1), cv::Vec3b(0, 0, 0));
  EXPECT_NEAR(d.page.image.at<cv::Vec3b>(1, 2)[0], 127, 1);
}

//! A 1-bit grey PNG is a bilevel page of exactly 0 and 255.
TEST_F(DecodeTest, PngOneBitIsBilevel) {
  cv::Mat black_white(20, 21, CV_8UC1, cv::Scalar(255));
  black_white(cv::Rect(3, 3, 9, 5)).setTo(0);
  write_png_bilevel(path("bw.png"), black_white);
  const Decoded d = decode("bw.png");
  EXPECT_EQ(d.page.facts.colour_mode, ColourMode::bilevel);
  ASSERT_EQ(d.page.image.type(), CV_8UC1);
  EXPECT_EQ(mean_difference(d.page.image, black_white), 0);
}

}  // namespace
}  // namespace lantai::decode
