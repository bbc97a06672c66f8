// 拼接: the parts of a page scanned in parts (because the sheet is larger than the
// scanner's glass) stitched into one page with OpenCV's stitching module in its scan mode
// (affine registration of ORB features, no exposure compensation, no blending: every
// pixel of the page is one part's pixel, so colours do not change), and what an inspector
// needs to judge the seams.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace lantai::decode {

// One seam: where part `first` and the next part overlap.
struct Seam {
  int first = 0;              // 0-based: the seam between part first and part first + 1
  double overlap_share = 0;   // their overlap as a share of the smaller part's area
  double error_grey = 0;      // RMS grey difference over the overlap, parts as registered (0-255)
  bool measured = false;      // false: the two parts do not overlap as registered
};

struct StitchedPage {
  bool ok = false;
  bool too_large = false;     // the stitched page would have more pixels than allowed
  std::string failure;        // why not, one line, when !ok
  cv::Mat page;               // CV_8UC3 when any part is colour, else CV_8UC1
  std::uint64_t claimed_pixels = 0;  // of the stitched page as registered
  std::vector<Seam> seams;    // parts.size() - 1, in order
};

// Stitches parts (CV_8UC1 or CV_8UC3, in scan order) into one page, allocating it only
// when the registered page has at most max_pixels. Never throws for content that cannot
// be registered: ok is false, with the reason.
StitchedPage stitch_page(const std::vector<cv::Mat>& parts, long long max_pixels);

// The working memory stitching needs for parts of these pixel counts, about.
std::uint64_t stitch_working_bytes(std::uint64_t part_pixels_sum);

}  // namespace lantai::decode
