// 拼接 through the real `lantai run`: a record whose second page was scanned in two parts
// (0002a.png, 0002b.png) comes out as one item with one derivative; a record whose two
// "parts" are of different pages is quarantined with stitch.failed, its parts left as they
// were, and the batch goes on; a part changed after a run redoes its page.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <map>

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

const std::string kGood = "J012-WS·2021-Y-BGS-0001";
const std::string kBad = "J012-WS·2021-Y-BGS-0002";

// The top and bottom of a page, overlapping by `overlap` of a part, the bottom one turned
// by turn_deg as the sheet lay a little differently on the glass.
std::pair<cv::Mat, cv::Mat> halves(const cv::Mat& page, double overlap, double turn_deg) {
  const int height = static_cast<int>(std::lround(page.rows / (2 - overlap)));
  cv::Mat top = page(cv::Rect(0, 0, page.cols, height)).clone();
  cv::Mat bottom = page(cv::Rect(0, page.rows - height, page.cols, height));
  const cv::Mat turn = cv::getRotationMatrix2D(cv::Point2f(page.cols / 2.0f, height / 2.0f), turn_deg, 1.0);
  cv::Mat turned;
  cv::warpAffine(bottom, turned, turn, bottom.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(255));
  return {top, turned};
}

class SplitPages : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = e2e_dir().parent_path() / "e2e-stitch";
    fs::remove_all(dir_);
    const fs::path scans = dir_ / "lot" / "scans";
    const auto first = orient::testing::make_turned_page(PageClass::chinese, 0, 501);
    const auto second = orient::testing::make_turned_page(PageClass::chinese, 0, 502);
    const auto other = orient::testing::make_turned_page(PageClass::chinese, 0, 503);
    dpi_ = second.resolution_dpi;
    sheet_size_ = second.upright.size();
    write_file_atomically(scans / fs::u8path(kGood) / "0001.png", samples::encode_png(first.upright, dpi_));
    const auto [top, bottom] = halves(second.upright, 0.4, 0.3);
    write_file_atomically(scans / fs::u8path(kGood) / "0002a.png", samples::encode_png(top, dpi_));
    write_file_atomically(scans / fs::u8path(kGood) / "0002b.png", samples::encode_png(bottom, dpi_));
    // The bad record: the top of one page and the bottom of another.
    write_file_atomically(scans / fs::u8path(kBad) / "0001a.png", samples::encode_png(top, dpi_));
    write_file_atomically(scans / fs::u8path(kBad) / "0001b.png",
                          samples::encode_png(halves(other.upright, 0.4, 0).second, dpi_));
    write_file_atomically(dir_ / "lot" / "catalogue.csv",
                          "档号,题名,责任者,文号,日期,页数,保管期限,密级,备注\r\n" +
                              csv_line({kGood, "拼接", "临江市档案局", "", "20210308", "2", "永久", "", ""}, "\r\n") +
                              csv_line({kBad, "拼接失败", "临江市档案局", "", "20210308", "1", "永久", "", ""}, "\r\n"));
    original_part_ = slurp(scans / fs::u8path(kBad) / "0001b.png");
    run_ = run();
  }

  static CommandResult run() {
    return run_command({lantai_bin().string(), "run", "--profile", profile_file().string(), "--in",
                        (dir_ / "lot" / "scans").string(), "--catalog", (dir_ / "lot" / "catalogue.csv").string(),
                        "--out", (dir_ / "work").string(), "--fonds", "J012", "--unit", "示例市档案馆", "--jobs", "2",
                        "--virus-db", test_virus_db().string()});
  }

  static std::map<std::string, std::string> row_of(const std::string& file) {
    for (const auto& row : read_csv(dir_ / "work" / "reports" / "pages.csv"))
      if (row.at("file") == file) return row;
    return {};
  }

  static inline fs::path dir_;
  static inline int dpi_ = 300;
  static inline cv::Size sheet_size_;
  static inline std::string original_part_;
  static inline CommandResult run_;
};

//! The page in two parts is one item, accepted, with its seam measured, and one derivative of the page's size.
TEST_F(SplitPages, APageInPartsIsOneItemWithOneDerivative) {
  ASSERT_EQ(run_.exit_code, 0) << run_.output;
  const auto pages = read_csv(dir_ / "work" / "reports" / "pages.csv");
  EXPECT_EQ(pages.size(), 3u);
  const auto row = row_of(kGood + "/0002a.png");
  ASSERT_FALSE(row.empty());
  EXPECT_EQ(row.at("status"), "accepted") << row.at("findings");
  EXPECT_EQ(row.at("stitch_parts"), "2");
  EXPECT_NEAR(std::stod(row.at("stitch_overlap_share")), 0.4, 0.02);
  EXPECT_TRUE(row_of(kGood + "/0002b.png").empty()) << "a part is not an item of its own";
  std::vector<std::string> derivatives;
  for (const auto& entry : fs::directory_iterator(dir_ / "work" / "derivatives" / fs::u8path(kGood)))
    derivatives.push_back(entry.path().filename().string());
  std::sort(derivatives.begin(), derivatives.end());
  EXPECT_EQ(derivatives, (std::vector<std::string>{"0001.jpg", "0002.jpg"}));
  EXPECT_FALSE(decode_jpeg(slurp(dir_ / "work" / "derivatives" / fs::u8path(kGood) / "0002.jpg")).empty());
  // The stitched page (decode's width and height) is the sheet's size, within what the
  // turn of part b adds at its corners.
  EXPECT_NEAR(std::stoi(row.at("width_px")), sheet_size_.width, 30);
  EXPECT_NEAR(std::stoi(row.at("height_px")), sheet_size_.height, 30);
}

//! Parts of two pages: the item is quarantined with stitch.failed naming both files; the parts are untouched; the good record is deposited.
TEST_F(SplitPages, PartsOfTwoPagesGoToReview) {
  ASSERT_EQ(run_.exit_code, 0) << run_.output;
  const auto row = row_of(kBad + "/0001a.png");
  ASSERT_FALSE(row.empty());
  EXPECT_EQ(row.at("status"), "quarantined");
  EXPECT_NE(row.at("findings").find("stitch.failed"), std::string::npos) << row.at("findings");
  bool named = false;
  for (const auto& finding : read_csv(dir_ / "work" / "reports" / "findings.csv"))
    if (finding.at("code") == "stitch.failed")
      named = finding.at("message").find(kBad + "/0001a.png + " + kBad + "/0001b.png") != std::string::npos;
  EXPECT_TRUE(named);
  EXPECT_EQ(slurp(dir_ / "lot" / "scans" / fs::u8path(kBad) / "0001b.png"), original_part_);
  EXPECT_TRUE(fs::exists(bag_of(dir_ / "work") / "data"));
}

//! A rerun redoes nothing; a part replaced afterwards redoes its page.
TEST_F(SplitPages, AChangedPartRedoesItsPage) {
  ASSERT_EQ(run_.exit_code, 0) << run_.output;
  const fs::path derivative = dir_ / "work" / "derivatives" / fs::u8path(kGood) / "0002.jpg";
  const std::string before = slurp(derivative);
  const auto written = fs::last_write_time(derivative);
  const auto again = run();
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(fs::last_write_time(derivative), written) << "nothing changed, nothing redone";

  // Part b scanned again, lying a little differently on the glass and a little lighter.
  const auto second = orient::testing::make_turned_page(PageClass::chinese, 0, 502);
  cv::Mat rescanned;
  halves(second.upright, 0.4, -0.2).second.convertTo(rescanned, -1, 1.0, 8);
  write_file_atomically(dir_ / "lot" / "scans" / fs::u8path(kGood) / "0002b.png",
                        samples::encode_png(rescanned, dpi_));
  const auto changed = run();
  ASSERT_EQ(changed.exit_code, 0) << changed.output;
  EXPECT_TRUE(slurp(derivative) != before) << "the page was not redone after its part b changed";
}

}  // namespace
}  // namespace lantai::e2e
