// The graph runner through the real stage interface: a stage that throws quarantines its
// page, never the batch; a rerun does no page twice.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <fstream>

#include "pipeline/files.h"
#include "pipeline/runner.h"
#include "stages/derivatives/derivative_stage.h"
#include "stages/stage_sequence.h"

namespace lantai {
namespace {

namespace fs = std::filesystem;

// Fails on purpose on one file, as a buggy stage would.
class ThrowingStage : public PageStage {
 public:
  explicit ThrowingStage(std::string victim) : victim_(std::move(victim)) {}
  StageInfo describe() const override { return {"throwing", "Throws on one page.", "1", {}}; }
  void setup(ProfileSection&, const StageContext&) override {}
  Outcome process(Page& page) const override {
    ++calls;
    if (page.rel_path == victim_) throw std::logic_error("deliberate failure");
    return {};
  }
  mutable std::atomic<int> calls{0};

 private:
  std::string victim_;
};

// A small lot: two records of two printed pages each, 200 dpi.
fs::path make_lot(const std::string& name) {
  fs::path lot = fs::temp_directory_path() / ("lantai-runner-" + name);
  fs::remove_all(lot);
  for (const std::string record : {"J012-WS·2021-Y-BGS-0001", "J012-WS·2021-Y-BGS-0002"})
    for (int page = 1; page <= 2; ++page) {
      cv::Mat image(2339, 1654, CV_8UC1, cv::Scalar(250));
      cv::putText(image, "RECORD " + record.substr(record.size() - 1) + " PAGE " + std::to_string(page), {150, 400},
                  cv::FONT_HERSHEY_SIMPLEX, 3.0, cv::Scalar(0), 6);
      for (int line = 0; line < 8; ++line)
        cv::putText(image, "Archive line " + std::to_string(line * page), {150, 700 + line * 120},
                    cv::FONT_HERSHEY_SIMPLEX, 2.0, cv::Scalar(20), 4);
      write_file_atomically(lot / "scans" / fs::u8path(record) / ("000" + std::to_string(page) + ".jpg"),
                            derivatives::encode_jpeg(image, 90, 200.0));
    }
  std::ofstream(lot / "catalogue.csv") << "档号,题名,页数\n"
                                          "J012-WS·2021-Y-BGS-0001,第一件,2\n"
                                          "J012-WS·2021-Y-BGS-0002,第二件,2\n";
  return lot;
}

RunOptions options_for(const fs::path& lot) {
  RunOptions options;
  options.profile_file = LANTAI_PROFILE;
  options.input_root = lot / "scans";
  options.catalog_file = lot / "catalogue.csv";
  options.work_dir = lot / "work";
  options.fonds_code = "J012";
  options.unit_name = "测试单位";
  options.jobs = 2;
  options.show_progress = false;
  return options;
}

//! An exception in a stage becomes internal.exception on that page; the rest of the batch is deposited and verifies.
TEST(Runner, ThrowingStageQuarantinesOnlyItsPage) {
  fs::path lot = make_lot("throwing");
  StageSequence stages = make_stage_sequence();
  auto throwing = std::make_unique<ThrowingStage>("J012-WS·2021-Y-BGS-0002/0001.jpg");
  stages.page_stages.insert(stages.page_stages.begin() + 1, std::move(throwing));
  RunSummary summary = run_batch(options_for(lot), stages);
  EXPECT_EQ(summary.pages_in, 4);
  EXPECT_EQ(summary.pages_quarantined, 1);
  EXPECT_EQ(summary.pages_accepted, 3);
  EXPECT_EQ(summary.reject_counts["internal.exception"], 1);
  EXPECT_EQ(summary.records_deposited, 1);
  EXPECT_EQ(summary.records_withheld, 1);
  EXPECT_TRUE(summary.verified);
  std::ifstream findings(lot / "work" / "reports" / "findings.csv");
  std::string text((std::istreambuf_iterator<char>(findings)), {});
  EXPECT_NE(text.find("internal.exception"), std::string::npos);
  EXPECT_NE(text.find("deliberate failure"), std::string::npos);
}

//! A second run of a finished batch processes no page again and gives the same payload.
TEST(Runner, RerunDoesNoPageTwice) {
  fs::path lot = make_lot("rerun");
  StageSequence first = make_stage_sequence();
  RunSummary one = run_batch(options_for(lot), first);
  EXPECT_EQ(one.pages_processed_now, 4);
  std::string manifest = read_file(one.bag_dir / "manifest-sha256.txt");

  StageSequence second = make_stage_sequence();
  auto counting = std::make_unique<ThrowingStage>("none");
  ThrowingStage* counter = counting.get();
  second.page_stages.insert(second.page_stages.begin(), std::move(counting));
  RunSummary two = run_batch(options_for(lot), second);
  EXPECT_EQ(two.pages_processed_now, 0);
  EXPECT_EQ(counter->calls, 0);
  EXPECT_EQ(read_file(two.bag_dir / "manifest-sha256.txt"), manifest);
  EXPECT_TRUE(two.verified);
}

//! A page whose derivative was deleted from WORK is processed again, and the bag is whole.
TEST(Runner, RedoesPageWhoseOutputWasLost) {
  fs::path lot = make_lot("lost");
  StageSequence first = make_stage_sequence();
  RunSummary one = run_batch(options_for(lot), first);
  std::string manifest = read_file(one.bag_dir / "manifest-sha256.txt");
  fs::remove(lot / "work" / "derivatives" / fs::u8path("J012-WS·2021-Y-BGS-0001") / "0002.jpg");

  StageSequence second = make_stage_sequence();
  RunSummary two = run_batch(options_for(lot), second);
  EXPECT_EQ(two.pages_processed_now, 1);
  EXPECT_TRUE(fs::exists(lot / "work" / "derivatives" / fs::u8path("J012-WS·2021-Y-BGS-0001") / "0002.jpg"));
  EXPECT_EQ(read_file(two.bag_dir / "manifest-sha256.txt"), manifest);
  EXPECT_TRUE(two.verified);
}

//! A WORK folder started with another profile is refused rather than mixed.
TEST(Runner, RefusesWorkOfAnotherProfile) {
  fs::path lot = make_lot("profile");
  StageSequence stages = make_stage_sequence();
  run_batch(options_for(lot), stages);
  fs::path changed = lot / "changed.yaml";
  std::ofstream(changed) << read_file(LANTAI_PROFILE) << "\n# changed\n";
  RunOptions options = options_for(lot);
  options.profile_file = changed;
  StageSequence again = make_stage_sequence();
  EXPECT_THROW(run_batch(options, again), RunError);
}

}  // namespace
}  // namespace lantai
