// Chinese text drawn with FreeType from Debian's fonts-noto-cjk (Noto Serif CJK SC or
// Noto Sans CJK SC, the other when the one asked for is absent). Glyphs are cached per size. One renderer
// serves one thread.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <opencv2/core.hpp>

namespace lantai::samples {

enum class FontWeight { regular, bold };
// serif (宋体-like, what printed government documents use) or sans (黑体-like); the other
// is taken when the one asked for is not installed.
enum class Typeface { serif, sans };

class TextRenderer {
 public:
  static constexpr const char* kDebianFontDir = "/usr/share/fonts/opentype/noto";

  // Finds the Simplified Chinese faces in font_dir. Throws std::runtime_error telling the
  // user to install fonts-noto-cjk when none is found.
  explicit TextRenderer(const std::filesystem::path& font_dir = kDebianFontDir, Typeface typeface = Typeface::serif);
  explicit TextRenderer(Typeface typeface) : TextRenderer(kDebianFontDir, typeface) {}
  ~TextRenderer();
  TextRenderer(const TextRenderer&) = delete;
  TextRenderer& operator=(const TextRenderer&) = delete;

  // "Noto Serif CJK SC": the family actually used for regular text.
  const std::string& family() const;

  int advance_px(char32_t code, int size_px, FontWeight weight);
  int width_px(std::u32string_view text, int size_px, FontWeight weight, int spacing_px = 0);

  // Draws text with its baseline at (x_px, baseline_px) on an 8-bit grey or BGR canvas.
  // Ink is multiplied into the canvas (as ink on paper: a red seal over black text stays
  // black); ink_bgr is converted to grey on a grey canvas.
  void draw(cv::Mat& canvas, std::u32string_view text, int x_px, int baseline_px, int size_px,
            FontWeight weight, cv::Scalar ink_bgr, int spacing_px = 0);

  // Chinese set vertically (竖排): text top to bottom from top_px, a new column column_step_px
  // to the left whenever one reaches bottom_px, the first centred on column_x_px; nothing
  // left of left_limit_px. Returns the characters drawn (all, or those that fitted) and
  // sets column_x_px to the column after the last one used.
  std::u32string draw_vertical(cv::Mat& canvas, std::u32string_view text, int& column_x_px, int left_limit_px,
                               int top_px, int bottom_px, int size_px, int column_step_px, cv::Scalar ink_bgr);

  // One glyph centred on centre_px, turned by angle_rad (counter-clockwise on the page):
  // for text set along a seal's rim.
  void draw_rotated(cv::Mat& canvas, char32_t code, cv::Point2d centre_px, double angle_rad,
                    int size_px, FontWeight weight, cv::Scalar ink_bgr);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Multiplies ink into one pixel run: coverage 0..255 of ink over the canvas.
void blend_ink(cv::Mat& canvas, const cv::Mat& coverage, int left_px, int top_px, cv::Scalar ink_bgr);

}  // namespace lantai::samples
