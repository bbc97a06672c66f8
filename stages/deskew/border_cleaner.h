// Cleaning what scanning added (DA/T 31-2017 去污, 裁边): the dark surround of a scan, where
// the scanner's lid or bed shows outside the paper. Only dark regions that touch the image
// edge and are broad and solid count; the paper's own marks (text, stains, binding holes,
// seals) lie inside the paper and are never touched, and strokes that run into a border
// lose at most the border's halo.
#pragma once

#include <opencv2/core.hpp>

#include "stages/deskew/analysis_image.h"

namespace lantai::deskew {

struct BorderSettings {
  // Dark regions narrower than this everywhere are marks (strokes, rules), not scan border.
  double min_width_mm = 1.0;
  // A border covering more of the image than this is not a border (a dark cover, a photo).
  double max_share = 0.5;
};

// Mask of the scan border at analysis resolution (255 = border), empty of 255 when none.
cv::Mat find_dark_border(const AnalysisImage& image, const BorderSettings& settings);

// Paints the border (mask at any smaller scale of page) with background, including the
// blurred halo at its edge. Returns the share of page's pixels painted.
double paint_border(cv::Mat& page, const cv::Mat& border_mask, const cv::Scalar& background);

}  // namespace lantai::deskew
