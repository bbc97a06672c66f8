#include "stages/deskew/deskew_stage.h"

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "pipeline/files.h"
#include "pipeline/format.h"
#include "pipeline/library_versions.h"

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
const ChoiceParam kCanvas{"canvas", {"fit", "expand", "keep"}, "fit",
                          "fit: the scan's size, the rotated page placed so its content stays whole; expand: the image "
                          "grows to hold the whole rotated scan; keep: the scan's size about its centre, corners cut"};
const ChoiceParam kCrop{"crop", {"none", "paper", "content"}, "none",
                        "裁边: none; paper: to the paper's edge; content: to the content box plus crop_margin_mm "
                        "(never beyond the paper). A crop that would cut content is not made"};
const NumberParam kCropMargin{"crop_margin_mm", "mm", 0, 100, 10, "crop: content keeps this margin around the content box"};
const FlagParam kRemoveSpecks{"remove_specks", true, "去污: paint specks in the margin (outside the content box) as paper"};
const NumberParam kSpeckMax{"speck_max_mm", "mm", 0.05, 5, 0.6, "marks smaller than this square are specks"};
const FlagParam kRemoveShadow{"remove_lid_shadow", true,
                              "去污: paint a lid shadow (a grey band along an image edge, outside the content box) as paper"};
const NumberParam kShadowContrast{"shadow_contrast", "grey levels", 5, 200, 24,
                                  "a lid shadow is at least this much darker than the paper"};
const NumberParam kContentGuard{"content_guard_mm", "mm", 0, 20, 1.0,
                                "裁边 and 去污 stay at least this far from the content box"};
const ChoiceParam kInterpolation{"interpolation", {"linear", "cubic"}, "linear",
                                 "linear: bilinear, fast; cubic: bicubic, sharper, about four times slower"};
const NumberParam kAnalysisDpi{"analysis_dpi", "dpi", 50, 600, 150,
                               "the page is measured at about this resolution (speed against precision)"};

constexpr FindingCode kLowConfidence{"deskew.low_confidence", Severity::info,
                                     "the skew estimate is uncertain; the page was not rotated"};
constexpr FindingCode kBadManualValue{"deskew.bad_manual_value", Severity::reject,
                                      "a skew set by hand is not a number of degrees within ±45; the page waits for review"};
constexpr FindingCode kWouldCutContent{"crop.would_cut_content", Severity::warn,
                                       "the crop the profile asks for would cut into the page's content; the page was "
                                       "not cropped"};
constexpr FindingCode kBadManualCrop{"crop.bad_manual_value", Severity::reject,
                                     "a crop box set by hand is not x,y,width,height in px inside the straightened "
                                     "page; the page waits for review"};
constexpr MeasurementInfo kContentBox{"content_box", "the content's box in the delivered page, x,y,width,height px"};
constexpr MeasurementInfo kCropBox{"crop_box", "the crop box in the straightened page, x,y,width,height px"};
constexpr MeasurementInfo kStraightening{
    "straightening",
    "how the turned scan maps onto the straightened page: the affine a,b,c,d,e,f (x' = a·x + b·y + c, "
    "y' = d·x + e·y + f, px) and the page's size WxH; review draws the crop box on the scan with it"};
constexpr MeasurementInfo kCropSource{"crop_source", "auto (measured), manual (set in review) or none (not cropped)"};
constexpr MeasurementInfo kCleanedPx{"cleaned_px", "pixels 去污 changed (scan border, lid shadow, specks in the margin)"};
constexpr OutputInfo kCleanupDiff{"cleanup_diff", OutputRole::work,
                                  "which pixels 去污 changed, 1-bit PNG, black = changed (WORK/cleanup/<档号>/<serial>.png)"};
constexpr MeasurementInfo kSkew{"skew_deg", "skew of the content as scanned; positive = rotated counter-clockwise"};
constexpr MeasurementInfo kSkewConfidence{"skew_confidence", "how sure the skew measurement is, 0 (none) to 1"};
constexpr MeasurementInfo kSkewSource{"skew_source", "auto (measured) or manual (set in review)"};
constexpr double kMaxManualAngleDeg = 45;

}  // namespace

StageInfo DeskewStage::describe() const {
  StageInfo info{"deskew",
                 "Measures each page's skew and content, rotates it upright, crops it (裁边) and paints what scanning "
                 "added outside the content as paper (去污).",
                 "4",  // 4: the straightening recorded; 3: fit canvas, crop, specks and lid shadow, cleanup diff
                 {kMaxAngle.info(), kMinConfidence.info(), kMinAngle.info(), kCleanBorders.info(), kBorderMinWidth.info(),
                  kCanvas.info(), kInterpolation.info(), kAnalysisDpi.info(), kCrop.info(), kCropMargin.info(),
                  kRemoveSpecks.info(), kSpeckMax.info(), kRemoveShadow.info(), kShadowContrast.info(), kContentGuard.info()},
                 {kLowConfidence, kBadManualValue, kWouldCutContent, kBadManualCrop},
                 {kSkew, kSkewConfidence, kSkewSource, kContentBox, kCropBox, kStraightening, kCropSource, kCleanedPx},
                 {kCleanupDiff},
                 true};
  info.libraries = {opencv_library()};
  return info;
}

void DeskewStage::setup(ProfileSection& section, const StageContext& context) {
  DeskewSettings settings;
  settings.skew.max_angle_deg = section.get(kMaxAngle);
  settings.min_confidence = section.get(kMinConfidence);
  settings.min_angle_deg = section.get(kMinAngle);
  settings.clean_dark_borders = section.get(kCleanBorders);
  settings.border.min_width_mm = section.get(kBorderMinWidth);
  settings.rotation.canvas = canvas_from_string(section.get(kCanvas));
  settings.rotation.interpolation = interpolation_from_string(section.get(kInterpolation));
  settings.skew.analysis_dpi = section.get(kAnalysisDpi);
  const std::string crop = section.get(kCrop);
  settings.crop = crop == "paper" ? DeskewSettings::Crop::paper
                  : crop == "content" ? DeskewSettings::Crop::content
                                      : DeskewSettings::Crop::none;
  settings.crop_margin_mm = section.get(kCropMargin);
  settings.cleanup.remove_specks = section.get(kRemoveSpecks);
  settings.cleanup.speck_max_mm = section.get(kSpeckMax);
  settings.cleanup.remove_lid_shadow = section.get(kRemoveShadow);
  settings.cleanup.shadow_contrast = section.get(kShadowContrast);
  settings.cleanup.content_guard_mm = section.get(kContentGuard);
  section.finish();
  settings_ = settings;
  work_dir_ = context.work_dir;
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

  std::optional<cv::Rect> manual_crop;
  if (auto manual = page.manual_value("deskew", "crop_box")) {
    manual_crop = parse_box(*manual);
    if (!manual_crop) {
      outcome.add(kBadManualCrop(page.rel_path + ": the crop box set by hand, '" + *manual +
                                     "', is not x,y,width,height in whole px",
                                 *manual, "x,y,width,height"));
      return outcome;
    }
  }
  const bool cleaning =
      settings_.clean_dark_borders || settings_.cleanup.remove_specks || settings_.cleanup.remove_lid_shadow;
  if (!rotate && !cleaning && settings_.crop == DeskewSettings::Crop::none && !manual_crop) return outcome;

  const cv::Scalar background = paper_colour(scan);
  cv::Mat border;  // dark scanner border to clear, at analysis scale
  if (settings_.clean_dark_borders) {
    border = find_dark_border(analysis, settings_.border);
    if (cv::countNonZero(border) == 0) border.release();
  }
  const PagePlan plan = plan_page(analysis, border, settings_.cleanup);

  // 纠偏: where the straightened page lies, its content whole on the canvas.
  const double scale = analysis.scale;
  const Straightening straight =
      straighten(scan.size(), rotate ? estimate.angle_deg : 0, settings_.rotation.canvas,
                 [&](const cv::Matx23d& transform) { return transformed_box(plan.content, scale, transform); });
  const cv::Rect canvas(cv::Point(0, 0), straight.size);
  const cv::Rect content = transformed_box(plan.content, scale, straight.transform) & canvas;
  const double px_per_mm = analysis.px_per_mm / scale;
  const int guard_px = static_cast<int>(std::ceil(settings_.cleanup.content_guard_mm * px_per_mm));
  const cv::Rect guarded = content.empty() ? cv::Rect()
                                           : cv::Rect(content.x - guard_px, content.y - guard_px,
                                                      content.width + 2 * guard_px, content.height + 2 * guard_px) &
                                                 canvas;

  // Analysis px of the scan → px of the straightened page (pixel centres map to pixel centres).
  cv::Matx23d from_analysis = straight.transform;
  for (int row = 0; row < 2; ++row) {
    const double a = straight.transform(row, 0), b = straight.transform(row, 1);
    from_analysis(row, 0) = a / scale;
    from_analysis(row, 1) = b / scale;
    from_analysis(row, 2) += (a + b) * (0.5 / scale - 0.5);
  }

  // 裁边
  cv::Rect crop = canvas;
  std::string crop_source = "none";
  if (manual_crop) {
    if ((*manual_crop & canvas) != *manual_crop) {
      outcome.add(kBadManualCrop(page.rel_path + ": the crop box set by hand, " + box_text(*manual_crop) +
                                     ", reaches outside the straightened page (" + std::to_string(canvas.width) + "x" +
                                     std::to_string(canvas.height) + " px)",
                                 box_text(*manual_crop), box_text(canvas)));
      return outcome;
    }
    crop = *manual_crop;
    crop_source = "manual";
  } else if (settings_.crop != DeskewSettings::Crop::none) {
    const cv::Size analysis_size(static_cast<int>(std::lround(canvas.width * scale)),
                                 static_cast<int>(std::lround(canvas.height * scale)));
    cv::Matx23d to_analysis = from_analysis;
    for (int row = 0; row < 2; ++row)
      for (int col = 0; col < 3; ++col) to_analysis(row, col) *= scale;
    to_analysis(0, 2) += 0.5 * scale - 0.5;
    to_analysis(1, 2) += 0.5 * scale - 0.5;
    // The surround: scan border, lid shadow and what the straightened scan does not cover.
    cv::Mat outside = border.empty() ? cv::Mat::zeros(analysis.grey.size(), CV_8U) : border.clone();
    if (!plan.shadow.empty()) outside |= plan.shadow;
    cv::Mat surround;
    cv::warpAffine(outside, surround, to_analysis, analysis_size, cv::INTER_NEAREST, cv::BORDER_CONSTANT, 255);
    const cv::Rect paper_a = paper_box(surround);
    const cv::Rect paper = cv::Rect(cv::Point(static_cast<int>(std::ceil(paper_a.x / scale)),
                                              static_cast<int>(std::ceil(paper_a.y / scale))),
                                    cv::Point(static_cast<int>(std::floor(paper_a.br().x / scale)),
                                              static_cast<int>(std::floor(paper_a.br().y / scale)))) &
                           canvas;
    cv::Rect wanted = paper;
    if (settings_.crop == DeskewSettings::Crop::content && !content.empty()) {
      const int margin_px = static_cast<int>(std::lround(settings_.crop_margin_mm * px_per_mm));
      wanted = cv::Rect(content.x - margin_px, content.y - margin_px, content.width + 2 * margin_px,
                        content.height + 2 * margin_px) &
               paper;
    }
    if (!guarded.empty() && (wanted & guarded) != guarded) {
      outcome.add(kWouldCutContent(page.rel_path + ": cropping to " + box_text(wanted) +
                                       " would cut into the content at " + box_text(content) + "; the page was not cropped",
                                   box_text(wanted), box_text(guarded)));
    } else if (!wanted.empty() && wanted != canvas) {
      crop = wanted;
      crop_source = "auto";
    }
  }
  outcome.measurements.set(kCropBox.name, box_text(crop));
  {
    std::string text;
    for (int i = 0; i < 6; ++i) text += (i ? "," : "") + fixed(straight.transform(i / 3, i % 3), 6);
    outcome.measurements.set(kStraightening.name,
                             text + " " + std::to_string(straight.size.width) + "x" + std::to_string(straight.size.height));
  }
  outcome.measurements.set(kCropSource.name, crop_source);
  if (!content.empty()) outcome.measurements.set(kContentBox.name, box_text((content & crop) - crop.tl()));

  // 去污: what scanning added, painted as paper, never within the content's guard.
  cv::Mat mask;  // at page scale over the crop box, 255 = paint
  {
    cv::Mat clear;
    for (const cv::Mat* part : std::initializer_list<const cv::Mat*>{&border, &plan.specks, &plan.shadow}) {
      if (part->empty()) continue;
      if (clear.empty()) clear = part->clone();
      else clear |= *part;
    }
    if (!clear.empty()) {
      // Warped at analysis scale (any coverage counts), grown by a pixel for the rounding of
      // the enlargement, then enlarged to the crop box: a full-size warp of the mask would
      // cost as much as the page's own.
      cv::Matx23d to_crop = from_analysis;
      to_crop(0, 2) -= crop.x;
      to_crop(1, 2) -= crop.y;
      for (int row = 0; row < 2; ++row)
        for (int col = 0; col < 3; ++col) to_crop(row, col) *= scale;
      to_crop(0, 2) += 0.5 * scale - 0.5;
      to_crop(1, 2) += 0.5 * scale - 0.5;
      const cv::Size small(std::max(1, static_cast<int>(std::ceil(crop.width * scale))),
                           std::max(1, static_cast<int>(std::ceil(crop.height * scale))));
      cv::Mat warped;
      cv::warpAffine(clear, warped, to_crop, small, cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
      cv::compare(warped, 0, warped, cv::CMP_GT);
      cv::dilate(warped, warped, cv::getStructuringElement(cv::MORPH_RECT, {3, 3}));
      if (cv::countNonZero(warped) > 0) {
        cv::resize(warped, mask, crop.size(), 0, 0, cv::INTER_NEAREST);
        if (!guarded.empty()) mask((guarded & crop) - crop.tl()).setTo(0);
        if (cv::countNonZero(mask) == 0) mask.release();
      }
    }
  }
  const bool identity = straight.transform == cv::Matx23d(1, 0, 0, 0, 1, 0);
  if (identity && crop == canvas && mask.empty()) {
    outcome.measurements.set(kCleanedPx.name, 0.0);
    return outcome;  // nothing to change: the scan goes on as it is
  }
  cv::Mat processed =
      identity ? scan(crop).clone() : warp_page(scan, straight, crop, settings_.rotation.interpolation, background);
  double cleaned_px = 0;
  if (!mask.empty()) {
    // Which pixels painting changes: under the mask and not already the paper's colour
    // (one 8-bit plane, worked in place: a colour page's third).
    cv::Mat changed;
    cv::inRange(processed, background, background, changed);
    cv::bitwise_not(changed, changed);
    cv::bitwise_and(changed, mask, changed);
    cleaned_px = cv::countNonZero(changed);
    processed.setTo(background, mask);
    mask.release();
    if (cleaned_px > 0 && !work_dir_.empty())
      outcome.outputs.push_back(write_output(work_dir_, "cleanup/" + page.record_ref + "/" + page.serial() + ".png",
                                             encode_diff_png(changed), std::string(kCleanupDiff.kind)));
  }
  outcome.measurements.set(kCleanedPx.name, cleaned_px);
  // Interpolation greys a bilevel page's edges; it must stay two-level.
  if (!identity && page.measurements.text("colour_mode") == to_string(ColourMode::bilevel) && processed.channels() == 1)
    cv::threshold(processed, processed, 127, 255, cv::THRESH_BINARY);
  outcome.image = std::move(processed);
  return outcome;
}

}  // namespace lantai::deskew
