// Lays out a document over pages the way Chinese official documents look (GB/T 9704:
// red header, 文号, red rule, centred title, indented paragraphs, 落款 with a seal,
// "— 1 —" page numbers), then paints a page on white A4 at a given resolution.
// Layout is done once in 300-dpi pixels, so one layout painted at 150 dpi holds the same
// lines as at 300 dpi.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "samples/sample_document.h"
#include "samples/seeded_random.h"
#include "samples/text_renderer.h"

namespace lantai::samples {

enum class LineStyle { letterhead, doc_number, title, body, heading, signature, page_number };
enum class LineAlign { left, centre, right };

struct LayoutLine {
  LineStyle style = LineStyle::body;
  std::string text;  // UTF-8, without the paragraph indent
  LineAlign align = LineAlign::left;
  int indent_em = 0;         // left indent (right indent for right-aligned lines)
  int space_before_px = 0;   // extra space above the line, 300-dpi pixels
  bool rule_after = false;   // the red rule under a letterhead's 文号
};

struct PageLayout {
  std::vector<LayoutLine> lines;  // top to bottom; the page number is the last
  bool colour = false;            // red ink on the page: scanned in colour
  std::string seal_text;          // empty: no seal; else the seal sits over the 落款
  // The text as it appears on the page, one entry per line, top to bottom.
  std::vector<std::string> text_lines() const;
};

class PageComposer {
 public:
  static constexpr int kMinContinuationLines = 8;
  static constexpr int kMaxContinuationLines = 25;

  explicit PageComposer(TextRenderer& text) : text_(text) {}

  // Page 1 holds the document itself; pages 2.. hold its attachment (附件), each with
  // kMinContinuationLines..kMaxContinuationLines lines. clause_offset picks where the
  // shared clauses start, so that records differ.
  std::vector<PageLayout> lay_out(const SampleDocument& document, int pages, int clause_offset,
                                  SeededRandom& random);

  // White A4 at resolution_dpi (2480 x 3508 px at 300 dpi): 8-bit grey, or BGR when
  // the layout is colour.
  cv::Mat paint(const PageLayout& layout, int resolution_dpi);

 private:
  std::vector<std::u32string> wrap(std::u32string_view text, int first_indent_em, int width_px,
                                   int size_px, FontWeight weight);
  void paint_seal(cv::Mat& canvas, const std::string& text, cv::Point2d centre_px, double scale);

  TextRenderer& text_;
};

// A4 in pixels at a resolution: 2480 x 3508 at 300 dpi, 1240 x 1754 at 150.
cv::Size a4_size_px(int resolution_dpi);

// 20210308 → 2021年3月8日
std::string chinese_date(const std::string& yyyymmdd);
// 12 → 十二, 105 → 一百零五: for 第十二条 (1..999)
std::string chinese_number(int value);

}  // namespace lantai::samples
