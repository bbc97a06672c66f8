#include <gtest/gtest.h>
#include <tiffio.h>

#include "tests/stages/decode/decode_test_support.h"
#include "tests/stages/decode/image_files.h"

namespace lantai::decode {
namespace {

using namespace lantai::test_images;

struct TiffCase {
  const char* name;
  std::uint16_t compression;
  int channels;
  std::uint32_t tile_size;
};

class TiffRoundTrip : public DecodeTest, public ::testing::WithParamInterface<TiffCase> {};

//! Grey and RGB TIFFs, uncompressed, LZW and Deflate, in strips or tiles (with partial edge tiles), decode exactly.
TEST_P(TiffRoundTrip, DecodesExactly) {
  const TiffCase& c = GetParam();
  const cv::Mat drawn = draw_page(150, 70, c.channels);
  write_tiff(path("t.tif"), {drawn}, {.compression = c.compression, .resolution = 300.0f, .tile_size = c.tile_size});
  const Decoded d = decode("t.tif");
  EXPECT_TRUE(d.outcome.findings.empty()) << ::testing::PrintToString(codes_of(d.outcome));
  ASSERT_EQ(d.page.image.type(), c.channels == 1 ? CV_8UC1 : CV_8UC3);
  EXPECT_EQ(mean_difference(d.page.image, drawn), 0);
  EXPECT_EQ(d.page.facts.colour_mode, c.channels == 1 ? ColourMode::grey : ColourMode::colour);
  ASSERT_TRUE(d.page.facts.resolution_dpi);
  EXPECT_DOUBLE_EQ(*d.page.facts.resolution_dpi, 300);
}

INSTANTIATE_TEST_SUITE_P(Layouts, TiffRoundTrip,
                         ::testing::Values(TiffCase{"grey_none", COMPRESSION_NONE, 1, 0},
                                           TiffCase{"grey_lzw", COMPRESSION_LZW, 1, 0},
                                           TiffCase{"grey_deflate", COMPRESSION_ADOBE_DEFLATE, 1, 0},
                                           TiffCase{"rgb_none", COMPRESSION_NONE, 3, 0},
                                           TiffCase{"rgb_lzw", COMPRESSION_LZW, 3, 0},
                                           TiffCase{"rgb_deflate", COMPRESSION_ADOBE_DEFLATE, 3, 0},
                                           TiffCase{"grey_tiled_lzw", COMPRESSION_LZW, 1, 32},
                                           TiffCase{"rgb_tiled_deflate", COMPRESSION_ADOBE_DEFLATE, 3, 64}),
                         [](const auto& info) { return std::string(info.param.name); });

//! CCITT G4 bilevel (min-is-white) decodes to 0 for black and 255 for white, pixel for pixel, in strips and tiles.
TEST_F(DecodeTest, TiffG4BilevelRoundTrips) {
  cv::Mat page(101, 77, CV_8UC1, cv::Scalar(255));
  page(cv::Rect(10, 20, 30, 5)).setTo(0);
  page(cv::Rect(50, 60, 3, 30)).setTo(0);
  write_tiff(path("g4.tif"), {page}, {.compression = COMPRESSION_CCITTFAX4, .resolution = 200.0f, .bilevel = true});
  write_tiff(path("g4_tiled.tif"), {page},
             {.compression = COMPRESSION_CCITTFAX4, .resolution = 200.0f, .tile_size = 32, .bilevel = true});
  for (const char* name : {"g4.tif", "g4_tiled.tif"}) {
    const Decoded d = decode(name);
    EXPECT_TRUE(d.outcome.findings.empty()) << name << ::testing::PrintToString(codes_of(d.outcome));
    EXPECT_EQ(d.page.facts.colour_mode, ColourMode::bilevel) << name;
    ASSERT_EQ(d.page.image.type(), CV_8UC1) << name;
    EXPECT_EQ(mean_difference(d.page.image, page), 0) << name;
  }
}

//! An uncompressed 1-bit min-is-black TIFF honours its photometric: set bits are white.
TEST_F(DecodeTest, TiffBilevelMinIsBlack) {
  cv::Mat page(16, 19, CV_8UC1, cv::Scalar(0));
  page(cv::Rect(2, 2, 8, 8)).setTo(255);
  write_tiff(path("mib.tif"), {page}, {.bilevel = true, .photometric = PHOTOMETRIC_MINISBLACK});
  const Decoded d = decode("mib.tif");
  ASSERT_EQ(d.page.image.type(), CV_8UC1);
  EXPECT_EQ(mean_difference(d.page.image, page), 0);
}

//! An 8-bit min-is-white grey TIFF is inverted to the usual 0 = black, in one strip or many.
TEST_F(DecodeTest, TiffGreyMinIsWhite) {
  const cv::Mat drawn = draw_page(64, 48, 1);
  write_tiff(path("miw.tif"), {drawn}, {.rows_per_strip = 48, .photometric = PHOTOMETRIC_MINISWHITE});
  write_tiff(path("miw_lzw.tif"), {drawn},
             {.compression = COMPRESSION_LZW, .rows_per_strip = 5, .photometric = PHOTOMETRIC_MINISWHITE});
  for (const char* name : {"miw.tif", "miw_lzw.tif"}) {
    const Decoded d = decode(name);
    ASSERT_EQ(d.page.image.type(), CV_8UC1) << name;
    EXPECT_EQ(mean_difference(d.page.image, drawn), 0) << name;
  }
}

//! An RGBA TIFF (unassociated alpha) is composited on white: transparent pixels become paper.
TEST_F(DecodeTest, TiffAlphaCompositesOnWhite) {
  cv::Mat bgra(4, 4, CV_8UC4, cv::Scalar(10, 20, 30, 255));
  bgra.row(0).setTo(cv::Scalar(10, 20, 30, 0));
  write_tiff(path("alpha.tif"), {bgra}, {.compression = COMPRESSION_LZW});
  const Decoded d = decode("alpha.tif");
  ASSERT_EQ(d.page.image.type(), CV_8UC3);
  EXPECT_EQ(d.page.image.at<cv::Vec3b>(0, 1), cv::Vec3b(255, 255, 255));
  EXPECT_EQ(d.page.image.at<cv::Vec3b>(2, 1), cv::Vec3b(10, 20, 30));
}

//! In a three-page TIFF, frame 2 decodes the third page's content, not the first.
TEST_F(DecodeTest, TiffFrameTwoIsThirdPage) {
  const std::vector<cv::Mat> pages = {draw_page(60, 40, 1, 0), draw_page(60, 40, 1, 1), draw_page(80, 50, 1, 2)};
  write_tiff(path("multi.tif"), pages, {.compression = COMPRESSION_LZW, .resolution = 300.0f});
  const Decoded d = decode("multi.tif", 2);
  EXPECT_TRUE(d.outcome.findings.empty()) << ::testing::PrintToString(codes_of(d.outcome));
  EXPECT_EQ(d.page.facts.width_px, 80);
  ASSERT_EQ(d.page.image.size(), pages[2].size());
  EXPECT_EQ(mean_difference(d.page.image, pages[2]), 0);

  const Decoded missing = decode("multi.tif", 3);
  EXPECT_EQ(codes_of(missing.outcome), std::vector<std::string>{"decode.corrupt"});
}

//! 16-bit RGB TIFF samples scale to 8 bits.
TEST_F(DecodeTest, Tiff16BitRgbScalesTo8) {
  cv::Mat deep(3, 2, CV_16UC3, cv::Scalar(0, 32896, 65535));  // B, G, R
  write_tiff(path("deep.tif"), {deep}, {.compression = COMPRESSION_ADOBE_DEFLATE});
  const Decoded d = decode("deep.tif");
  ASSERT_EQ(d.page.image.type(), CV_8UC3);
  EXPECT_EQ(d.page.image.at<cv::Vec3b>(1, 1), cv::Vec3b(0, 128, 255));
}

//! A palette TIFF goes through libtiff's RGBA reader and keeps its colours, top row first.
TEST_F(DecodeTest, TiffPaletteThroughRgbaReader) {
  cv::Mat indices(8, 8, CV_8UC1, cv::Scalar(0));
  indices.row(0).setTo(1);
  write_tiff_palette(path("pal.tif"), indices, {{255, 255, 255}, {0, 128, 0}});
  const Decoded d = decode("pal.tif");
  ASSERT_EQ(d.page.image.type(), CV_8UC3);
  EXPECT_EQ(d.page.facts.colour_mode, ColourMode::colour);
  EXPECT_EQ(d.page.image.at<cv::Vec3b>(0, 3), cv::Vec3b(0, 128, 0));
  EXPECT_EQ(d.page.image.at<cv::Vec3b>(7, 3), cv::Vec3b(255, 255, 255));
}

//! ResolutionUnit centimetre converts to dpi; ResolutionUnit none means no resolution.
TEST_F(DecodeTest, TiffResolutionUnits) {
  write_tiff(path("cm.tif"), {draw_page(40, 40, 1)}, {.resolution = 118.11f, .resolution_unit = RESUNIT_CENTIMETER});
  const Decoded cm = decode("cm.tif");
  ASSERT_TRUE(cm.page.facts.resolution_dpi);
  EXPECT_NEAR(*cm.page.facts.resolution_dpi, 300, 0.01);

  write_tiff(path("none.tif"), {draw_page(40, 40, 1)}, {.resolution = 300.0f, .resolution_unit = RESUNIT_NONE});
  const Decoded none = decode("none.tif");
  EXPECT_EQ(codes_of(none.outcome), std::vector<std::string>{"decode.resolution_missing"});
  EXPECT_FALSE(none.page.facts.resolution_dpi);
}

}  // namespace
}  // namespace lantai::decode
