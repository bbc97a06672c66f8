// quality: checks a processed page against the profile (数据质检): scan resolution,
// blank page, and a perceptual fingerprint for the record-level duplicate check.
// Reads page.image after deskew; never changes it.
#pragma once

#include "pipeline/units.h"

namespace lantai::quality {

struct QualitySettings {
  double min_resolution_dpi = 200;
  double blank_max_ink_ratio = 0.0005;
  double ink_contrast = 60;     // grey levels darker than the paper that count as ink
  double min_mark_mm = 0.6;     // marks smaller than this square are scan specks, not content
};

// Share of the page covered by content marks: dark enough, bigger than a speck, and not
// touching the image edge (scan borders). Measured at about 100 dpi.
double measure_ink_ratio(const cv::Mat& page, double resolution_dpi, const QualitySettings& settings);

// 256-bit DCT hash (hex) of the page: near-identical scans differ in few bits.
std::string perceptual_hash(const cv::Mat& page);
int hamming_distance(const std::string& hex_a, const std::string& hex_b);  // -1 if not comparable

class QualityStage : public PageStage {
 public:
  StageInfo describe() const override;
  void setup(ProfileSection& section, const StageContext& context) override;
  Outcome process(Page& page) const override;

 private:
  QualitySettings settings_;
};

}  // namespace lantai::quality
