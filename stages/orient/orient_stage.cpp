#include "stages/orient/orient_stage.h"

#include <tesseract/baseapi.h>

#include "pipeline/format.h"
#include "pipeline/library_versions.h"

namespace lantai::orient {

namespace {

const FlagParam kEnabled{"enabled", true, "measure each page's orientation and turn it upright"};
const NumberParam kMinConfidence{"min_confidence", "ratio", 0, 1, 0.3,
                                 "a page whose orientation is measured with less confidence than this is not turned"};
const FlagParam kVerticalText{"vertical_text", false,
                               "the lot may hold Chinese set vertically (竖排): Tesseract's OSD tells every page's "
                               "writing direction from its characters (about 300 ms a page); OCR then needs "
                               "chi_sim_vert among ocr.languages"};
const FlagParam kOsdSecondOpinion{"osd_second_opinion", true,
                                   "a page the finder is unsure of has its characters read by Tesseract's OSD on a "
                                   "reduced copy (about 300 ms, on those pages only) and is turned when OSD is sure"};
const NumberParam kOsdMinConfidence{"osd_min_confidence", "ratio", 0, 1, 0.5,
                                    "OSD's confidence (its own figure divided by 4) at or above which its reading "
                                    "turns a page the finder was unsure of"};
const NumberParam kAnalysisDpi{"analysis_dpi", "dpi", 75, 300, 150,
                               "the page is measured at about this resolution (speed against small punctuation)"};

constexpr FindingCode kUncertain{"orient.uncertain", Severity::warn,
                                 "the page's orientation could not be told with enough confidence (blank, or too little "
                                 "text); the page was not turned"};
constexpr FindingCode kBadManualValue{"orient.bad_manual_value", Severity::reject,
                                      "a turn set by hand is not 0, 90, 180 or 270 degrees; the page waits for review"};
constexpr MeasurementInfo kOrientation{"orientation_deg",
                                       "clockwise turn applied to make the page upright: 0, 90, 180 or 270", true};
constexpr MeasurementInfo kOrientationConfidence{"orientation_confidence",
                                                 "how sure the orientation measurement is, 0 (none) to 1"};
constexpr MeasurementInfo kOrientationSource{"orientation_source", "auto (measured) or manual (set in review)"};
constexpr MeasurementInfo kOrientationMethod{"orientation_method",
                                             "what the turn rests on: lines (the finder's cues) or characters "
                                             "(Tesseract's OSD, asked where the finder was unsure)"};
constexpr MeasurementInfo kWritingMode{"writing_mode",
                                       "horizontal, or vertical (竖排: columns of upright characters); measured only "
                                       "with orient.vertical_text"};

std::optional<int> quarter_turn(const std::string& text) {
  for (int turn : {0, 90, 180, 270})
    if (text == std::to_string(turn)) return turn;
  return std::nullopt;
}

}  // namespace

StageInfo OrientStage::describe() const {
  StageInfo info{"orient",
                 "Measures which quarter turn makes each page's text upright and turns the page when sure.",
                 "2",
                 {kEnabled.info(), kMinConfidence.info(), kVerticalText.info(), kOsdSecondOpinion.info(),
                  kOsdMinConfidence.info(), kAnalysisDpi.info()},
                 {kUncertain, kBadManualValue},
                 {kOrientation, kOrientationConfidence, kOrientationSource, kOrientationMethod, kWritingMode},
                 {},
                 true};
  info.libraries = {opencv_library(), "Tesseract " + std::string(tesseract::TessBaseAPI::Version())};
  return info;
}

OrientStage::OrientStage(const OrientSettings& settings) : settings_(settings) {
  if (settings_.reads_characters()) ScriptDirectionReader();  // fail now if osd.traineddata is missing
}

ScriptDirection OrientStage::read_characters(const cv::Mat& page, std::optional<double> dpi) const {
  std::unique_ptr<ScriptDirectionReader>& reader = script_readers_.local();
  if (!reader) reader = std::make_unique<ScriptDirectionReader>();
  return reader->read(page, dpi.value_or(300));
}

void OrientStage::setup(ProfileSection& section, const StageContext&) {
  OrientSettings settings;
  settings.enabled = section.get(kEnabled);
  settings.min_confidence = section.get(kMinConfidence);
  settings.vertical_text = section.get(kVerticalText);
  settings.osd_second_opinion = section.get(kOsdSecondOpinion);
  settings.osd_min_confidence = section.get(kOsdMinConfidence);
  settings.finder.analysis_dpi = section.get(kAnalysisDpi);
  section.finish();
  if (settings.reads_characters()) ScriptDirectionReader();  // fail before any page if osd.traineddata is missing
  settings_ = settings;
}

Outcome OrientStage::process(const Item& page) const {
  Outcome outcome;
  if (page.image.empty()) return outcome;  // decode failed: nothing to turn
  int rotation_deg = 0;
  double confidence = 1;
  if (auto manual = page.manual_value("orient", "rotation_deg")) {
    const auto turn = quarter_turn(*manual);
    if (!turn) {
      outcome.add(kBadManualValue(page.rel_path + ": the turn set by hand, '" + *manual +
                                      "', is not 0, 90, 180 or 270 degrees clockwise",
                                  *manual, "0|90|180|270"));
      return outcome;
    }
    rotation_deg = *turn;
    outcome.measurements.set(kOrientationSource.name, std::string("manual"));
  } else {
    if (!settings_.enabled) return outcome;
    const auto dpi = page.measurements.number("resolution_dpi");
    OrientationEstimate estimate = find_orientation(page.image.pixels(), settings_.finder, dpi);
    std::optional<ScriptDirection> characters;
    if (settings_.vertical_text) {
      // Lines across the page as scanned may be 竖排 fed turned by a quarter, lines up and
      // down upright 竖排 or horizontal text turned: only the characters tell which.
      characters = read_characters(page.image.pixels(), dpi);
      const bool lines_up_and_down = estimate.axis_margin < 0;
      const bool vertical = lines_up_and_down == (characters->rotation_deg % 180 == 0);
      if (vertical) {  // the finder's cues are for horizontal lines; the characters' turn stands
        estimate.rotation_deg = characters->rotation_deg;
        estimate.confidence = characters->confidence;
      }
      outcome.measurements.set(kWritingMode.name, std::string(vertical ? "vertical" : "horizontal"));
    }
    confidence = estimate.confidence;
    bool sure = confidence >= settings_.min_confidence;
    std::string method = "lines";
    std::string osd_note;
    if (!sure && settings_.osd_second_opinion && estimate.lines > 0) {
      if (!characters) characters = read_characters(page.image.pixels(), dpi);
      osd_note = "; OSD read the characters as " + std::to_string(characters->rotation_deg) + "° with confidence " +
                 fixed(characters->confidence, 2);
      if (const auto turn = second_opinion(estimate, *characters, settings_.osd_min_confidence)) {
        estimate.rotation_deg = *turn;
        confidence = characters->confidence;
        sure = true;
        method = "characters";
      }
    }
    if (sure) {
      rotation_deg = estimate.rotation_deg;
      outcome.measurements.set(kOrientationMethod.name, method);
    } else {
      outcome.add(kUncertain(page.rel_path + ": orientation measured as " + std::to_string(estimate.rotation_deg) +
                                 "° with confidence " + fixed(confidence, 2) + ", below " +
                                 fixed(settings_.min_confidence, 2) + osd_note + "; the page was not turned",
                             fixed(confidence, 3), fixed(settings_.min_confidence, 3)));
    }
    outcome.measurements.set(kOrientationSource.name, std::string("auto"));
  }
  outcome.measurements.set(kOrientation.name, static_cast<double>(rotation_deg));
  outcome.measurements.set(kOrientationConfidence.name, confidence);
  if (rotation_deg != 0) outcome.image = turn_page(page.image.pixels(), rotation_deg);
  return outcome;
}

}  // namespace lantai::orient
