#include "stages/deskew/skew_finder.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <cstdint>
#include <random>

namespace lantai::deskew {

namespace {

// The energy peak of a page of text is about (line height / line length) wide, 1-2° for
// ordinary text; coarse steps well inside that cannot step over it.
constexpr double kCoarseStepDeg = 0.2;
constexpr double kFineStepDeg = 0.05;
constexpr int kFineHalfSteps = 6;       // the fine sweep covers ±0.3°, beyond a coarse step
constexpr int kFitHalfSteps = 3;        // the parabola is fitted to the top ±0.15°
// The search reaches this far past max_angle_deg, so a skew right at the limit still shows
// as a peak; a peak found beyond the limit is reported with confidence 0.
constexpr double kRangeMarginDeg = 0.5;
// A coarse sweep needs the layout, not every pixel; the fine sweep wants them all.
constexpr size_t kCoarsePoints = 60'000;
constexpr size_t kFinePoints = 600'000;
constexpr double kMinSpeckMm = 0.45;    // dark marks smaller than this square are specks
constexpr double kBorderGapMm = 0.5;    // ink this close to a scan border goes with it
// Less ink than this (about ten characters' worth) is no evidence of a skew: confidence 0.
constexpr double kMinInkMm2 = 40;
// Columns of text measured together interfere: their lines need not line up across the
// gutter, and as the trial angle turns, lines of one column pass in and out of step with
// the other's, peaking the rows where they happen to meet rather than where each column's
// lines lie straight (half a degree off on a two-column page). So each column's rows are
// projected on their own: the page is split at empty strips down it at least this wide, as
// seen at the coarse angle; a thin rule in a gutter still leaves it a gutter.
constexpr double kGutterMm = 3;
constexpr double kThinRuleMm = 1.5;
constexpr int kEmptyShare = 4;
// Writing beyond an empty strip this wide near a side is the facing page's (its margin and
// ours lie between), at its own angle: left out when it lies in the outer quarter of the
// ink's extent and holds less than a quarter of the ink.
constexpr double kFacingGapMm = 15;
constexpr double kFacingPart = 0.25;
constexpr double kFacingInkShare = 0.25;
// Confidence is contrast^3 / (contrast^3 + 0.15^3): 0.5 at contrast 0.15. Pages of text
// reach 0.3 (tightly set lines) to 5 (a few lines); noise and dust stay near 0.05; the weak
// side peaks of a grid of characters, all a page offers when its skew lies beyond the
// range, reach about 0.12. The steep map keeps those apart.
constexpr double kHalfConfidenceContrast = 0.15;

double radians(double deg) { return deg * std::numbers::pi / 180.0; }

// Ink pixel centres, jittered inside their pixel, relative to the image centre, each in
// the column of text (block) it belongs to.
struct InkPoints {
  std::vector<float> x, y;
  std::vector<std::uint8_t> block;
  int blocks = 1;
  double half_diagonal = 0;
  size_t size() const { return x.size(); }
};

InkPoints collect_points(const cv::Mat& ink) {
  InkPoints points;
  const double cx = ink.cols / 2.0, cy = ink.rows / 2.0;
  points.half_diagonal = std::hypot(cx, cy) + 2;
  // A fixed seed: the same page always gives the same angle.
  std::minstd_rand random(0x5eed);
  std::uniform_real_distribution<float> jitter(-0.5f, 0.5f);
  for (int y = 0; y < ink.rows; ++y) {
    const uchar* row = ink.ptr(y);
    for (int x = 0; x < ink.cols; ++x) {
      if (!row[x]) continue;
      points.x.push_back(static_cast<float>(x + 0.5 - cx) + jitter(random));
      points.y.push_back(static_cast<float>(y + 0.5 - cy) + jitter(random));
      points.block.push_back(0);
    }
  }
  return points;
}

// Energies of the points' projections at a trial angle: rows across the text lines
// (positive = counter-clockwise with y pointing down: r = x sin + y cos) and columns along
// them (c = x cos - y sin), each the sum of squared bin sums. Each point is shared between
// its two nearest bins so the energy varies smoothly with the angle, and each point's
// product with itself is taken out: what is left counts pairs of points sharing a bin, so
// a few scattered specks give no energy at all instead of a random one.
struct Energy {
  double rows = 0, columns = 0;
};

class ProfileEnergy {
 public:
  ProfileEnergy(const InkPoints& points, size_t max_points)
      : points_(points),
        stride_(std::max<size_t>(1, (points.size() + max_points - 1) / std::max<size_t>(1, max_points))),
        bins_(static_cast<size_t>(2 * points.half_diagonal) + 3),
        rows_(bins_ * static_cast<size_t>(points.blocks)),
        columns_(bins_) {}

  Energy operator()(double angle_deg) {
    std::fill(rows_.begin(), rows_.end(), 0.0f);
    std::fill(columns_.begin(), columns_.end(), 0.0f);
    const float sin_a = static_cast<float>(std::sin(radians(angle_deg)));
    const float cos_a = static_cast<float>(std::cos(radians(angle_deg)));
    const float offset = static_cast<float>(points_.half_diagonal);
    const float* xs = points_.x.data();
    const float* ys = points_.y.data();
    const std::uint8_t* blocks = points_.block.data();
    float* columns = columns_.data();
    double self_rows = 0, self_columns = 0;
    for (size_t i = 0, n = points_.size(); i < n; i += stride_) {
      const float r = xs[i] * sin_a + ys[i] * cos_a + offset;
      const int row = static_cast<int>(r);
      float* rows = rows_.data() + blocks[i] * bins_;
      const float below = r - static_cast<float>(row), above = 1.0f - below;
      rows[row] += above;
      rows[row + 1] += below;
      self_rows += static_cast<double>(above * above + below * below);
      const float c = xs[i] * cos_a - ys[i] * sin_a + offset;
      const int column = static_cast<int>(c);
      const float right = c - static_cast<float>(column), left = 1.0f - right;
      columns[column] += left;
      columns[column + 1] += right;
      self_columns += static_cast<double>(left * left + right * right);
    }
    Energy energy;
    for (float sum : rows_) energy.rows += static_cast<double>(sum) * sum;
    for (float sum : columns_) energy.columns += static_cast<double>(sum) * sum;
    energy.rows -= self_rows;
    energy.columns -= self_columns;
    return energy;
  }

 private:
  const InkPoints& points_;
  size_t stride_;
  size_t bins_;
  std::vector<float> rows_, columns_;  // rows_: bins_ per block
};

// Where the ink lies across the text lines at angle_deg: per point its position across,
// per 1-px strip down the page whether it is empty (a thin rule counted as empty).
struct AcrossProfile {
  std::vector<float> across;  // per point
  std::vector<int> count;     // per strip
  std::vector<bool> empty;    // per strip
  size_t first = 0, last = 0; // the strips the ink spans
};

AcrossProfile across_profile(const InkPoints& points, double angle_deg, double px_per_mm) {
  const float sin_a = static_cast<float>(std::sin(radians(angle_deg)));
  const float cos_a = static_cast<float>(std::cos(radians(angle_deg)));
  AcrossProfile profile;
  const auto strips = static_cast<size_t>(2 * points.half_diagonal) + 2;
  profile.count.assign(strips, 0);
  profile.across.resize(points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    profile.across[i] = points.x[i] * cos_a - points.y[i] * sin_a + static_cast<float>(points.half_diagonal);
    ++profile.count[static_cast<size_t>(profile.across[i])];
  }
  profile.first = 0;
  profile.last = strips - 1;
  while (profile.first < profile.last && profile.count[profile.first] == 0) ++profile.first;
  while (profile.last > profile.first && profile.count[profile.last] == 0) --profile.last;
  // Empty: no more ink than rules, headings and folios crossing a gutter leave in it, a
  // tenth of what a strip through a column of text typically holds.
  std::vector<int> filled;
  for (size_t s = profile.first; s <= profile.last; ++s)
    if (profile.count[s] > 0) filled.push_back(profile.count[s]);
  std::nth_element(filled.begin(), filled.begin() + static_cast<std::ptrdiff_t>(filled.size() / 2), filled.end());
  const int sparse = std::max(1, filled.empty() ? 1 : filled[filled.size() / 2] / kEmptyShare);
  profile.empty.resize(strips);
  for (size_t s = 0; s < strips; ++s) profile.empty[s] = profile.count[s] <= sparse;
  const auto thin = static_cast<size_t>(kThinRuleMm * px_per_mm);
  for (size_t s = profile.first; s <= profile.last;) {
    size_t end = s;
    while (end <= profile.last && !profile.empty[end]) ++end;
    if (end > s && end - s <= thin && s > profile.first && end <= profile.last)
      std::fill(profile.empty.begin() + static_cast<std::ptrdiff_t>(s), profile.empty.begin() + static_cast<std::ptrdiff_t>(end), true);
    s = end + 1;
  }
  return profile;
}

// The first empty run at least gap strips wide met walking in from one side, if it starts
// within the outer part of the extent with at most max_ink points before it: where it
// ends, or nullopt.
std::optional<float> facing_page_cut(const AcrossProfile& profile, bool from_first, size_t gap, double max_ink) {
  const double extent = static_cast<double>(profile.last - profile.first);
  size_t run = 0;
  double ink = 0;
  for (size_t step = 0; step <= static_cast<size_t>(extent * kFacingPart) + gap; ++step) {
    const size_t s = from_first ? profile.first + step : profile.last - step;
    if (!profile.empty[s]) {
      run = 0;
      ink += profile.count[s];
      if (ink > max_ink) return std::nullopt;
      continue;
    }
    if (++run >= gap && static_cast<double>(step + 1 - run) <= extent * kFacingPart)
      return static_cast<float>(from_first ? s - gap / 2 : s + gap / 2);
  }
  return std::nullopt;
}

// The points without the facing page's writing, each given the column of text it lies
// in, as seen at angle_deg (the coarse measurement: a strip down the page stays a strip).
InkPoints page_columns(const InkPoints& points, double angle_deg, double px_per_mm) {
  const AcrossProfile profile = across_profile(points, angle_deg, px_per_mm);
  const auto facing_gap = static_cast<size_t>(kFacingGapMm * px_per_mm);
  const double max_ink = static_cast<double>(points.size()) * kFacingInkShare;
  const auto low = facing_page_cut(profile, true, facing_gap, max_ink);
  const auto high = facing_page_cut(profile, false, facing_gap, max_ink);
  const float from = low.value_or(static_cast<float>(profile.first));
  const float to = high.value_or(static_cast<float>(profile.last + 1));
  // Gutters: empty runs at least kGutterMm wide between from and to; a block each side.
  std::vector<float> gutters;
  const auto gutter = static_cast<size_t>(kGutterMm * px_per_mm);
  for (auto s = static_cast<size_t>(from); s < static_cast<size_t>(to);) {
    size_t end = s;
    while (end < static_cast<size_t>(to) && profile.empty[end]) ++end;
    if (end - s >= gutter && s > static_cast<size_t>(from) && end < static_cast<size_t>(to))
      gutters.push_back(static_cast<float>(s + end) / 2);
    s = end + 1;
  }
  if (gutters.size() > 254) gutters.resize(254);
  InkPoints kept;
  kept.half_diagonal = points.half_diagonal;
  kept.blocks = static_cast<int>(gutters.size()) + 1;
  for (size_t i = 0; i < points.size(); ++i) {
    const float a = profile.across[i];
    if (a < from || a > to) continue;
    kept.x.push_back(points.x[i]);
    kept.y.push_back(points.y[i]);
    kept.block.push_back(static_cast<std::uint8_t>(std::upper_bound(gutters.begin(), gutters.end(), a) - gutters.begin()));
  }
  return kept;
}

double median(std::vector<double> values) {
  auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

// The score maximised: row and column energies, each relative to its typical level over the
// coarse sweep and weighted by how far it peaks above that level. Text lines always make
// rows peak; characters set on a grid (CJK) or in vertical lines make columns peak too, and
// then add their evidence; columns without structure get no weight and add no noise.
class Score {
 public:
  explicit Score(const std::vector<Energy>& sweep) {
    std::vector<double> rows, columns;
    for (const Energy& energy : sweep) {
      rows.push_back(energy.rows);
      columns.push_back(energy.columns);
    }
    row_weight_ = weight(rows);
    column_weight_ = weight(columns);
  }
  double operator()(const Energy& energy) const {
    return row_weight_ * energy.rows + column_weight_ * energy.columns;
  }

 private:
  // Peak excess over the median, per unit of median energy.
  static double weight(const std::vector<double>& energies) {
    const double base = median(energies);
    if (base <= 0) return 0;
    const double peak = *std::max_element(energies.begin(), energies.end());
    return std::max(0.0, peak / base - 1) / base;
  }
  double row_weight_ = 0, column_weight_ = 0;
};

// Vertex of the least-squares parabola through (x, y); nullopt when it opens upwards.
std::optional<double> parabola_vertex(const std::vector<double>& xs, const std::vector<double>& ys) {
  // Normal equations for y = a + b x + c x^2, x centred for conditioning.
  double mean_x = 0;
  for (double x : xs) mean_x += x;
  mean_x /= static_cast<double>(xs.size());
  cv::Matx33d normal = cv::Matx33d::zeros();
  cv::Vec3d rhs(0, 0, 0);
  for (size_t i = 0; i < xs.size(); ++i) {
    const double x = xs[i] - mean_x;
    const double powers[3] = {1, x, x * x};
    for (int r = 0; r < 3; ++r) {
      rhs[r] += powers[r] * ys[i];
      for (int c = 0; c < 3; ++c) normal(r, c) += powers[r] * powers[c];
    }
  }
  cv::Vec3d coefficients;
  if (!cv::solve(normal, rhs, coefficients, cv::DECOMP_LU) || coefficients[2] >= 0) return std::nullopt;
  return mean_x - coefficients[1] / (2 * coefficients[2]);
}

}  // namespace

cv::Mat measurable_ink(const AnalysisImage& image) {
  cv::Mat ink;
  cv::compare(image.grey, image.ink_threshold, ink, cv::CMP_LT);
  cv::Mat labels, stats, centroids;
  const int count = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8, CV_32S);
  const double speck_px = kMinSpeckMm * image.px_per_mm;
  const int min_area = std::max(1, static_cast<int>(std::ceil(speck_px * speck_px)));

  enum : uchar { kDrop = 0, kKeep = 1, kBorder = 2 };
  std::vector<uchar> kind(static_cast<size_t>(count), kDrop);
  for (int i = 1; i < count; ++i) {
    const int left = stats.at<int>(i, cv::CC_STAT_LEFT), top = stats.at<int>(i, cv::CC_STAT_TOP);
    const int right = left + stats.at<int>(i, cv::CC_STAT_WIDTH), bottom = top + stats.at<int>(i, cv::CC_STAT_HEIGHT);
    if (left == 0 || top == 0 || right == ink.cols || bottom == ink.rows)
      kind[static_cast<size_t>(i)] = kBorder;
    else if (stats.at<int>(i, cv::CC_STAT_AREA) >= min_area)
      kind[static_cast<size_t>(i)] = kKeep;
  }
  cv::Mat border(ink.size(), CV_8U);
  for (int y = 0; y < ink.rows; ++y) {
    const int* label = labels.ptr<int>(y);
    uchar* in = ink.ptr(y);
    uchar* edge = border.ptr(y);
    for (int x = 0; x < ink.cols; ++x) {
      const uchar k = kind[static_cast<size_t>(label[x])];
      in[x] = k == kKeep ? 255 : 0;
      edge[x] = k == kBorder ? 255 : 0;
    }
  }
  // A blurred border edge breaks into specks square to the image; they go with the border.
  const int gap_px = std::max(1, static_cast<int>(std::lround(kBorderGapMm * image.px_per_mm)));
  cv::dilate(border, border, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(2 * gap_px + 1, 2 * gap_px + 1)));
  ink.setTo(0, border);
  return ink;
}

SkewEstimate find_skew(const cv::Mat& page, const SkewSettings& settings, std::optional<double> resolution_dpi) {
  return find_skew(make_analysis_image(page, settings.analysis_dpi, resolution_dpi), settings);
}

namespace {

// The coarse sweep over the whole range: its score, the best step and the contrast.
struct CoarseSweep {
  std::optional<Score> score;
  int best = 0;
  double contrast = 0;
};

CoarseSweep coarse_sweep(const InkPoints& points, int half_steps, double step) {
  ProfileEnergy energy(points, kCoarsePoints);
  std::vector<Energy> energies;
  for (int k = -half_steps; k <= half_steps; ++k) energies.push_back(energy(k * step));
  CoarseSweep sweep;
  sweep.score.emplace(energies);
  std::vector<double> scores;
  for (const Energy& e : energies) scores.push_back((*sweep.score)(e));
  sweep.best = static_cast<int>(std::max_element(scores.begin(), scores.end()) - scores.begin());
  const double base = median(scores);
  sweep.contrast = base > 0 ? (scores[static_cast<size_t>(sweep.best)] - base) / base : 0;
  return sweep;
}

}  // namespace

SkewEstimate find_skew(const AnalysisImage& image, const SkewSettings& settings) {
  SkewEstimate estimate;
  InkPoints points = collect_points(measurable_ink(image));
  const double min_points = kMinInkMm2 * image.px_per_mm * image.px_per_mm;
  if (static_cast<double>(points.size()) < min_points) return estimate;  // blank: nothing to measure

  const double max_deg = settings.max_angle_deg + kRangeMarginDeg;
  const int coarse_half = std::max(1, static_cast<int>(std::ceil(max_deg / kCoarseStepDeg)));
  const double coarse_step = max_deg / coarse_half;
  CoarseSweep coarse = coarse_sweep(points, coarse_half, coarse_step);
  // Once the lines' direction is roughly known, the page's columns of text (and the facing
  // page beyond its margin) show as strips; measured again, column by column.
  InkPoints columns = page_columns(points, (coarse.best - coarse_half) * coarse_step, image.px_per_mm);
  const bool one_column_alone = columns.blocks == 1 && columns.size() == points.size();
  if (!one_column_alone && static_cast<double>(columns.size()) >= min_points) {
    points = std::move(columns);
    coarse = coarse_sweep(points, coarse_half, coarse_step);
  }
  const Score& score = *coarse.score;
  const int coarse_best = coarse.best;
  estimate.contrast = coarse.contrast;

  // Fine sweep around the coarse peak; follow the slope if the top lands on the window's end.
  ProfileEnergy fine_energy(points, kFinePoints);
  double centre = (coarse_best - coarse_half) * coarse_step;
  std::vector<double> angles, scores;
  bool at_range_end = false;
  for (int attempt = 0; attempt < 4; ++attempt) {
    angles.clear();
    scores.clear();
    for (int k = -kFineHalfSteps; k <= kFineHalfSteps; ++k) {
      const double angle = centre + k * kFineStepDeg;
      if (angle < -max_deg - 1e-9 || angle > max_deg + 1e-9) continue;
      angles.push_back(angle);
      scores.push_back(score(fine_energy(angle)));
    }
    const auto best = static_cast<size_t>(std::max_element(scores.begin(), scores.end()) - scores.begin());
    centre = angles[best];
    const bool at_window_end = best == 0 || best + 1 == angles.size();
    at_range_end = at_window_end && std::abs(centre) > max_deg - kFineStepDeg / 2;
    if (!at_window_end || at_range_end) break;
  }

  std::vector<double> fit_angles, fit_scores;
  for (size_t i = 0; i < angles.size(); ++i) {
    if (std::abs(angles[i] - centre) > kFitHalfSteps * kFineStepDeg + 1e-9) continue;
    fit_angles.push_back(angles[i]);
    fit_scores.push_back(scores[i]);
  }
  double angle = centre;
  if (fit_angles.size() >= 3)
    if (auto vertex = parabola_vertex(fit_angles, fit_scores); vertex && std::abs(*vertex - centre) <= kFineStepDeg)
      angle = *vertex;
  estimate.angle_deg = angle;

  // A maximum on the end of the search is no peak: the skew may lie beyond it.
  const bool beyond = at_range_end || std::abs(angle) > settings.max_angle_deg;
  const double c3 = std::pow(estimate.contrast, 3), h3 = std::pow(kHalfConfidenceContrast, 3);
  estimate.confidence = beyond ? 0.0 : c3 / (c3 + h3);
  return estimate;
}

}  // namespace lantai::deskew
