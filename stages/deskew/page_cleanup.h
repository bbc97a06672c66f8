// 去污 and 裁边 planned on the analysis image (DA/T 31-2017: cleanup removes only what
// scanning added, keeping the paper's own appearance; crop never cuts content).
//
// What the page holds, at analysis resolution and in the scan's frame:
//   - content marks: ink (grey below the analysis image's ink threshold) bigger than a
//     speck, outside the dark scan border. Their bounding box, once straightened, is the
//     content box: nothing inside it (and a guard around it) is ever changed.
//   - specks: marks (ink, or anything 40 grey levels below the paper: dust of a pixel or
//     two is diluted at analysis resolution) smaller than speck_max_mm square; only those
//     that fall outside the content box are removed (dust in the margin), never one inside.
//   - a lid shadow: a broad region a little darker than the paper, touching an image edge
//     and running along at least half of it (where the scanner lid did not close).
// Thread-safe: no shared state.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

#include "stages/deskew/analysis_image.h"

namespace lantai::deskew {

struct CleanupSettings {
  bool remove_specks = true;
  double speck_max_mm = 0.6;       // marks smaller than this square are specks
  bool remove_lid_shadow = true;
  double shadow_contrast = 24;     // grey levels below the paper that a shadow is at least
  double shadow_min_width_mm = 3;  // narrower dark bands are marks, not a shadow
  double content_guard_mm = 1.0;   // cleanup stays this far from the content box
};

struct PagePlan {
  cv::Mat content;        // 8-bit, 255 = content marks (analysis scale, scan frame)
  cv::Mat specks;         // 8-bit, 255 = specks, grown by a pixel (analysis scale, scan frame)
  cv::Mat shadow;         // 8-bit, 255 = lid shadow (analysis scale, scan frame)
};

// border: find_dark_border's mask (may be empty: none). Specks and shadow are left empty
// when not asked for.
PagePlan plan_page(const AnalysisImage& image, const cv::Mat& border, const CleanupSettings& settings);

// The bounding box, in page px of the frame transform maps to, of the non-zero pixels of
// mask (analysis scale); transform maps scan page px to that frame. Empty when none.
cv::Rect transformed_box(const cv::Mat& mask, double scale, const cv::Matx23d& transform);

// The paper within the straightened frame: surround (8-bit, 255 = outside the paper: scan
// border and what the scan does not cover) shrunk from each side while a line of it is
// mostly surround. In surround's pixels.
cv::Rect paper_box(const cv::Mat& surround);

// "x,y,width,height" in whole px (a crop box an inspector set); nullopt when malformed.
std::optional<cv::Rect> parse_box(std::string_view text);
std::string box_text(const cv::Rect& box);

// A 1-bit PNG of mask (8-bit, non-zero = 1 = black): which pixels cleanup changed.
std::string encode_diff_png(const cv::Mat& mask);

}  // namespace lantai::deskew
