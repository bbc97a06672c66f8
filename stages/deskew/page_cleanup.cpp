#include "stages/deskew/page_cleanup.h"

#include <png.h>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace lantai::deskew {

namespace {

// A shadow must run along at least this share of the image side it touches: the lid's
// shadow lies along a whole side, a stain at the paper's edge does not.
constexpr double kShadowMinRun = 0.5;
// Its halo (the shadow fades into the paper) is cleared with it, as far as this.
constexpr double kShadowHaloMm = 1.0;
// A mark at least this far below the paper's grey (at analysis resolution) may be a speck.
constexpr int kSpeckContrast = 40;

cv::Mat dark_mask(const AnalysisImage& image, int below) {  // 255 where grey < below
  cv::Mat mask;
  cv::compare(image.grey, below, mask, cv::CMP_LT);
  return mask;
}

cv::Mat find_shadow(const AnalysisImage& image, const cv::Mat& border, const CleanupSettings& settings) {
  // A shadow is broad: looked for at a quarter of the analysis resolution, where it is
  // still several pixels wide and the search costs a sixteenth.
  constexpr int kReduce = 4;
  cv::Mat grey;
  cv::resize(image.grey, grey, cv::Size(image.grey.cols / kReduce, image.grey.rows / kReduce), 0, 0, cv::INTER_AREA);
  if (grey.empty()) return cv::Mat::zeros(image.grey.size(), CV_8U);
  // Grey, not ink-dark: a black border is find_dark_border's, and left alone when it is not asked for.
  const int level = image.paper_level - static_cast<int>(std::lround(settings.shadow_contrast));
  cv::Mat shade;
  cv::inRange(grey, image.ink_threshold, std::max(0, level - 1), shade);
  if (!border.empty()) {
    cv::Mat small_border;
    cv::resize(border, small_border, grey.size(), 0, 0, cv::INTER_AREA);
    shade.setTo(0, small_border);
  }
  const double px_per_mm = image.px_per_mm * grey.cols / image.grey.cols;
  const int width_px = std::max(3, static_cast<int>(std::lround(settings.shadow_min_width_mm * px_per_mm)) | 1);
  cv::morphologyEx(shade, shade, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, {width_px, width_px}));

  cv::Mat labels, stats, centroids;
  const int count = cv::connectedComponentsWithStats(shade, labels, stats, centroids, 8, CV_32S);
  cv::Mat shadow = cv::Mat::zeros(shade.size(), CV_8U);
  for (int i = 1; i < count; ++i) {
    const int left = stats.at<int>(i, cv::CC_STAT_LEFT), top = stats.at<int>(i, cv::CC_STAT_TOP);
    const int width = stats.at<int>(i, cv::CC_STAT_WIDTH), height = stats.at<int>(i, cv::CC_STAT_HEIGHT);
    const bool along_vertical = (left == 0 || left + width == shade.cols) && height >= kShadowMinRun * shade.rows;
    const bool along_horizontal = (top == 0 || top + height == shade.rows) && width >= kShadowMinRun * shade.cols;
    if (along_vertical || along_horizontal) shadow.setTo(255, labels == i);
  }
  if (cv::countNonZero(shadow) == 0) return cv::Mat::zeros(image.grey.size(), CV_8U);
  // Back at analysis resolution, grown by its halo (the shadow fades into the paper) and by
  // the reduction's rounding.
  const int halo = std::max(1, static_cast<int>(std::lround(kShadowHaloMm * px_per_mm)));
  cv::dilate(shadow, shadow, cv::getStructuringElement(cv::MORPH_RECT, {2 * halo + 1, 2 * halo + 1}));
  cv::Mat full;
  cv::resize(shadow, full, image.grey.size(), 0, 0, cv::INTER_NEAREST);
  return full;
}

}  // namespace

PagePlan plan_page(const AnalysisImage& image, const cv::Mat& border, const CleanupSettings& settings) {
  PagePlan plan;
  cv::Mat ink = dark_mask(image, image.ink_threshold);
  // Marks: ink, and anything else clearly darker than the paper. A speck of one or two
  // pixels at 300 dpi is diluted to a light grey at analysis resolution, above the ink
  // threshold: it is found among the marks. Large marks that are not ink (a pale stamp)
  // are neither content nor specks, and are left alone.
  cv::Mat marks = dark_mask(image, std::max(image.ink_threshold, image.paper_level - kSpeckContrast));
  if (!border.empty()) {
    ink.setTo(0, border);
    marks.setTo(0, border);
  }

  cv::Mat labels, stats, centroids;
  const int count = cv::connectedComponentsWithStats(marks, labels, stats, centroids, 8, CV_32S);
  const double speck_side_px = settings.speck_max_mm * image.px_per_mm;
  const double speck_area = speck_side_px * speck_side_px;
  std::vector<uchar> is_speck(static_cast<size_t>(count), 0);
  bool any_speck = false;
  for (int i = 1; i < count; ++i) {
    const bool speck = stats.at<int>(i, cv::CC_STAT_AREA) < speck_area &&
                       stats.at<int>(i, cv::CC_STAT_WIDTH) < speck_side_px + 1 &&
                       stats.at<int>(i, cv::CC_STAT_HEIGHT) < speck_side_px + 1;
    is_speck[static_cast<size_t>(i)] = speck ? 255 : 0;
    any_speck |= speck;
  }
  // One pass over the labels, whatever the number of marks (a halftone photo has thousands).
  plan.content = ink;
  plan.specks = cv::Mat::zeros(ink.size(), CV_8U);
  if (any_speck) {
    for (int y = 0; y < ink.rows; ++y) {
      const int* label = labels.ptr<int>(y);
      uchar* content = plan.content.ptr(y);
      uchar* speck = plan.specks.ptr(y);
      for (int x = 0; x < ink.cols; ++x) {
        const uchar s = is_speck[static_cast<size_t>(label[x])];
        speck[x] = s;
        content[x] &= static_cast<uchar>(~s);
      }
    }
  }
  if (settings.remove_specks && cv::countNonZero(plan.specks) > 0)
    cv::dilate(plan.specks, plan.specks, cv::getStructuringElement(cv::MORPH_RECT, {3, 3}));
  else
    plan.specks.release();
  if (settings.remove_lid_shadow) {
    plan.shadow = find_shadow(image, border, settings);
    if (cv::countNonZero(plan.shadow) == 0) plan.shadow.release();
  }
  return plan;
}

cv::Rect transformed_box(const cv::Mat& mask, double scale, const cv::Matx23d& transform) {
  std::vector<cv::Point> points;
  cv::findNonZero(mask, points);
  if (points.empty()) return {};
  double min_x = 1e18, min_y = 1e18, max_x = -1e18, max_y = -1e18;
  const double to_page = 1.0 / scale;
  // Each analysis pixel covers a square of page px: its four corners.
  for (const cv::Point& p : points) {
    for (int corner = 0; corner < 4; ++corner) {
      const double x = (p.x + (corner & 1)) * to_page, y = (p.y + (corner >> 1)) * to_page;
      const double u = transform(0, 0) * x + transform(0, 1) * y + transform(0, 2);
      const double v = transform(1, 0) * x + transform(1, 1) * y + transform(1, 2);
      min_x = std::min(min_x, u), max_x = std::max(max_x, u);
      min_y = std::min(min_y, v), max_y = std::max(max_y, v);
    }
  }
  return cv::Rect(cv::Point(static_cast<int>(std::floor(min_x)), static_cast<int>(std::floor(min_y))),
                  cv::Point(static_cast<int>(std::ceil(max_x)), static_cast<int>(std::ceil(max_y))));
}

cv::Rect paper_box(const cv::Mat& surround) {
  cv::Mat row_share, col_share;
  cv::reduce(surround, row_share, 1, cv::REDUCE_AVG, CV_32F);  // one value per row
  cv::reduce(surround, col_share, 0, cv::REDUCE_AVG, CV_32F);  // one per column
  const float half = 127.5f;
  int top = 0, bottom = surround.rows, left = 0, right = surround.cols;
  while (top < bottom && row_share.at<float>(top) > half) ++top;
  while (bottom > top && row_share.at<float>(bottom - 1) > half) --bottom;
  while (left < right && col_share.at<float>(left) > half) ++left;
  while (right > left && col_share.at<float>(right - 1) > half) --right;
  return cv::Rect(cv::Point(left, top), cv::Point(right, bottom));
}

std::optional<cv::Rect> parse_box(std::string_view text) {
  int values[4];
  size_t at = 0;
  for (int i = 0; i < 4; ++i) {
    const size_t end = i < 3 ? text.find(',', at) : text.size();
    if (end == std::string_view::npos || end == at) return std::nullopt;
    const std::string part(text.substr(at, end - at));
    char* stop = nullptr;
    const long value = std::strtol(part.c_str(), &stop, 10);
    if (*stop != '\0' || value < 0 || value > 1'000'000) return std::nullopt;
    values[i] = static_cast<int>(value);
    at = end + 1;
  }
  if (values[2] == 0 || values[3] == 0) return std::nullopt;
  return cv::Rect(values[0], values[1], values[2], values[3]);
}

std::string box_text(const cv::Rect& box) {
  return std::to_string(box.x) + "," + std::to_string(box.y) + "," + std::to_string(box.width) + "," +
         std::to_string(box.height);
}

namespace {

void append_png_bytes(png_structp png, png_bytep data, png_size_t length) {
  static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<const char*>(data), length);
}

// libpng reports errors by longjmp: only plain values live in this frame. packed holds the
// rows, 1 bit a pixel.
bool write_bilevel_png(png_structp png, png_infop info, int width, int height, png_bytep packed, std::string* bytes) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_write_fn(png, bytes, append_png_bytes, nullptr);
  png_set_compression_level(png, 1);  // the rows are mostly white: the fastest level packs them as well
  png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 1, PNG_COLOR_TYPE_GRAY,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  const size_t row_bytes = static_cast<size_t>((width + 7) / 8);
  for (int y = 0; y < height; ++y) png_write_row(png, packed + static_cast<size_t>(y) * row_bytes);
  png_write_end(png, nullptr);
  return true;
}

}  // namespace

std::string encode_diff_png(const cv::Mat& mask) {
  CV_Assert(mask.type() == CV_8UC1);  // a programming error: the diff is a one-channel mask
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!info) {
    png_destroy_write_struct(&png, nullptr);
    throw std::runtime_error("deskew: libpng could not start the cleanup diff");
  }
  // White (1) everywhere, then a 0 bit for each changed pixel: they are few.
  const size_t row_bytes = static_cast<size_t>((mask.cols + 7) / 8);
  std::vector<png_byte> packed(row_bytes * static_cast<size_t>(mask.rows), 0xFF);
  std::vector<cv::Point> changed;
  cv::findNonZero(mask, changed);
  for (const cv::Point& p : changed)
    packed[static_cast<size_t>(p.y) * row_bytes + static_cast<size_t>(p.x >> 3)] &= static_cast<png_byte>(~(0x80 >> (p.x & 7)));
  std::string bytes;
  const bool written = write_bilevel_png(png, info, mask.cols, mask.rows, packed.data(), &bytes);
  png_destroy_write_struct(&png, &info);
  if (!written) throw std::runtime_error("deskew: libpng could not write the cleanup diff");
  return bytes;
}

}  // namespace lantai::deskew
