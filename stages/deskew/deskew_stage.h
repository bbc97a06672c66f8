// deskew: DA/T 31-2017 图像处理 纠偏 and 去污/裁边 for one page. Measures the content's skew
// (skew_finder.h) and records it (skew_deg, skew_confidence, skew_source), then hands on
// the processed page as a new image: the scan's dark border painted as paper (when
// clean_dark_borders), then rotated upright when the measurement is confident enough.
// An uncertain measurement is recorded but not applied, with a deskew.low_confidence
// finding, so quality check and an inspector can look at the page. A skew an inspector
// set (the Manual value deskew.skew_deg) is applied as given, instead of measuring.
//
// Sign convention: skew_deg > 0 = content rotated counter-clockwise on screen.
// The processed page keeps the scan's pixel type; a bilevel page stays bilevel. With the
// default canvas "expand" its size grows to hold the whole rotated scan.
// process() is const and may run on many pages at once.
#pragma once

#include "pipeline/units.h"
#include "stages/deskew/border_cleaner.h"
#include "stages/deskew/page_rotation.h"
#include "stages/deskew/skew_finder.h"

namespace lantai::deskew {

struct DeskewSettings {
  SkewSettings skew;
  double min_confidence = 0.5;    // below: measured, reported, not applied
  double min_angle_deg = 0.05;    // smaller skews are left as scanned: resampling costs sharpness
  bool clean_dark_borders = true;
  BorderSettings border;
  RotationSettings rotation;
};

class DeskewStage : public ItemStage {
 public:
  DeskewStage() = default;
  explicit DeskewStage(const DeskewSettings& settings) : settings_(settings) {}

  StageInfo describe() const override;
  void setup(ProfileSection& section, const StageContext& context) override;
  Outcome process(const Item& page) const override;

  const DeskewSettings& settings() const { return settings_; }

 private:
  DeskewSettings settings_;
};

}  // namespace lantai::deskew
