// OCR through the real Tesseract with Debian's language data.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <yaml-cpp/yaml.h>

#include "pipeline/files.h"
#include "pipeline/utf8.h"
#include "stages/ocr/ocr_stage.h"
#include "tests/stages/orient/turned_pages.h"
#include "tests/stages/item_stage_support.h"

namespace lantai::ocr {
namespace {

void set_up(OcrStage& stage, const std::filesystem::path& work, const std::string& yaml = "{}") {
  YAML::Node node = YAML::Load(yaml);
  ProfileSection section("test.yaml", "ocr", node);
  stage.setup(section, StageContext{work, {}, 1});
  section.finish();
}

//! Printed English text is read back and written to WORK/ocr/<档号>/<serial>.txt, with its words, boxes and confidences as hOCR and ALTO, and the model that read it named.
TEST(OcrStage, ReadsPrintedText) {
  auto work = std::filesystem::temp_directory_path() / "lantai-ocr";
  OcrStage stage;
  set_up(stage, work);
  cv::Mat pixels(700, 1800, CV_8UC1, cv::Scalar(255));
  cv::putText(pixels, "ARCHIVE RECORDS 2021", {100, 300}, cv::FONT_HERSHEY_SIMPLEX, 3.0, cv::Scalar(0), 8);
  const Item page = stage_testing::page_item(pixels, 300.0, "A/0001.png");
  Outcome outcome = stage.process(page);
  ASSERT_EQ(outcome.outputs.size(), 4u);
  EXPECT_EQ(outcome.outputs[0].path, "ocr/A/0001.txt");
  EXPECT_EQ(outcome.outputs[1].path, "ocr/A/0001.hocr");
  EXPECT_EQ(outcome.outputs[2].path, "ocr/A/0001.alto.xml");
  EXPECT_EQ(outcome.outputs[3].path, "ocr/A/0001.layer.pdf");
  // The text layer: a one-page PDF of the page's size (1800 x 700 px at 300 dpi), text only, no temp file left.
  const std::string layer = read_file(work / "ocr/A/0001.layer.pdf");
  EXPECT_EQ(layer.rfind("%PDF-", 0), 0u);
  EXPECT_NE(layer.find("/MediaBox [0 0 432.00 168.00]"), std::string::npos);
  EXPECT_NE(layer.find("GlyphLessFont"), std::string::npos);
  EXPECT_EQ(layer.find("/Subtype /Image"), std::string::npos);  // text only: the image is the derivative
  for (const auto& entry : std::filesystem::directory_iterator(work / "ocr/A"))
    EXPECT_EQ(entry.path().filename().string().find(".lantai-tmp."), std::string::npos) << entry.path();
  std::string text = read_file(work / "ocr/A/0001.txt");
  EXPECT_NE(text.find("ARCHIVE"), std::string::npos) << text;
  EXPECT_NE(text.find("2021"), std::string::npos) << text;
  const std::string hocr = read_file(work / "ocr/A/0001.hocr");
  EXPECT_NE(hocr.find("ocrx_word"), std::string::npos);
  EXPECT_NE(hocr.find("x_wconf"), std::string::npos);
  EXPECT_NE(hocr.find(">ARCHIVE<"), std::string::npos) << hocr;
  EXPECT_NE(read_file(work / "ocr/A/0001.alto.xml").find("CONTENT=\"ARCHIVE\""), std::string::npos);
  EXPECT_GE(outcome.measurements.number("ocr_chars").value_or(0), 16);
  EXPECT_GE(outcome.measurements.number("ocr_confidence").value_or(0), 65);
  EXPECT_GE(outcome.measurements.number("ocr_worst_line_confidence").value_or(0), 65);
  EXPECT_EQ(outcome.measurements.number("ocr_dpi"), 300.0);
  const std::string model = outcome.measurements.text("ocr_model");
  EXPECT_NE(model.find("chi_sim@"), std::string::npos) << model;
  EXPECT_NE(model.find("+eng@"), std::string::npos) << model;
  EXPECT_TRUE(outcome.findings.empty());
}

// Character errors in reading order, white space dropped and full-width forms folded.
double character_error_rate(const std::string& truth, const std::string& read) {
  auto comparable = [](const std::string& text) {
    std::u32string out;
    for (char32_t c : to_code_points(text))
      if (c != ' ' && c != '\n' && c != 0x3000 && c != '\f') out.push_back(c >= 0xFF01 && c <= 0xFF5E ? c - 0xFEE0 : c);
    return out;
  };
  const std::u32string want = comparable(truth);
  return static_cast<double>(edit_distance(want, comparable(read))) / static_cast<double>(want.size());
}

//! Chinese set vertically (竖排) reads in column order with chi_sim_vert among the
//! languages, and not at all without it: the model matters, not the page's turn.
TEST(OcrStage, ReadsVerticalChineseWithTheVerticalModel) {
  const orient::testing::TurnedPage vertical = orient::testing::make_vertical_page(0, 60, true);
  const Item page = stage_testing::page_item(vertical.scan, vertical.resolution_dpi, "V/0001.png");
  auto work = std::filesystem::temp_directory_path() / "lantai-ocr-vertical";
  OcrStage with_vertical, without;
  set_up(with_vertical, work, "languages: chi_sim+eng+chi_sim_vert\n");
  with_vertical.process(page);
  const double vertical_errors = character_error_rate(vertical.text, read_file(work / "ocr/V/0001.txt"));
  set_up(without, work);
  without.process(page);
  const double horizontal_errors = character_error_rate(vertical.text, read_file(work / "ocr/V/0001.txt"));
  EXPECT_LT(vertical_errors, 0.15);
  EXPECT_GT(horizontal_errors, 0.5);
}

//! A page finer than the reading resolution is read from a reduced copy, and still read.
TEST(OcrStage, ReadsAFinePageFromAReducedCopy) {
  auto work = std::filesystem::temp_directory_path() / "lantai-ocr-fine";
  OcrStage stage;
  set_up(stage, work, "{max_resolution_dpi: 300}");
  cv::Mat pixels(1400, 3600, CV_8UC1, cv::Scalar(255));
  cv::putText(pixels, "ARCHIVE RECORDS 2021", {200, 600}, cv::FONT_HERSHEY_SIMPLEX, 6.0, cv::Scalar(0), 16);
  const Outcome outcome = stage.process(stage_testing::page_item(pixels, 600.0, "A/0001.tif"));
  EXPECT_EQ(outcome.measurements.number("ocr_dpi"), 300.0);
  EXPECT_NE(read_file(work / "ocr/A/0001.txt").find("RECORDS"), std::string::npos);
  EXPECT_NE(read_file(work / "ocr/A/0001.hocr").find("bbox 0 0 1800 700"), std::string::npos);
  // The text layer is the reduced copy's page: at 300 dpi, the same size in points as the page at 600.
  EXPECT_NE(read_file(work / "ocr/A/0001.layer.pdf").find("/MediaBox [0 0 432.00 168.00]"), std::string::npos);
}

//! A page read upside down gives text Tesseract is unsure of: it goes to review as ocr.low_confidence, not silently into the catalogue.
TEST(OcrStage, UnsureReadingGoesToReview) {
  auto work = std::filesystem::temp_directory_path() / "lantai-ocr-unsure";
  OcrStage stage;
  set_up(stage, work);
  cv::Mat pixels(900, 2000, CV_8UC1, cv::Scalar(255));
  cv::putText(pixels, "Registration of archives", {100, 300}, cv::FONT_HERSHEY_SIMPLEX, 2.5, cv::Scalar(0), 6);
  cv::putText(pixels, "backup centre 2021 form", {100, 600}, cv::FONT_HERSHEY_SIMPLEX, 2.5, cv::Scalar(0), 6);
  cv::rotate(pixels, pixels, cv::ROTATE_180);
  const Outcome outcome = stage.process(stage_testing::page_item(pixels, 300.0, "A/0001.png"));
  ASSERT_EQ(outcome.findings.size(), 1u) << read_file(work / "ocr/A/0001.txt");
  EXPECT_EQ(outcome.findings[0].code, "ocr.low_confidence");
  EXPECT_EQ(outcome.findings[0].threshold, "65");
  EXPECT_LT(outcome.measurements.number("ocr_confidence").value_or(100), 50);
  EXPECT_FALSE(outcome.rejected());
}

//! A colour page is read in colour and its pixels are left exactly as they were (red stays red for the deposit).
TEST(OcrStage, LeavesColourPixelsAsTheyWere) {
  auto work = std::filesystem::temp_directory_path() / "lantai-ocr-colour";
  OcrStage stage;
  set_up(stage, work);
  cv::Mat pixels(700, 1800, CV_8UC3, cv::Scalar(235, 240, 245));
  cv::putText(pixels, "SEALED 2021", {100, 300}, cv::FONT_HERSHEY_SIMPLEX, 3.0, cv::Scalar(0, 0, 0), 8);
  cv::circle(pixels, {1500, 400}, 150, cv::Scalar(30, 30, 210), 12);  // a red seal, BGR
  const Item page = stage_testing::page_item(pixels, 300.0, "A/0003.png");
  const Outcome outcome = stage.process(page);
  EXPECT_FALSE(outcome.image.has_value());
  EXPECT_EQ(cv::norm(page.image.pixels(), pixels, cv::NORM_INF), 0);
  EXPECT_EQ(page.image.pixels().at<cv::Vec3b>(400, 1650), cv::Vec3b(30, 30, 210));
  EXPECT_NE(read_file(work / "ocr/A/0001.txt").find("SEALED"), std::string::npos);
}

//! A white page yields no text and an ocr.no_text note, not a rejection.
TEST(OcrStage, WhitePageHasNoText) {
  OcrStage stage;
  set_up(stage, std::filesystem::temp_directory_path() / "lantai-ocr-white");
  const Item page = stage_testing::page_item(cv::Mat(600, 500, CV_8UC1, cv::Scalar(255)), std::nullopt, "A/0002.png");
  Outcome outcome = stage.process(page);
  ASSERT_EQ(outcome.findings.size(), 1u);
  EXPECT_EQ(outcome.findings[0].code, "ocr.no_text");
  EXPECT_FALSE(outcome.rejected());
}

//! Missing language data stops the batch at setup with a message naming the package to install.
TEST(OcrStage, MissingLanguageFailsAtSetup) {
  OcrStage stage;
  try {
    set_up(stage, "/tmp", "{languages: xyz_nonexistent}");
    FAIL() << "setup accepted a missing language";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("tesseract-ocr"), std::string::npos) << error.what();
  }
}

//! Spaces Tesseract puts between Chinese characters go; spaces between Latin words stay.
TEST(OcrStage, JoinsCjk) {
  EXPECT_EQ(join_cjk("关 于 档 案 工 作"), "关于档案工作");
  EXPECT_EQ(join_cjk("DA/T 31 规 范"), "DA/T 31 规范");
  EXPECT_EQ(join_cjk("第 一 行\n第 二 行"), "第一行\n第二行");
}

}  // namespace
}  // namespace lantai::ocr
