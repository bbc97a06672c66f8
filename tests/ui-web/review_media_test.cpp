// The review server on photos and recordings: a lot of its own (a photo, a video, a sound
// recording, made at test time) run through the real `lantai run`; the processed pane
// shows the photo's access copy, the video's contact sheet and the sound's waveform, and
// corrections no stage of their chain applies (turning, straightening, cropping) are refused.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <unistd.h>

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "pipeline/csv.h"
#include "pipeline/files.h"
#include "tests/e2e/e2e_support.h"
#include "tests/support/photo_files.h"
#include "tests/support/test_virus_db.h"
#include "tests/ui-web/review_fixture.h"

namespace lantai::review::testing {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

const std::string kPhoto = "J012-ZP·2021-Y-0001";
const std::string kVideo = "J012-SX·2021-Y-BGS-0001";
const std::string kSound = "J012-LY·2021-Y-BGS-0001";

fs::path media_root() { return fs::path(LANTAI_REVIEW_DIR) / ("media-" + std::to_string(::getpid())); }

void ffmpeg(const std::string& arguments, const fs::path& out) {
  const std::string command = "ffmpeg -hide_banner -loglevel error -nostdin -y " + arguments + " '" + out.string() + "'";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("ffmpeg failed: " + command);
}

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
    const fs::path scans = media_root() / "lot" / "scans";
    for (const std::string& ref : {kPhoto, kVideo, kSound}) fs::create_directories(scans / fs::u8path(ref));
    test_photos::write_jpeg(scans / fs::u8path(kPhoto) / "0001.jpg", test_photos::draw_photo({3000, 2100}), 600,
                            {"2021:05:12 10:20:30", "Epson", "Perfection V850", 0, 2, 600}, test_photos::srgb_icc());
    ffmpeg("-f lavfi -i testsrc2=size=720x576:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 "
           "-c:v mpeg2video -pix_fmt yuv422p -b:v 10M -minrate 10M -maxrate 10M -bufsize 2M -aspect 4:3 "
           "-c:a pcm_s24le -ac 2 -t 2",
           scans / fs::u8path(kVideo) / "0001.avi");
    ffmpeg("-f lavfi -i sine=frequency=440:sample_rate=44100 -c:a pcm_s24le -t 2", scans / fs::u8path(kSound) / "0001.wav");
    std::string catalogue = "档号,门类,题名,责任者,日期,页数,保管期限,照片号,摄影者,时间,地点,人物,底片号,参见号\r\n";
    catalogue += csv_line({kPhoto, "照片", "新馆落成典礼", "", "", "1", "永久", "ZP0001", "王明", "1985-10-01", "临江市",
                           "李华", "DP0001", ""}, "\r\n");
    catalogue += csv_line({kVideo, "录像", "档案工作会议录像", "临江市档案局", "20211215", "1", "永久", "", "", "", "", "", "", ""}, "\r\n");
    catalogue += csv_line({kSound, "录音", "档案工作会议录音", "临江市档案局", "20211215", "1", "永久", "", "", "", "", "", "", ""}, "\r\n");
    write_file_atomically(media_root() / "lot" / "catalogue.csv", catalogue);
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
  const std::string id = item_of(kPhoto);
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
  for (const auto& [ref, kind] : {std::pair{kVideo, "contact_sheet"}, std::pair{kSound, "waveform"}}) {
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
  for (const std::string& ref : {kPhoto, kVideo, kSound})
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
  auto rescan = server_->client().Post(("/api/items/" + encode_segment(item_of(kPhoto)) + "/decision").c_str(),
                                       headers_of(session), json{{"action", "rescan"}, {"reason", "blurred"}}.dump(),
                                       "application/json");
  ASSERT_TRUE(rescan);
  EXPECT_EQ(rescan->status, 200) << rescan->body;
}

}  // namespace
}  // namespace lantai::review::testing
