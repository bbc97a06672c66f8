#include "synthetic_page.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace lantai::deskew::testing {

namespace {

constexpr int kPaper = 235;
constexpr int kInk = 30;
constexpr int kBorder = 25;

int uniform(std::mt19937& random, int low, int high) {
  return std::uniform_int_distribution<int>(low, high)(random);
}

void add_grain_and_specks(cv::Mat& page, double grain_sigma, double speckle_ratio, std::mt19937& random) {
  if (grain_sigma > 0) {
    cv::Mat grain(page.size(), CV_16S);
    cv::RNG rng(random());
    rng.fill(grain, cv::RNG::NORMAL, 0, grain_sigma);
    cv::Mat page16;
    page.convertTo(page16, CV_16S);
    page16 += grain;
    page16.convertTo(page, CV_8U);
  }
  const auto specks = static_cast<long long>(speckle_ratio * static_cast<double>(page.total()));
  for (long long i = 0; i < specks; ++i) {
    const int x = uniform(random, 0, page.cols - 2), y = uniform(random, 0, page.rows - 2);
    const int size = uniform(random, 1, 2);
    page(cv::Rect(x, y, size, size)).setTo(uniform(random, 0, 90));
  }
}

}  // namespace

void paint_block_glyph(cv::Mat& canvas, const cv::Rect& cell, std::mt19937& random) {
  const int w = cell.width * 84 / 100, h = cell.height * 84 / 100;
  const int left = cell.x + (cell.width - w) / 2, top = cell.y + (cell.height - h) / 2;
  const int thickness = std::max(2, cell.height / 12);
  // Most characters fill their box: one stroke near the top and one near the bottom.
  const int top_y = top + uniform(random, 0, h / 6), bottom_y = top + h - uniform(random, 0, h / 6);
  cv::line(canvas, {left + uniform(random, 0, w / 3), top_y}, {left + w - uniform(random, 0, w / 3), top_y}, kInk,
           thickness);
  cv::line(canvas, {left + uniform(random, 0, w / 4), bottom_y}, {left + w - uniform(random, 0, w / 4), bottom_y},
           kInk, thickness);
  const int strokes = uniform(random, 3, 8);
  for (int s = 0; s < strokes; ++s) {
    const int x0 = left + uniform(random, 0, w), y0 = top + uniform(random, 0, h);
    cv::Point end;
    switch (uniform(random, 0, 3)) {
      case 0: end = {left + uniform(random, 0, w), y0}; break;                  // horizontal
      case 1: end = {x0, top + uniform(random, 0, h)}; break;                   // vertical
      case 2: end = {x0 + uniform(random, -w / 3, w / 3), y0 + h / 3}; break;   // sweep
      default: end = {x0 + thickness, y0 + thickness}; break;                   // dot
    }
    end.x = std::clamp(end.x, left, left + w);
    end.y = std::clamp(end.y, top, top + h);
    cv::line(canvas, {x0, y0}, end, kInk, thickness);
  }
}

cv::Mat draw_page(const SyntheticPage& spec, const GlyphPainter& painter) {
  std::mt19937 random(spec.seed);
  // Lay the text out upright on a canvas large enough for any rotation of the page.
  const int side = static_cast<int>(std::ceil(std::hypot(spec.width_px, spec.height_px))) + 4;
  cv::Mat canvas(side, side, CV_8U, cv::Scalar(kPaper));
  const cv::Point origin((side - spec.width_px) / 2, (side - spec.height_px) / 2);
  const int cell = spec.cell_px;
  const int text_width = spec.width_px - 2 * spec.margin_px;
  const int per_line = std::max(1, text_width / cell);
  const int text_height = spec.height_px - 2 * spec.margin_px;
  const int pitch = spec.line_pitch_px > 0
                        ? spec.line_pitch_px
                        : std::min(3 * cell, std::max(cell + 4, text_height / std::max(1, spec.lines)));
  int in_paragraph = 0, paragraph_lines = uniform(random, 2, 6);
  for (int line = 0; line < spec.lines; ++line) {
    const bool first = in_paragraph == 0, last = in_paragraph + 1 == paragraph_lines;
    const int indent = first ? 2 : 0;
    const int length = last ? uniform(random, indent + 1, per_line) : per_line;
    const int y = origin.y + spec.margin_px + line * pitch;
    int x = origin.x + spec.margin_px + indent * cell;
    for (int c = indent; c < length; ++c) {
      const int advance = spec.proportional ? uniform(random, cell / 2, cell) : cell;
      if (uniform(random, 0, 30) != 0)  // else a space
        painter(canvas, cv::Rect(x, y, advance, cell), random);
      x += advance;
    }
    if (last) {
      in_paragraph = 0;
      paragraph_lines = uniform(random, 2, 6);
    } else {
      ++in_paragraph;
    }
  }

  // Rotate about the canvas centre (OpenCV: positive = counter-clockwise on screen) and keep
  // the page-sized middle.
  cv::Mat rotation = cv::getRotationMatrix2D(cv::Point2f(side / 2.0f, side / 2.0f), spec.skew_deg, 1.0);
  rotation.at<double>(0, 2) -= (side - spec.width_px) / 2.0;
  rotation.at<double>(1, 2) -= (side - spec.height_px) / 2.0;
  cv::Mat page;
  cv::warpAffine(canvas, page, rotation, cv::Size(spec.width_px, spec.height_px), cv::INTER_LINEAR,
                 cv::BORDER_CONSTANT, cv::Scalar(kPaper));

  // Scanner borders are square to the image: they come after the rotation.
  const int w = spec.width_px, h = spec.height_px;
  if (spec.border_left_px) page(cv::Rect(0, 0, spec.border_left_px, h)).setTo(kBorder);
  if (spec.border_top_px) page(cv::Rect(0, 0, w, spec.border_top_px)).setTo(kBorder);
  if (spec.border_right_px) page(cv::Rect(w - spec.border_right_px, 0, spec.border_right_px, h)).setTo(kBorder);
  if (spec.border_bottom_px) page(cv::Rect(0, h - spec.border_bottom_px, w, spec.border_bottom_px)).setTo(kBorder);
  if (spec.blur_sigma_px > 0) cv::GaussianBlur(page, page, cv::Size(), spec.blur_sigma_px);
  add_grain_and_specks(page, spec.grain_sigma, spec.speckle_ratio, random);
  return page;
}

cv::Mat draw_noise_page(int width_px, int height_px, unsigned seed) {
  cv::Mat page(height_px, width_px, CV_8U);
  cv::RNG rng(seed);
  rng.fill(page, cv::RNG::UNIFORM, 0, 256);
  return page;
}

cv::Mat draw_blank_page(int width_px, int height_px, unsigned seed) {
  cv::Mat page(height_px, width_px, CV_8U, cv::Scalar(kPaper));
  std::mt19937 random(seed);
  add_grain_and_specks(page, 4, 0.0005, random);
  return page;
}

}  // namespace lantai::deskew::testing
