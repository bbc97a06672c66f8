// DeskewStage: measures, records, applies only confident skews, cleans borders, and is set
// up strictly from its profile section.
#include <gtest/gtest.h>

#include <yaml-cpp/yaml.h>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdio>
#include <set>
#include <thread>
#include <vector>

#include "stages/deskew/deskew_stage.h"
#include "synthetic_page.h"
#include "tests/stages/item_stage_support.h"

namespace lantai::deskew {
namespace {

ProfileSection section_from(const std::string& yaml) {
  return ProfileSection("test-profile.yaml", "deskew", YAML::Load(yaml));
}

using stage_testing::run_stage;

Item page_of(const cv::Mat& image) { return stage_testing::page_item(image); }

std::optional<double> skew_of(const Item& page) { return page.measurements.number("skew_deg"); }
double confidence_of(const Item& page) { return page.measurements.number("skew_confidence").value_or(0); }

bool has_finding(const Outcome& outcome, const std::string& code) {
  return std::any_of(outcome.findings.begin(), outcome.findings.end(),
                     [&](const Finding& f) { return f.code == code; });
}

cv::Mat skewed_page(double skew_deg) {
  testing::SyntheticPage spec;
  spec.skew_deg = skew_deg;
  spec.border_left_px = 70;
  spec.border_bottom_px = 50;
  return testing::draw_page(spec);
}

//! A skewed page is measured, recorded and rotated upright: re-measuring the output finds under 0.1°, and no dark border is left at its edges.
TEST(DeskewStage, StraightensASkewedPage) {
  DeskewStage stage;
  Item page = page_of(skewed_page(7.3));
  const Outcome outcome = run_stage(stage, page);
  EXPECT_FALSE(has_finding(outcome, "deskew.low_confidence"));
  EXPECT_FALSE(outcome.rejected());
  ASSERT_TRUE(skew_of(page).has_value());
  EXPECT_NEAR(*skew_of(page), 7.3, 0.1);
  EXPECT_GE(confidence_of(page), stage.settings().min_confidence);
  // fit: the rotated canvas keeps the scan's size.
  EXPECT_EQ(page.image.pixels().size(), cv::Size(2480, 3508));
  const SkewEstimate again = find_skew(page.image.pixels(), SkewSettings{}, 300.0);
  EXPECT_LT(std::abs(again.angle_deg), 0.1);
  const cv::Mat border = find_dark_border(make_analysis_image(page.image.pixels(), 150, 300.0), BorderSettings{});
  EXPECT_EQ(cv::countNonZero(border), 0);
}

//! The straightening recorded is the map the stage applied: the scan warped by it and cut to the crop box is the page delivered.
TEST(DeskewStage, RecordsTheStraighteningItApplied) {
  const cv::Mat scan = skewed_page(5.0);
  Item page = page_of(scan);
  run_stage(DeskewStage(), page);
  const std::string text = page.measurements.text("straightening");
  double a[6];
  int width = 0, height = 0;
  ASSERT_EQ(std::sscanf(text.c_str(), "%lf,%lf,%lf,%lf,%lf,%lf %dx%d", &a[0], &a[1], &a[2], &a[3], &a[4], &a[5], &width,
                        &height), 8) << text;
  const double radians = *skew_of(page) * CV_PI / 180;
  EXPECT_NEAR(a[0], std::cos(radians), 1e-4);
  EXPECT_NEAR(a[1], -std::sin(radians), 1e-4);
  EXPECT_EQ(cv::Size(width, height), cv::Size(2480, 3508));  // fit: the scan's size
  int x = 0, y = 0, w = 0, h = 0;
  ASSERT_EQ(std::sscanf(page.measurements.text("crop_box").c_str(), "%d,%d,%d,%d", &x, &y, &w, &h), 4);
  cv::Mat warped;
  cv::warpAffine(scan, warped, cv::Matx23d(a[0], a[1], a[2], a[3], a[4], a[5]), cv::Size(width, height),
                 cv::INTER_LINEAR, cv::BORDER_CONSTANT, 255);
  const cv::Mat delivered = page.image.pixels();
  ASSERT_EQ(delivered.size(), cv::Size(w, h));
  // Within the content (the border outside it is painted as paper), the same pixels.
  int cx = 0, cy = 0, cw = 0, ch = 0;
  ASSERT_EQ(std::sscanf(page.measurements.text("content_box").c_str(), "%d,%d,%d,%d", &cx, &cy, &cw, &ch), 4);
  const cv::Rect content(cx, cy, cw, ch);
  ASSERT_GT(content.area(), w * h / 4);
  cv::Mat difference;
  cv::absdiff(warped(cv::Rect(x, y, w, h))(content), delivered(content), difference);
  EXPECT_LT(cv::mean(difference)[0], 1.0);
}

//! canvas: keep rotates within the scan's own size; a colour page stays colour.
TEST(DeskewStage, KeepCanvasAndColour) {
  DeskewStage stage;
  ProfileSection section = section_from("canvas: keep\n");
  stage.setup(section, StageContext{});
  cv::Mat colour;
  cv::cvtColor(skewed_page(-2.5), colour, cv::COLOR_GRAY2BGR);
  Item page = page_of(colour);
  run_stage(stage, page);
  EXPECT_EQ(page.image.pixels().size(), colour.size());
  EXPECT_EQ(page.image.pixels().type(), CV_8UC3);
  EXPECT_LT(std::abs(find_skew(page.image.pixels(), SkewSettings{}, 300.0).angle_deg), 0.1);
}

//! Noise and a blank page are measured with low confidence: deskew.low_confidence (info), not rotated, not rejected.
TEST(DeskewStage, LeavesUncertainPagesUnrotated) {
  DeskewStage stage;
  for (const cv::Mat& image : {testing::draw_noise_page(2480, 3508, 21), testing::draw_blank_page(2480, 3508, 22)}) {
    Item page = page_of(image);
    const Outcome outcome = run_stage(stage, page);
    ASSERT_TRUE(has_finding(outcome, "deskew.low_confidence"));
    EXPECT_EQ(outcome.findings.front().severity, Severity::info);
    EXPECT_FALSE(outcome.rejected());
    EXPECT_LT(confidence_of(page), stage.settings().min_confidence);
    EXPECT_TRUE(skew_of(page).has_value());
    EXPECT_EQ(page.image.pixels().size(), image.size());
  }
  // A blank page has no border either: it comes out as it went in, but for its dust specks,
  // which are all margin on a page without content.
  const cv::Mat blank = testing::draw_blank_page(2480, 3508, 23);
  Item page = page_of(blank);
  run_stage(stage, page);
  ASSERT_EQ(page.image.pixels().size(), blank.size());
  cv::Mat changed = page.image.pixels() != blank;
  EXPECT_GT(cv::countNonZero(changed), 0);
  EXPECT_EQ(page.measurements.number("cleaned_px").value_or(-1), cv::countNonZero(changed));
  // Only specks and the paper right around them (a few px) changed.
  cv::Mat specks = blank < 200;
  cv::dilate(specks, specks, cv::getStructuringElement(cv::MORPH_RECT, {11, 11}));
  EXPECT_EQ(cv::countNonZero(changed & ~specks), 0);
}

//! A skew below min_angle_deg is recorded but the page is not resampled.
TEST(DeskewStage, LeavesTinySkewsAsScanned) {
  DeskewStage stage;
  ProfileSection section = section_from("min_angle_deg: 0.5\nclean_dark_borders: false\nremove_specks: false\n");
  stage.setup(section, StageContext{});
  const cv::Mat image = skewed_page(0.3);
  Item page = page_of(image);
  const Outcome outcome = run_stage(stage, page);
  EXPECT_TRUE(outcome.findings.empty());
  EXPECT_NEAR(skew_of(page).value_or(99), 0.3, 0.1);
  EXPECT_FALSE(outcome.image.has_value());  // no new pixels: the scan goes on as it is
  EXPECT_EQ(cv::norm(page.image.pixels(), image, cv::NORM_INF), 0);
}

//! With clean_dark_borders the scan border becomes paper; without it the border stays.
TEST(DeskewStage, CleansDarkBordersOnlyWhenAsked) {
  const cv::Mat image = skewed_page(0);
  const cv::Rect strip(0, 0, 70, image.rows);
  for (bool clean : {true, false}) {
    DeskewStage stage;
    ProfileSection section = section_from(std::string("clean_dark_borders: ") + (clean ? "true" : "false") +
                                          "\nmin_angle_deg: 1\nremove_specks: false\n");  // no rotation: compare in place
    stage.setup(section, StageContext{});
    Item page = page_of(image);
    run_stage(stage, page);
    ASSERT_EQ(page.image.pixels().size(), image.size());
    EXPECT_EQ(cv::mean(page.image.pixels()(strip))[0] > 200, clean);
    EXPECT_EQ(cv::norm(image, page.image.pixels(), cv::NORM_INF) == 0, !clean);
  }
}

//! A bilevel page stays two-level after rotation.
TEST(DeskewStage, BilevelStaysBilevel) {
  cv::Mat bilevel;
  cv::threshold(skewed_page(4), bilevel, 128, 255, cv::THRESH_BINARY);
  Item page = page_of(bilevel);
  page.measurements.set("colour_mode", std::string(to_string(ColourMode::bilevel)));
  run_stage(DeskewStage(), page);
  ASSERT_EQ(page.measurements.text("skew_source"), "auto");
  ASSERT_GT(cv::norm(page.image.pixels(), bilevel, cv::NORM_L1), 0);  // it was rotated
  cv::Mat grey_levels = (page.image.pixels() > 0) & (page.image.pixels() < 255);
  EXPECT_EQ(cv::countNonZero(grey_levels), 0);
}

//! process() run on several pages from several threads at once gives what it gives one page at a time.
TEST(DeskewStage, ProcessIsThreadSafe) {
  const DeskewStage stage;
  const std::vector<cv::Mat> images = {skewed_page(1.5), skewed_page(-3.5), skewed_page(8), skewed_page(-0.4)};
  std::vector<Item> serial, parallel;
  for (const cv::Mat& image : images) {
    serial.push_back(page_of(image));
    parallel.push_back(page_of(image));
    run_stage(stage, serial.back());
  }
  std::vector<std::thread> threads;
  for (size_t t = 0; t < 2; ++t)
    threads.emplace_back([&, t] {
      for (size_t i = t; i < parallel.size(); i += 2) run_stage(stage, parallel[i]);
    });
  for (std::thread& thread : threads) thread.join();
  for (size_t i = 0; i < images.size(); ++i) {
    EXPECT_EQ(skew_of(parallel[i]), skew_of(serial[i]));
    EXPECT_EQ(confidence_of(parallel[i]), confidence_of(serial[i]));
    ASSERT_EQ(parallel[i].image.pixels().size(), serial[i].image.pixels().size());
    EXPECT_EQ(cv::norm(parallel[i].image.pixels(), serial[i].image.pixels(), cv::NORM_INF), 0);
  }
}

//! A page with no image (decode failed) is passed over without findings or facts.
TEST(DeskewStage, IgnoresAPageWithoutImage) {
  const Item page;
  const Outcome outcome = DeskewStage().process(page);
  EXPECT_TRUE(outcome.findings.empty());
  EXPECT_TRUE(outcome.measurements.empty());
  EXPECT_FALSE(outcome.image.has_value());
}

//! A skew an inspector set (Manual) is applied as given instead of the measured one, and recorded as manual.
TEST(DeskewStage, AppliesAManualSkewInsteadOfMeasuring) {
  Item page = page_of(skewed_page(4.0));
  page.manual["deskew.skew_deg"] = "-2.5";  // deliberately not what the page shows
  const Outcome outcome = run_stage(DeskewStage(), page);
  EXPECT_FALSE(outcome.rejected());
  EXPECT_EQ(skew_of(page), -2.5);
  EXPECT_EQ(page.measurements.text("skew_source"), "manual");
  // Rotated by -2.5 where 4.0 was needed: 6.5 degrees of skew are left, proof the hand-set value was used.
  EXPECT_NEAR(find_skew(page.image.pixels(), SkewSettings{}, 300.0).angle_deg, 6.5, 0.2);
}

//! A Manual skew that is not a number of degrees within ±45 is refused with a finding, never guessed at.
TEST(DeskewStage, RefusesABadManualSkew) {
  for (const char* bad : {"abc", "90", "", "1.5deg"}) {
    Item page = page_of(skewed_page(1.0));
    page.manual["deskew.skew_deg"] = bad;
    const Outcome outcome = run_stage(DeskewStage(), page);
    EXPECT_TRUE(has_finding(outcome, "deskew.bad_manual_value")) << bad;
    EXPECT_TRUE(outcome.rejected()) << bad;
  }
}

//! setup() takes every documented key, and the settings follow the profile.
TEST(DeskewStage, SetupReadsItsSection) {
  DeskewStage stage;
  ProfileSection section = section_from(
      "max_angle_deg: 10\nmin_confidence: 0.7\nmin_angle_deg: 0.1\nclean_dark_borders: false\n"
      "border_min_width_mm: 2\ncanvas: keep\ninterpolation: cubic\nanalysis_dpi: 200\n");
  stage.setup(section, StageContext{});
  const DeskewSettings& settings = stage.settings();
  EXPECT_EQ(settings.skew.max_angle_deg, 10);
  EXPECT_EQ(settings.min_confidence, 0.7);
  EXPECT_EQ(settings.min_angle_deg, 0.1);
  EXPECT_FALSE(settings.clean_dark_borders);
  EXPECT_EQ(settings.border.min_width_mm, 2);
  EXPECT_EQ(settings.rotation.canvas, Canvas::keep);
  EXPECT_EQ(settings.rotation.interpolation, Interpolation::cubic);
  EXPECT_EQ(settings.skew.analysis_dpi, 200);
  // describe() lists exactly the keys setup() reads.
  std::set<std::string> described, read;
  for (const ParamInfo& param : stage.describe().params) described.insert(param.name);
  for (const EffectiveValue& value : section.effective()) read.insert(value.key);
  EXPECT_EQ(described, read);
  EXPECT_EQ(stage.describe().id, "deskew");
}

//! setup() refuses an out-of-range max_angle_deg, an unknown key and a bad choice, naming the key.
TEST(DeskewStage, SetupRefusesBadValues) {
  for (const char* yaml : {"max_angle_deg: 60\n", "max_angle_deg: 0\n", "max_angel_deg: 10\n", "canvas: crop\n",
                           "min_confidence: 1.5\n", "clean_dark_borders: maybe\n"}) {
    DeskewStage stage;
    ProfileSection section = section_from(yaml);
    try {
      stage.setup(section, StageContext{});
      ADD_FAILURE() << "accepted " << yaml;
    } catch (const ProfileError& error) {
      const std::string key = std::string(yaml).substr(0, std::string(yaml).find(':'));
      EXPECT_NE(std::string(error.what()).find(key), std::string::npos) << error.what();
    }
  }
  // A refused section leaves the stage's settings as they were.
  DeskewStage stage;
  ProfileSection section = section_from("min_confidence: 0.9\nbogus: 1\n");
  EXPECT_THROW(stage.setup(section, StageContext{}), ProfileError);
  EXPECT_EQ(stage.settings().min_confidence, DeskewSettings{}.min_confidence);
}

}  // namespace
}  // namespace lantai::deskew
