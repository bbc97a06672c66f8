#include <gtest/gtest.h>

#include "stages/decode/jpeg_reader.h"
#include "tests/stages/decode/decode_test_support.h"
#include "tests/stages/decode/image_files.h"

namespace lantai::decode {
namespace {

using namespace lantai::test_images;

//! A grey JPEG with a 300-dpi JFIF density decodes to CV_8UC1 close to what was drawn, with 300 dpi.
TEST_F(DecodeTest, JpegGreyWithDpiDensity) {
  const cv::Mat drawn = draw_page(320, 240, 1);
  write_jpeg(path("p.jpg"), drawn, {.density_unit = 1, .x_density = 300, .y_density = 300});
  const Decoded d = decode("p.jpg");
  EXPECT_TRUE(d.outcome.findings.empty()) << ::testing::PrintToString(codes_of(d.outcome));
  ASSERT_EQ(d.page.image.type(), CV_8UC1);
  EXPECT_EQ(d.page.facts.width_px, 320);
  EXPECT_EQ(d.page.facts.height_px, 240);
  EXPECT_EQ(d.page.facts.colour_mode, ColourMode::grey);
  EXPECT_LT(mean_difference(d.page.image, drawn), 3.0);
  ASSERT_TRUE(d.page.facts.resolution_dpi);
  EXPECT_DOUBLE_EQ(*d.page.facts.resolution_dpi, 300);
}

//! A colour JPEG decodes to BGR order (a blue box stays blue), and a JFIF without a unit warns resolution_missing.
TEST_F(DecodeTest, JpegColourIsBgrAndUnitlessDensityIsMissing) {
  cv::Mat drawn(200, 200, CV_8UC3, cv::Scalar(255, 255, 255));
  drawn(cv::Rect(50, 50, 100, 100)).setTo(cv::Scalar(200, 30, 30));  // BGR: blue
  write_jpeg(path("blue.jpeg"), drawn);
  const Decoded d = decode("blue.jpeg");
  ASSERT_EQ(d.page.image.type(), CV_8UC3);
  EXPECT_EQ(d.page.facts.colour_mode, ColourMode::colour);
  const cv::Vec3b centre = d.page.image.at<cv::Vec3b>(100, 100);
  EXPECT_GT(centre[0], 170);
  EXPECT_LT(centre[2], 70);
  EXPECT_LT(mean_difference(d.page.image, drawn), 3.0);
  EXPECT_EQ(codes_of(d.outcome), std::vector<std::string>{"decode.resolution_missing"});
  EXPECT_FALSE(d.outcome.rejected());
  EXPECT_FALSE(d.page.facts.resolution_dpi);
}

//! A JFIF density in dots/cm (118, as written for 300 dpi) reads back as 300 dpi.
TEST_F(DecodeTest, JpegDotsPerCentimetreSnapToWholeDpi) {
  write_jpeg(path("cm.jpg"), draw_page(100, 100, 1), {.density_unit = 2, .x_density = 118, .y_density = 118});
  const Decoded d = decode("cm.jpg");
  ASSERT_TRUE(d.page.facts.resolution_dpi);
  EXPECT_DOUBLE_EQ(*d.page.facts.resolution_dpi, 300);
}

//! Without JFIF, EXIF's XResolution/YResolution give the resolution (big-endian EXIF too).
TEST_F(DecodeTest, JpegExifResolutionWhenNoJfif) {
  write_jpeg(path("exif.jpg"), draw_page(100, 100, 3), {.jfif = false, .exif_app1 = exif_payload(400, 400, 2, false)});
  const Decoded d = decode("exif.jpg");
  EXPECT_TRUE(d.outcome.findings.empty()) << ::testing::PrintToString(codes_of(d.outcome));
  ASSERT_TRUE(d.page.facts.resolution_dpi);
  EXPECT_DOUBLE_EQ(*d.page.facts.resolution_dpi, 400);
}

//! A CMYK JPEG without an ICC profile is refused as unsupported, not decoded with guessed colours.
TEST_F(DecodeTest, JpegCmykIsUnsupported) {
  write_jpeg(path("cmyk.jpg"), draw_page(64, 64, 1), {.cmyk = true});
  const Decoded d = decode("cmyk.jpg");
  EXPECT_EQ(codes_of(d.outcome), std::vector<std::string>{"decode.unsupported"});
  EXPECT_NE(d.outcome.findings[0].message.find("CMYK without an ICC profile"), std::string::npos);
  EXPECT_TRUE(d.page.image.empty());
}

//! The EXIF parser reads unit cm and refuses malformed or cut payloads without reading past them.
TEST(ExifResolution, ParsesAndRefusesMalformed) {
  const std::string payload = test_images::exif_payload(118, 118, 3);
  const auto* bytes = reinterpret_cast<const unsigned char*>(payload.data());
  auto cm = exif_resolution({bytes, payload.size()});
  ASSERT_TRUE(cm);
  EXPECT_NEAR(cm->x_dpi, 299.72, 0.01);  // a TIFF rational is exact: no snapping
  EXPECT_FALSE(exif_resolution({bytes, payload.size()}).value().source.empty());
  for (size_t cut = 0; cut < payload.size(); ++cut)
    EXPECT_FALSE(exif_resolution({bytes, cut})) << "cut at " << cut;
  const std::string unitless = test_images::exif_payload(300, 300, 1);
  EXPECT_FALSE(exif_resolution({reinterpret_cast<const unsigned char*>(unitless.data()), unitless.size()}));
}

}  // namespace
}  // namespace lantai::decode
