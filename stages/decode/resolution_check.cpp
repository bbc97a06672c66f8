#include "stages/decode/resolution_check.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "pipeline/format.h"

namespace lantai::decode {

namespace {
constexpr double kMmPerInch = 25.4;
}

ResolutionVerdict judge_resolution(const TaggedResolution& tagged, int width_px, int height_px,
                                   const ResolutionRule& rule) {
  ResolutionVerdict verdict;
  verdict.dpi = std::min(tagged.x_dpi, tagged.y_dpi);
  const std::string shown = tagged.x_dpi == tagged.y_dpi
                                ? trimmed(tagged.x_dpi, 2) + " dpi"
                                : trimmed(tagged.x_dpi, 2) + " x " + trimmed(tagged.y_dpi, 2) + " dpi";
  // NaN fails both comparisons, so test for "inside" rather than "outside".
  auto in_range = [&](double dpi) { return dpi >= rule.min_dpi && dpi <= rule.max_dpi; };
  if (!in_range(tagged.x_dpi) || !in_range(tagged.y_dpi)) {
    verdict.reason = shown + " is outside the plausible " + trimmed(rule.min_dpi, 2) + "-" +
                     trimmed(rule.max_dpi, 2) + " dpi";
    return verdict;
  }
  verdict.width_mm = width_px / tagged.x_dpi * kMmPerInch;
  verdict.height_mm = height_px / tagged.y_dpi * kMmPerInch;
  if (std::max(verdict.width_mm, verdict.height_mm) > rule.max_page_mm) {
    verdict.reason = shown + " makes the page " + trimmed(std::round(verdict.width_mm), 2) + " x " +
                     trimmed(std::round(verdict.height_mm), 2) + " mm, larger than " +
                     trimmed(rule.max_page_mm, 2) + " mm";
    return verdict;
  }
  verdict.plausible = true;
  return verdict;
}

}  // namespace lantai::decode
