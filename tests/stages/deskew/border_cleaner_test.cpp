// Border cleanup: the scanner's dark surround becomes paper; the paper's own marks stay.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "stages/deskew/border_cleaner.h"
#include "stages/deskew/page_rotation.h"
#include "synthetic_page.h"

namespace lantai::deskew {
namespace {

constexpr int kLeftStrip = 80, kBottomStrip = 60;

struct Marked {
  cv::Mat page;
  cv::Rect block{200, 1500, 220, 220};    // a solid dark mark: a photo, a seal in grey
  cv::Point hole{190, 500};               // a binding hole near the left edge
  int hole_radius = 45;
  cv::Rect rule{kLeftStrip, 3000, 700, 4};  // a thin rule running into the border
};

Marked marked_page() {
  testing::SyntheticPage spec;
  spec.border_left_px = kLeftStrip;
  spec.border_bottom_px = kBottomStrip;
  spec.lines = 15;
  Marked marked;
  marked.page = testing::draw_page(spec);
  marked.page(marked.block).setTo(20);
  cv::circle(marked.page, marked.hole, marked.hole_radius, cv::Scalar(25), -1);
  marked.page(marked.rule).setTo(30);
  return marked;
}

int dark_pixels(const cv::Mat& region) {
  cv::Mat dark;
  cv::compare(region, 120, dark, cv::CMP_LT);
  return cv::countNonZero(dark);
}

//! The dark strips along the image's edges are painted as paper; a dark block, a binding hole, text and most of a rule touching the border survive.
TEST(BorderCleaner, PaintsScanBorderAndKeepsThePapersMarks) {
  const Marked marked = marked_page();
  cv::Mat page = marked.page.clone();
  const AnalysisImage analysis = make_analysis_image(page, 150, 300.0);
  const double share = paint_border(page, find_dark_border(analysis, BorderSettings{}), paper_colour(page));
  EXPECT_GT(share, 0.03);
  EXPECT_LT(share, 0.06);

  EXPECT_EQ(dark_pixels(page(cv::Rect(0, 0, kLeftStrip, page.rows))), 0);
  EXPECT_EQ(dark_pixels(page(cv::Rect(0, page.rows - kBottomStrip, page.cols, kBottomStrip))), 0);
  // What the paper carries is untouched, pixel for pixel.
  const cv::Rect hole_box(marked.hole.x - marked.hole_radius - 3, marked.hole.y - marked.hole_radius - 3,
                          2 * marked.hole_radius + 7, 2 * marked.hole_radius + 7);
  EXPECT_EQ(cv::norm(page(marked.block), marked.page(marked.block), cv::NORM_INF), 0);
  EXPECT_EQ(cv::norm(page(hole_box), marked.page(hole_box), cv::NORM_INF), 0);
  const cv::Rect text(300, 300, 1900, 2600);
  EXPECT_EQ(cv::norm(page(text), marked.page(text), cv::NORM_INF), 0);
  // The rule loses at most its first 30 px, where it runs into the border.
  const cv::Rect kept_rule(marked.rule.x + 30, marked.rule.y, marked.rule.width - 30, marked.rule.height);
  EXPECT_EQ(cv::norm(page(kept_rule), marked.page(kept_rule), cv::NORM_INF), 0);
  // Nothing changed farther than the halo from the strips.
  cv::Mat changed;
  cv::compare(page, marked.page, changed, cv::CMP_NE);
  changed(cv::Rect(0, 0, kLeftStrip + 30, page.rows)).setTo(0);
  changed(cv::Rect(0, page.rows - kBottomStrip - 30, page.cols, kBottomStrip + 30)).setTo(0);
  EXPECT_EQ(cv::countNonZero(changed), 0);
}

//! Clearing the border while rotating gives the page that clearing first, then rotating, gives: the border is gone and the paper's marks are where they were.
TEST(BorderCleaner, ClearingWhileRotatingMatchesClearingThenRotating) {
  const Marked marked = marked_page();
  const AnalysisImage analysis = make_analysis_image(marked.page, 150, 300.0);
  const cv::Mat border = find_dark_border(analysis, BorderSettings{});
  const cv::Scalar paper = paper_colour(marked.page);
  cv::Mat cleared = marked.page.clone();
  paint_border(cleared, border, paper);
  const RotationSettings expand{Canvas::expand, Interpolation::linear};
  const cv::Mat expected = rotate_page(cleared, 1.5, expand, paper);
  const cv::Mat rotated = rotate_page(marked.page, 1.5, expand, paper, border);
  ASSERT_EQ(rotated.size(), expected.size());
  cv::Mat differs;
  cv::absdiff(rotated, expected, differs);
  cv::compare(differs, 40, differs, cv::CMP_GT);
  // Only along the border's edge, where interpolation meets the cleared pixels.
  EXPECT_LT(cv::countNonZero(differs), 0.002 * static_cast<double>(rotated.total()));
  cv::Mat not_cleared;
  cv::compare(rotated, 120, not_cleared, cv::CMP_LT);
  EXPECT_EQ(cv::countNonZero(not_cleared(cv::Rect(0, 0, 60, rotated.rows))), 0);  // the left strip, turned with the page
  EXPECT_GT(cv::countNonZero(not_cleared), dark_pixels(marked.page(marked.block)));  // the dark block stays
}

//! A page without a dark surround gives an empty border mask and is left unchanged.
TEST(BorderCleaner, FindsNothingOnAPageWithoutBorder) {
  testing::SyntheticPage spec;
  spec.skew_deg = 2;
  cv::Mat page = testing::draw_page(spec);
  const cv::Mat original = page.clone();
  const cv::Mat border = find_dark_border(make_analysis_image(page, 150, 300.0), BorderSettings{});
  EXPECT_EQ(cv::countNonZero(border), 0);
  EXPECT_EQ(paint_border(page, border, paper_colour(page)), 0.0);
  EXPECT_EQ(cv::norm(page, original, cv::NORM_INF), 0);
}

//! A dark region larger than max_share of the image is taken for content (a dark cover), not border.
TEST(BorderCleaner, LeavesADarkRegionLargerThanMaxShare) {
  cv::Mat page(1754, 1240, CV_8U, cv::Scalar(235));
  page(cv::Rect(0, 0, 1240, 700)).setTo(20);  // 40% of the image, touching three edges
  const AnalysisImage analysis = make_analysis_image(page, 150, 150.0);
  EXPECT_GT(cv::countNonZero(find_dark_border(analysis, BorderSettings{})), 0);
  BorderSettings strict;
  strict.max_share = 0.3;
  EXPECT_EQ(cv::countNonZero(find_dark_border(analysis, strict)), 0);
}

}  // namespace
}  // namespace lantai::deskew
