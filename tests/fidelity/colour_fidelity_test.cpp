// End to end, colour in equals colour out: the colour lot (every accepted file layout,
// seals, 红头, blue signatures, a grey and a bitonal page) goes through the real `lantai
// run`, and each derivative is compared with the page it came from. Deskew turns pages and
// border cleanup paints edges, so the comparison is by colour statistics, not pixels.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "tests/e2e/e2e_support.h"
#include "tests/fidelity/colour_lot.h"
#include "tests/fidelity/colour_measures.h"

namespace lantai::fidelity {
namespace {

// Deskew's measured angle against the angle the sheet was turned by.
constexpr double kSkewToleranceDeg = 0.3;
// Red pixels in the derivative: within this share of the original's count.
constexpr double kRedCountTolerance = 0.15;
// Mean colour of the seal's ink: within this many levels per channel.
constexpr double kSealMeanTolerance = 20;
// Blue pixels may grow by this share of the original's count, plus a few stray pixels.
constexpr double kBlueGrowthShare = 0.05;
constexpr long long kBlueGrowthPx = 50;
// Blue signature: at least this share of its blue pixels stays blue.
constexpr double kBlueKeptShare = 0.85;
// Grey and bitonal pages: largest |R − G|, |G − B| allowed in a colour derivative.
constexpr int kMaxGreyCast = 6;
// The region around the seal searched in both images: deskew moves it by up to
// r·sin(angle), about 1% of the page for the lot's ±1.5°.
constexpr double kRegionMarginShare = 0.03;

struct ComparedPage {
  const LotPage* page = nullptr;
  std::filesystem::path derivative_file;
  cv::Mat derivative;  // empty when missing or unreadable
  std::string problem;
  std::map<std::string, std::string> report_row;  // its row of reports/pages.csv; empty when absent
};

struct FidelityRun {
  std::filesystem::path dir;
  ColourLot lot;
  e2e::CommandResult command;
  double seconds = 0;
  std::vector<ComparedPage> pages;
};

std::string describe(const LotPage& page) {
  return page.file.string() + (page.frame > 0 ? " frame " + std::to_string(page.frame + 1) : "") + " (" +
         page.layout + ")";
}

std::string percent(long long original, long long derivative) {
  if (original == 0) return "n/a";
  char text[32];
  std::snprintf(text, sizeof text, "%+.1f%%", 100.0 * (derivative - original) / original);
  return text;
}

// The region in the derivative matching region in the original: deskew with an expanding
// canvas keeps the page centred, so the offset is half the growth; both are widened by
// the margin so a turned seal stays inside.
std::pair<cv::Rect, cv::Rect> matching_regions(const cv::Mat& original, const cv::Mat& derivative, cv::Rect region) {
  const int margin = static_cast<int>(kRegionMarginShare * std::max(original.cols, original.rows));
  const cv::Rect widened(region.x - margin, region.y - margin, region.width + 2 * margin, region.height + 2 * margin);
  const cv::Point shift((derivative.cols - original.cols) / 2, (derivative.rows - original.rows) / 2);
  return {widened, widened + shift};
}

class ColourFidelity : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    run_ = std::make_unique<FidelityRun>();
    std::string pattern = (std::filesystem::temp_directory_path() / "lantai-colour-fidelity-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("cannot create a folder in " + pattern);
    run_->dir = pattern;
    run_->lot = make_colour_lot(run_->dir / "lot");

    const std::filesystem::path work = run_->dir / "work";
    const auto start = std::chrono::steady_clock::now();
    run_->command = e2e::run_command({e2e::lantai_bin().string(), "run", "--profile", e2e::profile_file().string(),
                                      "--in", run_->lot.scans_dir.string(), "--catalog",
                                      run_->lot.catalogue_file.string(), "--out", work.string(), "--fonds", "J012",
                                      "--unit", "测试单位", "--jobs", "2", "--virus-db",
                                      e2e::test_virus_db().string()});
    run_->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    std::vector<std::map<std::string, std::string>> report;
    if (std::filesystem::exists(work / "reports" / "pages.csv")) report = e2e::read_csv(work / "reports" / "pages.csv");
    for (const LotPage& page : run_->lot.pages) {
      ComparedPage& compared = run_->pages.emplace_back();
      compared.page = &page;
      for (const auto& row : report)
        if (row.at("file") == page.file.string() && row.at("frame") == std::to_string(page.frame))
          compared.report_row = row;
      char name[16];
      std::snprintf(name, sizeof name, "%04d.jpg", page.serial);
      compared.derivative_file = work / "derivatives" / page.record / name;
      try {
        compared.derivative = read_jpeg(compared.derivative_file);
      } catch (const std::exception& error) {
        compared.problem = error.what();
      }
    }
  }

  static void TearDownTestSuite() {
    // A failed run leaves its lot and WORK behind for a look.
    if (::testing::UnitTest::GetInstance()->failed_test_count() == 0) std::filesystem::remove_all(run_->dir);
    else std::printf("colour fidelity: lot and WORK kept in %s\n", run_->dir.c_str());
    run_.reset();
  }

  static const FidelityRun& run() { return *run_; }

 private:
  static inline std::unique_ptr<FidelityRun> run_;
};

//! The run ends normally and every page of every layout is accepted and becomes its record's derivative at its serial.
TEST_F(ColourFidelity, EveryLayoutBecomesItsDerivative) {
  ASSERT_EQ(run().command.exit_code, 0) << run().command.output;
  std::printf("colour fidelity: lantai run took %.1f s for %zu pages\n", run().seconds, run().pages.size());
  for (const ComparedPage& compared : run().pages) {
    const LotPage& page = *compared.page;
    SCOPED_TRACE(describe(page));
    ASSERT_FALSE(compared.report_row.empty()) << "no row in reports/pages.csv";
    EXPECT_EQ(compared.report_row.at("record"), page.record);
    EXPECT_EQ(compared.report_row.at("status"), "accepted") << "findings: " << compared.report_row.at("findings");
    // The turned sheets make deskew rotate, so its resampling is part of what is compared.
    EXPECT_NEAR(std::stod(compared.report_row.at("skew_deg")), page.skew_deg, kSkewToleranceDeg);
    ASSERT_TRUE(compared.problem.empty()) << compared.problem;
    EXPECT_EQ(compared.derivative.channels(), page.ink == PageInk::colour ? 3 : 1)
        << compared.derivative_file << ": colour pages stay colour, grey and bitonal pages grey";
    // Deskew may widen the canvas by sin(angle) of the other side; nothing else changes the size.
    EXPECT_NEAR(compared.derivative.cols, page.original.cols, 0.05 * page.original.cols) << compared.derivative_file;
    EXPECT_NEAR(compared.derivative.rows, page.original.rows, 0.05 * page.original.rows) << compared.derivative_file;
  }
}

//! Seal paste and the 红头 stay red in every colour layout: the red pixel count is within ±15% and the seal's ink keeps its colour.
TEST_F(ColourFidelity, RedSealsAndLetterheadsStayRed) {
  for (const ComparedPage& compared : run().pages) {
    const LotPage& page = *compared.page;
    if (page.ink != PageInk::colour || compared.derivative.empty()) continue;
    SCOPED_TRACE(describe(page) + " → " + compared.derivative_file.string());
    const InkCounts before = count_inks(page.original), after = count_inks(compared.derivative);
    const auto [original_region, derivative_region] =
        matching_regions(page.original, compared.derivative, page.seal_px);
    const RegionInk seal_before = region_ink(page.original, original_region);
    const RegionInk seal_after = region_ink(compared.derivative, derivative_region);
    std::printf("  %-60s red %8lld → %8lld (%s)  seal BGR (%3.0f,%3.0f,%3.0f) → (%3.0f,%3.0f,%3.0f)\n",
                describe(page).c_str(), before.red_px, after.red_px, percent(before.red_px, after.red_px).c_str(),
                seal_before.mean_bgr[0], seal_before.mean_bgr[1], seal_before.mean_bgr[2], seal_after.mean_bgr[0],
                seal_after.mean_bgr[1], seal_after.mean_bgr[2]);

    ASSERT_GT(before.red_px, 1000) << "the lot's page has no red to compare";
    EXPECT_NEAR(static_cast<double>(after.red_px), static_cast<double>(before.red_px),
                kRedCountTolerance * before.red_px)
        << "red pixels: " << before.red_px << " in the original, " << after.red_px << " in the derivative ("
        << percent(before.red_px, after.red_px) << ")";
    ASSERT_GT(seal_after.pixels, 0) << "no coloured ink left where the seal was";
    const char* channel[] = {"B", "G", "R"};
    for (int c = 0; c < 3; ++c)
      EXPECT_NEAR(seal_after.mean_bgr[c], seal_before.mean_bgr[c], kSealMeanTolerance)
          << "seal ink, channel " << channel[c] << ": original BGR (" << seal_before.mean_bgr[0] << ", "
          << seal_before.mean_bgr[1] << ", " << seal_before.mean_bgr[2] << "), derivative BGR ("
          << seal_after.mean_bgr[0] << ", " << seal_after.mean_bgr[1] << ", " << seal_after.mean_bgr[2] << ")";
  }
}

//! Blue ink stays blue and no blue appears that the original lacks (the mark of red and blue swapped).
TEST_F(ColourFidelity, BlueStaysBlueAndNoBlueAppears) {
  for (const ComparedPage& compared : run().pages) {
    const LotPage& page = *compared.page;
    if (page.ink != PageInk::colour || compared.derivative.empty()) continue;
    SCOPED_TRACE(describe(page) + " → " + compared.derivative_file.string());
    const InkCounts before = count_inks(page.original), after = count_inks(compared.derivative);
    EXPECT_LE(after.blue_px, before.blue_px * (1 + kBlueGrowthShare) + kBlueGrowthPx)
        << "blue pixels: " << before.blue_px << " in the original, " << after.blue_px << " in the derivative ("
        << percent(before.blue_px, after.blue_px) << ")";

    const auto [original_region, derivative_region] =
        matching_regions(page.original, compared.derivative, page.signature_px);
    const long long signature_before = count_inks(page.original(original_region & cv::Rect(cv::Point(), page.original.size()))).blue_px;
    const long long signature_after =
        count_inks(compared.derivative(derivative_region & cv::Rect(cv::Point(), compared.derivative.size()))).blue_px;
    ASSERT_GT(signature_before, 200) << "the lot's page has no blue signature to compare";
    EXPECT_GE(signature_after, kBlueKeptShare * signature_before)
        << "blue signature pixels: " << signature_before << " in the original, " << signature_after
        << " in the derivative (" << percent(signature_before, signature_after) << ")";
  }
}

//! Grey and bitonal pages come out without a colour cast.
TEST_F(ColourFidelity, GreyAndBitonalPagesGainNoColourCast) {
  int neutral_pages = 0;
  for (const ComparedPage& compared : run().pages) {
    const LotPage& page = *compared.page;
    if (page.ink == PageInk::colour || compared.derivative.empty()) continue;
    ++neutral_pages;
    SCOPED_TRACE(describe(page) + " → " + compared.derivative_file.string());
    EXPECT_LE(max_colour_cast(compared.derivative), kMaxGreyCast);
    const InkCounts after = count_inks(compared.derivative);
    EXPECT_EQ(after.red_px, 0);
    EXPECT_EQ(after.blue_px, 0);
  }
  EXPECT_EQ(neutral_pages, 2) << "the grey and the bitonal page";
}

}  // namespace
}  // namespace lantai::fidelity
