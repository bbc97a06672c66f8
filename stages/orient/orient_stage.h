// orient: DA/T 31-2017 图像处理 纠偏 for pages fed into the scanner turned: measures which
// quarter turn makes the page's text upright (orientation_finder.h) and records it
// (orientation_deg, orientation_confidence, orientation_source), then hands on the page
// turned when the measurement is confident enough. An uncertain page (blank, near blank,
// too little text to tell) is left as scanned with an orient.uncertain finding, so an
// inspector looks at it; a turn an inspector set (the Manual value orient.rotation_deg) is
// applied as given instead of measuring.
//
// Runs before deskew: deskew measures skew within ±45°, so it cannot see a quarter turn,
// and it straightens what this stage turned. A turn by 90 or 270 swaps the page's width
// and height; the resolution is the same along both axes and stays valid.
// orientation_deg is the clockwise turn applied: 0, 90, 180 or 270.
//
// A profile for lots that may hold Chinese set vertically (竖排, orient.vertical_text)
// has every page's characters read by Tesseract's OSD too (script_direction.h): the
// columns of 竖排 look like lines turned by a quarter, and only the characters tell. A
// page whose lines run along its characters' up and down is turned as far as they need
// and measured writing_mode vertical; others are turned by the finder, as without it.
//
// A page the finder is unsure of (below min_confidence, yet with text lines) gets a second
// opinion: OSD reads its characters on a reduced copy, and a sure reading whose axis does
// not contradict a sure axis of the lines turns the page (orientation_method characters).
// Only those few pages pay for OSD; blank pages (no lines) never do.
// process() is const and may run on many pages at once.
#pragma once

#include <memory>

#include <tbb/enumerable_thread_specific.h>

#include "pipeline/units.h"
#include "stages/orient/orientation_finder.h"
#include "stages/orient/script_direction.h"

namespace lantai::orient {

struct OrientSettings {
  bool enabled = true;
  OrientationSettings finder;
  double min_confidence = 0.3;  // below: measured, reported, not turned
  bool vertical_text = false;   // the lot may hold 竖排 pages: every page's characters are read by OSD
  bool osd_second_opinion = true;  // a page the finder is unsure of has its characters read by OSD
  double osd_min_confidence = 0.5;  // OSD's reading turns such a page at or above this

  bool reads_characters() const { return vertical_text || osd_second_opinion; }
};

class OrientStage : public ItemStage {
 public:
  OrientStage() = default;
  explicit OrientStage(const OrientSettings& settings);

  StageInfo describe() const override;
  void setup(ProfileSection& section, const StageContext& context) override;
  Outcome process(const Item& page) const override;

  const OrientSettings& settings() const { return settings_; }

 private:
  ScriptDirection read_characters(const cv::Mat& page, std::optional<double> dpi) const;

  OrientSettings settings_;
  mutable tbb::enumerable_thread_specific<std::unique_ptr<ScriptDirectionReader>> script_readers_;
};

}  // namespace lantai::orient
