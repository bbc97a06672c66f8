// Capture checks (数据质检 of how a page was scanned): sharpness of the ink's edges, paper
// level and ink/paper contrast, colour content, a dark border left at the image edge, and
// whether the scan's physical size is a sheet of paper at all. Only measures; the quality
// stage compares the measures with the profile and reports.
//
// Everything is measured on one copy reduced to kMeasureDpi (never enlarged), so a figure
// means the same at 200, 300 or 600 dpi, and in mm where it is a length. Figures taken
// over ink edges (blur, contrast) are medians and percentiles over the edges themselves,
// so they do not depend on how much text a page holds.
// Thread-safe: no shared state.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

namespace lantai::quality {

inline constexpr double kMeasureDpi = 200;

struct CaptureMeasure {
  double px_per_mm = 0;          // of the reduced copy
  int paper_level = 255;         // median grey: the paper, since ink covers less than half
  // Ink edges: local grey maxima of the gradient whose neighbourhood (about 1 mm) spans at
  // least kMinEdgeContrast grey levels between paper and ink.
  long long edge_count = 0;      // too few (a blank page): blur and contrast are not judged
  double edge_contrast = 0;      // 90th percentile of the paper/ink difference at the edges, grey levels
  // Blur of the strong edges, as the sigma of a Gaussian that would blur a sharp step to
  // the measured slope (slope = contrast / (sigma * sqrt(2 pi))), median, in mm.
  double blur_mm = 0;
  double chroma_ratio = 0;       // colour_share (pipeline/colour_share.h) at about 100 dpi; 0 for grey
  double dark_border_ratio = 0;  // share of the page covered by broad dark regions touching the image edge
};

// page: 8-bit grey or BGR, at resolution_dpi. min_border_mm: dark regions narrower than
// this everywhere are marks (strokes, rules), not a border. half_grey, when given,
// receives the grey copy the border was measured on (8-bit, at half of kMeasureDpi, or
// half the page's own resolution if lower), for checks that read the page at that
// resolution too. chroma_ratio is measured only when measure_chroma (it costs a colour
// reduction).
CaptureMeasure measure_capture(const cv::Mat& page, double resolution_dpi, double min_border_mm = 1.0,
                               cv::Mat* half_grey = nullptr, bool measure_chroma = true);

// A named sheet of paper, its sides in mm (short side first).
struct Sheet {
  std::string name;
  double short_mm = 0;
  double long_mm = 0;
};

// "A4=210x297, A3=297x420, ..." (commas or spaces between entries). Throws
// std::invalid_argument naming the entry that cannot be read.
std::vector<Sheet> parse_sheets(std::string_view text);

// The listed sheet closest to a page of width_mm x height_mm (either way round), and by how
// much its worse side differs, mm. nullopt when sheets is empty.
struct SheetMatch {
  const Sheet* sheet = nullptr;
  double off_mm = 0;
};
std::optional<SheetMatch> closest_sheet(double width_mm, double height_mm, const std::vector<Sheet>& sheets);

}  // namespace lantai::quality
