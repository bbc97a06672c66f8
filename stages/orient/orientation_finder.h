// Measuring a page's orientation: which quarter turn makes its text upright, and how sure
// that is. Only measures; the stage applies (as deskew keeps skew_finder apart).
//
// Convention: rotation_deg is the clockwise turn (0, 90, 180 or 270) that makes the page
// upright; a page fed into the scanner upside down measures 180, one whose text lines run
// bottom to top (top of the text at the left edge) measures 90.
//
// Method, on a copy reduced to about analysis_dpi and binarised against the paper level,
// with scan borders, rules, seals and pictures left out (components too large, too thin or
// touching the edge), then straightened by a coarse skew (within ±15°, half-degree steps,
// projection energy across rows and columns together):
//  1. Axis. The ink is smeared along the rows, then along the columns, by about half a
//     character. Text lines become long bars along their own direction only: Chinese
//     characters stand on a grid but their line gaps are wider than the gaps within a line,
//     and Latin words join at once. The log ratio of bar length found across the two
//     directions gives the axis (0/180 against 90/270).
//  2. Direction, on the lines of the page turned so they run across. Three cues vote,
//     each counted per line or mark, so a long page weighs more than a short one:
//     - punctuation: a small mark with nothing above it in the lower part of a line
//       (，。、 and Latin . , sit there) votes upright; one with nothing below it in the
//       upper part (the same marks turned) votes upside down;
//     - ascenders: more ink above a line's densest band than below it (Latin b d f h k l t
//       and capitals outnumber g j p q y);
//     - alignment: consecutive lines start together and end apart (paragraphs end short,
//       are indented by two characters at most), so a turned page ends together instead;
//     - position: writing starts at the top of a sheet, so a sheet filled in part is
//       filled at the top (bounded: a full page gives nothing, no page gives more than 2).
//     A line cue whose lines split nearly evenly gives nothing: ascenders on Chinese text,
//     alignment on text justified at both ends.
//
// Confidence is the smaller of the axis's and the direction's, each a saturating map of
// its margin: a page with no text lines (blank, near-blank, a photo) gets 0.
// Thread-safe: no shared state.
#pragma once

#include <optional>

#include <opencv2/core.hpp>

namespace lantai::orient {

struct OrientationSettings {
  double analysis_dpi = 150;  // the page is measured at about this resolution
};

struct OrientationEstimate {
  int rotation_deg = 0;     // clockwise turn that makes the page upright: 0, 90, 180, 270
  double confidence = 0;    // 0 (no evidence) .. 1
  double axis_margin = 0;   // > 0: lines run across the page as scanned (0 or 180)
  double upright_votes = 0; // > 0: upright once lines run across; the combined vote of the cues
  int lines = 0;            // text lines the measurement rests on
  double skew_deg = 0;      // coarse skew the lines were straightened by first (deskew measures it finely)
  // The cues, for reports and calibration.
  double punctuation_votes = 0, ascender_votes = 0, alignment_votes = 0, position_votes = 0;
};

// page: 8-bit grey, BGR or BGRA, any resolution. resolution_dpi absent: the shorter side is
// taken to be the short side of A4 (8.27 in).
OrientationEstimate find_orientation(const cv::Mat& page, const OrientationSettings& settings,
                                     std::optional<double> resolution_dpi = std::nullopt);

// Turns page (any type) clockwise by rotation_deg, a multiple of 90: width and height swap
// for 90 and 270. Exact: no resampling.
cv::Mat turn_page(const cv::Mat& page, int rotation_deg);

}  // namespace lantai::orient
