// Derivatives: named by 档号 and serial, written atomically, deterministic bytes.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <opencv2/imgproc.hpp>

#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "pipeline/jp2_codec.h"
#include "pipeline/jpeg_codec.h"
#include "pipeline/tiff_codec.h"
#include "samples/text_renderer.h"
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

// A set-up stage writing below work, from the body of a "derivatives:" section, and a
// colour page to store.
DerivativeStage stage_in(const std::filesystem::path& work, const std::string& section_yaml = "{}") {
  std::filesystem::remove_all(work);
  DerivativeStage stage;
  YAML::Node node = YAML::Load(section_yaml);
  ProfileSection section("test.yaml", "derivatives", node);
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

// A page with what lossless coding must keep: a gradient, fine lines, a red seal, noise.
cv::Mat detailed_page(int channels) {
  cv::Mat image(310, 233, CV_8UC3);  // odd sizes: no codec block lines up
  for (int y = 0; y < image.rows; ++y)
    for (int x = 0; x < image.cols; ++x)
      image.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<unsigned char>(x), static_cast<unsigned char>(y * 0.8),
                                            static_cast<unsigned char>((x + y) % 256));
  cv::circle(image, {120, 150}, 60, cv::Scalar(30, 30, 210), 8);
  cv::line(image, {0, 10}, {232, 12}, cv::Scalar(0, 0, 0), 1);
  cv::Mat noise(image.size(), CV_8UC3);
  cv::randu(noise, 0, 8);
  image += noise;
  if (channels == 1) cv::cvtColor(image, image, cv::COLOR_BGR2GRAY);
  return image;
}

std::string output_bytes(const std::filesystem::path& work, const Outcome& outcome) {
  return read_file(work / std::filesystem::u8path(outcome.outputs.at(0).path));
}

struct LosslessCase {
  const char* name;  // the test's name: ctest runs each case by it
  const char* section;
  const char* extension;
  int channels;
};

void PrintTo(const LosslessCase& c, std::ostream* out) { *out << c.name; }

class LosslessDerivative : public ::testing::TestWithParam<LosslessCase> {};

//! Lossless derivatives (TIFF LZW and Deflate, JP2 lossless; grey and colour) hold exactly the page's pixels and its resolution, and reload them.
TEST_P(LosslessDerivative, RoundTripsPixelsAndResolution) {
  const LosslessCase& c = GetParam();
  // One folder per case: ctest runs them at once.
  const auto work = std::filesystem::temp_directory_path() / (std::string("lantai-derivatives-lossless-") + c.name);
  const DerivativeStage stage = stage_in(work, c.section);
  const cv::Mat pixels = detailed_page(c.channels);
  const Item page = stage_testing::page_item(pixels, 400.0);
  const Outcome outcome = stage.process(page);
  ASSERT_EQ(outcome.outputs.size(), 1u);
  ASSERT_TRUE(outcome.image.has_value());
  EXPECT_EQ(outcome.outputs[0].path, std::string("derivatives/J012-WS·2021-Y-BGS-0001/0001") + c.extension);
  const std::string bytes = output_bytes(work, outcome);
  const cv::Mat stored = decode_derivative(bytes);
  ASSERT_EQ(stored.type(), pixels.type());
  EXPECT_EQ(cv::norm(stored, pixels, cv::NORM_INF), 0);
  EXPECT_EQ(cv::norm(*outcome.image, pixels, cv::NORM_INF), 0);
  const std::optional<cv::Mat> reloaded = stage.reload_image(page, outcome.outputs);
  ASSERT_TRUE(reloaded.has_value());
  EXPECT_EQ(cv::norm(*reloaded, pixels, cv::NORM_INF), 0);
  if (std::string(c.extension) == ".tif") {
    const TiffPage tiff = decode_tiff(bytes);
    EXPECT_DOUBLE_EQ(tiff.x_dpi.value_or(0), 400);
    EXPECT_DOUBLE_EQ(tiff.y_dpi.value_or(0), 400);
  } else {
    const auto header = parse_jp2_header({reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()});
    ASSERT_TRUE(header);
    EXPECT_EQ(header->resolution_box, "resc");
    EXPECT_DOUBLE_EQ(header->x_dpi.value_or(0), 400);
    EXPECT_DOUBLE_EQ(header->y_dpi.value_or(0), 400);
  }
  // Deterministic: the same page gives the same bytes.
  const Outcome again = stage_in(work, c.section).process(page);
  EXPECT_EQ(again.outputs[0].sha256, outcome.outputs[0].sha256);
}

INSTANTIATE_TEST_SUITE_P(Formats, LosslessDerivative,
                         ::testing::Values(LosslessCase{"TiffLzwColour", "{format: tiff, tiff_compression: lzw}", ".tif", 3},
                                           LosslessCase{"TiffDeflateGrey", "{format: tiff, tiff_compression: deflate}", ".tif", 1},
                                           LosslessCase{"TiffDefaultGrey", "{format: tiff}", ".tif", 1},
                                           LosslessCase{"Jp2Colour", "{format: jp2}", ".jp2", 3},
                                           LosslessCase{"Jp2LosslessGrey", "{format: jp2, jp2: lossless}", ".jp2", 1}),
                         [](const ::testing::TestParamInfo<LosslessCase>& info) { return std::string(info.param.name); });

//! A lossless JP2 of a page spanning several 1024 px tiles, with part tiles at its edges, holds exactly its pixels.
TEST(DerivativeStage, Jp2OverSeveralTilesIsExact) {
  cv::Mat page(1300, 2100, CV_8UC3);
  cv::randu(page, 0, 256);
  cv::circle(page, {1024, 1024}, 300, cv::Scalar(30, 30, 210), 12);  // across the tile corners
  const std::string bytes = encode_jp2(page, Jp2Encoding{}, 300.0);
  EXPECT_EQ(cv::norm(decode_jp2(bytes), page, cv::NORM_INF), 0);
}

//! A G4 derivative is the page made black and white at its Otsu threshold (recorded), 1 bit a pixel, with its resolution.
TEST(DerivativeStage, G4IsBlackAndWhiteAtOtsusThreshold) {
  const auto work = std::filesystem::temp_directory_path() / "lantai-derivatives-g4";
  const DerivativeStage stage = stage_in(work, "{format: tiff, tiff_compression: g4}");
  cv::Mat text(200, 300, CV_8UC1, cv::Scalar(235));  // paper
  cv::putText(text, "DA/T 31", {20, 120}, cv::FONT_HERSHEY_SIMPLEX, 2.0, cv::Scalar(40), 4);  // ink
  const Item page = stage_testing::page_item(text, 300.0);
  const Outcome outcome = stage.process(page);
  const double threshold = outcome.measurements.number("bitonal_threshold").value_or(-1);
  EXPECT_GE(threshold, 40);  // ink at or below it turns black
  EXPECT_LT(threshold, 235);
  const TiffPage stored = decode_tiff(output_bytes(work, outcome));
  EXPECT_EQ(stored.bits_per_sample, 1);
  EXPECT_DOUBLE_EQ(stored.x_dpi.value_or(0), 300);
  cv::Mat expected;
  cv::threshold(text, expected, threshold, 255, cv::THRESH_BINARY);
  EXPECT_EQ(cv::norm(stored.image, expected, cv::NORM_INF), 0);
  EXPECT_EQ(cv::norm(*outcome.image, expected, cv::NORM_INF), 0);
  EXPECT_GT(cv::countNonZero(stored.image == 0), 500);  // the ink is there, black
  // A page already black and white stays exactly as it is.
  const Outcome bilevel = stage.process(stage_testing::page_item(expected, 300.0));
  EXPECT_EQ(cv::norm(decode_tiff(output_bytes(work, bilevel)).image, expected, cv::NORM_INF), 0);
}

// The shipped bitonal text profile's derivatives section, with extra keys appended.
DerivativeStage bitonal_profile_stage(const std::filesystem::path& work, const std::string& extra_yaml = "") {
  const auto profile = std::filesystem::path(LANTAI_SOURCE_DIR) / "profiles/da-t31-2017-bitonal-text.yaml";
  YAML::Node node = YAML::LoadFile(profile.string())["derivatives"];
  const YAML::Node extra = YAML::Load(extra_yaml.empty() ? "{}" : extra_yaml);
  for (const auto& entry : extra) node[entry.first.as<std::string>()] = entry.second;
  std::filesystem::remove_all(work);
  DerivativeStage stage;
  ProfileSection section("da-t31-2017-bitonal-text.yaml", "derivatives", node);
  stage.setup(section, StageContext{work, {}, 1});
  return stage;
}

// A 150-dpi A4 colour scan of a typed 文书 on slightly aged paper, stored as JPEG once
// (its colour fringes at the ink), with a red seal over the signature, a red header
// (红头) or neither.
enum class Red { none, seal, header };
cv::Mat scanned_text_page(Red red) {
  samples::TextRenderer text;
  cv::Mat page(1754, 1240, CV_8UC3, cv::Scalar(214, 228, 236));  // aged paper: chroma 22
  const cv::Scalar ink(35, 35, 35), red_ink(40, 40, 200);
  int baseline = 260;
  if (red == Red::header) {
    text.draw(page, U"临江市档案局文件", 330, baseline, 64, samples::FontWeight::bold, red_ink);
    cv::line(page, {140, baseline + 40}, {1100, baseline + 40}, red_ink, 4);
  }
  for (int line = 0; line < 26; ++line) {
    baseline += 48;
    text.draw(page, U"根据档案数字化工作要求，现将有关事项通知如下，请各单位认真贯彻执行。", 150, baseline, 28,
              samples::FontWeight::regular, ink);
  }
  if (red == Red::seal) {
    const cv::Point centre(900, 1500);
    cv::circle(page, centre, 118, red_ink, 7, cv::LINE_AA);
    std::vector<cv::Point> star;
    for (int i = 0; i < 10; ++i) {
      const double angle = -CV_PI / 2 + i * CV_PI / 5, radius = i % 2 ? 14 : 36;
      star.emplace_back(centre.x + static_cast<int>(radius * std::cos(angle)),
                        centre.y + static_cast<int>(radius * std::sin(angle)));
    }
    cv::fillPoly(page, std::vector<std::vector<cv::Point>>{star}, red_ink, cv::LINE_AA);
    text.draw(page, U"临江市档案局", centre.x - 90, centre.y + 75, 30, samples::FontWeight::bold, red_ink);
  }
  return decode_jpeg(encode_jpeg(page, 90, 150.0));
}

//! Under the shipped bitonal text profile, a colour scan with a red seal, or a red header, is not made black and white: derivatives.colour_content (reject, so the page waits for review) with the colour share and the threshold, and no file is written; the same text page without red is stored as G4.
TEST(DerivativeStage, BitonalProfileSendsRedSealsToReview) {
  const auto work = std::filesystem::temp_directory_path() / ("lantai-derivatives-red-" + std::to_string(::getpid()));
  const DerivativeStage stage = bitonal_profile_stage(work);
  ASSERT_EQ(stage.settings().tiff_compression, TiffCompression::g4);
  for (Red red : {Red::seal, Red::header}) {
    SCOPED_TRACE(red == Red::seal ? "seal" : "header");
    const Outcome outcome = stage.process(stage_testing::page_item(scanned_text_page(red), 150.0));
    ASSERT_EQ(outcome.findings.size(), 1u);
    EXPECT_EQ(outcome.findings[0].code, "derivatives.colour_content");
    EXPECT_TRUE(outcome.rejected());
    EXPECT_EQ(outcome.findings[0].threshold, "0.000200");
    EXPECT_GT(std::stod(outcome.findings[0].value), 0.0002);
    EXPECT_NE(outcome.findings[0].message.find("DA/T 31-2017 9.3"), std::string::npos);
    EXPECT_TRUE(outcome.outputs.empty());
    EXPECT_FALSE(outcome.image.has_value());
  }
  const Outcome clean = stage.process(stage_testing::page_item(scanned_text_page(Red::none), 150.0));
  EXPECT_TRUE(clean.findings.empty()) << clean.findings.at(0).message;
  EXPECT_LT(clean.measurements.number("colour_share").value_or(1), 0.0002);
  ASSERT_EQ(clean.outputs.size(), 1u);
  EXPECT_EQ(decode_tiff(output_bytes(work, clean)).bits_per_sample, 1);
  std::filesystem::remove_all(work);
}

//! With keep_colour_pages, the red-seal page is stored in colour, TIFF LZW, pixel for pixel, with derivatives.kept_in_colour (info).
TEST(DerivativeStage, BitonalProfileCanKeepColourPagesInColour) {
  const auto work = std::filesystem::temp_directory_path() / ("lantai-derivatives-keep-" + std::to_string(::getpid()));
  const DerivativeStage stage = bitonal_profile_stage(work, "{keep_colour_pages: true}");
  const cv::Mat sealed = scanned_text_page(Red::seal);
  const Outcome outcome = stage.process(stage_testing::page_item(sealed, 150.0));
  ASSERT_EQ(outcome.findings.size(), 1u);
  EXPECT_EQ(outcome.findings[0].code, "derivatives.kept_in_colour");
  EXPECT_FALSE(outcome.rejected());
  const TiffPage stored = decode_tiff(output_bytes(work, outcome));
  EXPECT_EQ(stored.image.channels(), 3);
  EXPECT_EQ(cv::norm(stored.image, sealed, cv::NORM_INF), 0);
  std::filesystem::remove_all(work);
}

//! Lossy JP2 at a ratio is about that much smaller than the raw page, keeps its colours close, and hands on what it holds.
TEST(DerivativeStage, LossyJp2AtItsRatio) {
  const auto work = std::filesystem::temp_directory_path() / "lantai-derivatives-jp2-lossy";
  const DerivativeStage stage = stage_in(work, "{format: jp2, jp2: lossy, jp2_compression_ratio: 10}");
  const cv::Mat pixels = detailed_page(3);
  const Outcome outcome = stage.process(stage_testing::page_item(pixels, 300.0));
  const std::string bytes = output_bytes(work, outcome);
  EXPECT_LT(bytes.size(), pixels.total() * 3 / 10 * 1.1);
  EXPECT_EQ(cv::norm(*outcome.image, decode_derivative(bytes), cv::NORM_INF), 0);
  EXPECT_LT(cv::norm(*outcome.image, pixels, cv::NORM_L1) / (pixels.total() * 3.0), 4.0);
  EXPECT_GT(cv::norm(*outcome.image, pixels, cv::NORM_INF), 0);  // lossy indeed
}

//! setup() refuses an unknown format or compression and a ratio out of range.
TEST(DerivativeStage, SetupRefusesBadValues) {
  const auto work = std::filesystem::temp_directory_path() / "lantai-derivatives-setup";
  EXPECT_THROW(stage_in(work, "{format: png}"), ProfileError);
  EXPECT_THROW(stage_in(work, "{tiff_compression: jpeg}"), ProfileError);
  EXPECT_THROW(stage_in(work, "{jp2_compression_ratio: 1}"), ProfileError);
  EXPECT_THROW(stage_in(work, "{jp2_quality: 3}"), ProfileError);
  EXPECT_EQ(stage_in(work, "{format: jp2, jp2: lossy}").settings().format, Format::jp2);
}

}  // namespace
}  // namespace lantai::derivatives
