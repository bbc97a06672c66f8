#include "stages/quality/quality_stage.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>

#include "pipeline/format.h"
#include "pipeline/library_versions.h"

namespace lantai::quality {

namespace {

const NumberParam kMinResolution{"min_resolution_dpi", "dpi", 50, 2400, 200,
                                 "lowest scan resolution accepted (DA/T 31-2017: 200 dpi in every case)"};
const NumberParam kBlankMaxInk{"blank_max_ink_ratio", "ratio", 0, 0.1, 0.0002,
                               "a page whose content marks cover less than this share of it is blank"};
const NumberParam kInkContrast{"ink_contrast", "grey levels", 10, 200, 60,
                               "how much darker than the paper a pixel must be to count as ink"};
const NumberParam kMinMark{"min_mark_mm", "mm", 0, 5, 0.6,
                           "marks smaller than this square are scan specks, not content"};

const ChoiceParam kMinColourMode{"min_colour_mode", {"colour", "grey", "bilevel"}, "colour",
                                 "the least a page may be scanned in (DA/T 31-2017 9.3: colour for seals, red text, "
                                 "photos; grey for poor legibility; bilevel only for clean black-and-white text)"};
const FlagParam kReportNoChroma{"report_colour_without_chroma", false,
                                "report a page scanned in colour that shows no colour (a grey scan would hold it)"};
const NumberParam kMinChroma{"min_chroma_ratio", "ratio", 0, 0.1, 0.0002,
                             "a colour page with less of its area in colour than this shows no colour"};
const NumberParam kMaxBlur{"max_blur_mm", "mm", 0.02, 1, 0.16,
                           "ink edges blurred more than this (a Gaussian's sigma) are out of focus: qc.blur"};
const NumberParam kMinPaperLevel{"min_paper_level", "grey level", 0, 255, 150,
                                 "paper darker than this grey (0-255) is under-exposed: qc.dark"};
const NumberParam kMinEdgeContrast{"min_edge_contrast", "grey levels", 0, 255, 100,
                                   "ink and paper closer than this are too low in contrast: qc.dark"};
const NumberParam kMaxDarkBorder{"max_dark_border_ratio", "ratio", 0, 1, 0.002,
                                 "a dark border at the image edge covering more than this share of the page: qc.dark_border"};
const NumberParam kBorderMinWidth{"border_min_width_mm", "mm", 0.2, 20, 1.0,
                                  "dark regions narrower than this are marks on the paper, never a border"};
const TextParam kSheets{"page_sizes",
                        "A3=297x420, A4=210x297, A5=148x210, B4=250x353, B5=176x250, JIS-B4=257x364, JIS-B5=182x257, "
                        "8K=270x390, 16K=195x270, big-16K=210x285, letter=216x279, legal=216x356",
                        "the sheets (NAME=WIDTHxHEIGHT, mm) a scan may be; empty: size not checked"};
const NumberParam kSheetTolerance{"page_size_tolerance_mm", "mm", 0, 200, 15,
                                  "how far a scan's side may differ from its sheet's (scan area around the paper)"};

constexpr FindingCode kResolutionLow{"qc.resolution.low", Severity::reject, "scan resolution below the profile minimum"};
constexpr FindingCode kColourMode{"qc.colour_mode", Severity::warn,
                                  "scanned in a colour mode (and bit depth) below the profile's: grey or bilevel where "
                                  "colour is asked, bilevel where grey is"};
constexpr FindingCode kNoChroma{"qc.colour_mode.no_chroma", Severity::info,
                                "scanned in colour, but the page shows no colour: a grey scan would hold the same "
                                "(reported only when the profile asks)"};
constexpr FindingCode kBlur{"qc.blur", Severity::warn, "the ink's edges are blurred beyond the profile's limit: out of focus or moved"};
constexpr FindingCode kDark{"qc.dark", Severity::warn, "the page is too dark (paper level) or too low in contrast (ink against paper)"};
constexpr FindingCode kDarkBorder{"qc.dark_border", Severity::warn,
                                  "a dark border is left at the image edge after cleanup (scanner lid or bed)"};
constexpr FindingCode kPageSize{"qc.page_size", Severity::warn,
                                "the scan's size at its resolution is no sheet the profile lists: a wrong resolution tag, "
                                "or a page scanned with the wrong area"};
constexpr MeasurementInfo kInkRatio{"ink_ratio", "share of the page its content marks cover, 0..1"};
constexpr MeasurementInfo kBlurMm{"blur_mm", "blur of the ink's edges, as a Gaussian's sigma in mm (sharp: 0.06-0.12)"};
constexpr MeasurementInfo kPaperLevel{"paper_level", "the paper's grey, 0-255 (median of the page)"};
constexpr MeasurementInfo kEdgeContrast{"edge_contrast", "ink against paper at the ink's edges, grey levels (90th percentile)"};
constexpr MeasurementInfo kChromaRatio{"chroma_ratio", "share of the page in colour (far from neutral grey), 0..1"};
constexpr MeasurementInfo kDarkBorderRatio{"dark_border_ratio", "share of the page covered by a dark border at its edge, 0..1"};
constexpr MeasurementInfo kPageSizeMm{"page_size_mm", "the scan's width x height in mm at its resolution"};
// Fewer ink edges than this (a page of a few marks) are too few to judge blur and contrast.
constexpr long long kMinEdges = 500;
constexpr MeasurementInfo kFingerprint{"fingerprint", "256-bit perceptual hash (hex) of the content box, for duplicates"};

constexpr double kAnalysisDpi = 100;
// Assumed when a page carries no resolution: the width of an A4 page, in inches.
constexpr double kAssumedPageWidthIn = 8.27;

cv::Mat to_grey(const cv::Mat& page) {
  if (page.channels() == 1) return page;
  cv::Mat grey;
  cv::cvtColor(page, grey, cv::COLOR_BGR2GRAY);
  return grey;
}

}  // namespace

InkMeasure measure_ink(const cv::Mat& page, double resolution_dpi, const QualitySettings& settings) {
  cv::Mat grey = to_grey(page);
  const double scale = std::min(1.0, kAnalysisDpi / resolution_dpi);
  cv::Mat small;
  cv::resize(grey, small, cv::Size(), scale, scale, cv::INTER_AREA);

  // Paper level: the median grey, robust to text, stains and borders.
  int histogram[256] = {};
  for (int y = 0; y < small.rows; ++y)
    for (const uchar* p = small.ptr(y), *end = p + small.cols; p != end; ++p) histogram[*p]++;
  const long long half = static_cast<long long>(small.total()) / 2;
  int paper = 0;
  for (long long seen = 0; paper < 256 && (seen += histogram[paper]) <= half; ++paper) {
  }
  cv::Mat ink;
  cv::threshold(small, ink, std::max(0.0, paper - settings.ink_contrast), 255, cv::THRESH_BINARY_INV);

  cv::Mat labels, stats, centroids;
  int count = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8, CV_32S);
  const double px_per_mm = resolution_dpi * scale / 25.4;
  const double min_area = settings.min_mark_mm * settings.min_mark_mm * px_per_mm * px_per_mm;
  long long ink_pixels = 0;
  cv::Rect box;
  for (int i = 1; i < count; ++i) {
    int left = stats.at<int>(i, cv::CC_STAT_LEFT), top = stats.at<int>(i, cv::CC_STAT_TOP);
    int width = stats.at<int>(i, cv::CC_STAT_WIDTH), height = stats.at<int>(i, cv::CC_STAT_HEIGHT);
    int area = stats.at<int>(i, cv::CC_STAT_AREA);
    bool touches_edge = left == 0 || top == 0 || left + width == small.cols || top + height == small.rows;
    if (touches_edge || area < min_area) continue;
    ink_pixels += area;
    box |= cv::Rect(left, top, width, height);
  }
  InkMeasure measure;
  measure.ink_ratio = small.total() ? static_cast<double>(ink_pixels) / static_cast<double>(small.total()) : 0.0;
  if (!box.empty()) {
    const double to_page = 1.0 / scale;
    measure.content_box = cv::Rect(cv::Point(static_cast<int>(box.x * to_page), static_cast<int>(box.y * to_page)),
                                   cv::Point(static_cast<int>(std::ceil(box.br().x * to_page)),
                                             static_cast<int>(std::ceil(box.br().y * to_page)))) &
                          cv::Rect(0, 0, page.cols, page.rows);
  }
  return measure;
}

std::string perceptual_hash(const cv::Mat& image) {
  cv::Mat small, real;
  cv::resize(to_grey(image), small, cv::Size(64, 64), 0, 0, cv::INTER_AREA);
  small.convertTo(real, CV_32F);
  cv::Mat spectrum;
  cv::dct(real, spectrum);
  // The 16x16 lowest frequencies without the DC term carry the page's layout.
  std::vector<float> coefficients;
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x) coefficients.push_back(y == 0 && x == 0 ? 0.f : spectrum.at<float>(y, x));
  std::vector<float> sorted = coefficients;
  std::nth_element(sorted.begin(), sorted.begin() + 128, sorted.end());
  const float median = sorted[128];
  std::string hex;
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < coefficients.size(); i += 4) {
    int nibble = 0;
    for (size_t k = 0; k < 4; ++k) nibble = nibble << 1 | (coefficients[i + k] > median ? 1 : 0);
    hex.push_back(kHex[nibble]);
  }
  return hex;
}

int hamming_distance(const std::string& hex_a, const std::string& hex_b) {
  if (hex_a.size() != hex_b.size() || hex_a.empty()) return -1;
  auto nibble = [](char c) { return static_cast<unsigned>(c <= '9' ? c - '0' : c - 'a' + 10); };
  int distance = 0;
  for (size_t i = 0; i < hex_a.size(); ++i) distance += std::popcount(nibble(hex_a[i]) ^ nibble(hex_b[i]));
  return distance;
}

StageInfo QualityStage::describe() const {
  StageInfo info{"quality",
                 "Checks resolution, blank pages and capture faults (colour mode, blur, darkness, border, size) and "
                 "fingerprints each page for duplicate search.",
                 "2",  // 2: capture checks
                 {kMinResolution.info(), kBlankMaxInk.info(), kInkContrast.info(), kMinMark.info(), kMinColourMode.info(),
                  kReportNoChroma.info(), kMinChroma.info(), kMaxBlur.info(), kMinPaperLevel.info(), kMinEdgeContrast.info(),
                  kMaxDarkBorder.info(), kBorderMinWidth.info(), kSheets.info(), kSheetTolerance.info()},
                 {kResolutionLow, kBlank, kColourMode, kNoChroma, kBlur, kDark, kDarkBorder, kPageSize},
                 {kInkRatio, kFingerprint, kBlurMm, kPaperLevel, kEdgeContrast, kChromaRatio, kDarkBorderRatio, kPageSizeMm}};
  info.libraries = {opencv_library()};
  return info;
}

void QualityStage::setup(ProfileSection& section, const StageContext&) {
  settings_.min_resolution_dpi = section.get(kMinResolution);
  settings_.blank_max_ink_ratio = section.get(kBlankMaxInk);
  settings_.ink_contrast = section.get(kInkContrast);
  settings_.min_mark_mm = section.get(kMinMark);
  const std::string mode = section.get(kMinColourMode);
  settings_.min_colour_mode = mode == "colour" ? ColourMode::colour : mode == "grey" ? ColourMode::grey : ColourMode::bilevel;
  settings_.report_colour_without_chroma = section.get(kReportNoChroma);
  settings_.min_chroma_ratio = section.get(kMinChroma);
  settings_.max_blur_mm = section.get(kMaxBlur);
  settings_.min_paper_level = section.get(kMinPaperLevel);
  settings_.min_edge_contrast = section.get(kMinEdgeContrast);
  settings_.max_dark_border_ratio = section.get(kMaxDarkBorder);
  settings_.border_min_width_mm = section.get(kBorderMinWidth);
  try {
    settings_.sheets = parse_sheets(section.get(kSheets));
  } catch (const std::invalid_argument& error) {
    section.fail(kSheets.name, error.what());
  }
  settings_.sheet_tolerance_mm = section.get(kSheetTolerance);
}

namespace {

int rank(ColourMode mode) {
  switch (mode) {
    case ColourMode::bilevel: return 1;
    case ColourMode::grey: return 2;
    case ColourMode::colour: return 3;
    case ColourMode::unknown: break;
  }
  return 0;
}

// As DA/T 31-2017 names a capture: the mode and its bits per pixel (decode reads 8 bits a channel).
std::string mode_and_depth(ColourMode mode) {
  switch (mode) {
    case ColourMode::bilevel: return "bilevel (1-bit)";
    case ColourMode::grey: return "grey (8-bit)";
    case ColourMode::colour: return "colour (24-bit)";
    case ColourMode::unknown: break;
  }
  return "unknown";
}

ColourMode colour_mode_of(const Measurements& measurements) {
  const std::string text = measurements.text("colour_mode");
  for (ColourMode mode : {ColourMode::bilevel, ColourMode::grey, ColourMode::colour})
    if (text == to_string(mode)) return mode;
  return ColourMode::unknown;
}

}  // namespace

void QualityStage::check_capture(const Item& page, const Measurements& measured, double dpi, Outcome& outcome) const {
  const ColourMode mode = colour_mode_of(page.measurements);
  if (rank(mode) > 0 && rank(mode) < rank(settings_.min_colour_mode))
    outcome.add(kColourMode(page.rel_path + ": scanned in " + mode_and_depth(mode) + ", the profile asks for " +
                                mode_and_depth(settings_.min_colour_mode) + " or more",
                            std::string(to_string(mode)), std::string(to_string(settings_.min_colour_mode))));
  const double chroma = measured.number(kChromaRatio.name).value_or(0);
  if (settings_.report_colour_without_chroma && mode == ColourMode::colour && chroma < settings_.min_chroma_ratio)
    outcome.add(kNoChroma(page.rel_path + ": scanned in colour, but only " + fixed(chroma * 100, 3) +
                              "% of it shows colour, below " + fixed(settings_.min_chroma_ratio * 100, 3) +
                              "%: a grey scan would hold the same",
                          fixed(chroma, 6), fixed(settings_.min_chroma_ratio, 6)));

  // Below the measuring resolution a page is blurred by its pixels alone (qc.resolution.low says so).
  if (auto blur = measured.number(kBlurMm.name); blur && *blur > settings_.max_blur_mm && dpi >= kMeasureDpi)
    outcome.add(kBlur(page.rel_path + ": the ink's edges are blurred by " + fixed(*blur, 3) + " mm, more than " +
                          fixed(settings_.max_blur_mm, 3) + " mm: out of focus or moved while scanning",
                      fixed(*blur, 3), fixed(settings_.max_blur_mm, 3)));
  const double paper = measured.number(kPaperLevel.name).value_or(255);
  if (paper < settings_.min_paper_level)
    outcome.add(kDark(page.rel_path + ": too dark: the paper's grey is " + fixed(paper, 0) + ", below " +
                          fixed(settings_.min_paper_level, 0),
                      "paper " + fixed(paper, 0), "paper " + fixed(settings_.min_paper_level, 0)));
  else if (auto contrast = measured.number(kEdgeContrast.name); contrast && *contrast < settings_.min_edge_contrast)
    outcome.add(kDark(page.rel_path + ": low contrast: ink stands " + fixed(*contrast, 0) +
                          " grey levels from the paper, fewer than " + fixed(settings_.min_edge_contrast, 0),
                      "contrast " + fixed(*contrast, 0), "contrast " + fixed(settings_.min_edge_contrast, 0)));
  const double border = measured.number(kDarkBorderRatio.name).value_or(0);
  if (border > settings_.max_dark_border_ratio)
    outcome.add(kDarkBorder(page.rel_path + ": a dark border covers " + fixed(border * 100, 2) +
                                "% of the page at its edge, more than " + fixed(settings_.max_dark_border_ratio * 100, 2) +
                                "%",
                            fixed(border, 4), fixed(settings_.max_dark_border_ratio, 4)));

  // The scan as decoded (before any crop), at its resolution.
  const std::optional<double> width_px = page.measurements.number("width_px");
  const std::optional<double> height_px = page.measurements.number("height_px");
  if (width_px && height_px && !settings_.sheets.empty()) {
    const double width_mm = *width_px / dpi * 25.4, height_mm = *height_px / dpi * 25.4;
    const std::string size = fixed(width_mm, 0) + "x" + fixed(height_mm, 0);
    outcome.measurements.set(kPageSizeMm.name, size);
    const std::optional<SheetMatch> match = closest_sheet(width_mm, height_mm, settings_.sheets);
    if (match && match->off_mm > settings_.sheet_tolerance_mm) {
      const Sheet& sheet = *match->sheet;
      outcome.add(kPageSize(page.rel_path + ": " + fixed(*width_px, 0) + "x" + fixed(*height_px, 0) + " px at " +
                                fixed(dpi, 0) + " dpi is " + size + " mm, no listed sheet (closest " + sheet.name + " " +
                                fixed(sheet.short_mm, 0) + "x" + fixed(sheet.long_mm, 0) + " mm, " +
                                fixed(match->off_mm, 0) + " mm off); is the resolution right?",
                            size + " mm", sheet.name + " ±" + fixed(settings_.sheet_tolerance_mm, 0) + " mm"));
    }
  }
}

Outcome QualityStage::process(const Item& page) const {
  Outcome outcome;
  const std::optional<double> dpi = page.measurements.number("resolution_dpi");
  if (dpi && *dpi < settings_.min_resolution_dpi)
    outcome.add(kResolutionLow(page.rel_path + ": scanned at " + fixed(*dpi, 0) + " dpi, below the profile's " +
                                   fixed(settings_.min_resolution_dpi, 0) + " dpi",
                               fixed(*dpi, 0), fixed(settings_.min_resolution_dpi, 0)));
  if (page.image.empty()) return outcome;

  const cv::Mat& pixels = page.image.pixels();
  const double analysis_dpi = dpi ? *dpi : pixels.cols / kAssumedPageWidthIn;
  cv::Mat grey;  // the page reduced once (to 100 dpi), for the measures below
  const CaptureMeasure capture = measure_capture(pixels, analysis_dpi, settings_.border_min_width_mm, &grey,
                                                 settings_.report_colour_without_chroma);
  const InkMeasure ink = measure_ink(grey, std::min(analysis_dpi, kMeasureDpi) / 2, settings_);
  outcome.measurements.set(kInkRatio.name, ink.ink_ratio);
  const bool blank = ink.ink_ratio < settings_.blank_max_ink_ratio;
  if (blank)
    outcome.add(kBlank(page.rel_path + ": blank page (content covers " + fixed(ink.ink_ratio * 100, 3) +
                           "% of it, below " + fixed(settings_.blank_max_ink_ratio * 100, 3) + "%)",
                       fixed(ink.ink_ratio, 6), fixed(settings_.blank_max_ink_ratio, 6)));
  outcome.measurements.set(kPaperLevel.name, capture.paper_level);
  outcome.measurements.set(kDarkBorderRatio.name, capture.dark_border_ratio);
  if (pixels.channels() == 3 && settings_.report_colour_without_chroma)
    outcome.measurements.set(kChromaRatio.name, capture.chroma_ratio);
  if (capture.edge_count >= kMinEdges) {  // a faded page may pass for blank: its contrast says why
    outcome.measurements.set(kBlurMm.name, capture.blur_mm);
    outcome.measurements.set(kEdgeContrast.name, capture.edge_contrast);
  }
  if (dpi) check_capture(page, outcome.measurements, *dpi, outcome);

  // The fingerprint of the content box, from the reduced grey copy: a 64x64 hash is the
  // same from 100 dpi as from the full page, and costs no full-size colour reduction.
  outcome.measurements.set(kFingerprint.name, perceptual_hash(ink.content_box.empty() ? grey : grey(ink.content_box)));
  return outcome;
}

}  // namespace lantai::quality
