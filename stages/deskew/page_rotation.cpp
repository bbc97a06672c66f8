#include "stages/deskew/page_rotation.h"

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace lantai::deskew {

Canvas canvas_from_string(std::string_view text) {
  if (text == "fit") return Canvas::fit;
  if (text == "expand") return Canvas::expand;
  if (text == "keep") return Canvas::keep;
  throw std::invalid_argument("deskew: unknown canvas '" + std::string(text) + "'");
}

Interpolation interpolation_from_string(std::string_view text) {
  if (text == "linear") return Interpolation::linear;
  if (text == "cubic") return Interpolation::cubic;
  throw std::invalid_argument("deskew: unknown interpolation '" + std::string(text) + "'");
}

Straightening straighten(cv::Size scan_size, double skew_deg, Canvas canvas,
                         const std::function<cv::Rect(const cv::Matx23d&)>& content_box_after) {
  const cv::Point2d centre((scan_size.width - 1) / 2.0, (scan_size.height - 1) / 2.0);
  // OpenCV's positive angle turns the image counter-clockwise on screen; undo the skew.
  const cv::Mat rotation = cv::getRotationMatrix2D(centre, -skew_deg, 1.0);
  Straightening result;
  result.transform = cv::Matx23d(rotation);
  result.size = scan_size;
  if (canvas == Canvas::keep) return result;

  const double radians = skew_deg * std::numbers::pi / 180.0;
  const double cos_a = std::abs(std::cos(radians)), sin_a = std::abs(std::sin(radians));
  // A little slack so a rounding error never adds a column of background.
  result.size.width = static_cast<int>(std::ceil(scan_size.width * cos_a + scan_size.height * sin_a - 1e-6));
  result.size.height = static_cast<int>(std::ceil(scan_size.width * sin_a + scan_size.height * cos_a - 1e-6));
  result.transform(0, 2) += (result.size.width - scan_size.width) / 2.0;
  result.transform(1, 2) += (result.size.height - scan_size.height) / 2.0;
  if (canvas == Canvas::expand) return result;

  // fit: a window of the scan's size on the grown canvas, at whole px, so that its pixels
  // are exactly the grown canvas's; centred, then moved as little as the content needs.
  cv::Size size = scan_size;
  int left = (result.size.width - size.width) / 2, top = (result.size.height - size.height) / 2;
  const cv::Rect content = content_box_after ? content_box_after(result.transform) : cv::Rect();
  if (!content.empty()) {
    auto place = [](int begin, int length, int origin, int& extent) {
      if (length > extent) {  // wider than the scan once turned: the window grows to hold it
        extent = length;
        return begin;
      }
      if (begin < origin) return begin;
      if (begin + length > origin + extent) return begin + length - extent;
      return origin;
    };
    left = place(content.x, content.width, left, size.width);
    top = place(content.y, content.height, top, size.height);
  }
  result.transform(0, 2) -= left;
  result.transform(1, 2) -= top;
  result.size = size;
  return result;
}

cv::Mat warp_page(const cv::Mat& page, const Straightening& straightening, const cv::Rect& region,
                  Interpolation interpolation, const cv::Scalar& background) {
  cv::Matx23d transform = straightening.transform;
  transform(0, 2) -= region.x;
  transform(1, 2) -= region.y;
  const int flags = interpolation == Interpolation::cubic ? cv::INTER_CUBIC : cv::INTER_LINEAR;
  cv::Mat warped;
  cv::warpAffine(page, warped, transform, region.size(), flags, cv::BORDER_CONSTANT, background);
  return warped;
}

cv::Mat rotate_page(const cv::Mat& page, double skew_deg, const RotationSettings& settings,
                    const cv::Scalar& background, const cv::Mat& clear_mask) {
  // fit needs the content, which this function does not know: placed as keep.
  const Straightening straightening = straighten(page.size(), skew_deg, settings.canvas);
  const cv::Mat transform(straightening.transform);
  const cv::Size size = straightening.size;
  const int flags = settings.interpolation == Interpolation::cubic ? cv::INTER_CUBIC : cv::INTER_LINEAR;
  cv::Mat rotated;
  cv::warpAffine(page, rotated, transform, size, flags, cv::BORDER_CONSTANT, background);
  if (!clear_mask.empty()) {
    cv::Mat mask;
    // Linear interpolation then "any coverage" keeps the whole masked pixel at page scale.
    cv::resize(clear_mask, mask, page.size(), 0, 0, cv::INTER_LINEAR);
    cv::warpAffine(mask, mask, transform, size, cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
    cv::compare(mask, 0, mask, cv::CMP_GT);
    rotated.setTo(background, mask);
  }
  return rotated;
}

}  // namespace lantai::deskew
