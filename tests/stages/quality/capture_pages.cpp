#include "tests/stages/quality/capture_pages.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "pipeline/jpeg_codec.h"
#include "samples/image_encoder.h"
#include "stages/deskew/deskew_stage.h"
#include "tests/stages/item_stage_support.h"

namespace lantai::quality::testing {

CapturePage make_capture_page(orient::testing::PageClass page_class, std::uint32_t seed) {
  const orient::testing::TurnedPage drawn = orient::testing::make_turned_page(page_class, 0, seed);
  CapturePage page;
  page.page_class = page_class;
  page.resolution_dpi = drawn.resolution_dpi;
  page.bilevel = drawn.upright.channels() == 1 && cv::countNonZero((drawn.upright != 0) & (drawn.upright != 255)) == 0;
  Item item = stage_testing::page_item(drawn.upright, drawn.resolution_dpi);
  item.measurements.set("colour_mode", std::string(page.bilevel ? "bilevel" : drawn.upright.channels() == 3 ? "colour" : "grey"));
  const deskew::DeskewStage deskew;
  stage_testing::run_stage(deskew, item);
  page.cleaned = item.image.pixels().clone();
  return page;
}

cv::Mat with_fault(const CapturePage& page, const Fault& fault) {
  cv::Mat image;
  page.cleaned.convertTo(image, CV_32F);
  if (fault.blur_mm > 0) {
    const double sigma_px = fault.blur_mm * page.resolution_dpi / 25.4;
    cv::GaussianBlur(image, image, cv::Size(), sigma_px, sigma_px, cv::BORDER_REPLICATE);
  }
  if (fault.fade != 1) {
    // Paper stays where it is; ink moves towards it.
    cv::Scalar paper = cv::mean(image);
    for (int c = 0; c < 4; ++c) paper[c] = std::max(paper[c], 200.0);
    cv::Mat paper_image(image.size(), image.type(), paper);
    image = paper_image - (paper_image - image) * fault.fade;
  }
  if (fault.gain != 1) image *= fault.gain;
  cv::Mat stored;
  image.convertTo(stored, CV_8U);
  return decode_jpeg(encode_jpeg(stored, 90, page.resolution_dpi));
}

int write_colour_a4_lot(unsigned seed, const std::filesystem::path& dir, int pages, const ColourLotOptions& options) {
  namespace fs = std::filesystem;
  fs::create_directories(dir);
  std::ofstream catalogue(dir / "catalogue.csv");
  catalogue << "档号,题名,页数\n";
  constexpr int kPerRecord = 5;
  int written = 0;
  for (unsigned index = 0; written < pages && index < 100000; ++index) {
    const int turn = options.turned ? written % 4 * 90 : 0;
    const auto drawn = orient::testing::make_turned_page(orient::testing::PageClass::chinese, turn, seed * 7919 + index);
    if (drawn.resolution_dpi != 300 || drawn.upright.channels() != 3) continue;
    const bool tiff = options.format == LotFormat::tiff;
    char ref[64], name[16];
    std::snprintf(ref, sizeof ref, "J012-WS·2021-Y-BGS-%04d", written / kPerRecord + 1);
    std::snprintf(name, sizeof name, tiff ? "%04d.tif" : "%04d.jpg", written % kPerRecord + 1);
    fs::create_directories(dir / "scans" / ref);
    std::ofstream(dir / "scans" / ref / name, std::ios::binary)
        << (tiff ? samples::encode_tiff({{drawn.scan, 300, samples::TiffCompression::lzw}})
                 : encode_jpeg(drawn.scan, 95, 300.0));
    if (written % kPerRecord == 0)
      catalogue << ref << ",关于档案数字化工作的通知," << std::min(kPerRecord, pages - written) << "\n";
    ++written;
  }
  return written;
}

}  // namespace lantai::quality::testing
