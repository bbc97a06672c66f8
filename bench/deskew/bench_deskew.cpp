// bench_deskew: how fast and how exact deskew is on 300-dpi A4 pages. Prints figures only;
// never fails on time.
//   bench_deskew [--quick] [--font PATH.ttc]
#include <ft2build.h>
#include FT_FREETYPE_H

#include <opencv2/core/utility.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "stages/deskew/deskew_stage.h"
#include "synthetic_page.h"

namespace {

using namespace lantai;
using namespace lantai::deskew;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Real Chinese glyphs (Noto CJK through FreeType), for a second opinion on the block glyphs.
class FontGlyphs {
 public:
  explicit FontGlyphs(const std::string& path) {
    if (FT_Init_FreeType(&library_) != 0) return;
    if (FT_New_Face(library_, path.c_str(), 2, &face_) != 0) face_ = nullptr;  // 2: SC in Noto's .ttc
  }
  ~FontGlyphs() {
    if (face_) FT_Done_Face(face_);
    if (library_) FT_Done_FreeType(library_);
  }
  bool ok() const { return face_ != nullptr; }

  void paint(cv::Mat& canvas, const cv::Rect& cell, std::mt19937& random) {
    // Common characters of official documents, with the ideographic full stop and comma.
    static const char32_t kText[] =
        U"关于进一步加强档案工作的通知各单位为贯彻落实国家有关规定做好本年度文书档案整理归档"
        U"数字化加工验收备份登记管理办法现将具体事项通知如下请认真执行并按时报送情况，。";
    const size_t n = sizeof kText / sizeof kText[0] - 1;
    const char32_t code = kText[std::uniform_int_distribution<size_t>(0, n - 1)(random)];
    FT_Set_Pixel_Sizes(face_, 0, static_cast<FT_UInt>(cell.height * 9 / 10));
    if (FT_Load_Char(face_, code, FT_LOAD_RENDER) != 0) return;
    const FT_Bitmap& bitmap = face_->glyph->bitmap;
    // Baseline at 85% of the cell, as the font's em box sits in it.
    const int x0 = cell.x + face_->glyph->bitmap_left, y0 = cell.y + cell.height * 85 / 100 - face_->glyph->bitmap_top;
    for (unsigned y = 0; y < bitmap.rows; ++y)
      for (unsigned x = 0; x < bitmap.width; ++x) {
        const int px = x0 + static_cast<int>(x), py = y0 + static_cast<int>(y);
        if (px < 0 || py < 0 || px >= canvas.cols || py >= canvas.rows) continue;
        const int coverage = bitmap.buffer[y * static_cast<unsigned>(bitmap.pitch) + x];
        uchar& pixel = canvas.at<uchar>(py, px);
        pixel = static_cast<uchar>(std::min<int>(pixel, 235 - (235 - 30) * coverage / 255));
      }
  }

 private:
  FT_Library library_ = nullptr;
  FT_Face face_ = nullptr;
};

struct Sweep {
  double mean = 0, max = 0, ms = 0, min_confidence = 1;
};

Sweep sweep(const char* name, const std::vector<double>& angles, int layouts, const testing::GlyphPainter& painter,
            bool verbose, const SkewSettings& settings = SkewSettings{}) {
  Sweep result;
  int count = 0;
  for (int layout = 0; layout < layouts; ++layout) {
    for (size_t i = 0; i < angles.size(); ++i) {
      testing::SyntheticPage spec;
      spec.skew_deg = angles[i];
      spec.seed = static_cast<unsigned>(1000 * layout + i + 1);
      spec.lines = 10 + (layout * 7 + static_cast<int>(i) * 3) % 21;
      spec.cell_px = 44 + (layout * 5 + static_cast<int>(i)) % 14;
      spec.border_left_px = (i % 3 == 0) ? 60 + static_cast<int>(i) * 3 : 0;
      spec.border_top_px = (i % 2 == 0) ? 40 : 0;
      spec.border_right_px = (i % 3 == 1) ? 90 : 0;
      spec.border_bottom_px = (i % 4 == 3) ? 120 : 0;
      spec.speckle_ratio = 0.002;
      spec.blur_sigma_px = 1.2;
      const cv::Mat page = testing::draw_page(spec, painter);
      const auto start = Clock::now();
      const SkewEstimate estimate = find_skew(page, settings, 300.0);
      result.ms += ms_since(start);
      const double error = std::abs(estimate.angle_deg - angles[i]);
      result.mean += error;
      result.max = std::max(result.max, error);
      result.min_confidence = std::min(result.min_confidence, estimate.confidence);
      ++count;
      if (verbose)
        std::printf("  %-6s layout %d  truth %+7.3f  found %+7.3f  error %.3f  confidence %.3f  contrast %.2f  lines %d cell %d\n",
                    name, layout, angles[i], estimate.angle_deg, error, estimate.confidence, estimate.contrast,
                    spec.lines, spec.cell_px);
    }
  }
  result.mean /= count;
  result.ms /= count;
  std::printf("%-10s %3d pages at analysis %3.0f dpi: mean |error| %.4f°, max %.4f°, lowest confidence %.3f, "
              "find_skew %.1f ms/page\n",
              name, count, settings.analysis_dpi, result.mean, result.max, result.min_confidence, result.ms);
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false, verbose = false;
  std::string font = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--quick") quick = true;
    else if (arg == "--verbose") verbose = true;
    else if (arg == "--font" && i + 1 < argc) font = argv[++i];
  }
  cv::setNumThreads(1);  // figures per core: the runner gives each page one thread
  std::printf("deskew bench (OpenCV threads: 1)\n");

  std::vector<double> angles;
  for (double a = -12; a <= 12.001; a += quick ? 3 : 1) angles.push_back(a);
  for (double a : {-0.3, 0.3, -0.1, 0.1, 0.05, -2.37, 4.61, -7.83, 11.9}) angles.push_back(a);
  const int layouts = quick ? 1 : 3;

  sweep("blocks", angles, layouts, testing::paint_block_glyph, verbose);
  for (double dpi : {100.0, 200.0}) {
    SkewSettings settings;
    settings.analysis_dpi = dpi;
    sweep("blocks", angles, 1, testing::paint_block_glyph, verbose, settings);
  }
  if (std::filesystem::exists(font)) {
    FontGlyphs glyphs(font);
    if (glyphs.ok())
      sweep("noto", angles, layouts,
            [&](cv::Mat& canvas, const cv::Rect& cell, std::mt19937& random) { glyphs.paint(canvas, cell, random); },
            verbose);
  } else {
    std::printf("noto: %s not found, real-glyph sweep skipped\n", font.c_str());
  }

  // The whole stage on a skewed page with borders, and on blank and noise pages.
  DeskewStage stage;
  testing::SyntheticPage spec;
  spec.skew_deg = 3.4;
  spec.border_left_px = 80;
  spec.border_bottom_px = 60;
  const cv::Mat grey = testing::draw_page(spec);
  cv::Mat colour;
  cv::cvtColor(grey, colour, cv::COLOR_GRAY2BGR);
  for (const auto& [name, image] : {std::pair<const char*, cv::Mat>{"grey", grey}, {"colour", colour},
                                    {"blank", testing::draw_blank_page(2480, 3508, 7)},
                                    {"noise", testing::draw_noise_page(2480, 3508, 7)}}) {
    const int runs = quick ? 2 : 5;
    double total_ms = 0;
    lantai::Item page;
    page.rel_path = name;
    page.image = lantai::Image::seal(image);
    page.measurements.set("resolution_dpi", 300.0);
    lantai::Outcome outcome;
    for (int run = 0; run < runs; ++run) {
      const auto start = Clock::now();
      outcome = stage.process(page);
      total_ms += ms_since(start);
    }
    const cv::Mat& output = outcome.image ? *outcome.image : page.image.pixels();
    std::printf("stage  %-6s %dx%d: %.1f ms/page, skew %+.3f°, confidence %.3f, output %dx%d\n", name, image.cols,
                image.rows, total_ms / runs, outcome.measurements.number("skew_deg").value_or(0),
                outcome.measurements.number("skew_confidence").value_or(0), output.cols, output.rows);
  }
  return 0;
}
