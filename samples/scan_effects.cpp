#include "samples/scan_effects.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <opencv2/imgproc.hpp>

namespace lantai::samples {

namespace {

std::vector<ImageEdge> draw_edges(SeededRandom& random) {
  const auto first = static_cast<ImageEdge>(random.uniform_int(0, 3));
  std::vector<ImageEdge> edges{first};
  // A second strip on an adjacent edge: the page lay in a corner of the glass.
  if (random.chance(0.4))
    edges.push_back(static_cast<ImageEdge>((static_cast<int>(first) + 1) % 4));
  return edges;
}

void paint_strip(cv::Mat& image, ImageEdge edge, int width_px, int grey, SeededRandom& random) {
  const bool vertical = edge == ImageEdge::left || edge == ImageEdge::right;
  const int length = vertical ? image.rows : image.cols;
  const int depth = vertical ? image.cols : image.rows;
  const int channels = image.channels();
  // The strip's inner edge wanders a little, like the shadow of a lid.
  const double phase = random.uniform(0, 2 * std::numbers::pi);
  const double wobble_px = std::max(1.0, width_px * 0.08);
  const int fade_px = std::max(2, width_px / 6);
  for (int along = 0; along < length; ++along) {
    const int strip_px = std::min(depth, static_cast<int>(std::lround(
        width_px + wobble_px * std::sin(phase + along * 2 * std::numbers::pi / 900.0))));
    for (int in = 0; in < strip_px + fade_px && in < depth; ++in) {
      int value = grey + random.uniform_int(-5, 5);
      if (in >= strip_px) value += (255 - value) * (in - strip_px + 1) / (fade_px + 1);
      value = std::clamp(value, 0, 255);
      const int col = edge == ImageEdge::left ? in : edge == ImageEdge::right ? depth - 1 - in : along;
      const int row = edge == ImageEdge::top ? in : edge == ImageEdge::bottom ? depth - 1 - in : along;
      unsigned char* pixel = image.ptr<unsigned char>(row) + static_cast<std::ptrdiff_t>(col) * channels;
      for (int c = 0; c < channels; ++c) pixel[c] = std::min(pixel[c], static_cast<unsigned char>(value));
    }
  }
}

}  // namespace

ScanEffects ScanEffects::typical(SeededRandom& random, double skew_deg) {
  ScanEffects effects;
  effects.skew_deg = skew_deg;
  effects.dark_edges = draw_edges(random);
  effects.border_px = random.uniform_int(20, 60);
  effects.border_grey = random.uniform_int(18, 50);
  effects.speckles = random.uniform_int(150, 450);
  effects.blur_sigma_px = random.uniform(0.6, 0.9);
  effects.noise_seed = static_cast<std::uint32_t>(random.uniform_int(0, 1 << 30));
  return effects;
}

ScanEffects ScanEffects::blank_sheet(SeededRandom& random) {
  ScanEffects effects = typical(random, 0.0);
  effects.dark_edges.resize(1);
  effects.border_px = random.uniform_int(12, 24);
  effects.border_grey = random.uniform_int(200, 220);
  effects.speckles = random.uniform_int(40, 120);
  return effects;
}

cv::Mat simulate_scan(const cv::Mat& page, const ScanEffects& effects, int resolution_dpi) {
  const double scale = resolution_dpi / 300.0;
  cv::Mat scan;
  if (effects.skew_deg != 0) {
    // OpenCV's positive angle turns the content counter-clockwise on screen, which is
    // our sign convention.
    const cv::Point2f centre((page.cols - 1) / 2.0f, (page.rows - 1) / 2.0f);
    const cv::Mat rotation = cv::getRotationMatrix2D(centre, effects.skew_deg, 1.0);
    cv::warpAffine(page, scan, rotation, page.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                   cv::Scalar::all(255));
  } else {
    scan = page.clone();
  }

  SeededRandom random(effects.noise_seed);
  const int border_px = std::max(1, static_cast<int>(std::lround(effects.border_px * scale)));
  for (ImageEdge edge : effects.dark_edges) paint_strip(scan, edge, border_px, effects.border_grey, random);

  for (int k = 0; k < effects.speckles; ++k) {
    const cv::Point at(random.uniform_int(0, scan.cols - 1), random.uniform_int(0, scan.rows - 1));
    const int radius_px = std::max(0, static_cast<int>(std::lround(random.uniform(0.5, 2.6) * scale)));
    const int grey = random.uniform_int(30, 140);
    cv::circle(scan, at, radius_px, cv::Scalar::all(grey), cv::FILLED, cv::LINE_8);
  }

  const double sigma_px = effects.blur_sigma_px * scale;
  if (sigma_px > 0.3) cv::GaussianBlur(scan, scan, cv::Size(0, 0), sigma_px);
  return scan;
}

}  // namespace lantai::samples
