#include "cluttered_scan.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

#include "pipeline/utf8.h"
#include "samples/sample_document.h"
#include "samples/seeded_random.h"
#include "samples/text_renderer.h"

namespace lantai::deskew::testing {

namespace {

using samples::FontWeight;
using samples::SeededRandom;
using samples::TextRenderer;

constexpr int kWidth = 2480, kHeight = 3508, kMargin = 220;
const cv::Scalar kInk(28), kPaper(236);

std::u32string random_paragraph(SeededRandom& random) {
  const auto& documents = samples::sample_documents();
  const auto& body = documents[static_cast<std::size_t>(random.uniform_int(0, static_cast<int>(documents.size()) - 1))].body;
  return to_code_points(body[static_cast<std::size_t>(random.uniform_int(0, static_cast<int>(body.size()) - 1))]);
}

// Lines of Chinese in [left, left + width), from top down to bottom, at this size and pitch.
void set_column(TextRenderer& text, cv::Mat& canvas, SeededRandom& random, int left, int width, int top, int bottom,
                int size, int pitch) {
  int baseline = top + size;
  while (baseline < bottom) {
    std::u32string paragraph = random_paragraph(random);
    std::u32string line = U"\u3000\u3000";
    for (char32_t c : paragraph) {
      if (text.width_px(line + c, size, FontWeight::regular) > width) {
        text.draw(canvas, line, left, baseline, size, FontWeight::regular, kInk);
        baseline += pitch;
        line.clear();
        if (baseline >= bottom) return;
      }
      line += c;
    }
    text.draw(canvas, line, left, baseline, size, FontWeight::regular, kInk);
    baseline += pitch + pitch / 3;
  }
}

// The upright page on a canvas large enough to turn, the page-sized middle at offset.
cv::Mat draw_content(TextRenderer& text, SeededRandom& random, int columns, cv::Point offset, cv::Size canvas_size) {
  cv::Mat canvas(canvas_size, CV_8U, kPaper);
  const int left = offset.x + kMargin, right = offset.x + kWidth - kMargin;
  int y = offset.y + kMargin;
  // Heading, centred, and a full-width rule under it.
  const std::u32string heading = to_code_points(samples::sample_documents()[static_cast<std::size_t>(
      random.uniform_int(0, static_cast<int>(samples::sample_documents().size()) - 1))].title);
  const int heading_size = 64;
  const int heading_width = std::min(right - left, text.width_px(heading, heading_size, FontWeight::bold));
  text.draw(canvas, heading, (left + right - heading_width) / 2, y + heading_size, heading_size, FontWeight::bold, kInk);
  y += heading_size + 40;
  cv::line(canvas, {left, y}, {right, y}, kInk, 4);
  y += 50;
  const int bottom = offset.y + kHeight - kMargin - (columns == 3 ? 900 : 120);
  const int gap = 90;
  const int column_width = (right - left - (columns - 1) * gap) / columns;
  for (int c = 0; c < columns; ++c) {
    const int size = random.uniform_int(36, 46);
    const int pitch = static_cast<int>(size * random.uniform(1.45, 1.9));
    const int top = y + random.uniform_int(0, 2) * pitch / 2 + (c > 0 ? random.uniform_int(0, pitch) : 0);
    set_column(text, canvas, random, left + c * (column_width + gap), column_width, top, bottom, size, pitch);
  }
  if (columns == 3) {  // a ruled register below the columns
    const int table_top = bottom + 60, rows = 6, row_height = 110;
    std::vector<int> x = {left, left + 200, left + 800, right - 400, right};
    for (int r = 0; r <= rows; ++r) cv::line(canvas, {left, table_top + r * row_height}, {right, table_top + r * row_height}, kInk, 3);
    for (int column_x : x) cv::line(canvas, {column_x, table_top}, {column_x, table_top + rows * row_height}, kInk, 3);
    for (int r = 0; r < rows; ++r)
      for (std::size_t c = 0; c + 1 < x.size(); ++c) {
        std::u32string cell = random_paragraph(random);
        while (!cell.empty() && text.width_px(cell, 36, FontWeight::regular) > x[c + 1] - x[c] - 30) cell.pop_back();
        text.draw(canvas, cell, x[c] + 15, table_top + r * row_height + 70, 36, FontWeight::regular, kInk);
      }
  }
  // Footer rule and folio.
  const int footer = offset.y + kHeight - kMargin + 20;
  cv::line(canvas, {left, footer}, {right, footer}, kInk, 2);
  text.draw(canvas, U"— 3 —", (left + right) / 2 - 60, footer + 70, 40, FontWeight::regular, kInk);
  return canvas;
}

// The page turned by skew_deg about the canvas centre and shifted across by shift_px; mask
// marks where the page's paper lies in the scan.
cv::Mat turned(const cv::Mat& canvas, double skew_deg, cv::Point offset, int shift_px, cv::Mat& mask) {
  cv::Mat rotation = cv::getRotationMatrix2D(cv::Point2f(canvas.cols / 2.0f, canvas.rows / 2.0f), skew_deg, 1.0);
  rotation.at<double>(0, 2) -= offset.x - shift_px;
  rotation.at<double>(1, 2) -= offset.y;
  cv::Mat page;
  cv::warpAffine(canvas, page, rotation, cv::Size(kWidth, kHeight), cv::INTER_LINEAR, cv::BORDER_CONSTANT, kPaper);
  cv::Mat sheet(canvas.size(), CV_8U, cv::Scalar(0));
  sheet(cv::Rect(offset, cv::Size(kWidth, kHeight))).setTo(255);
  cv::warpAffine(sheet, mask, rotation, cv::Size(kWidth, kHeight), cv::INTER_NEAREST, cv::BORDER_CONSTANT, 0);
  return page;
}

// What lies around the page in the scan: the facing page on the side the page was shifted
// away from (lighter paper with a few of its lines at their own angle), the scanner's dark
// bed elsewhere.
cv::Mat surroundings(TextRenderer& text, SeededRandom& random, double skew_deg, bool facing_left) {
  cv::Mat facing(kHeight, kWidth, CV_8U, cv::Scalar(214));
  const int size = random.uniform_int(36, 44), pitch = size * 17 / 10;
  for (int baseline = kMargin; baseline < kHeight - kMargin; baseline += pitch) {
    const std::u32string line = random_paragraph(random).substr(0, 40);
    const int width = text.width_px(line, size, FontWeight::regular);
    // Set so its line ends (or starts) lie a little way from where the facing sheet meets ours.
    const int start = facing_left ? 60 - width + random.uniform_int(0, 150) : kWidth - 60 - random.uniform_int(0, 150);
    text.draw(facing, line, start, baseline, size, FontWeight::regular, kInk);
  }
  const double angle = skew_deg + random.uniform(-3, 3);  // its own angle
  const cv::Mat rotation = cv::getRotationMatrix2D(cv::Point2f(kWidth / 2.0f, kHeight / 2.0f), angle, 1.0);
  cv::warpAffine(facing, facing, rotation, facing.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(25));
  cv::Mat bed(kHeight, kWidth, CV_8U, cv::Scalar(25));
  const cv::Rect side = facing_left ? cv::Rect(0, 0, kWidth / 2, kHeight) : cv::Rect(kWidth / 2, 0, kWidth / 2, kHeight);
  facing(side).copyTo(bed(side));
  return bed;
}

// A dashed rule in a margin at an angle of its own (a fold, a ruler left on the glass).
void add_dashed_rule(cv::Mat& page, SeededRandom& random, double skew_deg) {
  const double angle = (skew_deg + random.uniform(-4, 4)) * CV_PI / 180;
  const int y = random.chance(0.5) ? random.uniform_int(60, kMargin - 60) : kHeight - random.uniform_int(60, kMargin - 60);
  const int dash = random.uniform_int(15, 40), step = dash * 2;
  for (int x = 100; x + dash < kWidth - 100; x += step) {
    const cv::Point a(x, static_cast<int>(y - std::tan(angle) * (x - kWidth / 2)));
    const cv::Point b(x + dash, static_cast<int>(y - std::tan(angle) * (x + dash - kWidth / 2)));
    cv::line(page, a, b, cv::Scalar(50), 4);
  }
}

}  // namespace

ClutteredScan make_cluttered_scan(unsigned seed, double skew_deg, int columns, bool bitonal) {
  static TextRenderer text;  // fonts load once; drawing is deterministic
  SeededRandom random(seed);
  ClutteredScan out;
  out.skew_deg = skew_deg;
  out.bitonal = bitonal;
  out.layout = columns == 1 ? "one column" : columns == 2 ? "two columns" : "three columns and a table";
  const int side = static_cast<int>(std::ceil(std::hypot(kWidth, kHeight))) + 4;
  const cv::Point offset((side - kWidth) / 2, (side - kHeight) / 2);
  // The page lies shifted on the glass: the facing page shows on one side, the bed on the others.
  const bool facing_left = random.chance(0.5);
  const int shift = (facing_left ? 1 : -1) * random.uniform_int(40, 160);
  cv::Mat paper;
  cv::Mat page = turned(draw_content(text, random, columns, offset, {side, side}), skew_deg, offset, shift, paper);
  // A bound volume: near the spine the sheet rises off the glass and its lines droop.
  if (random.chance(0.5)) {
    const double droop = random.uniform(8, 30), zone = random.uniform(250, 450);
    cv::Mat map_x(page.size(), CV_32F), map_y(page.size(), CV_32F);
    for (int y = 0; y < page.rows; ++y)
      for (int x = 0; x < page.cols; ++x) {
        const double from_spine = facing_left ? x - shift : kWidth + shift - x;
        const double depth = std::max(0.0, 1 - from_spine / zone);
        map_x.at<float>(y, x) = static_cast<float>(x);
        map_y.at<float>(y, x) = static_cast<float>(y - droop * depth * depth);
      }
    cv::remap(page, page, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_CONSTANT, kPaper);
  }
  surroundings(text, random, skew_deg, facing_left).copyTo(page, ~paper);
  // The facing sheet's edge as a dark line along most of the height, at its own angle.
  if (random.chance(0.5)) {
    const double lean = std::tan((skew_deg + random.uniform(-2, 2)) * CV_PI / 180);
    const int x0 = facing_left ? shift - 10 : kWidth + shift + 10, top = kHeight / 20, bottom = kHeight - kHeight / 20;
    cv::line(page, {static_cast<int>(x0 - lean * (top - kHeight / 2)), top},
             {static_cast<int>(x0 - lean * (bottom - kHeight / 2)), bottom}, cv::Scalar(35), random.uniform_int(6, 12));
  }
  // The gutter: a shadow on our sheet along its edges.
  cv::Mat inner;
  cv::erode(paper, inner, cv::getStructuringElement(cv::MORPH_RECT, {31, 1}));
  cv::Mat shadow = cv::min(page, 150);
  shadow.copyTo(page, paper & ~inner);
  add_dashed_rule(page, random, skew_deg);
  // Scanner borders, square to the image, on one or two edges.
  page(cv::Rect(0, 0, kWidth, random.uniform_int(15, 50))).setTo(cv::Scalar(25));
  if (random.chance(0.5)) {
    const int strip = random.uniform_int(15, 50);
    page(cv::Rect(kWidth - strip, 0, strip, kHeight)).setTo(cv::Scalar(25));
  }
  cv::GaussianBlur(page, page, cv::Size(), random.uniform(0.6, 1.0));
  cv::Mat grain(page.size(), CV_16S);
  cv::RNG(seed).fill(grain, cv::RNG::NORMAL, 0, 4);
  cv::Mat wide;
  page.convertTo(wide, CV_16S);
  cv::Mat(wide + grain).convertTo(page, CV_8U);
  for (int i = 0; i < 400; ++i)
    cv::circle(page, {random.uniform_int(0, kWidth - 1), random.uniform_int(0, kHeight - 1)}, random.uniform_int(1, 2),
               cv::Scalar(random.uniform_int(0, 80)), cv::FILLED);
  if (bitonal) cv::threshold(page, page, 140, 255, cv::THRESH_BINARY);
  out.scan = page;
  return out;
}

}  // namespace lantai::deskew::testing
