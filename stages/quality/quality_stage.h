// quality: checks a processed page against the profile (数据质检): scan resolution,
// blank page, capture faults (colour mode, blur, darkness and contrast, a dark border left
// at the edge, a size no sheet of paper has; capture_checks.h), and a perceptual
// fingerprint for the record-level duplicate check.
// Reads the page as the derivative holds it; never changes it.
#pragma once

#include "pipeline/units.h"
#include "stages/quality/capture_checks.h"

namespace lantai::quality {

// A blank page: also what the duplicate check leaves aside (blank pages all look alike).
inline constexpr FindingCode kBlank{"qc.blank", Severity::reject, "the page carries no content"};

struct QualitySettings {
  double min_resolution_dpi = 200;
  double blank_max_ink_ratio = 0.0002;
  double ink_contrast = 60;     // grey levels darker than the paper that count as ink
  double min_mark_mm = 0.6;     // marks smaller than this square are scan specks, not content
  // Capture: the least colour mode a page may be scanned in (DA/T 31-2017 9.3), and whether
  // a colour scan with no colour on it is reported.
  ColourMode min_colour_mode = ColourMode::colour;
  bool report_colour_without_chroma = false;
  double min_chroma_ratio = 0.0002;  // less colour than this share of the page: "no chroma"
  double max_blur_mm = 0.16;         // edge blur (Gaussian sigma) above this: qc.blur
  double min_paper_level = 150;      // paper darker than this grey: qc.dark
  double min_edge_contrast = 100;    // ink/paper contrast below this: qc.dark
  double max_dark_border_ratio = 0.002;
  double border_min_width_mm = 1.0;
  std::vector<Sheet> sheets;         // empty: the page size is not checked
  double sheet_tolerance_mm = 15;
};

// The page's content marks: dark enough, bigger than a speck, and not touching the image
// edge (scan borders). Measured at about 100 dpi.
struct InkMeasure {
  double ink_ratio = 0;    // share of the page the marks cover, 0..1
  cv::Rect content_box;    // bounding box of the marks in page pixels; empty when none
};
InkMeasure measure_ink(const cv::Mat& page, double resolution_dpi, const QualitySettings& settings);

// 256-bit DCT hash (hex) of an image: near-identical scans differ in few bits. Taken over
// the content box, it ignores margins, canvas size and where the sheet lay on the scanner.
std::string perceptual_hash(const cv::Mat& image);
int hamming_distance(const std::string& hex_a, const std::string& hex_b);  // -1 if not comparable

class QualityStage : public ItemStage {
 public:
  StageInfo describe() const override;
  void setup(ProfileSection& section, const StageContext& context) override;
  Outcome process(const Item& page) const override;

 private:
  // Capture faults from what process() measured (and decode's colour mode and size).
  void check_capture(const Item& page, const Measurements& measured, double dpi, Outcome& outcome) const;
  QualitySettings settings_;
};

}  // namespace lantai::quality
