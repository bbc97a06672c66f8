// Synthetic scans for the deskew tests and bench: lines of CJK-like glyphs laid out as a
// page of text, rotated by a known skew, then given what a scanner adds: dark border strips
// square to the image (not to the content), blur, grain and specks.
#pragma once

#include <functional>
#include <random>

#include <opencv2/core.hpp>

namespace lantai::deskew::testing {

// Paints one glyph (dark on light) into cell, a square of the canvas.
using GlyphPainter = std::function<void(cv::Mat& canvas, const cv::Rect& cell, std::mt19937& random)>;

// Random strokes in a character box, as CJK characters look at the scale that matters here.
void paint_block_glyph(cv::Mat& canvas, const cv::Rect& cell, std::mt19937& random);

struct SyntheticPage {
  int width_px = 2480;  // A4 at 300 dpi
  int height_px = 3508;
  double skew_deg = 0;  // positive = content rotated counter-clockwise on screen
  int cell_px = 50;     // character size including its gap
  int lines = 20;
  int line_pitch_px = 0;  // 0: spread the lines over the page, at most 3 cells apart
  int margin_px = 250;
  // false: every glyph on the cell grid, as CJK is set; true: widths vary from half a cell
  // to a whole one (Latin, digits), so nothing lines up across lines but the left margin.
  bool proportional = false;
  // Dark scanner border strips along the image's edges, px wide (0 = none).
  int border_left_px = 0, border_top_px = 0, border_right_px = 0, border_bottom_px = 0;
  double blur_sigma_px = 1.0;
  double grain_sigma = 4;        // grey levels of noise on every pixel
  double speckle_ratio = 0.001;  // share of pixels that become dark specks
  unsigned seed = 1;
};

// 8-bit grey page: paper about 235, ink about 30, scan borders about 25.
cv::Mat draw_page(const SyntheticPage& spec, const GlyphPainter& painter = paint_block_glyph);

// Uniform random grey: no structure at any angle.
cv::Mat draw_noise_page(int width_px, int height_px, unsigned seed);

// Paper with grain only.
cv::Mat draw_blank_page(int width_px, int height_px, unsigned seed);

}  // namespace lantai::deskew::testing
