// Colour statistics that survive deskew and border cleanup: counts of strongly coloured
// pixels, the mean colour of the ink in a region, and the largest colour cast. Pages are
// 8-bit BGR or grey; grey pages have no red, no blue and no cast by definition.
#pragma once

#include <filesystem>

#include <opencv2/core.hpp>

namespace lantai::fidelity {

// Strongly red: seal paste, the 红头 and its rule (R high, G and B low).
bool is_red(int b, int g, int r);
// Strongly blue: ballpoint ink (B high, R low, G lower than B).
bool is_blue(int b, int g, int r);

struct InkCounts {
  long long red_px = 0;
  long long blue_px = 0;
};
InkCounts count_inks(const cv::Mat& image);

// Mean BGR of the saturated pixels (max − min channel >= kInkSaturation) in region
// (clipped to the image): the colour of the ink there, paper and black text left out.
struct RegionInk {
  cv::Scalar mean_bgr;
  long long pixels = 0;
};
constexpr int kInkSaturation = 80;
RegionInk region_ink(const cv::Mat& image, cv::Rect region);

// Largest max(|R − G|, |G − B|) over the image; 0 for a grey image.
int max_colour_cast(const cv::Mat& image);

// A JPEG as stored: CV_8UC1 for a grey JPEG, CV_8UC3 BGR otherwise. Read with libjpeg
// itself, not lantai's decoder, so a decoder fault cannot hide in both directions.
// Throws std::runtime_error naming the file when it cannot be read.
cv::Mat read_jpeg(const std::filesystem::path& path);

}  // namespace lantai::fidelity
