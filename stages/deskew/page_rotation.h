// Applying a measured skew: rotate the page about its centre so its content is upright.
#pragma once

#include <string_view>

#include <opencv2/core.hpp>

namespace lantai::deskew {

// What happens to the image's size when it is rotated.
//   expand: the canvas grows to hold the whole rotated scan, so nothing of the original is
//           cut off (DA/T 31-2017 展现原貌); the new corners are filled with background.
//   keep:   the size stays as scanned; the rotated scan's corners fall outside and are lost.
enum class Canvas { expand, keep };
Canvas canvas_from_string(std::string_view text);  // "expand" | "keep"; throws std::invalid_argument

// linear: bilinear, about 35 ms for a grey 300-dpi A4 page, a little softer.
// cubic:  bicubic, sharper edges, about four times slower (OpenCV has no SIMD path for it).
enum class Interpolation { linear, cubic };
Interpolation interpolation_from_string(std::string_view text);  // "linear" | "cubic"

struct RotationSettings {
  Canvas canvas = Canvas::expand;
  Interpolation interpolation = Interpolation::linear;
};

// Rotates page (8-bit, 1, 3 or 4 channels) clockwise by skew_deg about its centre, undoing
// a skew measured with find_skew's sign convention (positive = content rotated
// counter-clockwise). Uncovered pixels take the background colour, and so do those under
// clear_mask (8-bit, non-zero = clear; at any scale, stretched over the page) once turned
// with it: clearing while rotating spares the page a third full-size copy.
cv::Mat rotate_page(const cv::Mat& page, double skew_deg, const RotationSettings& settings,
                    const cv::Scalar& background, const cv::Mat& clear_mask = cv::Mat());

}  // namespace lantai::deskew
