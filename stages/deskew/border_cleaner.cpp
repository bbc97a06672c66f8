#include "stages/deskew/border_cleaner.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace lantai::deskew {

namespace {

// The halo left by blur and scanner optics at a border's edge, painted with it.
constexpr double kHaloMm = 0.4;

}  // namespace

cv::Mat find_dark_border(const AnalysisImage& image, const BorderSettings& settings) {
  cv::Mat dark;
  cv::compare(image.grey, image.ink_threshold, dark, cv::CMP_LT);
  // Opening removes every dark mark narrower than min_width: strokes, rules, specks.
  const int width_px = std::max(3, static_cast<int>(std::lround(settings.min_width_mm * image.px_per_mm)) | 1);
  cv::Mat solid;
  cv::morphologyEx(dark, solid, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_ELLIPSE, {width_px, width_px}));

  cv::Mat labels, stats, centroids;
  const int count = cv::connectedComponentsWithStats(solid, labels, stats, centroids, 8, CV_32S);
  std::vector<uchar> touches_edge(static_cast<size_t>(count), 0);
  for (int i = 1; i < count; ++i) {
    const int left = stats.at<int>(i, cv::CC_STAT_LEFT), top = stats.at<int>(i, cv::CC_STAT_TOP);
    const int right = left + stats.at<int>(i, cv::CC_STAT_WIDTH), bottom = top + stats.at<int>(i, cv::CC_STAT_HEIGHT);
    touches_edge[static_cast<size_t>(i)] = left == 0 || top == 0 || right == solid.cols || bottom == solid.rows;
  }
  cv::Mat border(solid.size(), CV_8U);
  for (int y = 0; y < solid.rows; ++y) {
    const int* label = labels.ptr<int>(y);
    uchar* out = border.ptr(y);
    for (int x = 0; x < solid.cols; ++x) out[x] = touches_edge[static_cast<size_t>(label[x])] ? 255 : 0;
  }
  if (cv::countNonZero(border) == 0) return border;

  // Win back the border's thin parts the opening cut (a skewed sheet's tapering wedge):
  // grow it through dark pixels only, as far as the opening can have cut.
  const cv::Mat step = cv::getStructuringElement(cv::MORPH_RECT, {3, 3});
  for (int i = 0; i < width_px / 2 + 1; ++i) {
    cv::dilate(border, border, step);
    border &= dark;
  }
  const int halo_px = std::max(1, static_cast<int>(std::lround(kHaloMm * image.px_per_mm)));
  cv::dilate(border, border, cv::getStructuringElement(cv::MORPH_RECT, {2 * halo_px + 1, 2 * halo_px + 1}));

  if (cv::countNonZero(border) > settings.max_share * static_cast<double>(border.total())) border.setTo(0);
  return border;
}

double paint_border(cv::Mat& page, const cv::Mat& border_mask, const cv::Scalar& background) {
  if (page.empty() || cv::countNonZero(border_mask) == 0) return 0;
  cv::Mat mask;
  // Linear interpolation then "any coverage" keeps the whole border pixel at page scale.
  cv::resize(border_mask, mask, page.size(), 0, 0, cv::INTER_LINEAR);
  cv::compare(mask, 0, mask, cv::CMP_GT);
  page.setTo(background, mask);
  return static_cast<double>(cv::countNonZero(mask)) / static_cast<double>(page.total());
}

}  // namespace lantai::deskew
