#include "stages/orient/script_direction.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <opencv2/imgproc.hpp>
#include <tesseract/baseapi.h>
#include <tesseract/osdetect.h>

namespace lantai::orient {

namespace {
constexpr double kOsdDpi = 200;  // OSD's characters are about this size; finer costs time for nothing
constexpr int kMinLines = 2;     // fewer text lines: a stain, a picture, a stamp, nothing OSD can read
// The log ratio of bar lengths at which the finder's axis is 63% sure: past it, a reading
// of the characters across the other axis is a doubt, not an answer.
constexpr double kSureAxisMargin = 0.5;
}

ScriptDirectionReader::ScriptDirectionReader() : api_(std::make_unique<tesseract::TessBaseAPI>()) {
  if (api_->Init(nullptr, "osd", tesseract::OEM_TESSERACT_ONLY) != 0)
    throw std::runtime_error(
        "orient: Tesseract's osd.traineddata is missing, needed for orient.vertical_text and orient.osd_second_opinion; install tesseract-ocr-osd "
        "(scripts/install-deps.sh)");
  api_->SetPageSegMode(tesseract::PSM_OSD_ONLY);
  api_->SetVariable("debug_file", "/dev/null");
}

ScriptDirectionReader::~ScriptDirectionReader() { api_->End(); }

ScriptDirection ScriptDirectionReader::read(const cv::Mat& page, double resolution_dpi) {
  cv::Mat grey;
  const double scale = std::min(1.0, kOsdDpi / resolution_dpi);
  cv::resize(page, grey, cv::Size(), scale, scale, cv::INTER_AREA);
  if (grey.channels() == 3) cv::cvtColor(grey, grey, cv::COLOR_BGR2GRAY);
  if (grey.channels() == 4) cv::cvtColor(grey, grey, cv::COLOR_BGRA2GRAY);
  api_->SetImage(grey.data, grey.cols, grey.rows, 1, static_cast<int>(grey.step));
  api_->SetSourceResolution(static_cast<int>(resolution_dpi * scale));
  tesseract::OSResults results;
  if (!api_->DetectOS(&results)) return {};
  // orientation_id counts the characters' turns counter-clockwise; the fix turns them back clockwise.
  const int turned = results.best_result.orientation_id;
  return {(4 - turned) % 4 * 90, std::min(1.0, results.best_result.oconfidence / 4.0)};
}

std::optional<int> second_opinion(const OrientationEstimate& finder, const ScriptDirection& characters,
                                  double min_confidence) {
  if (finder.lines < kMinLines || characters.confidence < min_confidence) return std::nullopt;
  const bool lines_across = finder.axis_margin >= 0;
  const bool characters_across = characters.rotation_deg % 180 == 0;
  if (std::abs(finder.axis_margin) >= kSureAxisMargin && lines_across != characters_across) return std::nullopt;
  return characters.rotation_deg;
}

}  // namespace lantai::orient
