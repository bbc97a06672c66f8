// Test material for orientation: pages drawn with the sample lot's fonts and scanner
// effects, in the classes real lots hold (Chinese 文书 pages, Latin text, two columns,
// tables, landscape sheets, blank and near-blank sheets), at 200-400 dpi, grey, colour or
// 1-bit, skewed as the sample lot's scans are (within ±3° mostly, up to ±12°), then turned
// by a quarter turn as a scanner operator might have fed them.
// The same seed gives the same pages.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "samples/text_renderer.h"

namespace lantai::orient::testing {

enum class PageClass { chinese, latin, two_column, table, landscape, blank, near_blank };
std::string to_string(PageClass page_class);
const std::vector<PageClass>& all_page_classes();

struct TurnedPage {
  PageClass page_class = PageClass::chinese;
  cv::Mat scan;            // as delivered: 8-bit grey (1-bit pages hold 0 and 255) or BGR
  cv::Mat upright;         // the same scan before it was turned
  int resolution_dpi = 300;
  // The clockwise turn that makes scan upright again: 0, 90, 180 or 270.
  int correction_deg = 0;
  bool has_text = true;    // false: blank and near-blank sheets, which must stay as scanned
  std::string text;        // the page's text lines, '\n'-separated (empty when none)
};

// One page of a class, upright scan turned counter-clockwise by correction_deg.
TurnedPage make_turned_page(PageClass page_class, int correction_deg, std::uint32_t seed);

// A page of Chinese set vertically (竖排: columns of upright characters, right to left),
// 300 dpi, turned counter-clockwise by correction_deg; text holds its columns in reading order.
// straightened: as deskew hands a page on (no skew, no scanner border), for OCR.
TurnedPage make_vertical_page(int correction_deg, std::uint32_t seed, bool straightened = false);

// per_class pages of every class, each drawn once and handed to use turned by every
// quarter turn (4 * per_class * classes pages), one at a time so memory stays flat.
// Pages are drawn at 200, 300 or 400 dpi, never above max_dpi.
// typeface: the face every page's text is drawn in.
void for_each_turned_page(std::uint32_t seed, int per_class, int max_dpi,
                          const std::function<void(const TurnedPage&)>& use);
void for_each_turned_page(std::uint32_t seed, int per_class, int max_dpi, samples::Typeface typeface,
                          const std::function<void(const TurnedPage&)>& use);

// Turns a page clockwise by a multiple of 90°.
cv::Mat turn_clockwise(const cv::Mat& page, int degrees);

}  // namespace lantai::orient::testing
