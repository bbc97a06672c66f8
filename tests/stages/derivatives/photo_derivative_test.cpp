// The photo's master and access copy, on photos made at test time run through the real
// decode and photo_quality stages: the master byte for byte, the access copy upright by
// EXIF Orientation with the master's ICC profile, its colours the master's.
#include <gtest/gtest.h>

#include <unistd.h>

#include <opencv2/imgproc.hpp>

#include <filesystem>

#include <yaml-cpp/yaml.h>

#include "pipeline/jpeg_codec.h"
#include "stages/decode/decode_stage.h"
#include "stages/derivatives/photo_derivative_stage.h"
#include "stages/quality/photo_quality_stage.h"
#include "tests/stages/item_stage_support.h"
#include "tests/support/photo_files.h"

namespace lantai::derivatives {
namespace {

namespace fs = std::filesystem;
using stage_testing::run_stage;

const std::string kRef = "J012-ZP·2021-Y-0001";
const test_photos::Exif kScanner{"2021:05:12 10:20:30", "Epson", "Perfection V850", 0, 2, 600};

fs::path work() {
  static const fs::path dir = [] {
    // One folder per test process: ctest runs this binary's tests side by side.
    const fs::path d = fs::temp_directory_path() / ("lantai-photo-derivative-test-" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d / "in" / fs::u8path(kRef));
    return d;
  }();
  return dir;
}

template <class S>
S set_up(const std::string& id, const std::string& yaml = "{}") {
  ProfileSection section("test.yaml", id, YAML::Load(yaml));
  S stage;
  stage.setup(section, {work() / "work", work() / "in"});
  section.finish();
  return stage;
}

// The photo chain after the virus scan: decode, photo_quality, photo_derivatives.
Outcome run_chain(const fs::path& file, const std::string& yaml = "{}") {
  Item item = test_photos::photo_item(kRef, file);
  run_stage(set_up<decode::DecodeStage>("decode"), item);
  run_stage(set_up<quality::PhotoQualityStage>("photo_quality"), item);
  return run_stage(set_up<PhotoDerivativeStage>("photo_derivatives", yaml), item);
}

const StageOutput* output_of(const Outcome& outcome, const std::string& kind) {
  for (const StageOutput& output : outcome.outputs)
    if (output.kind == kind) return &output;
  return nullptr;
}

cv::Scalar mean_in(const cv::Mat& image, const cv::Rect& area) {
  // Away from the patch's edges, where JPEG rings.
  const cv::Rect inner(area.x + area.width / 4, area.y + area.height / 4, area.width / 2, area.height / 2);
  return cv::mean(image(inner));
}

//! The master is the original byte for byte, named by content; the access copy carries the master's ICC profile and keeps the red patch red.
TEST(PhotoDerivatives, MasterAsScannedAccessCopyWithItsColours) {
  const fs::path file = work() / "in" / fs::u8path(kRef) / "IMG_0001.JPG";
  const cv::Mat picture = test_photos::draw_photo({3000, 2100});
  const std::string icc = test_photos::srgb_icc();
  test_photos::write_jpeg(file, picture, 600, kScanner, icc);
  const Outcome outcome = run_chain(file);
  const StageOutput* master = output_of(outcome, "photo_master");
  const StageOutput* access = output_of(outcome, "photo_access");
  ASSERT_TRUE(master && access);
  EXPECT_EQ(master->path, "photos/" + kRef + "/0001.jpg");
  EXPECT_EQ(access->path, "photos/" + kRef + "/0001.access.jpg");
  EXPECT_EQ(test_photos::read_bytes(work() / "work" / fs::u8path(master->path)), test_photos::read_bytes(file));
  EXPECT_EQ(test_photos::icc_of(work() / "work" / fs::u8path(access->path)), icc);

  const cv::Mat copy = decode_jpeg(test_photos::read_bytes(work() / "work" / fs::u8path(access->path)));
  const cv::Mat scanned = decode_jpeg(test_photos::read_bytes(file));
  ASSERT_EQ(copy.size(), scanned.size());
  const cv::Scalar red_master = mean_in(scanned, test_photos::red_patch(scanned.size()));
  const cv::Scalar red_copy = mean_in(copy, test_photos::red_patch(copy.size()));
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(red_copy[c], red_master[c], 3.0) << "channel " << c;
  EXPECT_GT(red_copy[2], 180);  // still red: R high, B and G low (BGR)
  EXPECT_LT(red_copy[0], 60);
}

//! A JPEG stored sideways with Orientation 6 gets an upright access copy (turned 90° clockwise), while its master stays as scanned.
TEST(PhotoDerivatives, OrientationSixComesOutUpright) {
  const cv::Mat upright_picture = test_photos::draw_photo({2100, 3000});  // portrait
  cv::Mat stored;
  cv::rotate(upright_picture, stored, cv::ROTATE_90_COUNTERCLOCKWISE);  // as the camera lay
  test_photos::Exif exif = kScanner;
  exif.orientation = 6;
  const fs::path file = work() / "in" / fs::u8path(kRef) / "turned.jpg";
  test_photos::write_jpeg(file, stored, 600, exif, test_photos::srgb_icc());
  const Outcome outcome = run_chain(file);
  const StageOutput* access = output_of(outcome, "photo_access");
  ASSERT_TRUE(access);
  const cv::Mat copy = decode_jpeg(test_photos::read_bytes(work() / "work" / fs::u8path(access->path)));
  ASSERT_EQ(copy.size(), upright_picture.size());
  const cv::Scalar red = mean_in(copy, test_photos::red_patch(copy.size()));
  EXPECT_GT(red[2], 180) << "the red patch is at the top left of the upright picture";
  EXPECT_LT(red[0], 60);
  cv::Mat difference;
  cv::absdiff(copy, upright_picture, difference);
  EXPECT_LT(cv::mean(difference)[0], 4.0);
  EXPECT_EQ(test_photos::read_bytes(work() / "work" / fs::u8path(output_of(outcome, "photo_master")->path)), test_photos::read_bytes(file));
}

//! Every EXIF orientation turns a picture to the same upright one.
TEST(PhotoDerivatives, EveryOrientationTurnsUpright) {
  cv::Mat picture(2, 3, CV_8UC1);
  for (int i = 0; i < 6; ++i) picture.data[i] = static_cast<unsigned char>(i + 1);
  // How a camera stores the upright picture for each orientation value.
  auto stored_as = [&](int orientation) {
    cv::Mat m;
    switch (orientation) {
      case 2: cv::flip(picture, m, 1); break;
      case 3: cv::rotate(picture, m, cv::ROTATE_180); break;
      case 4: cv::flip(picture, m, 0); break;
      case 5: cv::transpose(picture, m); break;
      case 6: cv::rotate(picture, m, cv::ROTATE_90_COUNTERCLOCKWISE); break;
      case 7: cv::transpose(picture, m); cv::flip(m, m, -1); break;
      case 8: cv::rotate(picture, m, cv::ROTATE_90_CLOCKWISE); break;
      default: m = picture.clone();
    }
    return m;
  };
  for (int orientation = 1; orientation <= 8; ++orientation) {
    const cv::Mat turned = upright(stored_as(orientation), orientation);
    ASSERT_EQ(turned.size(), picture.size()) << orientation;
    EXPECT_EQ(cv::countNonZero(turned != picture), 0) << "orientation " << orientation;
  }
}

//! A 16-bit TIFF's master keeps its 16 bits and its ICC profile; the access copy is reduced to the profile's long side, with the profile; without access_copy, the master alone.
TEST(PhotoDerivatives, SixteenBitMasterReducedAccessCopyOrNone) {
  cv::Mat sixteen;
  test_photos::draw_photo({3000, 2100}).convertTo(sixteen, CV_16UC3, 257);
  const fs::path file = work() / "in" / fs::u8path(kRef) / "deep.tif";
  const std::string icc = test_photos::srgb_icc();
  test_photos::write_tiff(file, sixteen, 600, kScanner, icc);
  const Outcome outcome = run_chain(file, "access_max_long_side_px: 1000");
  const StageOutput* master = output_of(outcome, "photo_master");
  ASSERT_TRUE(master);
  EXPECT_EQ(master->path, "photos/" + kRef + "/0001.tif");
  EXPECT_EQ(test_photos::read_bytes(work() / "work" / fs::u8path(master->path)), test_photos::read_bytes(file));
  EXPECT_EQ(test_photos::icc_of(work() / "work" / fs::u8path(master->path)), icc);
  const cv::Mat copy = decode_jpeg(test_photos::read_bytes(work() / "work" / fs::u8path(output_of(outcome, "photo_access")->path)));
  EXPECT_EQ(std::max(copy.cols, copy.rows), 1000);
  EXPECT_EQ(outcome.measurements.number("access_long_side_px"), 1000);

  const Outcome masters_only = run_chain(file, "access_copy: false");
  EXPECT_EQ(masters_only.outputs.size(), 1u);
  EXPECT_FALSE(output_of(masters_only, "photo_access"));
}

}  // namespace
}  // namespace lantai::derivatives
