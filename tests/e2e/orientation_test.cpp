// Pages fed into the scanner turned, through the real `lantai run`: each comes out upright,
// equal to the same page scanned the right way up, and its OCR text reads.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include <map>

#include "pipeline/catalog.h"
#include "pipeline/csv.h"
#include "pipeline/files.h"
#include "pipeline/jpeg_codec.h"
#include "samples/image_encoder.h"
#include "tests/e2e/e2e_support.h"
#include "tests/stages/orient/turned_pages.h"

namespace lantai::e2e {
namespace {

namespace fs = std::filesystem;
using orient::testing::PageClass;
using orient::testing::TurnedPage;

constexpr std::uint32_t kPageSeed = 20261130;
const int kTurns[] = {0, 90, 180, 270};

std::string ref_of(int turn) {
  return "J012-WS·2021-Y-BGS-000" + std::to_string(1 + turn / 90);
}

// One Chinese 文书 page, scanned upright, then fed turned by 90, 180 and 270: one record each
// (the same sheet four times in one record would be a duplicate).
class TurnedPages : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = e2e_dir().parent_path() / "e2e-orientation";
    fs::remove_all(dir_);
    std::string catalogue = "档号,题名,责任者,文号,日期,页数,保管期限,密级,备注\r\n";
    for (int turn : kTurns) {
      TurnedPage page = orient::testing::make_turned_page(PageClass::chinese, turn, kPageSeed);
      text_ = page.text;
      write_file_atomically(dir_ / "lot" / "scans" / fs::u8path(ref_of(turn)) / "0001.png",
                            samples::encode_png(page.scan, page.resolution_dpi));
      catalogue += csv_line({ref_of(turn), "页面方向", "临江市档案局", "", "20210308", "1", "永久", "", ""}, "\r\n");
    }
    write_file_atomically(dir_ / "lot" / "catalogue.csv", catalogue);
    run_ = run_command({lantai_bin().string(), "run", "--profile", profile_file().string(), "--in",
                        (dir_ / "lot" / "scans").string(), "--catalog", (dir_ / "lot" / "catalogue.csv").string(),
                        "--out", (dir_ / "work").string(), "--fonds", "J012", "--unit", "示例市档案馆", "--jobs", "2",
                        "--virus-db", test_virus_db().string()});
  }

  static cv::Mat derivative(int turn) {
    return decode_jpeg(slurp(dir_ / "work" / "derivatives" / fs::u8path(ref_of(turn)) / "0001.jpg"));
  }

  static inline fs::path dir_;
  static inline std::string text_;
  static inline CommandResult run_;
};

// Mean grey difference of two pages at a twelfth of their size (JPEG noise and a pixel of
// deskew rounding vanish; a page turned the wrong way does not).
double difference(const cv::Mat& a, const cv::Mat& b) {
  if (a.size() != b.size()) return 255;
  cv::Mat small_a, small_b, grey_a = a, grey_b = b;
  if (a.channels() == 3) cv::cvtColor(a, grey_a, cv::COLOR_BGR2GRAY);
  if (b.channels() == 3) cv::cvtColor(b, grey_b, cv::COLOR_BGR2GRAY);
  cv::resize(grey_a, small_a, cv::Size(), 1.0 / 12, 1.0 / 12, cv::INTER_AREA);
  cv::resize(grey_b, small_b, cv::Size(), 1.0 / 12, 1.0 / 12, cv::INTER_AREA);
  return cv::mean(cv::abs(small_a - small_b))[0];
}

//! Each turned page is measured with the turn it needs (orientation_deg in pages.csv), accepted, and the run verifies.
TEST_F(TurnedPages, TurnIsMeasuredAndRecorded) {
  ASSERT_EQ(run_.exit_code, 0) << run_.output;
  const auto pages = read_csv(dir_ / "work" / "reports" / "pages.csv");
  ASSERT_EQ(pages.size(), 4u);
  for (const auto& row : pages) {
    const int turn = (std::stoi(row.at("file").substr(row.at("file").find('/') - 1, 1)) - 1) * 90;
    EXPECT_EQ(row.at("orientation_deg"), std::to_string(turn)) << row.at("file");
    EXPECT_GE(std::stod(row.at("orientation_confidence")), 0.3) << row.at("file");
    EXPECT_EQ(row.at("status"), "accepted") << row.at("file") << ": " << row.at("findings");
    EXPECT_EQ(row.at("findings").find("orient."), std::string::npos) << row.at("findings");
  }
}

//! The derivative of each turned page equals the upright page's (same size, less than a quarter as far from it as the upright page is from itself turned half round).
TEST_F(TurnedPages, DerivativesComeOutUpright) {
  ASSERT_EQ(run_.exit_code, 0) << run_.output;
  const cv::Mat upright = derivative(0);
  ASSERT_FALSE(upright.empty());
  cv::Mat upside_down;
  cv::rotate(upright, upside_down, cv::ROTATE_180);
  const double turned_away = difference(upright, upside_down);
  EXPECT_GT(turned_away, 2.0) << "the page must look different turned";
  for (int turn : {90, 180, 270}) {
    const cv::Mat page = derivative(turn);
    ASSERT_EQ(page.size(), upright.size()) << turn;
    EXPECT_LT(difference(page, upright), turned_away / 4) << turn;
  }
}

//! OCR reads every turned page as well as the upright one: most of the page's characters come back.
TEST_F(TurnedPages, OcrReadsTheTurnedPages) {
  ASSERT_EQ(run_.exit_code, 0) << run_.output;
  const double upright = character_recall(text_, slurp(dir_ / "work" / "ocr" / fs::u8path(ref_of(0)) / "0001.txt"));
  EXPECT_GE(upright, 0.75);
  for (int turn : {90, 180, 270}) {
    const double recall = character_recall(text_, slurp(dir_ / "work" / "ocr" / fs::u8path(ref_of(turn)) / "0001.txt"));
    EXPECT_GE(recall, 0.75) << turn;
    EXPECT_NEAR(recall, upright, 0.05) << turn;
  }
}

}  // namespace
}  // namespace lantai::e2e
