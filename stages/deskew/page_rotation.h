// Applying a measured skew: rotate the page about its centre so its content is upright.
#pragma once

#include <functional>
#include <string_view>

#include <opencv2/core.hpp>

namespace lantai::deskew {

// What happens to the image's size when it is rotated.
//   fit:    the size stays as scanned: a window, at whole px, of what expand gives, centred
//           and moved as little as needed for the content (the marks on the paper) to lie
//           whole inside it; only paper margin and scan surround fall outside. Its pixels are
//           exactly expand's. Content wider than the scan once turned (rare: text to the
//           very edge) grows the window just enough to hold it.
//   expand: the canvas grows to hold the whole rotated scan, so nothing of the original is
//           cut off; the new corners are filled with background.
//   keep:   the size stays as scanned, rotated about the centre; the rotated scan's
//           corners fall outside and are lost, content too if it reaches them.
enum class Canvas { fit, expand, keep };
Canvas canvas_from_string(std::string_view text);  // "fit" | "expand" | "keep"; throws std::invalid_argument

// linear: bilinear, about 35 ms for a grey 300-dpi A4 page, a little softer.
// cubic:  bicubic, sharper edges, about four times slower (OpenCV has no SIMD path for it).
enum class Interpolation { linear, cubic };
Interpolation interpolation_from_string(std::string_view text);  // "linear" | "cubic"

struct RotationSettings {
  Canvas canvas = Canvas::fit;
  Interpolation interpolation = Interpolation::linear;
};

// Rotates page (8-bit, 1, 3 or 4 channels) clockwise by skew_deg about its centre, undoing
// a skew measured with find_skew's sign convention (positive = content rotated
// counter-clockwise). Uncovered pixels take the background colour, and so do those under
// clear_mask (8-bit, non-zero = clear; at any scale, stretched over the page) once turned
// with it: clearing while rotating spares the page a third full-size copy.
cv::Mat rotate_page(const cv::Mat& page, double skew_deg, const RotationSettings& settings,
                    const cv::Scalar& background, const cv::Mat& clear_mask = cv::Mat());

// The straightened page: the map from scan px to its px, and its size.
struct Straightening {
  cv::Matx23d transform = cv::Matx23d(1, 0, 0, 0, 1, 0);
  cv::Size size;
};

// How a scan of scan_size is straightened by skew_deg (sign as rotate_page) on a canvas.
// For Canvas::fit, content_box is the box (scan px) of what must stay whole, found with
// content_box_after (it depends on the rotation); empty: placed as keep.
Straightening straighten(cv::Size scan_size, double skew_deg, Canvas canvas,
                         const std::function<cv::Rect(const cv::Matx23d&)>& content_box_after = {});

// The page warped by the straightening, restricted to the region (straightened px) given;
// uncovered pixels take the background.
cv::Mat warp_page(const cv::Mat& page, const Straightening& straightening, const cv::Rect& region,
                  Interpolation interpolation, const cv::Scalar& background);

}  // namespace lantai::deskew
