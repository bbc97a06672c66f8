// The page as deskew looks at it: grey, reduced to about analysis_dpi, with its paper level
// and the grey below which a pixel counts as ink (or scan border). Measuring at 100-150 dpi
// keeps text lines and character boxes while making every page cost about the same.
#pragma once

#include <optional>

#include <opencv2/core.hpp>

namespace lantai::deskew {

struct AnalysisImage {
  cv::Mat grey;            // 8-bit, the whole page at analysis resolution
  double scale = 1;        // analysis px per page px, <= 1 (never enlarged)
  double px_per_mm = 0;    // at analysis resolution
  int paper_level = 255;   // the median grey: paper, since ink and borders cover less than half
  int ink_threshold = 0;   // grey < ink_threshold is ink or scan border
};

// Page: 8-bit grey, BGR or BGRA. resolution_dpi absent: the page's shorter side is taken
// to be the short side of A4 (8.27 in), which is what an archive scan mostly is.
AnalysisImage make_analysis_image(const cv::Mat& page, double analysis_dpi,
                                  std::optional<double> resolution_dpi);

// 8-bit grey view of an 8-bit grey, BGR or BGRA page (no copy for grey).
// Throws std::invalid_argument for any other pixel type.
cv::Mat to_grey(const cv::Mat& page);

// The paper's colour in the page's own channels: the per-channel median of a sparse sample.
cv::Scalar paper_colour(const cv::Mat& page);

}  // namespace lantai::deskew
