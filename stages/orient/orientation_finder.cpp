#include "stages/orient/orientation_finder.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace lantai::orient {

namespace {

constexpr double kA4ShortSideIn = 8.27;
constexpr int kInkContrast = 60;          // grey levels below the paper that count as ink
constexpr double kMaxGlyphIn = 0.8;       // larger in both directions: a seal, a picture, a table frame
constexpr double kRuleMinLengthIn = 0.6;  // longer and thinner than kRuleMaxWidthIn: a rule
constexpr double kRuleMaxWidthIn = 0.05;
constexpr int kMinSpeckPx = 3;
// Saturating maps from margin to confidence: the margin at which confidence reaches 0.63.
constexpr double kAxisScale = 0.5;     // log ratio of bar lengths
constexpr double kVoteScale = 3.0;     // combined direction votes (about standard deviations)
constexpr int kMinLines = 2;
constexpr size_t kMinGlyphs = 20;  // fewer marks than this cannot make two lines of text
constexpr double kMaxSkewDeg = 15;         // as deskew's default search: scans are not turned further by accident
constexpr double kSkewStepDeg = 0.5;       // a line of 6 in. then stays within 0.03 in. of level
constexpr double kSkewCoarseStepDeg = 2;
constexpr size_t kSkewSamplePoints = 6000;
constexpr double kMinSkewToStraightenDeg = 0.5;
constexpr double kMinMarkShare = 0.18;    // of a line's height: a punctuation mark is at least this long
constexpr double kMinAgreement = 0.35;    // (for - against) / all votes of a line cue, below: no vote
constexpr double kPositionGain = 8;        // votes per page height the writing's centre lies above the middle
constexpr double kMaxPositionVotes = 2;
constexpr double kMaxBandShare = 0.65;  // of a line's height: a Latin x-height band, not a row of Chinese
constexpr double kMaxResidualRatio = 1.15;  // a page this close to the analysis resolution is measured as it is

struct Box {
  int x, y, w, h;
  int right() const { return x + w; }
  int bottom() const { return y + h; }
};

// Connected components (8-connected) with their boxes and areas. OpenCV's own statistics
// (centroids in doubles) cost four times the labelling itself.
struct Components {
  cv::Mat labels;          // CV_32S, 0 = background
  std::vector<Box> boxes;  // by label - 1
  std::vector<int> areas;
};

Components components(const cv::Mat& mask) {
  Components c;
  const int count = cv::connectedComponents(mask, c.labels, 8, CV_32S);
  std::vector<std::array<int, 4>> extent(static_cast<size_t>(std::max(0, count - 1)),
                                         {mask.cols, mask.rows, -1, -1});
  c.areas.assign(extent.size(), 0);
  for (int y = 0; y < mask.rows; ++y) {
    const int* label = c.labels.ptr<int>(y);
    for (int x = 0; x < mask.cols; ++x) {
      if (label[x] == 0) continue;
      auto& e = extent[static_cast<size_t>(label[x] - 1)];
      e[0] = std::min(e[0], x);
      e[1] = std::min(e[1], y);
      e[2] = std::max(e[2], x);
      e[3] = std::max(e[3], y);
      ++c.areas[static_cast<size_t>(label[x] - 1)];
    }
  }
  for (const auto& e : extent) c.boxes.push_back({e[0], e[1], e[2] - e[0] + 1, e[3] - e[1] + 1});
  return c;
}

// Reduces by a whole factor first (INTER_AREA's fast path, which keeps thin strokes), then
// bilinearly for what remains: a general INTER_AREA costs ten times more.
cv::Mat reduced_grey(const cv::Mat& page, double ratio) {
  const int factor = std::max(1, static_cast<int>(ratio));
  cv::Mat small = page;
  if (factor > 1) {
    const cv::Mat whole = page(cv::Rect(0, 0, page.cols - page.cols % factor, page.rows - page.rows % factor));
    cv::resize(whole, small, cv::Size(whole.cols / factor, whole.rows / factor), 0, 0, cv::INTER_AREA);
  }
  if (ratio / factor > kMaxResidualRatio)
    cv::resize(small, small, cv::Size(), factor / ratio, factor / ratio, cv::INTER_LINEAR);
  if (small.channels() == 1) return small;  // only read: the page itself when not reduced
  cv::Mat grey;
  cv::cvtColor(small, grey, small.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
  return grey;
}

// The paper's grey: the median of every fourth row (ink covers far less than half a page).
int median_grey(const cv::Mat& grey) {
  std::array<long, 256> histogram{};
  long count = 0;
  for (int y = 0; y < grey.rows; y += 4, count += grey.cols)
    for (const uchar *p = grey.ptr(y), *end = p + grey.cols; p != end; ++p) ++histogram[*p];
  long seen = 0;
  for (int level = 0; level < 256; ++level)
    if ((seen += histogram[static_cast<size_t>(level)]) * 2 >= count) return level;
  return 255;
}

// The ink that can be text: components of plausible glyph size, not touching the edge.
// Fills glyph_px with the typical glyph size and glyphs with the kept components' boxes.
cv::Mat text_ink(const cv::Mat& grey, double px_per_in, double& glyph_px, std::vector<Box>& glyphs) {
  cv::Mat ink;
  cv::threshold(grey, ink, std::max(0, median_grey(grey) - kInkContrast), 255, cv::THRESH_BINARY_INV);
  const Components found = components(ink);
  std::vector<uchar> keep(found.boxes.size() + 1, 0);
  std::vector<int> sizes;
  const int max_glyph = static_cast<int>(kMaxGlyphIn * px_per_in);
  const int rule_length = static_cast<int>(kRuleMinLengthIn * px_per_in);
  const int rule_width = std::max(2, static_cast<int>(kRuleMaxWidthIn * px_per_in));
  for (size_t i = 0; i < found.boxes.size(); ++i) {
    const Box& b = found.boxes[i];
    const bool touches_edge = b.x == 0 || b.y == 0 || b.right() == ink.cols || b.bottom() == ink.rows;
    const bool too_large = b.w > max_glyph && b.h > max_glyph;
    const bool rule = std::max(b.w, b.h) > rule_length && std::min(b.w, b.h) < rule_width;
    const bool too_long = std::max(b.w, b.h) > 2 * max_glyph;  // a rule of a table, a stroke of a drawing
    if (touches_edge || too_large || rule || too_long || found.areas[i] < kMinSpeckPx) continue;
    keep[i + 1] = 255;
    glyphs.push_back(b);
    if (b.h >= 3) sizes.push_back(std::max(b.w, b.h));
  }
  cv::Mat text(ink.size(), CV_8UC1);
  for (int y = 0; y < ink.rows; ++y) {
    const int* label = found.labels.ptr<int>(y);
    uchar* out = text.ptr(y);
    for (int x = 0; x < ink.cols; ++x) out[x] = keep[static_cast<size_t>(label[x])];
  }
  glyph_px = 0;
  if (!sizes.empty()) {
    auto middle = sizes.begin() + static_cast<long>(sizes.size() / 2);
    std::nth_element(sizes.begin(), middle, sizes.end());
    glyph_px = *middle;
  }
  return text;
}

// The skew of the text lines (or columns), degrees, positive = content turned
// counter-clockwise: the angle within ±kMaxSkewDeg at which the ink projected across rows
// plus across columns falls into the fewest bins (the sum of squared bin counts peaks).
// Rows and columns together, so a page turned a quarter measures the same skew.
double coarse_skew_deg(const cv::Mat& text) {
  std::vector<cv::Point> all;
  cv::findNonZero(text, all);
  if (all.empty()) return 0;
  std::vector<cv::Point> ink;
  const size_t stride = std::max<size_t>(1, all.size() / kSkewSamplePoints);
  for (size_t i = 0; i < all.size(); i += stride) ink.push_back(all[i]);
  const int offset = text.cols + text.rows;
  std::vector<int> rows(static_cast<size_t>(3 * offset)), columns(rows.size());
  auto energy_at = [&](double deg) {
    const double a = deg * CV_PI / 180, c = std::cos(a), s = std::sin(a);
    std::fill(rows.begin(), rows.end(), 0);
    std::fill(columns.begin(), columns.end(), 0);
    for (const cv::Point& p : ink) {
      ++rows[static_cast<size_t>(p.y * c + p.x * s + offset + 0.5)];
      ++columns[static_cast<size_t>(p.x * c - p.y * s + offset + 0.5)];
    }
    double energy = 0;
    for (size_t i = 0; i < rows.size(); ++i) energy += double(rows[i]) * rows[i] + double(columns[i]) * columns[i];
    return energy;
  };
  // Coarse steps, then fine ones around the best.
  double best_deg = 0, best_energy = -1;
  for (double deg = -kMaxSkewDeg; deg <= kMaxSkewDeg + 1e-9; deg += kSkewCoarseStepDeg)
    if (const double e = energy_at(deg); e > best_energy) best_energy = e, best_deg = deg;
  const double coarse = best_deg;
  for (double deg = coarse - kSkewCoarseStepDeg + kSkewStepDeg; deg < coarse + kSkewCoarseStepDeg - 1e-9;
       deg += kSkewStepDeg)
    if (const double e = energy_at(deg); e > best_energy) best_energy = e, best_deg = deg;
  return best_deg;
}

// The text mask turned clockwise by skew_deg about its centre, so its lines run along the
// rows or the columns (nearest neighbour: it stays a mask).
cv::Mat straighten(const cv::Mat& text, double skew_deg) {
  cv::Mat straight;
  const cv::Mat turn = cv::getRotationMatrix2D(cv::Point2f(text.cols / 2.0f, text.rows / 2.0f), -skew_deg, 1.0);
  cv::warpAffine(text, straight, turn, text.size(), cv::INTER_NEAREST, cv::BORDER_CONSTANT, cv::Scalar(0));
  return straight;
}

// Glyph boxes as they lie once the mask is straightened: each moves with its centre and
// keeps its size, which for marks smaller than a character is close enough.
std::vector<Box> straightened_boxes(const std::vector<Box>& boxes, double skew_deg, cv::Size size) {
  const cv::Mat turn = cv::getRotationMatrix2D(cv::Point2f(size.width / 2.0f, size.height / 2.0f), -skew_deg, 1.0);
  std::vector<Box> moved;
  moved.reserve(boxes.size());
  for (const Box& b : boxes) {
    const double cx = b.x + b.w / 2.0, cy = b.y + b.h / 2.0;
    const int x = static_cast<int>(std::lround(turn.at<double>(0, 0) * cx + turn.at<double>(0, 1) * cy +
                                               turn.at<double>(0, 2) - b.w / 2.0));
    const int y = static_cast<int>(std::lround(turn.at<double>(1, 0) * cx + turn.at<double>(1, 1) * cy +
                                               turn.at<double>(1, 2) - b.h / 2.0));
    if (x >= 0 && y >= 0 && x + b.w <= size.width && y + b.h <= size.height) moved.push_back({x, y, b.w, b.h});
  }
  return moved;
}

// The ink smeared along the rows by about half a glyph: text lines running across the
// image become bars.
cv::Mat smear_rows(const cv::Mat& text, double glyph_px) {
  const int reach = std::max(2, static_cast<int>(std::lround(0.6 * glyph_px)));
  cv::Mat smeared;
  cv::morphologyEx(text, smeared, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_RECT, {reach, 1}));
  return smeared;
}

// Total length of the runs along the rows at least three glyphs long: bars of text lines.
double bar_length(const cv::Mat& smeared, double glyph_px) {
  const int min_run = static_cast<int>(3 * glyph_px);
  double sum = 0;
  for (int y = 0; y < smeared.rows; ++y) {
    const uchar* row = smeared.ptr(y);
    int run = 0;
    for (int x = 0; x <= smeared.cols; ++x) {
      if (x < smeared.cols && row[x]) {
        ++run;
      } else {
        if (run >= min_run) sum += run;
        run = 0;
      }
    }
  }
  return sum;
}

// The boxes of glyphs found on a page, as they lie once the page is turned 90° clockwise.
std::vector<Box> turned_boxes(const std::vector<Box>& boxes, int page_rows) {
  std::vector<Box> turned;
  turned.reserve(boxes.size());
  for (const Box& b : boxes) turned.push_back({page_rows - b.y - b.h, b.x, b.h, b.w});
  return turned;
}

struct DirectionVotes {
  double punctuation = 0, ascender = 0, alignment = 0, position = 0;
  int lines = 0;
};

// Votes of lines for and against, as standard deviations of a fair coin; nothing when
// they split nearly evenly (the cue does not apply to this page: ascenders on Chinese,
// alignment on text justified at both ends).
double consistent_votes(int up, int down) {
  if (up + down == 0 || std::abs(up - down) < kMinAgreement * (up + down)) return 0;
  return (up - down) / std::sqrt(up + down + 1.0);
}

// Votes for "upright" (positive) or "upside down" (negative) on a text mask whose lines run
// across, with its glyphs' boxes and the mask smeared along the rows.
DirectionVotes vote_direction(const cv::Mat& text, const std::vector<Box>& glyphs, const cv::Mat& smeared,
                              double glyph_px) {
  DirectionVotes votes;
  const Components bars = components(smeared);
  std::vector<bool> is_line(bars.boxes.size(), false);
  std::vector<Box> lines;
  for (size_t i = 0; i < bars.boxes.size(); ++i) {
    const Box& bar = bars.boxes[i];
    if (bar.w >= 4 * bar.h && bar.w >= 3 * glyph_px && bar.h <= 3 * glyph_px) {
      is_line[i] = true;
      lines.push_back(bar);
    }
  }
  votes.lines = static_cast<int>(lines.size());

  // Ascenders: ink above each line's dense band against ink below it.
  int ascender_up = 0, ascender_down = 0;
  for (const Box& line : lines) {
    std::vector<int> profile(static_cast<size_t>(line.h), 0);
    int peak = 0;
    for (int y = 0; y < line.h; ++y) {
      profile[static_cast<size_t>(y)] = cv::countNonZero(text(cv::Rect(line.x, line.y + y, line.w, 1)));
      peak = std::max(peak, profile[static_cast<size_t>(y)]);
    }
    int first = 0, last = line.h - 1;
    while (first < line.h && profile[static_cast<size_t>(first)] * 2 < peak) ++first;
    while (last > 0 && profile[static_cast<size_t>(last)] * 2 < peak) --last;
    // Latin has a dense x-height band about half the line's height; Chinese fills its
    // line, and a bar taller than two glyphs is two lines run together: neither can tell.
    if (line.h > 2 * glyph_px || last - first + 1 > kMaxBandShare * line.h) continue;
    long above = 0, below = 0;
    for (int y = 0; y < first; ++y) above += profile[static_cast<size_t>(y)];
    for (int y = last + 1; y < line.h; ++y) below += profile[static_cast<size_t>(y)];
    if (above + below < line.w / 8) continue;
    if (above > 2 * below) ++ascender_up;
    else if (below > 2 * above) ++ascender_down;
  }
  votes.ascender = consistent_votes(ascender_up, ascender_down);

  // Punctuation: small marks alone in the lower (upright) or upper (turned) part of a line.
  int low = 0, high = 0;
  for (const Box& g : glyphs) {
    const int bar = bars.labels.at<int>(g.y + g.h / 2, g.x + g.w / 2);
    if (bar <= 0 || !is_line[static_cast<size_t>(bar - 1)]) continue;
    const Box& line = bars.boxes[static_cast<size_t>(bar - 1)];
    // Larger than a speck of dust or a crumb of a broken stroke, smaller than a character.
    if (g.w > 0.4 * line.h || g.h > 0.4 * line.h || std::max(g.w, g.h) < kMinMarkShare * line.h || line.h < 6) continue;
    // Alone across a third of the line's height: a stroke broken off a character (1-bit
    // scans of small text) has the rest of its character beside it, a mark has nothing.
    const int pad = std::max(0, static_cast<int>(line.h / 6) - g.w / 2);
    const int left = std::max(0, g.x - pad), right = std::min(text.cols, g.right() + pad);
    const double centre = (g.y + g.h / 2.0 - line.y) / line.h;
    if (centre > 0.6 && g.y > line.y) {
      if (cv::countNonZero(text(cv::Rect(left, line.y, right - left, g.y - line.y))) == 0) ++low;
    } else if (centre < 0.4 && g.bottom() < line.bottom()) {
      if (cv::countNonZero(text(cv::Rect(left, g.bottom(), right - left, line.bottom() - g.bottom()))) == 0) ++high;
    }
  }
  votes.punctuation = (low - high) / std::sqrt(low + high + 1.0);

  // Alignment: neighbouring lines that overlap, starting together and ending apart.
  std::sort(lines.begin(), lines.end(), [](const Box& a, const Box& b) { return a.y < b.y; });
  int starts_together = 0, ends_together = 0;
  const double tolerance = 0.6 * glyph_px;
  for (size_t i = 0; i < lines.size(); ++i) {
    const Box& a = lines[i];
    for (size_t j = i + 1; j < lines.size(); ++j) {
      const Box& b = lines[j];
      if (b.y > a.bottom() + 3 * a.h) break;
      const int overlap = std::min(a.right(), b.right()) - std::max(a.x, b.x);
      if (overlap < std::min(a.w, b.w) / 2) continue;
      const int start_gap = std::abs(a.x - b.x), end_gap = std::abs(a.right() - b.right());
      if (std::abs(start_gap - end_gap) > tolerance) (start_gap < end_gap ? starts_together : ends_together)++;
      break;  // the nearest line below only
    }
  }
  votes.alignment = consistent_votes(starts_together, ends_together);

  // Position: a page's writing starts at its top, so a page filled only in part is filled
  // at the top (a short letter, the end of a document, a table of a few rows).
  double weighted = 0, length = 0;
  for (const Box& line : lines) {
    weighted += line.w * (line.y + line.h / 2.0);
    length += line.w;
  }
  if (length > 0) {
    const double centre = weighted / length / text.rows;  // 0 top .. 1 bottom
    votes.position = std::clamp((0.5 - centre) * kPositionGain, -kMaxPositionVotes, kMaxPositionVotes);
  }
  return votes;
}

double saturate(double margin, double scale) { return 1 - std::exp(-std::abs(margin) / scale); }

}  // namespace

cv::Mat turn_page(const cv::Mat& page, int rotation_deg) {
  cv::Mat turned;
  switch (rotation_deg) {
    case 0: return page;
    case 90: cv::rotate(page, turned, cv::ROTATE_90_CLOCKWISE); return turned;
    case 180: cv::rotate(page, turned, cv::ROTATE_180); return turned;
    case 270: cv::rotate(page, turned, cv::ROTATE_90_COUNTERCLOCKWISE); return turned;
    default: throw std::invalid_argument("orient: a page turns by 0, 90, 180 or 270 degrees, not " +
                                         std::to_string(rotation_deg));
  }
}

OrientationEstimate find_orientation(const cv::Mat& page, const OrientationSettings& settings,
                                     std::optional<double> resolution_dpi) {
  OrientationEstimate estimate;
  if (page.empty()) return estimate;
  const double dpi = resolution_dpi && *resolution_dpi > 0 ? *resolution_dpi
                                                           : std::min(page.cols, page.rows) / kA4ShortSideIn;
  const double ratio = std::max(1.0, dpi / settings.analysis_dpi);
  const cv::Mat grey = reduced_grey(page, ratio);
  double glyph_px = 0;
  std::vector<Box> glyphs;
  cv::Mat text = text_ink(grey, dpi * grey.cols / page.cols, glyph_px, glyphs);
  if (glyph_px < 3 || glyphs.size() < kMinGlyphs) return estimate;
  // Straightened first: a line across a skewed page is a slanted band, not a bar.
  estimate.skew_deg = coarse_skew_deg(text);
  if (std::abs(estimate.skew_deg) >= kMinSkewToStraightenDeg) {
    text = straighten(text, estimate.skew_deg);
    glyphs = straightened_boxes(glyphs, estimate.skew_deg, text.size());
  }

  // 1. Axis: bars along the rows against bars along the columns (the rows once turned).
  const cv::Mat turned = turn_page(text, 90);
  cv::Mat along_rows = smear_rows(text, glyph_px), along_columns = smear_rows(turned, glyph_px);
  const double rows_length = bar_length(along_rows, glyph_px);
  const double columns_length = bar_length(along_columns, glyph_px);
  estimate.axis_margin = std::log((rows_length + glyph_px) / (columns_length + glyph_px));
  const bool lines_across = estimate.axis_margin >= 0;

  // 2. Direction, with the lines running across.
  const DirectionVotes votes =
      lines_across ? vote_direction(text, glyphs, along_rows, glyph_px)
                   : vote_direction(turned, turned_boxes(glyphs, text.rows), along_columns, glyph_px);
  estimate.lines = votes.lines;
  estimate.punctuation_votes = votes.punctuation;
  estimate.ascender_votes = votes.ascender;
  estimate.alignment_votes = votes.alignment;
  estimate.position_votes = votes.position;
  estimate.upright_votes = votes.punctuation + votes.ascender + votes.alignment + votes.position;
  const bool upright = estimate.upright_votes >= 0;
  estimate.rotation_deg = lines_across ? (upright ? 0 : 180) : (upright ? 90 : 270);
  if (votes.lines < kMinLines) return estimate;
  estimate.confidence =
      std::min(saturate(estimate.axis_margin, kAxisScale), saturate(estimate.upright_votes, kVoteScale));
  return estimate;
}

}  // namespace lantai::orient
