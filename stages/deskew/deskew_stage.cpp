#include "stages/deskew/deskew_stage.h"

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "pipeline/format.h"

namespace lantai::deskew {

namespace {

const NumberParam kMaxAngle{"max_angle_deg", "deg", 1, 45, 15,
                            "skews are searched within ± this; beyond 45° text lines and columns swap roles"};
const NumberParam kMinConfidence{"min_confidence", "ratio", 0, 1, 0.5,
                                 "a skew measured with less confidence than this is reported but not applied"};
const NumberParam kMinAngle{"min_angle_deg", "deg", 0, 1, 0.05,
                            "skews smaller than this are left as scanned: rotating resamples every pixel"};
const FlagParam kCleanBorders{"clean_dark_borders", true,
                              "paint dark scan borders touching the image edge as paper (去污, 裁边)"};
const NumberParam kBorderMinWidth{"border_min_width_mm", "mm", 0.2, 20, 1.0,
                                  "dark regions narrower than this are marks on the paper, never scan border"};
const ChoiceParam kCanvas{"canvas", {"expand", "keep"}, "expand",
                          "expand: the image grows to hold the whole rotated scan; keep: the scan's size, corners cut"};
const ChoiceParam kInterpolation{"interpolation", {"linear", "cubic"}, "linear",
                                 "linear: bilinear, fast; cubic: bicubic, sharper, about four times slower"};
const NumberParam kAnalysisDpi{"analysis_dpi", "dpi", 50, 600, 150,
                               "the page is measured at about this resolution (speed against precision)"};

constexpr FindingCode kLowConfidence{"deskew.low_confidence", Severity::info,
                                     "the skew estimate is uncertain; the page was not rotated"};
constexpr FindingCode kBadManualValue{"deskew.bad_manual_value", Severity::reject,
                                      "a skew set by hand is not a number of degrees within ±45; the page waits for review"};
constexpr MeasurementInfo kSkew{"skew_deg", "skew of the content as scanned; positive = rotated counter-clockwise"};
constexpr MeasurementInfo kSkewConfidence{"skew_confidence", "how sure the skew measurement is, 0 (none) to 1"};
constexpr MeasurementInfo kSkewSource{"skew_source", "auto (measured) or manual (set in review)"};
constexpr double kMaxManualAngleDeg = 45;

}  // namespace

StageInfo DeskewStage::describe() const {
  return {"deskew",
          "Measures each page's skew, paints dark scan borders as paper and rotates the page upright.",
          "2",  // 2: clears the border while rotating
          {kMaxAngle.info(), kMinConfidence.info(), kMinAngle.info(), kCleanBorders.info(), kBorderMinWidth.info(),
           kCanvas.info(), kInterpolation.info(), kAnalysisDpi.info()},
          {kLowConfidence, kBadManualValue},
          {kSkew, kSkewConfidence, kSkewSource},
          {},
          true};
}

void DeskewStage::setup(ProfileSection& section, const StageContext&) {
  DeskewSettings settings;
  settings.skew.max_angle_deg = section.get(kMaxAngle);
  settings.min_confidence = section.get(kMinConfidence);
  settings.min_angle_deg = section.get(kMinAngle);
  settings.clean_dark_borders = section.get(kCleanBorders);
  settings.border.min_width_mm = section.get(kBorderMinWidth);
  settings.rotation.canvas = canvas_from_string(section.get(kCanvas));
  settings.rotation.interpolation = interpolation_from_string(section.get(kInterpolation));
  settings.skew.analysis_dpi = section.get(kAnalysisDpi);
  section.finish();
  settings_ = settings;
}

Outcome DeskewStage::process(const Item& page) const {
  Outcome outcome;
  if (page.image.empty()) return outcome;  // decode failed: nothing to straighten
  const cv::Mat& scan = page.image.pixels();

  const AnalysisImage analysis =
      make_analysis_image(scan, settings_.skew.analysis_dpi, page.measurements.number("resolution_dpi"));
  SkewEstimate estimate;
  bool rotate = false;
  if (auto manual = page.manual_value("deskew", "skew_deg")) {
    char* end = nullptr;
    const double angle = std::strtod(manual->c_str(), &end);
    if (manual->empty() || *end != '\0' || !std::isfinite(angle) || std::abs(angle) > kMaxManualAngleDeg) {
      outcome.add(kBadManualValue(page.rel_path + ": the skew set by hand, '" + *manual + "', is not a number of degrees within ±45",
                                  *manual, "±45"));
      return outcome;
    }
    estimate = {angle, 1.0};
    rotate = angle != 0;
    outcome.measurements.set(kSkewSource.name, std::string("manual"));
  } else {
    estimate = find_skew(analysis, settings_.skew);
    const bool confident = estimate.confidence >= settings_.min_confidence;
    if (!confident)
      outcome.add(kLowConfidence(page.rel_path + ": skew measured as " + fixed(estimate.angle_deg, 2) +
                                     "° with confidence " + fixed(estimate.confidence, 2) + ", below " +
                                     fixed(settings_.min_confidence, 2) + "; the page was not rotated",
                                 fixed(estimate.confidence, 3), fixed(settings_.min_confidence, 3)));
    rotate = confident && std::abs(estimate.angle_deg) >= settings_.min_angle_deg;
    outcome.measurements.set(kSkewSource.name, std::string("auto"));
  }
  outcome.measurements.set(kSkew.name, estimate.angle_deg);
  outcome.measurements.set(kSkewConfidence.name, estimate.confidence);
  if (!rotate && !settings_.clean_dark_borders) return outcome;

  const cv::Scalar background = paper_colour(scan);
  cv::Mat border;  // dark scanner border to clear, at analysis scale
  if (settings_.clean_dark_borders) {
    border = find_dark_border(analysis, settings_.border);
    if (cv::countNonZero(border) == 0) border.release();
  }
  cv::Mat processed = scan;  // read-only until replaced: every change below makes a new image
  if (rotate) {
    processed = rotate_page(scan, estimate.angle_deg, settings_.rotation, background, border);
    // Interpolation greys a bilevel page's edges; it must stay two-level.
    if (page.measurements.text("colour_mode") == to_string(ColourMode::bilevel) && processed.channels() == 1)
      cv::threshold(processed, processed, 127, 255, cv::THRESH_BINARY);
  } else if (!border.empty()) {
    processed = scan.clone();
    paint_border(processed, border, background);
  }
  if (processed.data != scan.data) outcome.image = std::move(processed);
  return outcome;
}

}  // namespace lantai::deskew
