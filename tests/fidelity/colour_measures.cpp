#include "tests/fidelity/colour_measures.h"

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

#include <jpeglib.h>

#include "tests/fidelity/jpeg_errors.h"

namespace lantai::fidelity {

namespace {

// Thresholds on 8-bit levels. Seal paste on off-white paper scans near (B 50, G 40, R 200)
// and ballpoint near (B 150, G 65, R 25); antialiased edges and text fall outside both.
constexpr int kStrongMin = 140;     // the ink's own channel
constexpr int kWeakMax = 110;       // the others (red) / red (blue)
constexpr int kDominanceMin = 70;   // own channel above the largest other one
constexpr int kBlueOverGreen = 40;

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

// Everything libjpeg touches after setjmp lives outside the frame that calls setjmp.
struct JpegJob {
  jpeg_decompress_struct cinfo{};
  JpegErrors errors;
  cv::Mat image;
};

bool decode(JpegJob& job, std::FILE* file) {
  if (setjmp(job.errors.jump)) return false;
  jpeg_create_decompress(&job.cinfo);
  jpeg_stdio_src(&job.cinfo, file);
  jpeg_read_header(&job.cinfo, TRUE);
  job.cinfo.out_color_space = job.cinfo.num_components == 1 ? JCS_GRAYSCALE : JCS_EXT_BGR;
  jpeg_start_decompress(&job.cinfo);
  job.image.create(static_cast<int>(job.cinfo.output_height), static_cast<int>(job.cinfo.output_width),
                   job.cinfo.output_components == 1 ? CV_8UC1 : CV_8UC3);
  while (job.cinfo.output_scanline < job.cinfo.output_height) {
    JSAMPROW row = job.image.ptr(static_cast<int>(job.cinfo.output_scanline));
    jpeg_read_scanlines(&job.cinfo, &row, 1);
  }
  jpeg_finish_decompress(&job.cinfo);
  return true;
}

}  // namespace

bool is_red(int b, int g, int r) {
  return r >= kStrongMin && g <= kWeakMax && b <= kWeakMax && r - std::max(g, b) >= kDominanceMin;
}

bool is_blue(int b, int g, int r) {
  return b >= kStrongMin - 20 && r <= kWeakMax && b - r >= kDominanceMin && b - g >= kBlueOverGreen;
}

InkCounts count_inks(const cv::Mat& image) {
  InkCounts counts;
  if (image.channels() != 3) return counts;
  for (int y = 0; y < image.rows; ++y) {
    const unsigned char* p = image.ptr(y);
    for (int x = 0; x < image.cols; ++x, p += 3) {
      counts.red_px += is_red(p[0], p[1], p[2]);
      counts.blue_px += is_blue(p[0], p[1], p[2]);
    }
  }
  return counts;
}

RegionInk region_ink(const cv::Mat& image, cv::Rect region) {
  RegionInk ink;
  if (image.channels() != 3) return ink;
  region &= cv::Rect(0, 0, image.cols, image.rows);
  cv::Vec3d sum(0, 0, 0);
  for (int y = region.y; y < region.y + region.height; ++y) {
    const unsigned char* p = image.ptr(y) + 3 * region.x;
    for (int x = 0; x < region.width; ++x, p += 3) {
      if (std::max({p[0], p[1], p[2]}) - std::min({p[0], p[1], p[2]}) < kInkSaturation) continue;
      for (int c = 0; c < 3; ++c) sum[c] += p[c];
      ++ink.pixels;
    }
  }
  if (ink.pixels > 0) ink.mean_bgr = cv::Scalar(sum[0], sum[1], sum[2]) / static_cast<double>(ink.pixels);
  return ink;
}

int max_colour_cast(const cv::Mat& image) {
  if (image.channels() != 3) return 0;
  int cast = 0;
  for (int y = 0; y < image.rows; ++y) {
    const unsigned char* p = image.ptr(y);
    for (int x = 0; x < image.cols; ++x, p += 3)
      cast = std::max({cast, std::abs(p[2] - p[1]), std::abs(p[1] - p[0])});
  }
  return cast;
}

cv::Mat read_jpeg(const std::filesystem::path& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) throw std::runtime_error("fidelity: cannot open " + path.string());
  auto job = std::make_unique<JpegJob>();
  job->cinfo.err = jpeg_std_error(&job->errors.base);
  job->errors.base.error_exit = jpeg_fail;
  const bool decoded = decode(*job, file.get());
  jpeg_destroy_decompress(&job->cinfo);
  if (!decoded) throw std::runtime_error("fidelity: libjpeg cannot read " + path.string() + ": " + job->errors.message);
  return job->image;
}

}  // namespace lantai::fidelity
