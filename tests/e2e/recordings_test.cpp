// A mixed lot through the real `lantai run`: paper pages, a video and a sound recording
// deposit in one bag that verifies, each recording byte for byte as it came; a video cut
// short is quarantined with av.duration_mismatch and its record withheld. The profile's
// virus scan limit is 1 MiB, below the video, so the video is scanned in windows.
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include <nlohmann/json.hpp>

#include "pipeline/csv.h"
#include "pipeline/files.h"
#include "samples/image_encoder.h"
#include "tests/e2e/e2e_support.h"
#include "tests/support/test_virus_db.h"
#include "tests/stages/orient/turned_pages.h"

namespace lantai::e2e {
namespace {

namespace fs = std::filesystem;

const std::string kPaper = "J012-WS·2021-Y-BGS-0001";
const std::string kVideo = "J012-SX·2021-Y-BGS-0001";
const std::string kCutVideo = "J012-SX·2021-Y-BGS-0002";
const std::string kSound = "J012-LY·2021-Y-BGS-0001";
const std::string kInfected = "J012-LY·2021-Y-BGS-0002";

void ffmpeg(const std::string& arguments, const fs::path& out) {
  const std::string command =
      "ffmpeg -hide_banner -loglevel error -nostdin -y " + arguments + " '" + out.string() + "'";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

class MixedLot : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = e2e_dir().parent_path() / "e2e-recordings";
    fs::remove_all(dir_);
    const fs::path scans = dir_ / "lot" / "scans";
    for (const std::string& ref : {kPaper, kVideo, kCutVideo, kSound, kInfected})
      fs::create_directories(scans / fs::u8path(ref));
    const auto page = orient::testing::make_turned_page(orient::testing::PageClass::chinese, 0, 601);
    write_file_atomically(scans / fs::u8path(kPaper) / "0001.png", samples::encode_png(page.upright, page.resolution_dpi));
    const std::string pal = "-f lavfi -i testsrc2=size=720x576:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 "
                            "-c:v mpeg2video -pix_fmt yuv422p -b:v 10M -minrate 10M -maxrate 10M -bufsize 2M "
                            "-aspect 4:3 -c:a pcm_s24le -ac 2 -t 4";
    ffmpeg(pal, scans / fs::u8path(kVideo) / "0001.avi");
    const std::string whole = slurp(scans / fs::u8path(kVideo) / "0001.avi");
    write_file_atomically(scans / fs::u8path(kCutVideo) / "0001.avi", whole.substr(0, whole.size() / 2));
    ffmpeg("-f lavfi -i sine=frequency=440:sample_rate=44100 -c:a pcm_s24le -t 3",
           scans / fs::u8path(kSound) / "0001.wav");
    // A WAV with the EICAR test string appended: a recording that carries a signature.
    write_file_atomically(scans / fs::u8path(kInfected) / "0001.wav",
                          slurp(scans / fs::u8path(kSound) / "0001.wav") + test_support::eicar_test_file());
    write_file_atomically(dir_ / "lot" / "catalogue.csv",
                          "档号,题名,责任者,文号,日期,页数,保管期限,密级,备注\r\n" +
                              csv_line({kPaper, "关于档案工作的通知", "临江市档案局", "", "20210308", "1", "永久", "", ""}, "\r\n") +
                              csv_line({kVideo, "档案工作会议录像", "临江市档案局", "", "20211215", "1", "永久", "", ""}, "\r\n") +
                              csv_line({kCutVideo, "档案工作培训录像", "临江市档案局", "", "20211216", "1", "永久", "", ""}, "\r\n") +
                              csv_line({kSound, "档案工作会议录音", "临江市档案局", "", "20211215", "1", "永久", "", ""}, "\r\n") +
                              csv_line({kInfected, "档案工作会议录音（二）", "临江市档案局", "", "20211215", "1", "永久", "", ""}, "\r\n"));
    std::string profile = slurp(profile_file());
    for (const std::string key : {"max_file_size_mb: 2048", "max_scan_size_mb: 2048"}) {
      const std::size_t at = profile.find(key);
      ASSERT_NE(at, std::string::npos) << key;
      profile.replace(at, key.size(), key.substr(0, key.find(':')) + ": 1");
    }
    write_file_atomically(dir_ / "lot" / "profile.yaml", profile);
    run_ = run_command({lantai_bin().string(), "run", "--profile", (dir_ / "lot" / "profile.yaml").string(), "--in", scans.string(),
                        "--catalog", (dir_ / "lot" / "catalogue.csv").string(), "--out", (dir_ / "work").string(),
                        "--fonds", "J012", "--unit", "示例市档案馆", "--jobs", "2", "--virus-db",
                        test_virus_db().string()});
  }

  static std::map<std::string, std::string> row_of(const std::string& report, const std::string& column,
                                                   const std::string& value) {
    for (const auto& row : read_csv(dir_ / "work" / "reports" / report))
      if (row.at(column) == value) return row;
    return {};
  }

  static inline fs::path dir_;
  static inline CommandResult run_;
};

//! The page, the video and the sound recording are deposited in one bag that verifies; each recording is in the bag byte for byte as it came, named by 档号 and capture order.
TEST_F(MixedLot, PagesAndRecordingsDepositInOneBag) {
  ASSERT_EQ(run_.exit_code, 0) << run_.output;
  const fs::path bag = bag_of(dir_ / "work");
  const fs::path scans = dir_ / "lot" / "scans";
  EXPECT_TRUE(fs::exists(bag / "data" / "entity" / fs::u8path(kPaper) / "0001.jpg"));
  EXPECT_EQ(slurp(bag / "data" / "entity" / fs::u8path(kVideo) / "0001.avi"), slurp(scans / fs::u8path(kVideo) / "0001.avi"));
  EXPECT_EQ(slurp(bag / "data" / "entity" / fs::u8path(kSound) / "0001.wav"), slurp(scans / fs::u8path(kSound) / "0001.wav"));
  const CommandResult verify = run_command({lantai_bin().string(), "verify", bag.string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  const auto video = row_of("pages.csv", "file", kVideo + "/0001.avi");
  ASSERT_FALSE(video.empty());
  EXPECT_EQ(video.at("kind"), "av");
  EXPECT_EQ(video.at("status"), "accepted") << video.at("findings");
  EXPECT_EQ(video.at("frame_size"), "720x576");
  EXPECT_EQ(video.at("chroma"), "4:2:2");
  // The self-check's 四性 report reads the recordings as recordings: formats allowed (3-3).
  const auto report = nlohmann::json::parse(slurp(dir_ / "work" / "reports" / "four-properties.json"));
  for (const auto& item : report["items"])
    if (item["item"] == "3-3") EXPECT_EQ(item["verdict"], "pass") << item.dump();
}

// The first field of the line for path in a manifest.
std::string manifest_digest(const fs::path& manifest, const std::string& path) {
  std::istringstream lines(slurp(manifest));
  for (std::string line; std::getline(lines, line);)
    if (line.ends_with("  " + path)) return line.substr(0, line.find(' '));
  return {};
}

// What a command-line tool (md5sum, sha256sum) prints for a file.
std::string digest_by_tool(const std::string& tool, const fs::path& file) {
  const CommandResult result = run_command({tool, file.string()});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  return result.output.substr(0, result.output.find(' '));
}

//! The video is larger than the profile's 1 MiB virus scan limit, yet it is scanned (in windows, virus.scanned_in_windows) rather than withheld, and the bag made of it passes the deposit's scan and verify.
TEST_F(MixedLot, ARecordingOverTheScanLimitIsScannedInWindows) {
  ASSERT_EQ(run_.exit_code, 0) << run_.output;
  ASSERT_GT(fs::file_size(dir_ / "lot" / "scans" / fs::u8path(kVideo) / "0001.avi"), 1u << 20);
  const auto video = row_of("pages.csv", "file", kVideo + "/0001.avi");
  ASSERT_FALSE(video.empty());
  EXPECT_EQ(video.at("status"), "accepted") << video.at("findings");
  EXPECT_NE(video.at("findings").find("virus.scanned_in_windows"), std::string::npos) << video.at("findings");
  const CommandResult verify = run_command({lantai_bin().string(), "verify", bag_of(dir_ / "work").string(),
                                            "--virus-db", test_virus_db().string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

//! A recording's manifest lines are the digests the av stage took in its decoding read: they equal md5sum and sha256sum of the file as it came, and the deposit linked the av stage's copy into the bag rather than reading it again (the bag's file is the WORK file).
TEST_F(MixedLot, RecordingDigestsComeFromTheDecodingRead) {
  ASSERT_EQ(run_.exit_code, 0) << run_.output;
  const fs::path bag = bag_of(dir_ / "work");
  for (const std::string& ref : {kVideo, kSound}) {
    const std::string name = ref == kVideo ? "0001.avi" : "0001.wav";
    const fs::path source = dir_ / "lot" / "scans" / fs::u8path(ref) / name;
    const std::string path = "data/entity/" + ref + "/" + name;
    EXPECT_EQ(manifest_digest(bag / "manifest-md5.txt", path), digest_by_tool("md5sum", source)) << path;
    EXPECT_EQ(manifest_digest(bag / "manifest-sha256.txt", path), digest_by_tool("sha256sum", source)) << path;
    EXPECT_TRUE(fs::equivalent(bag / fs::u8path(path), dir_ / "work" / "av" / fs::u8path(ref) / name)) << path;
  }
}

//! The video cut in half is quarantined with av.duration_mismatch and its record withheld; the batch goes on.
TEST_F(MixedLot, ATruncatedVideoIsQuarantined) {
  ASSERT_EQ(run_.exit_code, 0) << run_.output;
  const auto cut = row_of("pages.csv", "file", kCutVideo + "/0001.avi");
  ASSERT_FALSE(cut.empty());
  EXPECT_EQ(cut.at("status"), "quarantined");
  EXPECT_NE(cut.at("findings").find("av.duration_mismatch"), std::string::npos) << cut.at("findings");
  EXPECT_EQ(row_of("records.csv", "record", kCutVideo).at("status"), "withheld");
  EXPECT_FALSE(fs::exists(bag_of(dir_ / "work") / "data" / "entity" / fs::u8path(kCutVideo)));
}

//! A recording that carries a virus signature is quarantined with virus.found before it is decoded, its record withheld; the rest deposits.
TEST_F(MixedLot, AnInfectedRecordingIsQuarantined) {
  ASSERT_EQ(run_.exit_code, 0) << run_.output;
  const auto infected = row_of("pages.csv", "file", kInfected + "/0001.wav");
  ASSERT_FALSE(infected.empty());
  EXPECT_EQ(infected.at("status"), "quarantined");
  EXPECT_NE(infected.at("findings").find("virus.found"), std::string::npos) << infected.at("findings");
  EXPECT_EQ(row_of("records.csv", "record", kInfected).at("status"), "withheld");
  EXPECT_FALSE(fs::exists(dir_ / "work" / "av" / fs::u8path(kInfected))) << "never copied nor decoded";
  EXPECT_TRUE(fs::exists(bag_of(dir_ / "work") / "data" / "entity" / fs::u8path(kSound) / "0001.wav"));
}

}  // namespace
}  // namespace lantai::e2e
