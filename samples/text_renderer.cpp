#include "samples/text_renderer.h"

#include <ft2build.h>
#include FT_FREETYPE_H

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "pipeline/utf8.h"

namespace lantai::samples {

namespace {

struct FontChoice {
  const char* regular_file;
  const char* bold_file;
  const char* family;
};
// Serif (宋体-like) first: it is what printed government documents use.
constexpr FontChoice kFontChoices[] = {
    {"NotoSerifCJK-Regular.ttc", "NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC"},
    {"NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc", "Noto Sans CJK SC"},
};

// A .ttc holds one face per region (JP, KR, SC, TC, HK) in an order that differs
// between releases, so the face is found by its names rather than by index.
FT_Face open_face(FT_Library library, const std::filesystem::path& file, const std::string& family,
                  const std::string& style) {
  if (!std::filesystem::exists(file)) return nullptr;
  FT_Face probe = nullptr;
  if (FT_New_Face(library, file.c_str(), -1, &probe) != 0) return nullptr;
  const FT_Long faces = probe->num_faces;
  FT_Done_Face(probe);
  for (FT_Long index = 0; index < faces; ++index) {
    FT_Face face = nullptr;
    if (FT_New_Face(library, file.c_str(), index, &face) != 0) continue;
    if (face->family_name && face->style_name && family == face->family_name &&
        style == face->style_name)
      return face;
    FT_Done_Face(face);
  }
  return nullptr;
}

struct Glyph {
  cv::Mat coverage;  // 8-bit, 0 = paper, 255 = full ink
  int left_px = 0;   // from the pen position to the bitmap's left edge
  int top_px = 0;    // from the baseline up to the bitmap's top edge
  int advance_px = 0;
};

cv::Mat copy_bitmap(const FT_Bitmap& bitmap) {
  cv::Mat coverage(static_cast<int>(bitmap.rows), static_cast<int>(bitmap.width), CV_8UC1);
  for (int row = 0; row < coverage.rows; ++row) {
    const unsigned char* source = bitmap.buffer + static_cast<std::ptrdiff_t>(row) * bitmap.pitch;
    std::copy(source, source + coverage.cols, coverage.ptr<unsigned char>(row));
  }
  return coverage;
}

std::string character_name(char32_t code) {
  char hex[16];
  std::snprintf(hex, sizeof hex, " (U+%04X)", static_cast<unsigned>(code));
  return to_utf8(std::u32string(1, code)) + hex;
}

}  // namespace

struct TextRenderer::Impl {
  FT_Library library = nullptr;
  FT_Face regular = nullptr;
  FT_Face bold = nullptr;  // the regular face again when the bold file is absent
  std::string family;
  std::map<std::tuple<int, int, char32_t>, Glyph> cache;

  FT_Face face(FontWeight weight) const { return weight == FontWeight::bold ? bold : regular; }

  void load(FT_Face face, char32_t code, int size_px) {
    const FT_UInt index = FT_Get_Char_Index(face, code);
    // The texts are ours: a missing glyph is a typo in sample_document.cpp.
    if (index == 0)
      throw std::runtime_error("samples: the font " + family + " has no glyph for " +
                               character_name(code));
    FT_Set_Pixel_Sizes(face, 0, static_cast<FT_UInt>(size_px));
    if (FT_Load_Glyph(face, index, FT_LOAD_RENDER) != 0 ||
        face->glyph->bitmap.pixel_mode != FT_PIXEL_MODE_GRAY)
      throw std::runtime_error("samples: FreeType could not render " + character_name(code));
  }

  const Glyph& glyph(char32_t code, int size_px, FontWeight weight) {
    const auto key = std::make_tuple(static_cast<int>(weight), size_px, code);
    auto found = cache.find(key);
    if (found != cache.end()) return found->second;
    FT_Face f = face(weight);
    load(f, code, size_px);
    Glyph glyph;
    glyph.coverage = copy_bitmap(f->glyph->bitmap);
    glyph.left_px = f->glyph->bitmap_left;
    glyph.top_px = f->glyph->bitmap_top;
    glyph.advance_px = static_cast<int>((f->glyph->advance.x + 32) >> 6);
    return cache.emplace(key, std::move(glyph)).first->second;
  }

  ~Impl() {
    if (bold && bold != regular) FT_Done_Face(bold);
    if (regular) FT_Done_Face(regular);
    if (library) FT_Done_FreeType(library);
  }
};

TextRenderer::TextRenderer(const std::filesystem::path& dir, Typeface typeface) : impl_(std::make_unique<Impl>()) {
  if (FT_Init_FreeType(&impl_->library) != 0)
    throw std::runtime_error("samples: FreeType could not start");
  std::vector<FontChoice> choices(std::begin(kFontChoices), std::end(kFontChoices));
  if (typeface == Typeface::sans) std::reverse(choices.begin(), choices.end());
  for (const FontChoice& choice : choices) {
    impl_->regular = open_face(impl_->library, dir / choice.regular_file, choice.family, "Regular");
    if (!impl_->regular) continue;
    impl_->family = choice.family;
    impl_->bold = open_face(impl_->library, dir / choice.bold_file, choice.family, "Bold");
    if (!impl_->bold) impl_->bold = impl_->regular;
    return;
  }
  throw std::runtime_error(
      "samples: no Simplified Chinese font found (looked for Noto Serif CJK SC and Noto Sans CJK SC "
      "in " + dir.string() + "); install it with: sudo apt-get install fonts-noto-cjk");
}

TextRenderer::~TextRenderer() = default;

const std::string& TextRenderer::family() const { return impl_->family; }

int TextRenderer::advance_px(char32_t code, int size_px, FontWeight weight) {
  return impl_->glyph(code, size_px, weight).advance_px;
}

int TextRenderer::width_px(std::u32string_view text, int size_px, FontWeight weight, int spacing_px) {
  int width = 0;
  for (char32_t code : text) width += advance_px(code, size_px, weight) + spacing_px;
  return text.empty() ? 0 : width - spacing_px;
}

void TextRenderer::draw(cv::Mat& canvas, std::u32string_view text, int x_px, int baseline_px,
                        int size_px, FontWeight weight, cv::Scalar ink_bgr, int spacing_px) {
  int pen_px = x_px;
  for (char32_t code : text) {
    const Glyph& glyph = impl_->glyph(code, size_px, weight);
    if (!glyph.coverage.empty())
      blend_ink(canvas, glyph.coverage, pen_px + glyph.left_px, baseline_px - glyph.top_px, ink_bgr);
    pen_px += glyph.advance_px + spacing_px;
  }
}

std::u32string TextRenderer::draw_vertical(cv::Mat& canvas, std::u32string_view text, int& column_x_px,
                                           int left_limit_px, int top_px, int bottom_px, int size_px,
                                           int column_step_px, cv::Scalar ink_bgr) {
  const int cell_px = size_px + size_px / 6;
  std::u32string drawn;
  int y = top_px;
  for (char32_t code : text) {
    if (y + cell_px > bottom_px) column_x_px -= column_step_px, y = top_px;
    if (column_x_px - cell_px / 2 < left_limit_px) return drawn;
    const Glyph& glyph = impl_->glyph(code, size_px, FontWeight::regular);
    if (!glyph.coverage.empty())
      blend_ink(canvas, glyph.coverage, column_x_px - glyph.advance_px / 2 + glyph.left_px,
                y + size_px * 7 / 8 - glyph.top_px, ink_bgr);
    drawn.push_back(code);
    y += cell_px;
  }
  column_x_px -= column_step_px;
  return drawn;
}

void TextRenderer::draw_rotated(cv::Mat& canvas, char32_t code, cv::Point2d centre_px,
                                double angle_rad, int size_px, FontWeight weight, cv::Scalar ink_bgr) {
  FT_Face face = impl_->face(weight);
  // FreeType's y axis points up, so a positive angle here turns the glyph
  // counter-clockwise as seen on the page.
  FT_Matrix matrix;
  matrix.xx = static_cast<FT_Fixed>(std::lround(std::cos(angle_rad) * 65536.0));
  matrix.xy = static_cast<FT_Fixed>(std::lround(-std::sin(angle_rad) * 65536.0));
  matrix.yx = static_cast<FT_Fixed>(std::lround(std::sin(angle_rad) * 65536.0));
  matrix.yy = matrix.xx;
  FT_Set_Transform(face, &matrix, nullptr);
  try {
    impl_->load(face, code, size_px);
  } catch (...) {
    FT_Set_Transform(face, nullptr, nullptr);
    throw;
  }
  cv::Mat coverage = copy_bitmap(face->glyph->bitmap);
  FT_Set_Transform(face, nullptr, nullptr);
  blend_ink(canvas, coverage, static_cast<int>(std::lround(centre_px.x)) - coverage.cols / 2,
            static_cast<int>(std::lround(centre_px.y)) - coverage.rows / 2, ink_bgr);
}

void blend_ink(cv::Mat& canvas, const cv::Mat& coverage, int left_px, int top_px, cv::Scalar ink_bgr) {
  const int channels = canvas.channels();
  int ink[3];
  if (channels == 1) {
    const int grey = static_cast<int>(
        std::lround(0.114 * ink_bgr[0] + 0.587 * ink_bgr[1] + 0.299 * ink_bgr[2]));
    ink[0] = ink[1] = ink[2] = grey;
  } else {
    for (int c = 0; c < 3; ++c) ink[c] = static_cast<int>(ink_bgr[c]);
  }
  const int row_begin = std::max(0, -top_px);
  const int row_end = std::min(coverage.rows, canvas.rows - top_px);
  const int col_begin = std::max(0, -left_px);
  const int col_end = std::min(coverage.cols, canvas.cols - left_px);
  for (int row = row_begin; row < row_end; ++row) {
    const unsigned char* alpha = coverage.ptr<unsigned char>(row);
    unsigned char* out = canvas.ptr<unsigned char>(top_px + row);
    for (int col = col_begin; col < col_end; ++col) {
      const int a = alpha[col];
      if (a == 0) continue;
      unsigned char* pixel = out + static_cast<std::ptrdiff_t>(left_px + col) * channels;
      for (int c = 0; c < channels; ++c) {
        // Multiply: paper × (1 − a·(1 − ink)), in integers so every machine agrees.
        const int keep = 65025 - a * (255 - ink[c]);
        pixel[c] = static_cast<unsigned char>((pixel[c] * keep + 32512) / 65025);
      }
    }
  }
}

}  // namespace lantai::samples
