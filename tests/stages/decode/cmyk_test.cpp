// CMYK pages: converted to sRGB with their embedded ICC profile, colours measured against
// what the profile says; without a profile, refused.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/stages/decode/cmyk_files.h"
#include "tests/stages/decode/decode_test_support.h"
#include "tests/stages/decode/image_files.h"

namespace lantai::decode {
namespace {

using namespace lantai::test_images;

struct Patch {
  const char* name;
  double c, m, y, k;
};
// Paper, the inks, a red seal (M+Y), blue ink (C+M), greys from K, rich black, mid tones.
const Patch kPatches[] = {
    {"paper", 0, 0, 0, 0},         {"cyan", 1, 0, 0, 0},          {"magenta", 0, 1, 0, 0},
    {"yellow", 0, 0, 1, 0},        {"seal red", 0, 1, 1, 0},      {"blue ink", 1, 1, 0, 0},
    {"grey 50% K", 0, 0, 0, 0.5},  {"black K", 0, 0, 0, 1},       {"rich black", 0.6, 0.5, 0.4, 1},
    {"faded red", 0.05, 0.45, 0.4, 0.1}, {"ochre", 0.1, 0.3, 0.8, 0.2}, {"slate", 0.5, 0.3, 0.2, 0.3},
};
constexpr int kPatchPx = 24;
// The table interpolates a curved model from 17 points an axis, and the JPEG loses a little.
constexpr double kMaxDeltaE = 1.0;

// One row of patches, 8 or 16 bits.
cv::Mat patch_strip(int depth) {
  const int count = static_cast<int>(std::size(kPatches));
  cv::Mat strip(kPatchPx, kPatchPx * count, depth == CV_16U ? CV_16UC4 : CV_8UC4);
  const double most = depth == CV_16U ? 65535 : 255;
  for (int i = 0; i < count; ++i) {
    const Patch& p = kPatches[i];
    strip(cv::Rect(i * kPatchPx, 0, kPatchPx, kPatchPx))
        .setTo(cv::Scalar(std::round(p.c * most), std::round(p.m * most), std::round(p.y * most), std::round(p.k * most)));
  }
  return strip;
}

// The largest ΔE2000 between each patch's centre and the colour the profile gives it.
double worst_delta_e(const cv::Mat& bgr) {
  double worst = 0;
  for (int i = 0; i < static_cast<int>(std::size(kPatches)); ++i) {
    const Patch& p = kPatches[i];
    const cv::Vec3b got = bgr.at<cv::Vec3b>(kPatchPx / 2, i * kPatchPx + kPatchPx / 2);
    const cv::Vec3b want = model_cmyk_to_bgr(p.c, p.m, p.y, p.k);
    const double delta = delta_e_2000(got, want);
    EXPECT_LE(delta, kMaxDeltaE) << p.name << ": got BGR " << got << ", want " << want;
    worst = std::max(worst, delta);
  }
  return worst;
}

//! An 8-bit CMYK TIFF with its ICC profile becomes sRGB colour within ΔE2000 1 of what the profile says, for every patch.
TEST_F(DecodeTest, CmykTiffConvertedWithItsProfile) {
  write_tiff_cmyk(path("cmyk.tif"), patch_strip(CV_8U), model_cmyk_profile());
  ::testing::internal::CaptureStderr();
  const Decoded d = decode("cmyk.tif");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_TRUE(d.outcome.findings.empty()) << (d.outcome.findings.empty() ? "" : d.outcome.findings[0].message);
  ASSERT_EQ(d.page.image.type(), CV_8UC3);
  EXPECT_EQ(d.page.facts.colour_mode, ColourMode::colour);
  EXPECT_DOUBLE_EQ(d.page.facts.resolution_dpi.value_or(0), 300);
  std::cout << "8-bit CMYK TIFF: worst ΔE2000 " << worst_delta_e(d.page.image) << "\n";
}

//! A 16-bit CMYK TIFF converts as well as an 8-bit one.
TEST_F(DecodeTest, Cmyk16BitTiffConverted) {
  write_tiff_cmyk(path("cmyk16.tif"), patch_strip(CV_16U), model_cmyk_profile());
  const Decoded d = decode("cmyk16.tif");
  EXPECT_TRUE(d.outcome.findings.empty()) << (d.outcome.findings.empty() ? "" : d.outcome.findings[0].message);
  ASSERT_EQ(d.page.image.type(), CV_8UC3);
  std::cout << "16-bit CMYK TIFF: worst ΔE2000 " << worst_delta_e(d.page.image) << "\n";
}

//! An Adobe CMYK JPEG (inverted inks) with its ICC profile converts within the same ΔE.
TEST_F(DecodeTest, CmykJpegConvertedWithItsProfile) {
  write_jpeg_cmyk(path("cmyk.jpg"), patch_strip(CV_8U), model_cmyk_profile());
  const Decoded d = decode("cmyk.jpg");
  EXPECT_EQ(codes_of(d.outcome), std::vector<std::string>{"decode.resolution_missing"});
  ASSERT_EQ(d.page.image.type(), CV_8UC3);
  EXPECT_EQ(d.page.facts.colour_mode, ColourMode::colour);
  std::cout << "CMYK JPEG: worst ΔE2000 " << worst_delta_e(d.page.image) << "\n";
}

//! CMYK without an ICC profile, TIFF or JPEG, is decode.unsupported saying so, not given guessed colours.
TEST_F(DecodeTest, CmykWithoutProfileIsRefused) {
  write_tiff_cmyk(path("bare.tif"), patch_strip(CV_8U), "");
  write_jpeg_cmyk(path("bare.jpg"), patch_strip(CV_8U), "");
  for (const char* name : {"bare.tif", "bare.jpg"}) {
    SCOPED_TRACE(name);
    const Decoded d = decode(name);
    ASSERT_EQ(codes_of(d.outcome), std::vector<std::string>{"decode.unsupported"});
    EXPECT_NE(d.outcome.findings[0].message.find("CMYK without an ICC profile"), std::string::npos)
        << d.outcome.findings[0].message;
    EXPECT_TRUE(d.page.image.empty());
  }
}

//! An embedded profile that is not CMYK (an RGB one) is decode.unsupported naming it.
TEST_F(DecodeTest, CmykWithWrongProfileIsRefused) {
  const std::string srgb = read_bytes("/usr/share/color/icc/sRGB.icc");
  ASSERT_FALSE(srgb.empty());
  write_tiff_cmyk(path("rgbprofile.tif"), patch_strip(CV_8U), srgb);
  const Decoded d = decode("rgbprofile.tif");
  ASSERT_EQ(codes_of(d.outcome), std::vector<std::string>{"decode.unsupported"});
  EXPECT_NE(d.outcome.findings[0].message.find("not a CMYK profile"), std::string::npos);
}

}  // namespace
}  // namespace lantai::decode
