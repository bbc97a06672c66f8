// bench_photo: the photo chain's cost per photo, stage by stage (decode, photo_quality,
// photo_derivatives with its access copy), on one core, for the scans a photo lot holds:
// a 5-inch print at 600 dpi as JPEG with an ICC profile, the same as 16-bit TIFF, and a
// 10-inch print at 600 dpi. Then the blur measure (photo_quality's blur_print_mm) on the
// print in focus and blurred by a Gaussian of growing sigma, the figures the profile's
// max_blur_print_mm was set from. Photos are made at run time (tests/support/photo_files.h).
// Prints figures; never fails on time.
//   bench_photo [repeats]   (default 5)
#include <opencv2/imgproc.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <yaml-cpp/yaml.h>

#include "stages/decode/decode_stage.h"
#include "stages/derivatives/photo_derivative_stage.h"
#include "stages/quality/photo_quality_stage.h"
#include "tests/support/photo_files.h"

namespace fs = std::filesystem;
using namespace lantai;

namespace {

const std::string kRef = "J012-ZP·2021-Y-0001";

template <class S>
void set_up(S& stage, const std::string& id, const fs::path& work) {
  ProfileSection section("bench.yaml", id, YAML::Load("{}"));
  stage.setup(section, {work, work});
  section.finish();
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  const fs::path dir = fs::temp_directory_path() / "lantai-bench-photo";
  fs::remove_all(dir);
  fs::create_directories(dir / "work");
  decode::DecodeStage decoder;
  quality::PhotoQualityStage checker;
  derivatives::PhotoDerivativeStage keeper;
  set_up(decoder, "decode", dir / "work");
  set_up(checker, "photo_quality", dir / "work");
  set_up(keeper, "photo_derivatives", dir / "work");

  const test_photos::Exif exif{"2021:05:12 10:20:30", "Epson", "Perfection V850", 0, 2, 600};
  const std::string icc = test_photos::srgb_icc();
  const cv::Mat print = test_photos::draw_photo({3000, 2100});
  cv::Mat sixteen;
  print.convertTo(sixteen, CV_16UC3, 257);
  test_photos::write_jpeg(dir / "print.jpg", print, 600, exif, icc);
  test_photos::write_tiff(dir / "print16.tif", sixteen, 600, exif, icc);
  test_photos::write_jpeg(dir / "large.jpg", test_photos::draw_photo({6000, 4800}), 600, exif, icc);

  std::printf("photo chain, ms per photo on one core (mean of %d runs)\n", repeats);
  std::printf("  %-34s %8s %8s %8s %8s\n", "scan", "decode", "quality", "derive", "total");
  for (const auto& [name, label] : std::vector<std::pair<std::string, std::string>>{
           {"print.jpg", "5-inch print, 600 dpi, JPEG"},
           {"print16.tif", "5-inch print, 600 dpi, 48-bit TIFF"},
           {"large.jpg", "10-inch print, 600 dpi, JPEG"}}) {
    double decode_ms = 0, quality_ms = 0, derive_ms = 0;
    for (int i = 0; i < repeats; ++i) {
      Item item = test_photos::photo_item(kRef, dir / name);
      auto start = std::chrono::steady_clock::now();
      Outcome decoded = decoder.process(item);
      item.measurements.merge(decoded.measurements);
      item.image = Image::seal(*decoded.image);
      decode_ms += ms_since(start);
      start = std::chrono::steady_clock::now();
      item.measurements.merge(checker.process(item).measurements);
      quality_ms += ms_since(start);
      start = std::chrono::steady_clock::now();
      keeper.process(item);
      derive_ms += ms_since(start);
    }
    std::printf("  %-34s %8.0f %8.0f %8.0f %8.0f\n", label.c_str(), decode_ms / repeats, quality_ms / repeats,
                derive_ms / repeats, (decode_ms + quality_ms + derive_ms) / repeats);
  }

  std::printf("\nblur_print_mm of the 5-inch print at 600 dpi (a Gaussian's sigma on a 5-inch print)\n");
  for (double sigma_px : {0.0, 2.0, 4.0, 6.0, 8.0, 12.0}) {
    cv::Mat blurred = print;
    if (sigma_px > 0) cv::GaussianBlur(print, blurred, {0, 0}, sigma_px);
    test_photos::write_jpeg(dir / "blurred.jpg", blurred, 600, exif, icc);
    Item item = test_photos::photo_item(kRef, dir / "blurred.jpg");
    Outcome decoded = decoder.process(item);
    item.measurements.merge(decoded.measurements);
    item.image = Image::seal(*decoded.image);
    const Outcome checked = checker.process(item);
    const auto blur = checked.measurements.number("blur_print_mm");
    std::printf("  blurred by sigma %4.1f px (%.3f mm on the print): blur_print_mm %s\n", sigma_px,
                sigma_px / 600 * 25.4, blur ? std::to_string(*blur).c_str() : "not judged");
  }
  fs::remove_all(dir);
  return 0;
}
