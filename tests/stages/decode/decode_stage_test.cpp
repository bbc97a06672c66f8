#include <gtest/gtest.h>
#include <tiffio.h>

#include <cmath>
#include <thread>

#include "stages/decode/image_format.h"
#include "tests/stages/decode/decode_test_support.h"
#include "tests/stages/decode/image_files.h"

namespace lantai::decode {
namespace {

using namespace lantai::test_images;

//! A 72-dpi tag on a 2480 x 3508 px scan (an A4 page at 300 dpi) implies an 875 x 1238 mm page: implausible, not recorded.
TEST_F(DecodeTest, SeventyTwoDpiOnA4ScanIsImplausible) {
  write_jpeg(path("a4.jpg"), cv::Mat(3508, 2480, CV_8UC1, cv::Scalar(255)),
             {.density_unit = 1, .x_density = 72, .y_density = 72});
  const Decoded d = decode("a4.jpg");
  EXPECT_EQ(codes_of(d.outcome), std::vector<std::string>{"decode.resolution_implausible"});
  const Finding& finding = d.outcome.findings.front();
  EXPECT_EQ(finding.severity, Severity::warn);
  EXPECT_EQ(finding.value, "72");
  EXPECT_NE(finding.message.find("875 x 1238 mm"), std::string::npos) << finding.message;
  EXPECT_FALSE(d.page.facts.resolution_dpi) << "never silently 72";
  EXPECT_FALSE(d.page.image.empty()) << "a warning, the page goes on";
}

//! A 150-dpi tag on the same pixels (a 420 x 594 mm page) is plausible and read back as 150.
TEST_F(DecodeTest, HundredFiftyDpiIsRecorded) {
  write_jpeg(path("a2.jpg"), cv::Mat(3508, 2480, CV_8UC1, cv::Scalar(255)),
             {.density_unit = 1, .x_density = 150, .y_density = 150});
  const Decoded d = decode("a2.jpg");
  EXPECT_TRUE(d.outcome.findings.empty()) << ::testing::PrintToString(codes_of(d.outcome));
  ASSERT_TRUE(d.page.facts.resolution_dpi);
  EXPECT_DOUBLE_EQ(*d.page.facts.resolution_dpi, 150);
}

//! The page-size bound comes from the profile: raising it makes the 72-dpi A4 tag believable.
TEST_F(DecodeTest, PageSizeBoundFromProfile) {
  write_jpeg(path("a4.jpg"), cv::Mat(3508, 2480, CV_8UC1, cv::Scalar(255)),
             {.density_unit = 1, .x_density = 72, .y_density = 72});
  const Decoded d = decode_with(configured("{max_plausible_page_size_mm: 1500}"), "a4.jpg");
  EXPECT_TRUE(d.outcome.findings.empty()) << ::testing::PrintToString(codes_of(d.outcome));
  ASSERT_TRUE(d.page.facts.resolution_dpi);
  EXPECT_DOUBLE_EQ(*d.page.facts.resolution_dpi, 72);
}

//! Tags outside the dpi range, zero and NaN are implausible; anisotropic tags give the smaller axis.
TEST(JudgeResolution, RangeAxesAndNonsense) {
  const ResolutionRule rule;
  EXPECT_TRUE(judge_resolution({300, 300, "TIFF"}, 2480, 3508, rule).plausible);
  EXPECT_FALSE(judge_resolution({10, 10, "TIFF"}, 100, 100, rule).plausible);
  EXPECT_FALSE(judge_resolution({9600, 9600, "TIFF"}, 100, 100, rule).plausible);
  EXPECT_FALSE(judge_resolution({0, 0, "TIFF"}, 100, 100, rule).plausible);
  EXPECT_FALSE(judge_resolution({std::nan(""), 300, "TIFF"}, 100, 100, rule).plausible);
  const ResolutionVerdict fax = judge_resolution({204, 98, "TIFF"}, 1728, 1100, rule);
  EXPECT_TRUE(fax.plausible);
  EXPECT_DOUBLE_EQ(fax.dpi, 98);
  EXPECT_NEAR(fax.width_mm, 215.2, 0.1);
  EXPECT_NE(judge_resolution({72, 72, "JFIF"}, 2480, 3508, rule).reason.find("larger than 1200 mm"), std::string::npos);
}

//! Stored steps snap to whole dpi only within half a step.
TEST(SnapDpi, OnlyWithinHalfAStep) {
  EXPECT_DOUBLE_EQ(snap_dpi(118 * 2.54, 2.54), 300);
  EXPECT_DOUBLE_EQ(snap_dpi(5906 * 0.0254, 0.0254), 150);
  EXPECT_DOUBLE_EQ(snap_dpi(299.5, 0), 299.5);
}

//! Formats are told by their magic bytes; extensions only name what is promised.
TEST(ImageFormat, SniffsMagicAndExtensions) {
  const unsigned char jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0};
  const unsigned char bigtiff[] = {'M', 'M', 0, 43, 0, 8, 0, 0};
  const unsigned char jp2[] = {0, 0, 0, 0x0C, 'j', 'P', ' ', ' ', 0x0D, 0x0A, 0x87, 0x0A};
  EXPECT_EQ(sniff_format(jpeg).format, ImageFormat::jpeg);
  EXPECT_EQ(sniff_format(bigtiff).format, ImageFormat::tiff);
  const unsigned char j2k[] = {0xFF, 0x4F, 0xFF, 0x51, 0, 0x29};
  const unsigned char gif[] = {'G', 'I', 'F', '8', '9', 'a'};
  EXPECT_EQ(sniff_format(jp2).format, ImageFormat::jpeg2000);
  EXPECT_EQ(sniff_format(j2k).format, ImageFormat::jpeg2000);
  EXPECT_EQ(sniff_format(gif).other_name, "GIF");
  EXPECT_EQ(format_from_extension("scan.JP2"), ImageFormat::jpeg2000);
  EXPECT_EQ(format_from_extension("scan.jpx"), ImageFormat::jpeg2000);
  EXPECT_EQ(format_from_extension("scan.j2k"), ImageFormat::jpeg2000);
  EXPECT_EQ(format_from_extension("a/b/PAGE.TIFF"), ImageFormat::tiff);
  EXPECT_EQ(format_from_extension("scan.jpeg"), ImageFormat::jpeg);
  EXPECT_EQ(format_from_extension("scan.bmp"), ImageFormat::unknown);
  const unsigned char broken_jpeg[] = {0xFF, 0xD8, 0x00, 0x10};
  EXPECT_TRUE(has_damaged_signature(ImageFormat::jpeg, broken_jpeg));
  EXPECT_FALSE(has_damaged_signature(ImageFormat::png, broken_jpeg));
}

//! setup() refuses an unknown key, an out-of-range value and min ≥ max; describe() lists every param with its default.
TEST_F(DecodeTest, SetupValidatesProfile) {
  EXPECT_THROW(configured("{max_pixel: 5}"), ProfileError);
  EXPECT_THROW(configured("{max_pixels: 0}"), ProfileError);
  EXPECT_THROW(configured("{min_plausible_dpi: 600, max_plausible_dpi: 300}"), ProfileError);
  EXPECT_EQ(configured("{max_pixels: 1234}").settings().limits.max_pixels, 1234);

  const StageInfo info = DecodeStage().describe();
  EXPECT_EQ(info.id, "decode");
  std::vector<std::string> names;
  for (const auto& param : info.params) names.push_back(param.name + "=" + param.default_value);
  EXPECT_EQ(names, (std::vector<std::string>{"max_pixels=300000000", "min_plausible_dpi=50", "max_plausible_dpi=4800",
                                             "max_plausible_page_size_mm=1200", "stitch_min_overlap_share=0.333",
                                             "stitch_max_seam_error=12", "stitch_reject_seam_error=25"}));
  EXPECT_THROW(configured("{stitch_min_overlap_share: 1.5}"), ProfileError);
  EXPECT_THROW(configured("{stitch_max_seam_error: 30, stitch_reject_seam_error: 20}"), ProfileError);
}

//! One stage decodes different formats from eight threads at once with the same results as alone.
TEST_F(DecodeTest, ConcurrentDecodesAgree) {
  write_jpeg(path("a.jpg"), draw_page(300, 200, 3), {.density_unit = 1, .x_density = 300, .y_density = 300});
  write_png(path("b.png"), draw_page(300, 200, 1), 11811);
  write_tiff(path("c.tif"), {draw_page(300, 200, 3)}, {.compression = COMPRESSION_LZW, .resolution = 300.0f});
  keep_first_half(path("c.tif"));  // errors from threads must not cross
  write_jpeg(path("d.jpg"), draw_page(300, 200, 1));
  keep_first_half(path("d.jpg"));
  const std::vector<std::string> names = {"a.jpg", "b.png", "c.tif", "d.jpg"};
  std::vector<std::vector<std::string>> alone;
  for (const auto& name : names) alone.push_back(codes_of(decode(name).outcome));

  std::vector<std::vector<std::vector<std::string>>> seen(8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round)
        for (const auto& name : names) seen[t].push_back(codes_of(decode(name).outcome));
    });
  for (auto& thread : threads) thread.join();
  for (const auto& per_thread : seen)
    for (size_t i = 0; i < per_thread.size(); ++i) EXPECT_EQ(per_thread[i], alone[i % names.size()]);
  EXPECT_EQ(alone[2], std::vector<std::string>{"decode.truncated"});
  EXPECT_EQ(alone[3], std::vector<std::string>{"decode.truncated"});
}

}  // namespace
}  // namespace lantai::decode
