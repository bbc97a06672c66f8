// Which way up a page's characters stand, by Tesseract's orientation and script detection
// (OSD, osd.traineddata) on a 200-dpi grey copy. The orientation finder tells the axis of
// text lines; only the characters themselves tell an upright page of Chinese set
// vertically (竖排) from a page of horizontal lines fed turned by a quarter. OSD costs about
// 300 ms a page, so the orient stage asks it only when the profile says the lot may hold
// vertical text.
#pragma once

#include <memory>

#include <opencv2/core.hpp>

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

}  // namespace lantai::orient
