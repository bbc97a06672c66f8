// What a flatbed scanner adds to a clean page: skew, a dark strip along the edge where
// the lid did not close (axis-aligned to the image, not to the paper), dust specks and
// a slight blur. Everything comes from the fields and noise_seed, so a page scanned
// twice with the same effects gives the same pixels.
#pragma once

#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "samples/seeded_random.h"

namespace lantai::samples {

enum class ImageEdge { left, top, right, bottom };

struct ScanEffects {
  double skew_deg = 0;  // positive = content rotated counter-clockwise (lines rise to the right)
  std::vector<ImageEdge> dark_edges;  // one or two edges carrying a dark strip
  int border_px = 0;          // strip width at 300 dpi (scaled for other resolutions)
  int border_grey = 30;       // grey of the strip, 0 (black) .. 255
  int speckles = 0;           // number of dark dust specks
  double blur_sigma_px = 0.7; // Gaussian sigma at 300 dpi
  std::uint32_t noise_seed = 0;

  // A typical scan at skew_deg: a 20–60 px near-black strip on one or two edges,
  // a few hundred specks, sigma 0.6–0.9 px.
  static ScanEffects typical(SeededRandom& random, double skew_deg);
  // An empty sheet: no skew, a faint grey strip and specks only.
  static ScanEffects blank_sheet(SeededRandom& random);
};

// Applies the effects to a page painted at resolution_dpi (8-bit grey or BGR); returns a
// new image of the same size and type.
cv::Mat simulate_scan(const cv::Mat& page, const ScanEffects& effects, int resolution_dpi);

}  // namespace lantai::samples
