#include "stages/decode/decoded_image.h"

#include <algorithm>
#include <climits>
#include <cmath>

namespace lantai::decode {

void DecodedImage::fail(Problem what, std::string why) {
  image.release();
  if (problem != Problem::none) return;
  problem = what;
  // Library messages may span lines (libtiff indents its continuation lines).
  detail.clear();
  for (char c : why) {
    const bool space = c == '\n' || c == '\r' || c == '\t' || c == ' ';
    if (!space) detail += c;
    else if (!detail.empty() && detail.back() != ' ') detail += ' ';
  }
  while (!detail.empty() && detail.back() == ' ') detail.pop_back();
}

void DecodedImage::fail_out_of_memory() {
  fail(Problem::too_large, "not enough memory to decode it (" + std::to_string(width_px) + " x " +
                               std::to_string(height_px) + " px)");
}

bool accept_size(std::uint64_t width_px, std::uint64_t height_px, const ReadLimits& limits,
                 DecodedImage& image) {
  if (width_px == 0 || height_px == 0) {
    image.fail(Problem::corrupt, "the header gives a size of " + std::to_string(width_px) + " x " +
                                     std::to_string(height_px) + " px");
    return false;
  }
  // cv::Mat indexes rows and columns with int.
  const bool fits_int = width_px <= INT_MAX && height_px <= INT_MAX;
  if (fits_int) {
    image.width_px = static_cast<int>(width_px);
    image.height_px = static_cast<int>(height_px);
  }
  // Both come from 32-bit header fields, so the product fits.
  image.claimed_pixels = width_px * height_px;
  if (!fits_int || image.claimed_pixels > static_cast<std::uint64_t>(limits.max_pixels)) {
    image.fail(Problem::too_large, "the header claims " + std::to_string(width_px) + " x " +
                                       std::to_string(height_px) + " px, more than max_pixels " +
                                       std::to_string(limits.max_pixels));
    return false;
  }
  return true;
}

double snap_dpi(double dpi, double quantum_dpi) {
  const double whole = std::round(dpi);
  return std::abs(dpi - whole) <= std::max(quantum_dpi / 2, 0.01) ? whole : dpi;
}

}  // namespace lantai::decode
