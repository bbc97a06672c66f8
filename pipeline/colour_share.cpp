#include "pipeline/colour_share.h"

#include <vector>

namespace lantai {

double colour_share(const cv::Mat& colour) {
  if (colour.channels() != 3 || colour.depth() != CV_8U || colour.empty()) return 0;
  std::vector<cv::Mat> planes;
  cv::split(colour, planes);
  const cv::Mat high = cv::max(cv::max(planes[0], planes[1]), planes[2]);
  const cv::Mat low = cv::min(cv::min(planes[0], planes[1]), planes[2]);
  const cv::Mat chroma = high - low;
  return static_cast<double>(cv::countNonZero(chroma >= kColourLevel)) / static_cast<double>(chroma.total());
}

}  // namespace lantai
