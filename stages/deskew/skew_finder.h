// Measuring skew: how far a scanned page's content is rotated, and how sure that is.
// Only measures; page_rotation.h applies (unpaper's detect_rotation vs deskew).
//
// Sign convention: angle_deg > 0 means the content is rotated counter-clockwise as seen on
// screen (text lines rise to the right); straightening rotates the page clockwise by it.
//
// Method: projection-profile energy. The page is reduced to about analysis_dpi and
// binarised against its paper level; dark regions touching the image edge (the scanner bed
// or lid outside the paper) are left out, since their edges are square to the image, not
// to the content, and would pull the angle to 0; specks are left out too. At each trial
// angle the ink pixels are projected across the text lines (rows) and along them
// (columns); the sum of squared bin sums peaks when lines, and the columns of characters
// set on a grid (CJK, vertical text), fall into the fewest bins. A coarse sweep over the
// range finds the peak, a fine sweep and a parabola fitted to its top place it to a few
// hundredths of a degree. Pixels are jittered inside their square so the pixel grid itself
// cannot favour 0°.
//
// Confidence comes from how far the peak stands above the energy at a typical angle: text
// gives 0.9-1, noise, dust and blank pages well under 0.1 (a page with less ink than about
// ten characters gives 0 and angle 0).
//
// Thread-safe: no shared state; the result depends only on the inputs.
#pragma once

#include <optional>

#include <opencv2/core.hpp>

#include "stages/deskew/analysis_image.h"

namespace lantai::deskew {

struct SkewSettings {
  // Skews within ± this are measured; a peak found beyond it (the search looks half a degree
  // further) is reported with confidence 0.
  double max_angle_deg = 15;
  double analysis_dpi = 150;  // the page is measured at about this resolution
};

struct SkewEstimate {
  double angle_deg = 0;   // see the sign convention above
  double confidence = 0;  // 0 (no evidence) .. 1 (a single sharp peak)
  // The peak's excess energy over the typical angle's, (peak - median) / median; the
  // confidence is a saturating map of it. Kept for reports and calibration.
  double contrast = 0;
};

// page: 8-bit grey, BGR or BGRA, any resolution. resolution_dpi as in make_analysis_image.
SkewEstimate find_skew(const cv::Mat& page, const SkewSettings& settings,
                       std::optional<double> resolution_dpi = std::nullopt);

// The same on an analysis image already made (the stage makes one for measuring and cleaning).
SkewEstimate find_skew(const AnalysisImage& image, const SkewSettings& settings);

// Ink that measures skew: dark pixels of the analysis image, without specks and without
// dark regions touching the image edge (and what lies right next to them). 8-bit, 255 = ink.
cv::Mat measurable_ink(const AnalysisImage& image);

}  // namespace lantai::deskew
