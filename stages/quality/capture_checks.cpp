#include "stages/quality/capture_checks.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "pipeline/colour_share.h"

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
// Edges are measured in every other band of this many rows (at kMeasureDpi, 4 mm): half the
// cost, and still thousands of edges on a page with a few lines of text.
constexpr int kBandRows = 32;
// Ripples are told from edges by the blur they would imply, in px at kMeasureDpi (1 mm).
constexpr float kMaxSigmaPx = 8;
constexpr float kSqrt2Pi = 2.5066283f;
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
  const int window = std::max(3, static_cast<int>(std::lround(kEdgeWindowMm * measure.px_per_mm)) | 1);
  const cv::Mat box = cv::getStructuringElement(cv::MORPH_RECT, {window, window});
  const cv::Mat three = cv::getStructuringElement(cv::MORPH_RECT, {3, 3});
  const int apron = window / 2 + 2;  // rows above and below a band its filters read
  std::vector<float> contrasts, slopes;
  cv::Mat gx, gy, slope, slope_peak, high, low;  // reused from band to band
  for (int top = 1; top < grey.rows - 1; top += 2 * kBandRows) {
    const int bottom = std::min(grey.rows - 1, top + kBandRows);
    const int outer_top = std::max(0, top - apron), outer_bottom = std::min(grey.rows, bottom + apron);
    const cv::Mat band = grey.rowRange(outer_top, outer_bottom);
    cv::Sobel(band, gx, CV_32F, 1, 0, 3);
    cv::Sobel(band, gy, CV_32F, 0, 1, 3);
    cv::magnitude(gx, gy, slope);
    cv::dilate(slope, slope_peak, three);
    cv::dilate(band, high, box);
    cv::erode(band, low, box);
    // Edge points: where the slope peaks across the edge and the neighbourhood spans paper to ink.
    for (int y = top; y < bottom; ++y) {
      const int row = y - outer_top;
      const float* s = slope.ptr<float>(row);
      const float* peak = slope_peak.ptr<float>(row);
      const uchar* hi = high.ptr(row);
      const uchar* lo = low.ptr(row);
      for (int x = 1; x < grey.cols - 1; ++x) {
        const int contrast = hi[x] - lo[x];
        // A slope this shallow for its contrast is no edge but a ripple beside one (JPEG
        // ringing along a 1-bit stroke): it would read as a blur of over 1 mm.
        if (contrast < kMinEdgeContrast || s[x] < peak[x] || s[x] * kMaxSigmaPx * kSqrt2Pi < 8.0f * contrast)
          continue;
        contrasts.push_back(static_cast<float>(contrast));
        slopes.push_back(s[x]);
      }
    }
  }
  measure.edge_count = static_cast<long long>(contrasts.size());
  if (contrasts.empty()) return;
  std::vector<float> sorted = contrasts;
  measure.edge_contrast = percentile(sorted, 0.9);

  // A 3x3 Sobel gives 8 times the grey step per pixel; a sharp step of height C peaks at C/2
  // a pixel, one blurred by a Gaussian of sigma s at C / (s sqrt(2 pi)).
  const double strong = kStrongEdgeShare * measure.edge_contrast;
  std::vector<float> sigmas_px;
  for (size_t i = 0; i < contrasts.size(); ++i) {
    if (contrasts[i] < strong) continue;
    const double per_px = slopes[i] / 8.0;
    sigmas_px.push_back(static_cast<float>(contrasts[i] / (per_px * std::sqrt(2 * std::numbers::pi))));
  }
  measure.blur_mm = percentile(sigmas_px, 0.5) / measure.px_per_mm;
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
                               cv::Mat* half_grey, bool measure_chroma) {
  if (page.depth() != CV_8U || (page.channels() != 1 && page.channels() != 3))
    throw std::invalid_argument("quality: the page image is not 8-bit grey or BGR");
  CaptureMeasure measure;
  const double scale = std::min(1.0, kMeasureDpi / resolution_dpi);
  measure.px_per_mm = resolution_dpi * scale / 25.4;
  if (measure_chroma && page.channels() == 3) {
    // At about 100 dpi by a whole factor (OpenCV's fast path): colour is a matter of area.
    const int factor = std::max(1, static_cast<int>(std::lround(resolution_dpi / 100)));
    cv::Mat small;
    cv::resize(page, small, cv::Size(page.cols / factor, page.rows / factor), 0, 0, cv::INTER_AREA);
    measure.chroma_ratio = colour_share(small);
  }
  // Grey first, then reduced: the same grey (both are averages of the page's colour).
  // Bilinear sampling, not area averaging: five times cheaper for a factor that is not
  // whole (300 to 200 dpi), and the edges' figures are medians over thousands.
  cv::Mat grey = page;
  if (page.channels() == 3) cv::cvtColor(page, grey, cv::COLOR_BGR2GRAY);
  if (scale < 1) cv::resize(grey, grey, cv::Size(), scale, scale, cv::INTER_LINEAR);
  measure.paper_level = median_level(grey);
  measure_edges(grey, measure);
  // The border at half that resolution: it is a broad region.
  cv::Mat half;
  cv::resize(grey, half, cv::Size(grey.cols / 2, grey.rows / 2), 0, 0, cv::INTER_AREA);
  measure.dark_border_ratio = dark_border_ratio(half, measure.paper_level, measure.px_per_mm / 2, min_border_mm);
  if (half_grey) *half_grey = half;
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
