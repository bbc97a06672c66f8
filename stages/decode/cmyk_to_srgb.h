// CMYK pages to sRGB through LittleCMS, with the ICC profile the file embeds: the profile
// is what says which inks and paper the numbers mean, so without one there is no right
// conversion and the page is refused (decode.unsupported, "CMYK without an ICC profile")
// rather than given colours nobody measured. See docs/design-notes.md.
//
// Rendering intent: relative colorimetric with black-point compensation, the usual choice
// for turning a print separation back into screen colours: paper white becomes sRGB white
// and in-gamut colours keep their measured values.
// Thread-safe: each call has its own LittleCMS context, whose error handler captures the
// first message (nothing is printed).
#pragma once

#include <span>
#include <string>

#include <opencv2/core.hpp>

namespace lantai::decode {

// cmyk: CV_8UC4 or CV_16UC4 (16-bit in native byte order), C M Y K with 0 = no ink, or
// with 0 = full ink when inverted (Adobe CMYK JPEG). On success bgr is CV_8UC3 and the
// result empty; otherwise bgr is left empty and the result says why in one line.
std::string cmyk_to_bgr(const cv::Mat& cmyk, bool inverted, std::span<const unsigned char> icc_profile, cv::Mat& bgr);

}  // namespace lantai::decode
