// OrientStage and its finder: pages of every class turned by each quarter turn come back
// upright, pages without text are left as scanned and flagged, Manual values stand, and the
// stage is set up strictly from its profile section.
#include <gtest/gtest.h>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <thread>

#include "stages/orient/orient_stage.h"
#include "tests/stages/item_stage_support.h"
#include "turned_pages.h"

namespace lantai::orient {
namespace {

using stage_testing::run_stage;

ProfileSection section_from(const std::string& yaml) {
  return ProfileSection("test-profile.yaml", "orient", YAML::Load(yaml));
}

bool has_finding(const Outcome& outcome, const std::string& code) {
  return std::any_of(outcome.findings.begin(), outcome.findings.end(),
                     [&](const Finding& f) { return f.code == code; });
}

bool same_pixels(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

//! On a generated set of every class (Chinese 文书, Latin, two columns, tables, landscape; grey, colour and 1-bit; 200-300 dpi), each turned 0/90/180/270: at least 99% of text pages are measured right, none is turned wrongly with confidence, at least 85% are sure enough to be turned, and blank and near-blank pages stay unturned and uncertain.
TEST(OrientationFinder, GeneratedSetComesBackUpright) {
  const OrientStage stage;
  const double threshold = stage.settings().min_confidence;
  int text_pages = 0, right = 0, confident_right = 0, confident_wrong = 0, empty_pages = 0, empty_uncertain = 0;
  std::map<std::string, int> misses;
  testing::for_each_turned_page(7001, 1, 300, [&](const testing::TurnedPage& page) {
    const OrientationEstimate estimate = find_orientation(page.scan, OrientationSettings{}, page.resolution_dpi);
    const bool confident = estimate.confidence >= threshold;
    if (page.has_text) {
      ++text_pages;
      const bool measured_right = estimate.rotation_deg == page.correction_deg;
      right += measured_right;
      confident_right += confident && measured_right;
      confident_wrong += confident && !measured_right;
      if (!measured_right) misses[testing::to_string(page.page_class) + " " + std::to_string(page.correction_deg)]++;
    } else {
      ++empty_pages;
      if (!confident) ++empty_uncertain;
    }
  });
  std::string missed;
  for (const auto& [what, count] : misses) missed += what + " ×" + std::to_string(count) + "; ";
  EXPECT_EQ(text_pages, 20);
  EXPECT_GE(right, 0.99 * text_pages) << right << " of " << text_pages << " right; missed: " << missed;
  EXPECT_EQ(confident_wrong, 0) << missed;
  EXPECT_GE(confident_right, 0.85 * text_pages);
  EXPECT_EQ(empty_pages, 8);
  EXPECT_EQ(empty_uncertain, empty_pages);
}

//! A Chinese page turned 90, 180 and 270 is handed on exactly as the upright scan (width and height swapped back), with orientation_deg the clockwise turn applied.
TEST(OrientStage, TurnsAPageUpright) {
  const OrientStage stage;
  for (int turn : {90, 180, 270}) {
    const testing::TurnedPage turned = testing::make_turned_page(testing::PageClass::chinese, turn, 42);
    Item page = stage_testing::page_item(turned.scan, turned.resolution_dpi);
    const Outcome outcome = run_stage(stage, page);
    EXPECT_FALSE(has_finding(outcome, "orient.uncertain")) << turn;
    ASSERT_TRUE(outcome.image.has_value()) << turn;
    EXPECT_TRUE(same_pixels(page.image.pixels(), turned.upright)) << turn;
    EXPECT_EQ(page.measurements.number("orientation_deg"), turn);
    EXPECT_GE(page.measurements.number("orientation_confidence").value_or(0), stage.settings().min_confidence);
    EXPECT_EQ(page.measurements.text("orientation_source"), "auto");
  }
}

//! An upright page is measured 0 and handed on untouched (no new image).
TEST(OrientStage, LeavesAnUprightPageAlone) {
  const OrientStage stage;
  const testing::TurnedPage upright = testing::make_turned_page(testing::PageClass::latin, 0, 43);
  Item page = stage_testing::page_item(upright.scan, upright.resolution_dpi);
  const Outcome outcome = run_stage(stage, page);
  EXPECT_FALSE(outcome.image.has_value());
  EXPECT_TRUE(outcome.findings.empty());
  EXPECT_EQ(page.measurements.number("orientation_deg"), 0);
}

//! A blank sheet is not turned: orient.uncertain (warn) with the confidence and the threshold, not rejected.
TEST(OrientStage, BlankPageIsUncertainAndNotTurned) {
  const OrientStage stage;
  const testing::TurnedPage blank = testing::make_turned_page(testing::PageClass::blank, 90, 44);
  Item page = stage_testing::page_item(blank.scan, blank.resolution_dpi);
  const Outcome outcome = run_stage(stage, page);
  ASSERT_TRUE(has_finding(outcome, "orient.uncertain"));
  EXPECT_EQ(outcome.findings.front().severity, Severity::warn);
  EXPECT_EQ(outcome.findings.front().threshold, "0.300");
  EXPECT_FALSE(outcome.rejected());
  EXPECT_FALSE(outcome.image.has_value());
  EXPECT_EQ(page.measurements.number("orientation_deg"), 0);
}

//! A turn set by hand stands instead of the measurement; one that is not a quarter turn rejects the page for review.
TEST(OrientStage, ManualTurnStands) {
  const OrientStage stage;
  const testing::TurnedPage upright = testing::make_turned_page(testing::PageClass::chinese, 0, 45);
  Item page = stage_testing::page_item(upright.scan, upright.resolution_dpi);
  page.manual["orient.rotation_deg"] = "270";
  const Outcome outcome = run_stage(stage, page);
  ASSERT_TRUE(outcome.image.has_value());
  EXPECT_TRUE(same_pixels(page.image.pixels(), testing::turn_clockwise(upright.scan, 270)));
  EXPECT_EQ(page.measurements.number("orientation_deg"), 270);
  EXPECT_EQ(page.measurements.text("orientation_source"), "manual");

  Item wrong = stage_testing::page_item(upright.scan, upright.resolution_dpi);
  wrong.manual["orient.rotation_deg"] = "45";
  const Outcome refused = run_stage(stage, wrong);
  EXPECT_TRUE(has_finding(refused, "orient.bad_manual_value"));
  EXPECT_TRUE(refused.rejected());
}

//! With vertical_text, a 竖排 page (columns of upright characters) is not taken for lines
//! turned by a quarter: upright it stays as scanned, fed turned it comes back upright, and
//! either way it is measured vertical; a horizontal page turned by a quarter still turns.
TEST(OrientStage, VerticalChineseIsToldFromATurnedPage) {
  OrientSettings settings;
  settings.vertical_text = true;
  const OrientStage stage(settings);
  for (int turn : {0, 90, 180, 270}) {
    const testing::TurnedPage vertical = testing::make_vertical_page(turn, 50);
    Item page = stage_testing::page_item(vertical.scan, vertical.resolution_dpi);
    const Outcome outcome = run_stage(stage, page);
    EXPECT_TRUE(outcome.findings.empty()) << turn;
    EXPECT_EQ(page.measurements.number("orientation_deg"), turn);
    EXPECT_EQ(page.measurements.text("writing_mode"), "vertical") << turn;
    EXPECT_TRUE(same_pixels(page.image.pixels(), vertical.upright)) << turn;
  }
  const testing::TurnedPage turned = testing::make_turned_page(testing::PageClass::chinese, 90, 51);
  Item page = stage_testing::page_item(turned.scan, turned.resolution_dpi);
  run_stage(stage, page);
  EXPECT_EQ(page.measurements.number("orientation_deg"), 90);
  EXPECT_EQ(page.measurements.text("writing_mode"), "horizontal");
  EXPECT_TRUE(same_pixels(page.image.pixels(), turned.upright));

  // Without it, as the profile has it, the upright 竖排 page is turned: the columns look like lines.
  const testing::TurnedPage vertical = testing::make_vertical_page(0, 50);
  Item unchecked = stage_testing::page_item(vertical.scan, vertical.resolution_dpi);
  run_stage(OrientStage(), unchecked);
  EXPECT_FALSE(unchecked.measurements.has("writing_mode"));
}

//! A page the finder is unsure of (here every page: min_confidence 1) gets OSD's reading of its characters: a Latin page fed upside down and a Chinese one turned by a quarter come back upright with orientation_method characters; a blank page (no lines) is never read and stays for review; without the second opinion the unsure page stays unturned too.
TEST(OrientStage, SecondOpinionTurnsAPageTheFinderIsUnsureOf) {
  OrientSettings settings;
  settings.min_confidence = 1;
  const OrientStage stage(settings);
  for (const auto& [page_class, turn] : {std::pair{testing::PageClass::latin, 180}, std::pair{testing::PageClass::chinese, 90}}) {
    SCOPED_TRACE(testing::to_string(page_class));
    const testing::TurnedPage turned = testing::make_turned_page(page_class, turn, 60);
    Item page = stage_testing::page_item(turned.scan, turned.resolution_dpi);
    const Outcome outcome = run_stage(stage, page);
    EXPECT_TRUE(outcome.findings.empty());
    EXPECT_EQ(page.measurements.number("orientation_deg"), turn);
    EXPECT_EQ(page.measurements.text("orientation_method"), "characters");
    EXPECT_GE(page.measurements.number("orientation_confidence").value_or(0), settings.osd_min_confidence);
    EXPECT_TRUE(same_pixels(page.image.pixels(), turned.upright));
  }

  const testing::TurnedPage blank = testing::make_turned_page(testing::PageClass::blank, 0, 61);
  Item empty = stage_testing::page_item(blank.scan, blank.resolution_dpi);
  const Outcome left = run_stage(stage, empty);
  ASSERT_TRUE(has_finding(left, "orient.uncertain"));
  EXPECT_EQ(left.findings.front().message.find("OSD"), std::string::npos) << left.findings.front().message;

  settings.osd_second_opinion = false;
  const testing::TurnedPage turned = testing::make_turned_page(testing::PageClass::latin, 180, 60);
  Item page = stage_testing::page_item(turned.scan, turned.resolution_dpi);
  const Outcome unsure = run_stage(OrientStage(settings), page);
  EXPECT_TRUE(has_finding(unsure, "orient.uncertain"));
  EXPECT_FALSE(unsure.image.has_value());
}

//! OSD's reading is taken only when it is sure, the finder saw lines, and it does not cross an axis the finder is sure of.
TEST(OrientStage, SecondOpinionNeverCrossesASureAxis) {
  OrientationEstimate lines_across;
  lines_across.lines = 12;
  lines_across.axis_margin = 1.2;  // sure the lines run across: 0 or 180
  EXPECT_EQ(second_opinion(lines_across, {180, 0.9}, 0.5), 180);
  EXPECT_EQ(second_opinion(lines_across, {90, 0.9}, 0.5), std::nullopt);
  EXPECT_EQ(second_opinion(lines_across, {180, 0.4}, 0.5), std::nullopt);
  OrientationEstimate unsure_axis = lines_across;
  unsure_axis.axis_margin = -0.1;
  EXPECT_EQ(second_opinion(unsure_axis, {0, 0.9}, 0.5), 0);
  OrientationEstimate no_lines = lines_across;
  no_lines.lines = 1;
  EXPECT_EQ(second_opinion(no_lines, {180, 1.0}, 0.5), std::nullopt);
}

//! enabled: false hands every page on as scanned; a bad or unknown key is refused at setup.
TEST(OrientStage, ProfileSection) {
  OrientStage stage;
  ProfileSection off = section_from("enabled: false\nmin_confidence: 0.7\n");
  stage.setup(off, StageContext{});
  EXPECT_DOUBLE_EQ(stage.settings().min_confidence, 0.7);
  const testing::TurnedPage turned = testing::make_turned_page(testing::PageClass::latin, 180, 46);
  Item page = stage_testing::page_item(turned.scan, turned.resolution_dpi);
  const Outcome outcome = run_stage(stage, page);
  EXPECT_FALSE(outcome.image.has_value());
  EXPECT_FALSE(page.measurements.has("orientation_deg"));

  ProfileSection bad = section_from("min_confidence: 2\n");
  EXPECT_THROW(stage.setup(bad, StageContext{}), ProfileError);
  ProfileSection unknown = section_from("threshold: 0.5\n");
  EXPECT_THROW(stage.setup(unknown, StageContext{}), ProfileError);
}

//! Pages measured from several threads at once give the same answers as one at a time.
TEST(OrientStage, ThreadSafe) {
  const OrientStage stage;
  std::vector<testing::TurnedPage> pages;
  for (int turn : {0, 90, 180, 270}) pages.push_back(testing::make_turned_page(testing::PageClass::two_column, turn, 47));
  std::vector<int> alone, together(pages.size());
  for (const auto& p : pages) alone.push_back(find_orientation(p.scan, OrientationSettings{}, p.resolution_dpi).rotation_deg);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < pages.size(); ++i)
    threads.emplace_back([&, i] {
      together[i] = find_orientation(pages[i].scan, OrientationSettings{}, pages[i].resolution_dpi).rotation_deg;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(alone, together);
}

}  // namespace
}  // namespace lantai::orient
