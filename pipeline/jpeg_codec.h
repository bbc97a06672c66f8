// JPEG in memory through libjpeg-turbo, for the images lantai writes itself (derivatives,
// sample scans): baseline, integer DCT, JFIF with the resolution when known, nothing that
// varies by date or machine, so the same pixels and settings give the same bytes. The
// decode stage reads the scans that arrive (hardened against damaged files); this reads
// back what lantai wrote.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <opencv2/core.hpp>

namespace lantai {

// image: 8-bit grey or BGR; quality 1..100. icc_profile, when given, is embedded as the
// image's colour space (APP2 ICC_PROFILE markers), so its colours mean what they meant in
// the file the pixels came from. Throws std::runtime_error if libjpeg fails.
std::string encode_jpeg(const cv::Mat& image, int quality, std::optional<double> resolution_dpi,
                        std::string_view icc_profile = {});

// 8-bit grey (CV_8UC1) or BGR (CV_8UC3). Throws std::runtime_error naming libjpeg's
// reason when the bytes are not a whole JPEG.
cv::Mat decode_jpeg(std::string_view bytes);

}  // namespace lantai
