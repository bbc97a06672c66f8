// Which way up a page's characters stand, by Tesseract's orientation and script detection
// (OSD, osd.traineddata) on a 200-dpi grey copy. The orientation finder tells the axis of
// text lines; only the characters themselves tell an upright page of Chinese set
// vertically (竖排) from a page of horizontal lines fed turned by a quarter. OSD costs about
// 300 ms a page, so the orient stage asks it of every page only when the profile says the
// lot may hold vertical text, and otherwise only of pages the finder is unsure of
// (second_opinion below).
#pragma once

#include <memory>
#include <optional>

#include <opencv2/core.hpp>

#include "stages/orient/orientation_finder.h"

namespace tesseract {
class TessBaseAPI;
}

namespace lantai::orient {

struct ScriptDirection {
  int rotation_deg = 0;   // clockwise turn that makes the characters upright
  double confidence = 0;  // OSD's orientation confidence divided by 4 (its "trust" line, 2, maps to 0.5), at most 1
};

// One per thread: an OSD engine is not thread-safe.
class ScriptDirectionReader {
 public:
  ScriptDirectionReader();  // throws std::runtime_error when osd.traineddata is missing
  ~ScriptDirectionReader();
  ScriptDirectionReader(const ScriptDirectionReader&) = delete;
  ScriptDirectionReader& operator=(const ScriptDirectionReader&) = delete;

  // page: 8-bit grey, BGR or BGRA at resolution_dpi.
  ScriptDirection read(const cv::Mat& page, double resolution_dpi);

 private:
  std::unique_ptr<tesseract::TessBaseAPI> api_;
};

// The turn a page the orientation finder is unsure of may take from its characters, or
// nothing (the page stays unturned, for review). Taken only when OSD is sure enough
// (min_confidence, on ScriptDirection's scale) and the finder saw text lines: OSD finds
// "characters" in stains and pictures, and its guesses there are not worth a turn. Where
// the finder told the axis of the lines with confidence, OSD must agree with it.
std::optional<int> second_opinion(const OrientationEstimate& finder, const ScriptDirection& characters,
                                  double min_confidence);

}  // namespace lantai::orient
