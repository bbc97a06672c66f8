// 裁边 and 去污 in the deskew stage: what scanning added outside the paper's content is
// painted as paper, nothing inside the content box changes by a bit, a seal at the margin
// stays red, the page keeps its size or is cropped only where no content is cut, and the
// diff image names exactly the pixels that changed.
#include <gtest/gtest.h>
#include <png.h>
#include <yaml-cpp/yaml.h>

#include <opencv2/imgproc.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "stages/deskew/deskew_stage.h"
#include "synthetic_page.h"
#include "tests/stages/item_stage_support.h"

namespace lantai::deskew {
namespace {

namespace fs = std::filesystem;
using stage_testing::run_stage;

const cv::Scalar kPaper(226, 234, 240);  // BGR: off-white, a little warm
const cv::Scalar kRed(40, 40, 205);

struct ColourScan {
  cv::Mat page;
  cv::Rect text{300, 420, 1880, 2500};
  cv::Point seal_centre{1900, 3060};
  int seal_radius = 210;
  std::vector<cv::Point> margin_specks{{130, 1200}, {2380, 640}, {1200, 3340}, {700, 260}};
  cv::Point content_speck{1240, 1700};  // dust inside the text block: the paper's as scanned, kept
  cv::Rect stain{1500, 0, 300, 110};    // a stain at the top edge: the paper's own, kept
  int border_px = 60;                   // black lid along the left
  int shadow_px = 110;                  // a grey lid shadow along the bottom
};

ColourScan colour_scan() {
  ColourScan scan;
  scan.page = cv::Mat(3508, 2480, CV_8UC3, kPaper);
  cv::RNG random(7);
  for (int y = scan.text.y; y + 40 < scan.text.br().y; y += 90)
    for (int x = scan.text.x; x + 40 < scan.text.br().x; x += 56)
      if (random.uniform(0, 7) != 0)
        cv::rectangle(scan.page, cv::Rect(x + 6, y + 6, 28 + random.uniform(0, 14), 40), cv::Scalar(35, 30, 30), 4);
  // A red round seal over the end of the text, reaching into the bottom margin.
  cv::circle(scan.page, scan.seal_centre, scan.seal_radius, kRed, 16, cv::LINE_AA);
  cv::putText(scan.page, "SEAL", scan.seal_centre + cv::Point(-150, 40), cv::FONT_HERSHEY_SIMPLEX, 3.5, kRed, 12);
  for (const cv::Point& speck : scan.margin_specks) cv::circle(scan.page, speck, 2, cv::Scalar(30, 30, 30), cv::FILLED);
  cv::circle(scan.page, scan.content_speck, 2, cv::Scalar(30, 30, 30), cv::FILLED);
  scan.page(scan.stain) = cv::Scalar(170, 195, 205);
  scan.page.colRange(0, scan.border_px) = cv::Scalar(18, 18, 18);
  scan.page.rowRange(scan.page.rows - scan.shadow_px, scan.page.rows) = kPaper - cv::Scalar::all(70);
  return scan;
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "lantai-cleanup-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("cannot create " + pattern);
    path = pattern;
  }
  ~TempDir() { fs::remove_all(path); }
};

DeskewStage make_stage(const std::string& yaml, const fs::path& work_dir = {}) {
  DeskewStage stage;
  ProfileSection section("test-profile.yaml", "deskew", YAML::Load(yaml));
  StageContext context;
  context.work_dir = work_dir;
  stage.setup(section, context);
  return stage;
}

cv::Rect box_of(const Item& page, const char* name) {
  const std::string text = page.measurements.text(name);
  int x = 0, y = 0, w = 0, h = 0;
  if (std::sscanf(text.c_str(), "%d,%d,%d,%d", &x, &y, &w, &h) != 4) return {};
  return {x, y, w, h};
}

bool has_finding(const Outcome& outcome, const std::string& code) {
  return std::any_of(outcome.findings.begin(), outcome.findings.end(), [&](const Finding& f) { return f.code == code; });
}

// Which pixels differ between two images of one size, in any channel (255 = differs).
cv::Mat differing(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat diff;
  cv::absdiff(a, b, diff);
  if (diff.channels() == 3) cv::cvtColor(diff, diff, cv::COLOR_BGR2GRAY);  // any channel's difference stays > 0
  cv::Mat any;
  cv::compare(diff, 0, any, cv::CMP_GT);
  return any;
}

// A 1-bit PNG back as a mask, 255 where the PNG is black.
cv::Mat read_diff_png(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  const std::string data = bytes.str();
  if (!png_image_begin_read_from_memory(&image, data.data(), data.size())) return {};
  image.format = PNG_FORMAT_GRAY;
  cv::Mat grey(static_cast<int>(image.height), static_cast<int>(image.width), CV_8UC1);
  if (!png_image_finish_read(&image, nullptr, grey.data, static_cast<png_int_32>(grey.step), nullptr)) return {};
  return grey < 128;
}

//! Cleanup paints the black lid, the lid shadow and the specks in the margin as paper; inside the content box every pixel is bit-identical, the red seal at the margin stays red, the stain and the dust inside the text stay; the diff PNG names exactly the pixels that changed, and cleaned_px counts them.
TEST(Cleanup, RemovesWhatScanningAddedAndNothingOfTheContent) {
  const ColourScan scan = colour_scan();
  TempDir work;
  const DeskewStage stage = make_stage("min_angle_deg: 0.5\n", work.path);  // no rotation: compare in place
  Item page = stage_testing::page_item(scan.page);
  const Outcome outcome = run_stage(stage, page);
  EXPECT_FALSE(outcome.rejected());
  const cv::Mat& out = page.image.pixels();
  ASSERT_EQ(out.size(), scan.page.size());
  ASSERT_EQ(out.type(), CV_8UC3);

  const cv::Rect content = box_of(page, "content_box");
  ASSERT_FALSE(content.empty());
  // The content box holds the text and the whole seal.
  const cv::Rect seal_box(scan.seal_centre.x - scan.seal_radius - 8, scan.seal_centre.y - scan.seal_radius - 8,
                          2 * scan.seal_radius + 16, 2 * scan.seal_radius + 16);
  cv::Mat text_grey;
  cv::cvtColor(scan.page(scan.text), text_grey, cv::COLOR_BGR2GRAY);
  const cv::Rect glyphs = cv::boundingRect(text_grey < 100) + scan.text.tl();
  EXPECT_EQ(content & glyphs, glyphs) << content << " " << glyphs;
  EXPECT_EQ(content & seal_box, seal_box) << content;
  EXPECT_EQ(cv::norm(out(content), scan.page(content), cv::NORM_INF), 0) << "a pixel inside the content box changed";
  // The seal is still red, pixel for pixel.
  cv::Mat seal_ring = cv::Mat::zeros(out.size(), CV_8U);
  cv::circle(seal_ring, scan.seal_centre, scan.seal_radius, cv::Scalar(255), 10);
  const cv::Scalar seal = cv::mean(out, seal_ring);
  EXPECT_GT(seal[2], 180);
  EXPECT_LT(seal[1], 70);
  EXPECT_LT(seal[0], 70);
  // The paper's own: the stain at the top edge and the dust inside the text stay.
  EXPECT_EQ(cv::norm(out(scan.stain), scan.page(scan.stain), cv::NORM_INF), 0);
  EXPECT_LT(cv::mean(out(cv::Rect(scan.content_speck - cv::Point(1, 1), cv::Size(3, 3))))[0], 60);

  // What scanning added is paper now.
  auto near_paper = [&](const cv::Rect& region) {
    const cv::Scalar mean = cv::mean(out(region));
    for (int c = 0; c < 3; ++c)
      if (std::abs(mean[c] - kPaper[c]) > 3) return false;
    return true;
  };
  for (const cv::Point& speck : scan.margin_specks)
    EXPECT_TRUE(near_paper(cv::Rect(speck - cv::Point(3, 3), cv::Size(7, 7)))) << "speck at " << speck;
  EXPECT_TRUE(near_paper(cv::Rect(0, 0, scan.border_px, out.rows))) << "black lid";
  EXPECT_TRUE(near_paper(cv::Rect(scan.border_px, out.rows - scan.shadow_px, 900, scan.shadow_px))) << "lid shadow";

  // The diff: exactly the pixels that differ, counted.
  const cv::Mat changed = differing(scan.page, out);
  EXPECT_EQ(page.measurements.number("cleaned_px").value_or(-1), cv::countNonZero(changed));
  ASSERT_EQ(outcome.outputs.size(), 1u);
  EXPECT_EQ(outcome.outputs[0].kind, "cleanup_diff");
  EXPECT_EQ(outcome.outputs[0].path, "cleanup/J012-WS·2021-Y-BGS-0001/0001.png");
  const cv::Mat diff = read_diff_png(work.path / outcome.outputs[0].path);
  ASSERT_EQ(diff.size(), out.size());
  EXPECT_EQ(cv::countNonZero(diff != changed), 0);
  EXPECT_LT(outcome.outputs[0].size_bytes, 64u * 1024) << "a small PNG";
}

//! crop: paper cuts the black lid and the shadow off; the content comes out bit-identical, shifted by the crop box, and the crop box is recorded.
TEST(Cleanup, CropsToThePaperEdge) {
  const ColourScan scan = colour_scan();
  const DeskewStage stage = make_stage("min_angle_deg: 0.5\ncrop: paper\n");
  Item page = stage_testing::page_item(scan.page);
  const Outcome outcome = run_stage(stage, page);
  EXPECT_TRUE(outcome.findings.empty());
  const cv::Rect crop = box_of(page, "crop_box");
  EXPECT_EQ(page.measurements.text("crop_source"), "auto");
  // At the paper's edge, beyond the lid's and the shadow's blurred rims (0.4 and 1 mm).
  EXPECT_GE(crop.x, scan.border_px);
  EXPECT_LE(crop.x, scan.border_px + 8);
  EXPECT_LE(crop.br().y, scan.page.rows - scan.shadow_px);
  EXPECT_GE(crop.br().y, scan.page.rows - scan.shadow_px - 16);
  EXPECT_EQ(crop.y, 0);
  EXPECT_EQ(crop.br().x, scan.page.cols);
  ASSERT_EQ(page.image.pixels().size(), crop.size());
  const cv::Rect content = box_of(page, "content_box");  // in the delivered page
  ASSERT_FALSE(content.empty());
  EXPECT_EQ(cv::norm(page.image.pixels()(content), scan.page(content + crop.tl()), cv::NORM_INF), 0);
}

//! crop: content keeps the profile's margin around the content; a crop that would cut content is not made and is reported; a Manual crop box stands instead, and a malformed one is refused.
TEST(Cleanup, CropsToContentOnlyWhereNoContentIsCut) {
  const ColourScan scan = colour_scan();
  const DeskewStage content_crop = make_stage("min_angle_deg: 0.5\ncrop: content\ncrop_margin_mm: 10\n");
  Item page = stage_testing::page_item(scan.page);
  run_stage(content_crop, page);
  const cv::Rect crop = box_of(page, "crop_box");
  const int margin = static_cast<int>(std::lround(10 * 300 / 25.4));
  // The glyph boxes start 4 px inside the text block.
  EXPECT_NEAR(crop.x, scan.text.x + 4 - margin, 4);
  EXPECT_NEAR(crop.y, scan.text.y + 4 - margin, 4);
  EXPECT_EQ(page.image.pixels().size(), crop.size());

  // Text runs under the lid where it covers only the upper half of the edge: the paper's edge
  // (columns mostly lid) lies right of where text begins lower down.
  cv::Mat under_lid = scan.page.clone();
  under_lid.colRange(0, 60) = kPaper;
  under_lid(cv::Rect(0, 0, 160, 2400)) = cv::Scalar(18, 18, 18);
  cv::rectangle(under_lid, cv::Rect(90, 2600, 150, 40), cv::Scalar(30, 30, 30), 6);  // a word in the margin
  const DeskewStage paper_crop = make_stage("min_angle_deg: 0.5\ncrop: paper\n");
  Item cut = stage_testing::page_item(under_lid);
  const Outcome outcome = run_stage(paper_crop, cut);
  ASSERT_TRUE(has_finding(outcome, "crop.would_cut_content"));
  EXPECT_EQ(cut.image.pixels().size(), under_lid.size());
  EXPECT_EQ(cut.measurements.text("crop_source"), "none");

  Item manual = stage_testing::page_item(scan.page);
  manual.manual["deskew.crop_box"] = "100,200,2000,3000";
  run_stage(paper_crop, manual);
  EXPECT_EQ(manual.measurements.text("crop_source"), "manual");
  EXPECT_EQ(manual.image.pixels().size(), cv::Size(2000, 3000));
  for (const char* bad : {"100,200,2000", "a,b,c,d", "0,0,0,10", "2000,0,1000,100"}) {
    Item refused = stage_testing::page_item(scan.page);
    refused.manual["deskew.crop_box"] = bad;
    const Outcome result = paper_crop.process(refused);
    EXPECT_TRUE(has_finding(result, "crop.bad_manual_value")) << bad;
    EXPECT_TRUE(result.rejected());
  }
}

//! The rotated canvas no longer grows the page: a skewed page comes out at the scan's size with all its text (as much ink as the grown canvas holds), and a seal near the corner stays whole.
TEST(Cleanup, RotatedCanvasKeepsTheScanSizeAndTheContent) {
  testing::SyntheticPage spec;
  spec.skew_deg = 4;
  spec.margin_px = 200;
  spec.lines = 28;
  const cv::Mat scan = testing::draw_page(spec);
  auto ink_of = [](const cv::Mat& image) { return cv::countNonZero(image < 100); };
  Item fit = stage_testing::page_item(scan);
  run_stage(make_stage("{}"), fit);
  Item expand = stage_testing::page_item(scan);
  run_stage(make_stage("canvas: expand\n"), expand);
  EXPECT_EQ(fit.image.pixels().size(), scan.size());
  EXPECT_GT(expand.image.pixels().cols, scan.cols);
  EXPECT_NEAR(ink_of(fit.image.pixels()), ink_of(expand.image.pixels()), 0.01 * ink_of(expand.image.pixels()));
  const cv::Rect content = box_of(fit, "content_box");
  EXPECT_EQ(content & cv::Rect(cv::Point(), scan.size()), content);
}

}  // namespace
}  // namespace lantai::deskew
