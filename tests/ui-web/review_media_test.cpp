// The review server on photos and recordings: a lot of its own (a photo, a video, a sound
// recording, made at test time) run through the real `lantai run`; the processed pane
// shows the photo's access copy, the video's contact sheet and the sound's waveform, and
// corrections no stage of their chain applies (turning, straightening, cropping) are refused.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "pipeline/files.h"
#include "tests/e2e/e2e_support.h"
#include "tests/support/photo_files.h"
#include "tests/support/test_virus_db.h"
#include "tests/ui-web/media_lot.h"
#include "tests/ui-web/review_fixture.h"

namespace lantai::review::testing {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

fs::path media_root() { return fs::path(LANTAI_REVIEW_DIR) / ("media-" + std::to_string(::getpid())); }

class ReviewMediaTest : public ::testing::Test {
 protected:
  // A lot that cannot be made or run fails every test (never skips it): SetUp reports why.
  static void SetUpTestSuite() {
    try {
      make_and_run_lot();
      server_ = new RunningServer(media_root() / "work");
    } catch (const std::exception& error) {
      setup_error_ = error.what();
    }
  }
  void SetUp() override { ASSERT_NE(server_, nullptr) << setup_error_; }
  static void make_and_run_lot() {
    fs::remove_all(media_root());
    write_media_lot(media_root() / "lot");
    const fs::path scans = media_root() / "lot" / "scans";
    const e2e::CommandResult run = e2e::run_command(
        {e2e::lantai_bin().string(), "run", "--profile", e2e::profile_file().string(), "--in", scans.string(), "--catalog",
         (media_root() / "lot" / "catalogue.csv").string(), "--out", (media_root() / "work").string(), "--fonds", "J012",
         "--unit", "示例市档案馆", "--jobs", "2", "--virus-db", test_support::write_test_virus_db(media_root() / "virus-db").string()});
    if (run.exit_code != 0) throw std::runtime_error("lantai run on the media lot failed: " + run.output);
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    fs::remove_all(media_root());
  }

  static httplib::Headers headers_of(const LoggedIn& session) {
    return {{"Cookie", session.cookie}, {"X-CSRF-Token", session.csrf}};
  }
  static std::string item_of(const std::string& ref) {
    for (const ItemRow& row : server_->service().ledger().items(ref)) return row.item.item_id;
    return {};
  }
  static json get_json(const LoggedIn& session, const std::string& path) {
    auto response = server_->client().Get(path.c_str(), headers_of(session));
    if (!response || response->status != 200) return {};
    return json::parse(response->body, nullptr, false);
  }
  static cv::Mat get_image(const LoggedIn& session, const std::string& path) {
    auto response = server_->client().Get(path.c_str(), headers_of(session));
    if (!response || response->status != 200 || response->get_header_value("Content-Type") != "image/jpeg") return {};
    return cv::imdecode(cv::Mat(1, static_cast<int>(response->body.size()), CV_8U, response->body.data()),
                        cv::IMREAD_COLOR);
  }

  static RunningServer* server_;
  static inline std::string setup_error_;
};
RunningServer* ReviewMediaTest::server_ = nullptr;

//! A photo's processed pane is its access copy (upright, as served to users); it offers no turning, straightening or cropping.
TEST_F(ReviewMediaTest, PhotoShowsItsAccessCopy) {
  const LoggedIn session = log_in(server_->client(), kInspector);
  const std::string id = item_of(kMediaPhoto);
  ASSERT_FALSE(id.empty());
  const json item = get_json(session, "/api/items/" + encode_segment(id));
  ASSERT_TRUE(item.is_object());
  EXPECT_EQ(item["kind"], "photo") << item.dump();
  EXPECT_TRUE(item["images"]["original"].get<bool>());
  EXPECT_TRUE(item["images"]["processed"].get<bool>()) << item["findings"].dump();
  EXPECT_EQ(item["images"]["processed_kind"], "photo_access");
  EXPECT_EQ(item["corrections"], (json{{"rotate", false}, {"skew", false}, {"crop", false}}));
  const cv::Mat processed = get_image(session, "/api/items/" + encode_segment(id) + "/image/processed?w=800");
  ASSERT_FALSE(processed.empty());
  EXPECT_EQ(processed.cols, 800);
  EXPECT_NEAR(static_cast<double>(processed.rows) / processed.cols, 2100.0 / 3000, 0.01);  // landscape, as scanned
  // The photo's red patch is red in the copy served: it is the photo, not a page's derivative.
  const cv::Rect patch = test_photos::red_patch(processed.size());
  const cv::Scalar mean = cv::mean(processed(patch));
  EXPECT_GT(mean[2], 150);
  EXPECT_LT(mean[1], 100);
}

//! A recording shows its contact sheet (video) or waveform (sound) as the processed view, and its av measurements.
TEST_F(ReviewMediaTest, RecordingsShowContactSheetAndWaveform) {
  const LoggedIn session = log_in(server_->client(), kInspector);
  for (const auto& [ref, kind] : {std::pair{kMediaVideo, "contact_sheet"}, std::pair{kMediaSound, "waveform"}}) {
    SCOPED_TRACE(ref);
    const std::string id = item_of(ref);
    ASSERT_FALSE(id.empty());
    const json item = get_json(session, "/api/items/" + encode_segment(id));
    ASSERT_TRUE(item.is_object());
    EXPECT_EQ(item["kind"], "av");
    EXPECT_FALSE(item["images"]["original"].get<bool>());  // a recording is not decoded as a picture
    EXPECT_EQ(item["images"]["processed_kind"], kind);
    EXPECT_NEAR(item["measurements"]["duration_s"].get<double>(), 2.0, 0.2);
    EXPECT_TRUE(item["measurements"].contains("audio_codec"));
    const cv::Mat view = get_image(session, "/api/items/" + encode_segment(id) + "/image/processed?w=1600");
    ASSERT_FALSE(view.empty());
    EXPECT_GT(view.cols, 100);
    EXPECT_TRUE(get_image(session, "/api/items/" + encode_segment(id) + "/image/original").empty());
  }
}

//! Turning, straightening and cropping a photo or a recording is refused with 409 and recorded nowhere: no stage would apply it.
TEST_F(ReviewMediaTest, CorrectionsWithoutAStageAreRefused) {
  const LoggedIn session = log_in(server_->client(), kSupervisor);
  const std::size_t before = server_->service().ledger().review_decisions().size();
  for (const std::string& ref : {kMediaPhoto, kMediaVideo, kMediaSound})
    for (const json& correction : {json{{"action", "rotate"}, {"rotation_deg", 90}, {"reason", "sideways"}},
                                   json{{"action", "skew"}, {"skew_deg", 3}, {"reason", "tilted"}},
                                   json{{"action", "crop"}, {"crop_box", {0, 0, 100, 100}}, {"reason", "border"}}}) {
      auto answer = server_->client().Post(("/api/items/" + encode_segment(item_of(ref)) + "/decision").c_str(),
                                           headers_of(session), correction.dump(), "application/json");
      ASSERT_TRUE(answer);
      EXPECT_EQ(answer->status, 409) << ref << " " << correction.dump() << ": " << answer->body;
      EXPECT_NE(answer->body.find("no "), std::string::npos) << answer->body;
    }
  EXPECT_EQ(server_->service().ledger().review_decisions().size(), before);
  EXPECT_TRUE(server_->service().ledger().manual_values().empty());
  // A rescan is still every kind's to ask for.
  auto rescan = server_->client().Post(("/api/items/" + encode_segment(item_of(kMediaPhoto)) + "/decision").c_str(),
                                       headers_of(session), json{{"action", "rescan"}, {"reason", "blurred"}}.dump(),
                                       "application/json");
  ASSERT_TRUE(rescan);
  EXPECT_EQ(rescan->status, 200) << rescan->body;
}

}  // namespace
}  // namespace lantai::review::testing
