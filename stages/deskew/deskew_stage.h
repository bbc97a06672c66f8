// deskew: DA/T 31-2017 图像处理 纠偏, 裁边 and 去污 for one page. Measures, then applies:
//   1. the content's skew (skew_finder.h), recorded as skew_deg, skew_confidence and
//      skew_source; an uncertain measurement is recorded but not applied, with a
//      deskew.low_confidence finding. A skew an inspector set (the Manual value
//      deskew.skew_deg) is applied as given, instead of measuring.
//   2. the content box (page_cleanup.h): the marks on the paper, straightened. Nothing
//      inside it, or within content_guard_mm of it, is ever changed by 裁边 or 去污.
//   3. 裁边: the crop box, in px of the straightened page (crop_box, crop_source): the paper
//      edge, or the content box plus a margin, per the profile; a crop that would cut into
//      the content is not made (crop.would_cut_content). A box an inspector set (the Manual
//      value deskew.crop_box, "x,y,width,height") is applied as given.
//   4. 去污: the dark scan border, a lid shadow and specks outside the content box painted
//      as paper. How many pixels that changed is measured (cleaned_px), and which ones is
//      written as a 1-bit PNG (WORK/cleanup/<档号>/<serial>.png; black = changed), relative
//      to the page straightened and cropped but not yet cleaned.
// All of it is applied in one pass: the scan is warped straight into the crop box, then
// painted; the page is never held at full size twice over.
//
// Sign convention: skew_deg > 0 = content rotated counter-clockwise on screen.
// The processed page keeps the scan's pixel type; a bilevel page stays bilevel. With the
// default canvas "fit" it keeps the scan's size (before any crop): the rotated page is
// placed so its content stays whole.
// process() is const and may run on many pages at once.
#pragma once

#include "pipeline/units.h"
#include "stages/deskew/border_cleaner.h"
#include "stages/deskew/page_cleanup.h"
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
  CleanupSettings cleanup;
  enum class Crop { none, paper, content } crop = Crop::none;
  double crop_margin_mm = 10;  // Crop::content: the margin kept around the content box
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
  std::filesystem::path work_dir_;  // empty (a stage used alone): no cleanup diff is written
};

}  // namespace lantai::deskew
