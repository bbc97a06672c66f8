#include "stages/deskew/page_rotation.h"

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace lantai::deskew {

Canvas canvas_from_string(std::string_view text) {
  if (text == "expand") return Canvas::expand;
  if (text == "keep") return Canvas::keep;
  throw std::invalid_argument("deskew: unknown canvas '" + std::string(text) + "'");
}

Interpolation interpolation_from_string(std::string_view text) {
  if (text == "linear") return Interpolation::linear;
  if (text == "cubic") return Interpolation::cubic;
  throw std::invalid_argument("deskew: unknown interpolation '" + std::string(text) + "'");
}

cv::Mat rotate_page(const cv::Mat& page, double skew_deg, const RotationSettings& settings,
                    const cv::Scalar& background, const cv::Mat& clear_mask) {
  const cv::Point2d centre((page.cols - 1) / 2.0, (page.rows - 1) / 2.0);
  // OpenCV's positive angle turns the image counter-clockwise on screen; undo the skew.
  cv::Mat transform = cv::getRotationMatrix2D(centre, -skew_deg, 1.0);
  cv::Size size = page.size();
  if (settings.canvas == Canvas::expand) {
    const double radians = skew_deg * std::numbers::pi / 180.0;
    const double cos_a = std::abs(std::cos(radians)), sin_a = std::abs(std::sin(radians));
    // A little slack so a rounding error never adds a column of background.
    size.width = static_cast<int>(std::ceil(page.cols * cos_a + page.rows * sin_a - 1e-6));
    size.height = static_cast<int>(std::ceil(page.cols * sin_a + page.rows * cos_a - 1e-6));
    transform.at<double>(0, 2) += (size.width - page.cols) / 2.0;
    transform.at<double>(1, 2) += (size.height - page.rows) / 2.0;
  }
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
