// Pages of the layouts OCR must read in order, unlike the one-column sample lot: one
// column, two columns of Chinese, two columns of English, a ruled table, and Chinese set
// vertically (竖排, columns right to left). Each comes
// with its text in reading order (column by column, row by row), for the OCR benchmark.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "samples/text_renderer.h"

namespace lantai::bench {

struct LayoutPage {
  std::string layout;  // "one column", "two columns", "two columns, English", "table", "vertical Chinese"
  cv::Mat image;       // 8-bit grey, 300-dpi A4
  std::string truth;   // the text in reading order, without line breaks
};

// seed picks which texts fill the pages, so two seeds give different pages.
std::vector<LayoutPage> make_layout_pages(samples::TextRenderer& text, unsigned seed);

}  // namespace lantai::bench
