#include "stages/deskew/analysis_image.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace lantai::deskew {

namespace {

// Ink must be at least this much darker than the paper: below it, Otsu on a blank page
// would split the paper's own grain into "ink".
constexpr int kMinInkContrast = 40;
constexpr double kAssumedShortSideIn = 8.27;  // A4

int median_of(const std::array<long long, 256>& histogram, long long count) {
  long long seen = 0;
  for (int level = 0; level < 256; ++level)
    if ((seen += histogram[static_cast<size_t>(level)]) * 2 > count) return level;
  return 255;
}

}  // namespace

cv::Mat to_grey(const cv::Mat& page) {
  if (page.depth() != CV_8U) throw std::invalid_argument("deskew: the page image is not 8-bit");
  switch (page.channels()) {
    case 1: return page;
    case 3: {
      cv::Mat grey;
      cv::cvtColor(page, grey, cv::COLOR_BGR2GRAY);
      return grey;
    }
    case 4: {
      cv::Mat grey;
      cv::cvtColor(page, grey, cv::COLOR_BGRA2GRAY);
      return grey;
    }
    default: throw std::invalid_argument("deskew: the page image is neither grey nor BGR");
  }
}

cv::Scalar paper_colour(const cv::Mat& page) {
  if (page.depth() != CV_8U || page.channels() > 4 || page.empty())
    throw std::invalid_argument("deskew: the page image is not 8-bit grey or colour");
  // A 4-pixel grid samples a 300-dpi page over a million times: the median is exact enough.
  constexpr int kStep = 4;
  const int channels = page.channels();
  std::array<std::array<long long, 256>, 4> histograms{};
  long long count = 0;
  for (int y = 0; y < page.rows; y += kStep) {
    const uchar* row = page.ptr(y);
    for (int x = 0; x < page.cols; x += kStep, ++count)
      for (int c = 0; c < channels; ++c) histograms[static_cast<size_t>(c)][row[x * channels + c]]++;
  }
  cv::Scalar colour;
  for (int c = 0; c < channels; ++c) colour[c] = median_of(histograms[static_cast<size_t>(c)], count);
  return colour;
}

AnalysisImage make_analysis_image(const cv::Mat& page, double analysis_dpi,
                                  std::optional<double> resolution_dpi) {
  AnalysisImage image;
  const double page_dpi =
      resolution_dpi && *resolution_dpi > 0 ? *resolution_dpi : std::min(page.cols, page.rows) / kAssumedShortSideIn;
  image.scale = std::min(1.0, analysis_dpi / page_dpi);
  if (image.scale < 1.0) {
    // Reduced first, then made grey: the same grey (both are averages), without a full-size grey copy.
    cv::Mat reduced;
    cv::resize(page, reduced, cv::Size(), image.scale, image.scale, cv::INTER_AREA);
    image.grey = to_grey(reduced);
  } else {
    image.grey = to_grey(page);
  }
  image.px_per_mm = page_dpi * image.scale / 25.4;

  std::array<long long, 256> histogram{};
  for (int y = 0; y < image.grey.rows; ++y)
    for (const uchar *p = image.grey.ptr(y), *end = p + image.grey.cols; p != end; ++p) histogram[*p]++;
  image.paper_level = median_of(histogram, static_cast<long long>(image.grey.total()));
  cv::Mat unused;
  const int otsu = static_cast<int>(cv::threshold(image.grey, unused, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU));
  // Otsu's threshold is the last grey of the dark class, hence the + 1.
  image.ink_threshold = std::max(0, std::min(otsu + 1, image.paper_level - kMinInkContrast));
  return image;
}

}  // namespace lantai::deskew
