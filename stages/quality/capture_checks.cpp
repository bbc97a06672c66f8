#include "stages/quality/capture_checks.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace lantai::quality {

namespace {

// An edge must span at least this between paper and ink: paper grain and JPEG ringing stay below.
constexpr int kMinEdgeContrast = 48;
// The neighbourhood over which an edge's paper and ink levels are taken, in mm: wider than
// a blurred edge's rise, narrower than the gap between two lines of text.
constexpr double kEdgeWindowMm = 1.1;
// Blur is judged on the strong edges only: those at least this share of the page's 90th
// percentile contrast (faint marks, stains and halftone are blurred by nature).
constexpr double kStrongEdgeShare = 0.5;
// A pixel this far from neutral is colour: above JPEG's colour fringes at black text
// (about 20 after reduction) and the tint of aged paper (25-35), below any seal, red text
// or blue ink (80 and more).
constexpr int kChromaLevel = 40;
// Dark means darker than this share of the paper level (a border of a black scanner lid).
constexpr double kDarkShareOfPaper = 0.5;

int median_level(const cv::Mat& grey) {
  std::array<long long, 256> histogram{};
  for (int y = 0; y < grey.rows; ++y)
    for (const uchar *p = grey.ptr(y), *end = p + grey.cols; p != end; ++p) histogram[*p]++;
  long long seen = 0;
  const long long total = static_cast<long long>(grey.total());
  for (int level = 0; level < 256; ++level)
    if ((seen += histogram[static_cast<size_t>(level)]) * 2 > total) return level;
  return 255;
}

double percentile(std::vector<float>& values, double share) {
  if (values.empty()) return 0;
  const auto at = values.begin() + static_cast<std::ptrdiff_t>(share * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), at, values.end());
  return *at;
}

void measure_edges(const cv::Mat& grey, CaptureMeasure& measure) {
  cv::Mat gx, gy, slope;
  cv::Sobel(grey, gx, CV_32F, 1, 0, 3);
  cv::Sobel(grey, gy, CV_32F, 0, 1, 3);
  cv::magnitude(gx, gy, slope);
  gx.release();
  gy.release();
  cv::Mat slope_peak;
  cv::dilate(slope, slope_peak, cv::getStructuringElement(cv::MORPH_RECT, {3, 3}));

  const int window = std::max(3, static_cast<int>(std::lround(kEdgeWindowMm * measure.px_per_mm)) | 1);
  const cv::Mat box = cv::getStructuringElement(cv::MORPH_RECT, {window, window});
  cv::Mat high, low;
  cv::dilate(grey, high, box);
  cv::erode(grey, low, box);

  // Edge points: where the slope peaks across the edge and the neighbourhood spans paper to ink.
  std::vector<float> contrasts, sigmas_px;
  std::vector<cv::Point> points;
  for (int y = 1; y < grey.rows - 1; ++y) {
    const float* s = slope.ptr<float>(y);
    const float* peak = slope_peak.ptr<float>(y);
    const uchar* hi = high.ptr(y);
    const uchar* lo = low.ptr(y);
    for (int x = 1; x < grey.cols - 1; ++x) {
      const int contrast = hi[x] - lo[x];
      if (contrast < kMinEdgeContrast || s[x] <= 0 || s[x] < peak[x]) continue;
      contrasts.push_back(static_cast<float>(contrast));
      points.emplace_back(x, y);
    }
  }
  measure.edge_count = static_cast<long long>(points.size());
  if (points.empty()) return;
  std::vector<float> sorted = contrasts;
  measure.edge_contrast = percentile(sorted, 0.9);

  // A 3x3 Sobel gives 8 times the grey step per pixel; a sharp step of height C peaks at C/2
  // a pixel, one blurred by a Gaussian of sigma s at C / (s sqrt(2 pi)).
  const double strong = kStrongEdgeShare * measure.edge_contrast;
  for (size_t i = 0; i < points.size(); ++i) {
    if (contrasts[i] < strong) continue;
    const double per_px = slope.at<float>(points[i]) / 8.0;
    sigmas_px.push_back(static_cast<float>(contrasts[i] / (per_px * std::sqrt(2 * std::numbers::pi))));
  }
  measure.blur_mm = percentile(sigmas_px, 0.5) / measure.px_per_mm;
}

double chroma_ratio(const cv::Mat& colour) {
  if (colour.channels() < 3) return 0;
  std::vector<cv::Mat> planes;
  cv::split(colour, planes);
  cv::Mat high = cv::max(cv::max(planes[0], planes[1]), planes[2]);
  cv::Mat low = cv::min(cv::min(planes[0], planes[1]), planes[2]);
  cv::Mat chroma = high - low;
  return static_cast<double>(cv::countNonZero(chroma >= kChromaLevel)) / static_cast<double>(chroma.total());
}

double dark_border_ratio(const cv::Mat& grey, int paper_level, double px_per_mm, double min_border_mm) {
  cv::Mat dark = grey < static_cast<int>(kDarkShareOfPaper * paper_level);
  const int width_px = std::max(3, static_cast<int>(std::lround(min_border_mm * px_per_mm)) | 1);
  cv::morphologyEx(dark, dark, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_ELLIPSE, {width_px, width_px}));
  cv::Mat labels, stats, centroids;
  const int count = cv::connectedComponentsWithStats(dark, labels, stats, centroids, 8, CV_32S);
  long long area = 0;
  for (int i = 1; i < count; ++i) {
    const int left = stats.at<int>(i, cv::CC_STAT_LEFT), top = stats.at<int>(i, cv::CC_STAT_TOP);
    const int right = left + stats.at<int>(i, cv::CC_STAT_WIDTH), bottom = top + stats.at<int>(i, cv::CC_STAT_HEIGHT);
    if (left == 0 || top == 0 || right == dark.cols || bottom == dark.rows) area += stats.at<int>(i, cv::CC_STAT_AREA);
  }
  return static_cast<double>(area) / static_cast<double>(dark.total());
}

}  // namespace

CaptureMeasure measure_capture(const cv::Mat& page, double resolution_dpi, double min_border_mm,
                               cv::Mat* reduced_grey) {
  if (page.depth() != CV_8U || (page.channels() != 1 && page.channels() != 3))
    throw std::invalid_argument("quality: the page image is not 8-bit grey or BGR");
  CaptureMeasure measure;
  const double scale = std::min(1.0, kMeasureDpi / resolution_dpi);
  measure.px_per_mm = resolution_dpi * scale / 25.4;
  cv::Mat reduced = page;
  if (scale < 1) cv::resize(page, reduced, cv::Size(), scale, scale, cv::INTER_AREA);
  cv::Mat grey = reduced;
  if (reduced.channels() == 3) {
    measure.chroma_ratio = chroma_ratio(reduced);
    cv::cvtColor(reduced, grey, cv::COLOR_BGR2GRAY);
  }
  reduced.release();
  measure.paper_level = median_level(grey);
  measure_edges(grey, measure);
  measure.dark_border_ratio = dark_border_ratio(grey, measure.paper_level, measure.px_per_mm, min_border_mm);
  if (reduced_grey) *reduced_grey = grey;
  return measure;
}

std::vector<Sheet> parse_sheets(std::string_view text) {
  std::vector<Sheet> sheets;
  size_t at = 0;
  while (at < text.size()) {
    const size_t start = text.find_first_not_of(", \t\n", at);
    if (start == std::string_view::npos) break;
    size_t end = text.find_first_of(", \t\n", start);
    if (end == std::string_view::npos) end = text.size();
    const std::string entry(text.substr(start, end - start));
    at = end;
    const size_t equals = entry.find('=');
    const size_t times = entry.find('x', equals == std::string::npos ? 0 : equals);
    Sheet sheet;
    bool ok = equals != std::string::npos && equals > 0 && times != std::string::npos;
    if (ok) {
      sheet.name = entry.substr(0, equals);
      const std::string first = entry.substr(equals + 1, times - equals - 1), second = entry.substr(times + 1);
      char* stop = nullptr;
      const double a = std::strtod(first.c_str(), &stop);
      ok = !first.empty() && *stop == '\0';
      const double b = std::strtod(second.c_str(), &stop);
      ok = ok && !second.empty() && *stop == '\0' && a > 0 && b > 0 && std::isfinite(a) && std::isfinite(b);
      sheet.short_mm = std::min(a, b);
      sheet.long_mm = std::max(a, b);
    }
    if (!ok) throw std::invalid_argument("'" + entry + "' is not a sheet as NAME=WIDTHxHEIGHT in mm (A4=210x297)");
    sheets.push_back(sheet);
  }
  return sheets;
}

std::optional<SheetMatch> closest_sheet(double width_mm, double height_mm, const std::vector<Sheet>& sheets) {
  std::optional<SheetMatch> best;
  const double short_mm = std::min(width_mm, height_mm), long_mm = std::max(width_mm, height_mm);
  for (const Sheet& sheet : sheets) {
    const double off = std::max(std::abs(short_mm - sheet.short_mm), std::abs(long_mm - sheet.long_mm));
    if (!best || off < best->off_mm) best = SheetMatch{&sheet, off};
  }
  return best;
}

}  // namespace lantai::quality
