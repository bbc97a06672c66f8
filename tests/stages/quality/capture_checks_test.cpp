// Capture checks (colour mode, blur, darkness, dark border, page size): faults of known
// strength on pages of every layout are reported with their code, value and threshold,
// and sharp, well-exposed pages of any layout, resolution and colour mode are not.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <string>

#include "stages/quality/quality_stage.h"
#include "tests/stages/item_stage_support.h"
#include "tests/stages/quality/capture_pages.h"

namespace lantai::quality {
namespace {

using orient::testing::PageClass;
using testing::CapturePage;
using testing::Fault;

QualityStage make_stage(const std::string& yaml = "{}") {
  QualityStage stage;
  const YAML::Node node = YAML::Load(yaml);
  ProfileSection section("test.yaml", "quality", node);
  stage.setup(section, {});
  section.finish();
  return stage;
}

// The item quality sees: the stored pixels, with what decode measured of the scan.
Item delivered(const cv::Mat& pixels, int dpi, std::string colour_mode, cv::Size scan_size = {}) {
  Item page = stage_testing::page_item(pixels, dpi, "A/0001.jpg");
  page.measurements.set("colour_mode", std::move(colour_mode));
  if (scan_size.empty()) scan_size = pixels.size();
  page.measurements.set("width_px", scan_size.width);
  page.measurements.set("height_px", scan_size.height);
  return page;
}

std::vector<std::string> codes_of(const Outcome& outcome) {
  std::vector<std::string> codes;
  for (const Finding& finding : outcome.findings) codes.push_back(finding.code);
  return codes;
}

bool has(const Outcome& outcome, const std::string& code) {
  const auto codes = codes_of(outcome);
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

const Finding* finding_of(const Outcome& outcome, const std::string& code) {
  for (const Finding& finding : outcome.findings)
    if (finding.code == code) return &finding;
  return nullptr;
}

std::string mode_of(const CapturePage& page, const cv::Mat& image) {
  return page.bilevel ? "bilevel" : image.channels() == 3 ? "colour" : "grey";
}

const std::vector<PageClass> kLayouts = {PageClass::chinese, PageClass::latin, PageClass::two_column, PageClass::table,
                                         PageClass::landscape};

std::string describe(const CapturePage& page) {
  return orient::testing::to_string(page.page_class) + " at " + std::to_string(page.resolution_dpi) + " dpi" +
         (page.bilevel ? ", 1-bit" : page.cleaned.channels() == 3 ? ", colour" : ", grey");
}

//! Sharp, well-exposed pages of every layout (200-400 dpi, grey, colour, 1-bit), cleaned as the chain cleans them, get no capture finding; the same pages out of focus get qc.blur, under-exposed or washed out get qc.dark.
TEST(CaptureChecks, FlagsFaultsOfKnownStrengthAndNotSharpPages) {
  // A lenient colour rule: this test is about blur and exposure on grey and 1-bit pages too.
  const QualityStage stage = make_stage("min_colour_mode: bilevel");
  int pages = 0, bilevel = 0, dpis[3] = {0, 0, 0};
  for (PageClass layout : kLayouts) {
    for (std::uint32_t seed : {71u, 72u, 73u}) {
      const CapturePage page = testing::make_capture_page(layout, seed * 31 + static_cast<std::uint32_t>(layout));
      SCOPED_TRACE(describe(page));
      ++pages;
      bilevel += page.bilevel;
      dpis[(page.resolution_dpi - 200) / 100]++;
      const cv::Mat sharp = testing::with_fault(page, {});
      Item item = delivered(sharp, page.resolution_dpi, mode_of(page, sharp));
      const Outcome clean = stage.process(item);
      EXPECT_TRUE(clean.findings.empty()) << "findings on a sharp page: " << ::testing::PrintToString(codes_of(clean))
                                          << (clean.findings.empty() ? "" : " " + clean.findings[0].message);
      if (page.bilevel) continue;  // a 1-bit file cannot hold a blurred or darkened grey

      Item blurred = delivered(testing::with_fault(page, {0.25, 1, 1}), page.resolution_dpi, mode_of(page, sharp));
      const Outcome blur = stage.process(blurred);
      ASSERT_TRUE(has(blur, "qc.blur")) << ::testing::PrintToString(codes_of(blur));
      EXPECT_EQ(finding_of(blur, "qc.blur")->threshold, "0.160");
      EXPECT_GT(std::stod(finding_of(blur, "qc.blur")->value), 0.16);

      Item dark = delivered(testing::with_fault(page, {0, 0.5, 1}), page.resolution_dpi, mode_of(page, sharp));
      EXPECT_TRUE(has(stage.process(dark), "qc.dark"));
      Item faded = delivered(testing::with_fault(page, {0, 1, 0.3}), page.resolution_dpi, mode_of(page, sharp));
      const Outcome fade = stage.process(faded);
      ASSERT_TRUE(has(fade, "qc.dark")) << ::testing::PrintToString(codes_of(fade));
      EXPECT_NE(finding_of(fade, "qc.dark")->message.find("low contrast"), std::string::npos);
    }
  }
  // The material held what it should: every resolution and some 1-bit pages.
  EXPECT_EQ(pages, 15);
  EXPECT_GT(bilevel, 0);
  EXPECT_GT(dpis[0] * dpis[1] * dpis[2], 0) << "200, 300 and 400 dpi";
}

//! The blur figure does not depend on how much text the page holds: a page with a tenth of the text measures alike.
TEST(CaptureChecks, BlurDoesNotDependOnTheAmountOfText) {
  const CapturePage page = testing::make_capture_page(PageClass::latin, 5);
  for (double blur_mm : {0.0, 0.2}) {
    const cv::Mat full = testing::with_fault(page, {blur_mm, 1, 1});
    cv::Mat sparse = full.clone();
    // Paper over all but a band of a tenth of the page's height through its middle.
    const cv::Scalar paper = cv::mean(full(cv::Rect(0, 0, full.cols, full.rows / 20)));
    sparse.rowRange(0, full.rows * 45 / 100).setTo(paper);
    sparse.rowRange(full.rows * 55 / 100, full.rows).setTo(paper);
    const CaptureMeasure a = measure_capture(full, page.resolution_dpi);
    const CaptureMeasure b = measure_capture(sparse, page.resolution_dpi);
    EXPECT_LT(b.edge_count * 3, a.edge_count);
    EXPECT_NEAR(a.blur_mm, b.blur_mm, 0.02) << "blur " << blur_mm;
  }
}

//! The blur figure is in mm on the paper: the same page drawn at 200 and 400 dpi measures alike, sharp and blurred.
TEST(CaptureChecks, BlurDoesNotDependOnResolution) {
  cv::Mat at_400(4678, 3307, CV_8UC1, cv::Scalar(235));
  for (int line = 0; line < 40; ++line)
    cv::putText(at_400, "Archive page, line " + std::to_string(line), {300, 400 + line * 100},
                cv::FONT_HERSHEY_SIMPLEX, 2.2, cv::Scalar(25), 5, cv::LINE_AA);
  cv::Mat at_200;
  cv::resize(at_400, at_200, cv::Size(), 0.5, 0.5, cv::INTER_AREA);
  for (double blur_mm : {0.0, 0.2}) {
    cv::Mat a = at_400.clone(), b = at_200.clone();
    if (blur_mm > 0) {
      cv::GaussianBlur(at_400, a, cv::Size(), blur_mm * 400 / 25.4);
      cv::GaussianBlur(at_200, b, cv::Size(), blur_mm * 200 / 25.4);
    }
    EXPECT_NEAR(measure_capture(a, 400).blur_mm, measure_capture(b, 200).blur_mm, 0.025) << "blur " << blur_mm;
  }
}

//! A grey or bilevel scan under a colour profile gets qc.colour_mode naming both modes; a colour scan does not; a grey profile accepts grey and refuses bilevel.
TEST(CaptureChecks, ColourModeAgainstTheProfile) {
  const CapturePage page = testing::make_capture_page(PageClass::chinese, 11);
  cv::Mat grey = testing::with_fault(page, {});
  if (grey.channels() == 3) cv::cvtColor(grey, grey, cv::COLOR_BGR2GRAY);
  const QualityStage colour_profile = make_stage();
  Item grey_page = delivered(grey, page.resolution_dpi, "grey");
  const Outcome outcome = colour_profile.process(grey_page);
  const Finding* finding = finding_of(outcome, "qc.colour_mode");
  ASSERT_NE(finding, nullptr) << ::testing::PrintToString(codes_of(outcome));
  EXPECT_EQ(finding->value, "grey");
  EXPECT_EQ(finding->threshold, "colour");
  EXPECT_NE(finding->message.find("grey (8-bit)"), std::string::npos) << finding->message;
  Item colour_page = delivered(grey, page.resolution_dpi, "colour");
  EXPECT_FALSE(has(colour_profile.process(colour_page), "qc.colour_mode"));

  const QualityStage grey_profile = make_stage("min_colour_mode: grey");
  EXPECT_FALSE(has(grey_profile.process(grey_page), "qc.colour_mode"));
  Item bilevel_page = delivered(grey, page.resolution_dpi, "bilevel");
  EXPECT_TRUE(has(grey_profile.process(bilevel_page), "qc.colour_mode"));
}

//! A colour scan with no colour on it is reported only when the profile asks; a page with a red seal is not, even when asked.
TEST(CaptureChecks, ColourScanWithoutChromaOnlyWhenAsked) {
  cv::Mat page(3508, 2480, CV_8UC3, cv::Scalar(232, 236, 238));
  for (int line = 0; line < 30; ++line)
    cv::putText(page, "Minutes of the meeting, item " + std::to_string(line), {250, 400 + line * 90},
                cv::FONT_HERSHEY_SIMPLEX, 2.0, cv::Scalar(30, 30, 30), 4, cv::LINE_AA);
  const QualityStage quiet = make_stage();
  const QualityStage asking = make_stage("report_colour_without_chroma: true");
  Item neutral = delivered(page, 300, "colour");
  EXPECT_FALSE(has(quiet.process(neutral), "qc.colour_mode.no_chroma"));
  const Outcome asked = asking.process(neutral);
  ASSERT_TRUE(has(asked, "qc.colour_mode.no_chroma")) << ::testing::PrintToString(codes_of(asked));

  cv::Mat sealed = page.clone();
  cv::circle(sealed, {1800, 3000}, 240, cv::Scalar(40, 40, 200), 18);
  cv::putText(sealed, "SEAL", {1650, 3040}, cv::FONT_HERSHEY_SIMPLEX, 3, cv::Scalar(40, 40, 200), 10);
  Item seal = delivered(sealed, 300, "colour");
  EXPECT_FALSE(has(asking.process(seal), "qc.colour_mode.no_chroma"));
  EXPECT_GT(*asking.process(seal).measurements.number("chroma_ratio"), 0.002);
}

//! A dark border left at the image edge is reported with its share; the page the chain cleaned is not.
TEST(CaptureChecks, DarkBorderLeftAfterCleanup) {
  const CapturePage page = testing::make_capture_page(PageClass::two_column, 21);
  const QualityStage stage = make_stage("min_colour_mode: bilevel");
  cv::Mat bordered = testing::with_fault(page, {});
  Item clean = delivered(bordered, page.resolution_dpi, mode_of(page, bordered));
  EXPECT_FALSE(has(stage.process(clean), "qc.dark_border"));
  bordered.colRange(0, page.resolution_dpi / 10) = cv::Scalar::all(20);  // 2.5 mm of black lid along the left
  Item left = delivered(bordered, page.resolution_dpi, mode_of(page, bordered));
  const Outcome outcome = stage.process(left);
  const Finding* finding = finding_of(outcome, "qc.dark_border");
  ASSERT_NE(finding, nullptr) << ::testing::PrintToString(codes_of(outcome));
  EXPECT_NEAR(std::stod(finding->value), 2.5 / 210, 0.004);
  EXPECT_EQ(finding->threshold, "0.0020");
}

//! A scan whose size at its resolution is no listed sheet gets qc.page_size (a 300-dpi A4 tagged 200 dpi); A4, A3 and letter at their resolution do not.
TEST(CaptureChecks, PageSizeImplausibleForItsResolution) {
  const QualityStage stage = make_stage("min_colour_mode: bilevel");
  cv::Mat small(600, 400, CV_8UC1, cv::Scalar(235));
  cv::putText(small, "text", {50, 300}, cv::FONT_HERSHEY_SIMPLEX, 2, cv::Scalar(20), 4);
  struct Case {
    cv::Size scan;
    int dpi;
    bool flagged;
  };
  for (const Case& c : {Case{{2480, 3508}, 300, false}, Case{{3508, 4961}, 300, false}, Case{{1700, 2200}, 200, false},
                        Case{{3508, 2480}, 300, false}, Case{{2480, 3508}, 200, true}, Case{{2480, 3508}, 600, true},
                        Case{{1000, 4000}, 300, true}}) {
    Item item = delivered(small, c.dpi, "grey", c.scan);
    const Outcome outcome = stage.process(item);
    EXPECT_EQ(has(outcome, "qc.page_size"), c.flagged) << c.scan << " at " << c.dpi;
    if (c.flagged) {
      EXPECT_NE(finding_of(outcome, "qc.page_size")->message.find("resolution"), std::string::npos);
    }
  }
  const QualityStage unchecked = make_stage("page_sizes: ''");
  Item odd = delivered(small, 300, "grey", {1000, 4000});
  EXPECT_FALSE(has(unchecked.process(odd), "qc.page_size"));
}

//! The list of sheets is read strictly: a malformed entry is a profile error naming it.
TEST(CaptureChecks, SheetListIsReadStrictly) {
  const std::vector<Sheet> sheets = parse_sheets("A4=210x297, 8K=390x270 legal=216x356");
  ASSERT_EQ(sheets.size(), 3u);
  EXPECT_EQ(sheets[1].name, "8K");
  EXPECT_EQ(sheets[1].short_mm, 270);
  const auto match = closest_sheet(300, 212, sheets);
  ASSERT_TRUE(match);
  EXPECT_EQ(match->sheet->name, "A4");
  EXPECT_NEAR(match->off_mm, 3, 1e-9);
  for (const char* bad : {"page_sizes: 'A4'", "page_sizes: 'A4=210'", "page_sizes: 'A4=x297'", "page_sizes: '=210x297'",
                          "page_sizes: 'A4=210x-297'"})
    EXPECT_THROW(make_stage(bad), ProfileError) << bad;
}

}  // namespace
}  // namespace lantai::quality
