#include "stages/decode/resolution_check.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lantai::decode {

namespace {
constexpr double kMmPerInch = 25.4;
}

std::string format_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", value);
  std::string result = text;
  if (result.find('.') != std::string::npos) {
    result.erase(result.find_last_not_of('0') + 1);
    if (result.back() == '.') result.pop_back();
  }
  return result;
}

ResolutionVerdict judge_resolution(const TaggedResolution& tagged, int width_px, int height_px,
                                   const ResolutionRule& rule) {
  ResolutionVerdict verdict;
  verdict.dpi = std::min(tagged.x_dpi, tagged.y_dpi);
  const std::string shown = tagged.x_dpi == tagged.y_dpi
                                ? format_number(tagged.x_dpi) + " dpi"
                                : format_number(tagged.x_dpi) + " x " + format_number(tagged.y_dpi) + " dpi";
  // NaN fails both comparisons, so test for "inside" rather than "outside".
  auto in_range = [&](double dpi) { return dpi >= rule.min_dpi && dpi <= rule.max_dpi; };
  if (!in_range(tagged.x_dpi) || !in_range(tagged.y_dpi)) {
    verdict.reason = shown + " is outside the plausible " + format_number(rule.min_dpi) + "-" +
                     format_number(rule.max_dpi) + " dpi";
    return verdict;
  }
  verdict.width_mm = width_px / tagged.x_dpi * kMmPerInch;
  verdict.height_mm = height_px / tagged.y_dpi * kMmPerInch;
  if (std::max(verdict.width_mm, verdict.height_mm) > rule.max_page_mm) {
    verdict.reason = shown + " makes the page " + format_number(std::round(verdict.width_mm)) + " x " +
                     format_number(std::round(verdict.height_mm)) + " mm, larger than " +
                     format_number(rule.max_page_mm) + " mm";
    return verdict;
  }
  verdict.plausible = true;
  return verdict;
}

}  // namespace lantai::decode
