#include "stages/quality/quality_stage.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>

#include "pipeline/format.h"

namespace lantai::quality {

namespace {

const NumberParam kMinResolution{"min_resolution_dpi", "dpi", 50, 2400, 200,
                                 "lowest scan resolution accepted (DA/T 31-2017: 200 dpi in every case)"};
const NumberParam kBlankMaxInk{"blank_max_ink_ratio", "ratio", 0, 0.1, 0.0002,
                               "a page whose content marks cover less than this share of it is blank"};
const NumberParam kInkContrast{"ink_contrast", "grey levels", 10, 200, 60,
                               "how much darker than the paper a pixel must be to count as ink"};
const NumberParam kMinMark{"min_mark_mm", "mm", 0, 5, 0.6,
                           "marks smaller than this square are scan specks, not content"};

constexpr FindingCode kResolutionLow{"qc.resolution.low", Severity::reject, "scan resolution below the profile minimum"};
constexpr MeasurementInfo kInkRatio{"ink_ratio", "share of the page its content marks cover, 0..1"};
constexpr MeasurementInfo kFingerprint{"fingerprint", "256-bit perceptual hash (hex) of the content box, for duplicates"};

constexpr double kAnalysisDpi = 100;
// Assumed when a page carries no resolution: the width of an A4 page, in inches.
constexpr double kAssumedPageWidthIn = 8.27;

cv::Mat to_grey(const cv::Mat& page) {
  if (page.channels() == 1) return page;
  cv::Mat grey;
  cv::cvtColor(page, grey, cv::COLOR_BGR2GRAY);
  return grey;
}

}  // namespace

InkMeasure measure_ink(const cv::Mat& page, double resolution_dpi, const QualitySettings& settings) {
  cv::Mat grey = to_grey(page);
  const double scale = std::min(1.0, kAnalysisDpi / resolution_dpi);
  cv::Mat small;
  cv::resize(grey, small, cv::Size(), scale, scale, cv::INTER_AREA);

  // Paper level: the median grey, robust to text, stains and borders.
  int histogram[256] = {};
  for (int y = 0; y < small.rows; ++y)
    for (const uchar* p = small.ptr(y), *end = p + small.cols; p != end; ++p) histogram[*p]++;
  const long long half = static_cast<long long>(small.total()) / 2;
  int paper = 0;
  for (long long seen = 0; paper < 256 && (seen += histogram[paper]) <= half; ++paper) {
  }
  cv::Mat ink;
  cv::threshold(small, ink, std::max(0.0, paper - settings.ink_contrast), 255, cv::THRESH_BINARY_INV);

  cv::Mat labels, stats, centroids;
  int count = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8, CV_32S);
  const double px_per_mm = resolution_dpi * scale / 25.4;
  const double min_area = settings.min_mark_mm * settings.min_mark_mm * px_per_mm * px_per_mm;
  long long ink_pixels = 0;
  cv::Rect box;
  for (int i = 1; i < count; ++i) {
    int left = stats.at<int>(i, cv::CC_STAT_LEFT), top = stats.at<int>(i, cv::CC_STAT_TOP);
    int width = stats.at<int>(i, cv::CC_STAT_WIDTH), height = stats.at<int>(i, cv::CC_STAT_HEIGHT);
    int area = stats.at<int>(i, cv::CC_STAT_AREA);
    bool touches_edge = left == 0 || top == 0 || left + width == small.cols || top + height == small.rows;
    if (touches_edge || area < min_area) continue;
    ink_pixels += area;
    box |= cv::Rect(left, top, width, height);
  }
  InkMeasure measure;
  measure.ink_ratio = small.total() ? static_cast<double>(ink_pixels) / static_cast<double>(small.total()) : 0.0;
  if (!box.empty()) {
    const double to_page = 1.0 / scale;
    measure.content_box = cv::Rect(cv::Point(static_cast<int>(box.x * to_page), static_cast<int>(box.y * to_page)),
                                   cv::Point(static_cast<int>(std::ceil(box.br().x * to_page)),
                                             static_cast<int>(std::ceil(box.br().y * to_page)))) &
                          cv::Rect(0, 0, page.cols, page.rows);
  }
  return measure;
}

std::string perceptual_hash(const cv::Mat& image) {
  cv::Mat small, real;
  cv::resize(to_grey(image), small, cv::Size(64, 64), 0, 0, cv::INTER_AREA);
  small.convertTo(real, CV_32F);
  cv::Mat spectrum;
  cv::dct(real, spectrum);
  // The 16x16 lowest frequencies without the DC term carry the page's layout.
  std::vector<float> coefficients;
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x) coefficients.push_back(y == 0 && x == 0 ? 0.f : spectrum.at<float>(y, x));
  std::vector<float> sorted = coefficients;
  std::nth_element(sorted.begin(), sorted.begin() + 128, sorted.end());
  const float median = sorted[128];
  std::string hex;
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < coefficients.size(); i += 4) {
    int nibble = 0;
    for (size_t k = 0; k < 4; ++k) nibble = nibble << 1 | (coefficients[i + k] > median ? 1 : 0);
    hex.push_back(kHex[nibble]);
  }
  return hex;
}

int hamming_distance(const std::string& hex_a, const std::string& hex_b) {
  if (hex_a.size() != hex_b.size() || hex_a.empty()) return -1;
  auto nibble = [](char c) { return static_cast<unsigned>(c <= '9' ? c - '0' : c - 'a' + 10); };
  int distance = 0;
  for (size_t i = 0; i < hex_a.size(); ++i) distance += std::popcount(nibble(hex_a[i]) ^ nibble(hex_b[i]));
  return distance;
}

StageInfo QualityStage::describe() const {
  return {"quality",
          "Checks resolution and blank pages and fingerprints each page for duplicate search.",
          "1",
          {kMinResolution.info(), kBlankMaxInk.info(), kInkContrast.info(), kMinMark.info()},
          {kResolutionLow, kBlank},
          {kInkRatio, kFingerprint}};
}

void QualityStage::setup(ProfileSection& section, const StageContext&) {
  settings_.min_resolution_dpi = section.get(kMinResolution);
  settings_.blank_max_ink_ratio = section.get(kBlankMaxInk);
  settings_.ink_contrast = section.get(kInkContrast);
  settings_.min_mark_mm = section.get(kMinMark);
}

Outcome QualityStage::process(const Item& page) const {
  Outcome outcome;
  const std::optional<double> dpi = page.measurements.number("resolution_dpi");
  if (dpi && *dpi < settings_.min_resolution_dpi)
    outcome.add(kResolutionLow(page.rel_path + ": scanned at " + fixed(*dpi, 0) + " dpi, below the profile's " +
                                   fixed(settings_.min_resolution_dpi, 0) + " dpi",
                               fixed(*dpi, 0), fixed(settings_.min_resolution_dpi, 0)));
  if (page.image.empty()) return outcome;

  const cv::Mat& pixels = page.image.pixels();
  const double analysis_dpi = dpi ? *dpi : pixels.cols / kAssumedPageWidthIn;
  const InkMeasure ink = measure_ink(pixels, analysis_dpi, settings_);
  outcome.measurements.set(kInkRatio.name, ink.ink_ratio);
  if (ink.ink_ratio < settings_.blank_max_ink_ratio)
    outcome.add(kBlank(page.rel_path + ": blank page (content covers " + fixed(ink.ink_ratio * 100, 3) +
                           "% of it, below " + fixed(settings_.blank_max_ink_ratio * 100, 3) + "%)",
                       fixed(ink.ink_ratio, 6), fixed(settings_.blank_max_ink_ratio, 6)));
  outcome.measurements.set(kFingerprint.name,
                           perceptual_hash(ink.content_box.empty() ? pixels : pixels(ink.content_box)));
  return outcome;
}

}  // namespace lantai::quality
