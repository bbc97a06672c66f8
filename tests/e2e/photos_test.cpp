// Photos (照片档案) through the real `lantai run`, in one lot with a paper page, a sound
// recording and a video: photos told by the catalogue (a 门类 column, the 档号's 门类代码 ZP), checked
// and deposited as scanned with upright access copies, in one bag that verifies; the
// faulty ones flagged; no page stage and no OCR ran on a photo.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include <cstdlib>
#include <regex>
#include <sstream>

#include "pipeline/csv.h"
#include "pipeline/files.h"
#include "pipeline/jpeg_codec.h"
#include "samples/image_encoder.h"
#include "tests/e2e/e2e_support.h"
#include "tests/support/pdf_inspection.h"
#include "tests/stages/orient/turned_pages.h"
#include "tests/support/photo_files.h"

namespace lantai::e2e {
namespace {

namespace fs = std::filesystem;

const std::string kPaper = "J012-WS·2021-Y-BGS-0001";
const std::string kColour = "J012-ZP·2021-Y-0001";    // colour JPEG, ICC profile
const std::string kTurned = "J012-ZP·2021-Y-0002";    // JPEG stored sideways, Orientation 6
const std::string kGrey = "J012-ZP·2021-Y-0003";      // greyscale TIFF, grey ICC profile
const std::string kDeep = "J012-ZP·2021-Y-0004";      // 16-bit colour TIFF
const std::string kCoarse = "J012-ZP·2021-Y-0005";    // a 5-inch print at 300 dpi
const std::string kBlurred = "J012-ZP·2021-Y-0006";   // out of focus
const std::string kLateDate = "J012-ZP·2021-Y-0007";  // catalogue dated after the scan
const std::string kByColumn = "J012-ZL·2021-Y-0001";  // 门类 照片, whatever its 档号
const std::string kSound = "J012-LY·2021-Y-BGS-0001";
const std::string kVideo = "J012-SX·2021-Y-BGS-0001";

const test_photos::Exif kScanner{"2021:05:12 10:20:30", "Epson", "Perfection V850", 0, 2, 600};

class PhotoLot : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = e2e_dir().parent_path() / "e2e-photos";
    fs::remove_all(dir_);
    const fs::path scans = dir_ / "lot" / "scans";
    for (const std::string& ref : {kPaper, kColour, kTurned, kGrey, kDeep, kCoarse, kBlurred, kLateDate, kByColumn,
                                   kSound, kVideo})
      fs::create_directories(scans / fs::u8path(ref));
    auto in = [&](const std::string& ref, const std::string& name) { return scans / fs::u8path(ref) / name; };

    const auto page = orient::testing::make_turned_page(orient::testing::PageClass::chinese, 0, 601);
    write_file_atomically(in(kPaper, "0001.png"), samples::encode_png(page.upright, page.resolution_dpi));

    const cv::Mat print = test_photos::draw_photo({3000, 2100});
    const std::string srgb = test_photos::srgb_icc();
    test_photos::write_jpeg(in(kColour, "0001.jpg"), print, 600, kScanner, srgb);
    test_photos::write_jpeg(in(kLateDate, "0001.jpg"), print, 600, kScanner, srgb);
    test_photos::write_jpeg(in(kByColumn, "0001.jpg"), print, 600, kScanner, srgb);
    upright_ = test_photos::draw_photo({2100, 3000});
    cv::Mat sideways;
    cv::rotate(upright_, sideways, cv::ROTATE_90_COUNTERCLOCKWISE);
    test_photos::Exif turned = kScanner;
    turned.orientation = 6;
    test_photos::write_jpeg(in(kTurned, "0001.jpg"), sideways, 600, turned, srgb);
    test_photos::write_tiff(in(kGrey, "0001.tif"), test_photos::draw_photo({3000, 2100}, false), 600, kScanner,
                            test_photos::grey_icc());
    cv::Mat sixteen;
    print.convertTo(sixteen, CV_16UC3, 257);
    test_photos::write_tiff(in(kDeep, "0001.tif"), sixteen, 600, kScanner, srgb);
    cv::Mat coarse;
    cv::resize(print, coarse, {1500, 1050}, 0, 0, cv::INTER_AREA);
    test_photos::write_jpeg(in(kCoarse, "0001.jpg"), coarse, 300, kScanner, srgb);
    cv::Mat blurred;
    cv::GaussianBlur(print, blurred, {0, 0}, 12);
    test_photos::write_jpeg(in(kBlurred, "0001.jpg"), blurred, 600, kScanner, srgb);
    const std::string sound = "ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi -i "
                              "sine=frequency=440:sample_rate=44100 -c:a pcm_s24le -t 2 '" +
                              in(kSound, "0001.wav").string() + "'";
    ASSERT_EQ(std::system(sound.c_str()), 0);
    // PAL as DA/T 62 asks: MPEG-2 4:2:2 at 10 Mbit/s, 24-bit PCM.
    const std::string video = "ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi -i "
                              "testsrc2=size=720x576:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 "
                              "-c:v mpeg2video -pix_fmt yuv422p -b:v 10M -minrate 10M -maxrate 10M -bufsize 2M "
                              "-aspect 4:3 -c:a pcm_s24le -ac 2 -t 3 '" + in(kVideo, "0001.avi").string() + "'";
    ASSERT_EQ(std::system(video.c_str()), 0);

    // Paper and photo columns in one catalogue (DA/T 50-2014: 照片号, 摄影者, 时间, 地点,
    // 人物, 底片号, 参见号); a photo's 页数 counts its image files.
    std::string catalogue = "档号,门类,题名,责任者,日期,页数,保管期限,照片号,摄影者,时间,地点,人物,底片号,参见号\r\n";
    catalogue += csv_line({kPaper, "文书", "关于档案工作的通知", "临江市档案局", "20210308", "1", "永久", "", "", "", "", "", "", ""}, "\r\n");
    auto photo_row = [&](const std::string& ref, const std::string& kind, const std::string& title,
                         const std::string& date) {
      catalogue += csv_line({ref, kind, title, "", "", "1", "永久", "ZP" + ref.substr(ref.size() - 4), "王明", date,
                             "临江市", "李华", "DP" + ref.substr(ref.size() - 4), kPaper},
                            "\r\n");
    };
    photo_row(kColour, "", "新馆落成典礼", "1985-10-01");
    photo_row(kTurned, "", "新馆大门", "1985-10");
    photo_row(kGrey, "", "建馆初期合影", "1962");
    photo_row(kDeep, "", "馆藏珍品展", "2003-04-18");
    photo_row(kCoarse, "", "档案宣传日", "2010-06-09");
    photo_row(kBlurred, "", "业务培训会", "2012-11-20");
    photo_row(kLateDate, "", "库房改造", "2022-06-01");
    photo_row(kByColumn, "照片", "领导视察", "2015-03-02");
    catalogue += csv_line({kSound, "录音", "档案工作会议录音", "临江市档案局", "20211215", "1", "永久", "", "", "", "", "", "", ""}, "\r\n");
    catalogue += csv_line({kVideo, "录像", "档案工作会议录像", "临江市档案局", "20211215", "1", "永久", "", "", "", "", "", "", ""}, "\r\n");
    write_file_atomically(dir_ / "lot" / "catalogue.csv", catalogue);

    run_ = run_command({lantai_bin().string(), "run", "--profile", profile_file().string(), "--in", scans.string(),
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
  static fs::path entity(const std::string& ref, const std::string& name) {
    return bag_of(dir_ / "work") / "data" / "entity" / fs::u8path(ref) / name;
  }
  static fs::path scan(const std::string& ref, const std::string& name) {
    return dir_ / "lot" / "scans" / fs::u8path(ref) / name;
  }

  static inline fs::path dir_;
  static inline cv::Mat upright_;
  static inline CommandResult run_;
};

//! Paper, photos, a sound recording and a video deposit in one bag that verifies: each photo's master byte for byte as scanned with its access copy beside it, the photo catalogue's columns in 目录.csv, EXIF in the measurements.
TEST_F(PhotoLot, DepositsInOneBagThatVerifies) {
  ASSERT_EQ(run_.exit_code, 0) << run_.output;
  const fs::path bag = bag_of(dir_ / "work");
  EXPECT_TRUE(fs::exists(entity(kPaper, "0001.jpg")));
  EXPECT_EQ(slurp(entity(kSound, "0001.wav")), slurp(scan(kSound, "0001.wav")));
  EXPECT_EQ(slurp(entity(kVideo, "0001.avi")), slurp(scan(kVideo, "0001.avi")));
  EXPECT_EQ(row_of("pages.csv", "file", kVideo + "/0001.avi").at("status"), "accepted");
  for (const auto& [ref, name] : std::vector<std::pair<std::string, std::string>>{
           {kColour, "0001.jpg"}, {kTurned, "0001.jpg"}, {kGrey, "0001.tif"}, {kDeep, "0001.tif"},
           {kBlurred, "0001.jpg"}, {kLateDate, "0001.jpg"}, {kByColumn, "0001.jpg"}}) {
    SCOPED_TRACE(ref);
    EXPECT_EQ(slurp(entity(ref, name)), slurp(scan(ref, name)));
    EXPECT_TRUE(fs::exists(entity(ref, "0001.access.jpg")));
  }
  EXPECT_EQ(test_photos::icc_of(entity(kGrey, "0001.access.jpg")), test_photos::icc_of(scan(kGrey, "0001.tif")));
  EXPECT_FALSE(test_photos::icc_of(scan(kGrey, "0001.tif")).empty());
  const CommandResult verify = run_command({lantai_bin().string(), "verify", bag.string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;

  const std::string catalogue = slurp(bag / "data" / "catalogue" / "目录.csv");
  for (const char* column : {"照片号", "摄影者", "时间", "地点", "人物", "底片号", "参见号"})
    EXPECT_NE(catalogue.find(column), std::string::npos) << column;
  EXPECT_NE(catalogue.find("新馆落成典礼"), std::string::npos);

  const auto photo = row_of("pages.csv", "file", kColour + "/0001.jpg");
  ASSERT_FALSE(photo.empty());
  EXPECT_EQ(photo.at("kind"), "photo");
  EXPECT_EQ(photo.at("status"), "accepted") << photo.at("findings");
  EXPECT_EQ(photo.at("capture_date"), "2021-05-12 10:20:30");
  EXPECT_EQ(photo.at("camera_make"), "Epson");
  EXPECT_EQ(photo.at("camera_model"), "Perfection V850");
  EXPECT_EQ(photo.at("exif_x_resolution"), "600");
  EXPECT_EQ(row_of("pages.csv", "file", kByColumn + "/0001.jpg").at("kind"), "photo");
  EXPECT_EQ(row_of("pages.csv", "file", kPaper + "/0001.png").at("kind"), "page");
  EXPECT_NE(slurp(bag / "metadata" / "page-measurements.csv").find("2021-05-12 10:20:30"), std::string::npos);
}

//! The bag and its forms count each kind in its own unit: one page (页数), seven photos (张; the coarse one quarantined, counted apart), two recordings (件) of 5 s in all; the detail list names a photo's 摄影者 and 时间.
TEST_F(PhotoLot, FormsCountPagesPhotosAndRecordingsApart) {
  ASSERT_EQ(run_.exit_code, 0) << run_.output;
  const fs::path bag = bag_of(dir_ / "work");
  std::map<std::string, std::string> info;
  std::istringstream lines(slurp(bag / "bag-info.txt"));
  for (std::string line; std::getline(lines, line);)
    if (const auto colon = line.find(": "); colon != std::string::npos) info[line.substr(0, colon)] = line.substr(colon + 2);
  EXPECT_EQ(info["Page-Count"], "1");
  EXPECT_EQ(info["Photo-Count"], "7");
  EXPECT_EQ(info["Recording-Count"], "2");
  EXPECT_EQ(info["Recording-Duration"], "0:00:05");
  EXPECT_EQ(info["Quarantined-Page-Count"], "0");
  EXPECT_EQ(info["Quarantined-Photo-Count"], "1");
  EXPECT_EQ(info["Quarantined-Recording-Count"], "0");
  const std::string form = slurp(bag / "forms" / "backup-form.json");
  EXPECT_NE(form.find("\"page_count\": 1,"), std::string::npos) << form;
  EXPECT_NE(form.find("\"photo_count\": 7,"), std::string::npos) << form;
  EXPECT_NE(form.find("\"recording_count\": 2,"), std::string::npos) << form;

  // The detail list prints a photo record's 摄影者 and 时间 where a paper record has 责任者 and 日期.
  fs::path detail;
  for (const auto& entry : fs::directory_iterator(dir_ / "work" / "deposit"))
    if (entry.is_directory() && entry.path().filename().string().ends_with("-forms"))
      detail = entry.path() / "登记明细表.pdf";
  ASSERT_TRUE(fs::exists(detail)) << detail;
  const std::string listed = lantai::testing::pdf_text(detail);
  EXPECT_NE(listed.find("王明"), std::string::npos) << listed;
  EXPECT_NE(listed.find("1985-10-01"), std::string::npos) << listed;
}

//! The access copy of the photo stored sideways (Orientation 6) is upright, its red patch red as in the master; the master stays as scanned.
TEST_F(PhotoLot, AccessCopyUprightColoursKept) {
  ASSERT_EQ(run_.exit_code, 0) << run_.output;
  const cv::Mat copy = decode_jpeg(slurp(entity(kTurned, "0001.access.jpg")));
  ASSERT_EQ(copy.size(), upright_.size());
  const cv::Rect patch = test_photos::red_patch(copy.size());
  const cv::Rect inner(patch.x + patch.width / 4, patch.y + patch.height / 4, patch.width / 2, patch.height / 2);
  const cv::Scalar copied = cv::mean(copy(inner));
  const cv::Scalar drawn = cv::mean(upright_(inner));
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(copied[c], drawn[c], 4.0) << "channel " << c;
  EXPECT_EQ(test_photos::icc_of(entity(kTurned, "0001.access.jpg")), test_photos::icc_of(scan(kTurned, "0001.jpg")));
  EXPECT_EQ(decode_jpeg(slurp(entity(kTurned, "0001.jpg"))).size(), cv::Size(3000, 2100));
}

//! The coarse scan is quarantined (photo.resolution.low, its record withheld); the blurred one and the one dated after its scan are flagged for review and still deposited.
TEST_F(PhotoLot, FaultyPhotosAreFlagged) {
  ASSERT_EQ(run_.exit_code, 0) << run_.output;
  const auto coarse = row_of("pages.csv", "file", kCoarse + "/0001.jpg");
  EXPECT_EQ(coarse.at("status"), "quarantined");
  EXPECT_NE(coarse.at("findings").find("photo.resolution.low"), std::string::npos) << coarse.at("findings");
  EXPECT_EQ(row_of("records.csv", "record", kCoarse).at("status"), "withheld");
  const auto blurred = row_of("pages.csv", "file", kBlurred + "/0001.jpg");
  EXPECT_NE(blurred.at("findings").find("photo.blur"), std::string::npos) << blurred.at("findings");
  EXPECT_EQ(row_of("records.csv", "record", kBlurred).at("status"), "deposited");
  bool late = false, other = false;
  for (const auto& row : read_csv(dir_ / "work" / "reports" / "findings.csv")) {
    // Photo 档号 without a 机构代码 follow the paper profile's DA/T 22-2015 grammar too.
    EXPECT_NE(row.at("code"), "catalog.bad_ref_format") << row.at("message");
    if (row.at("code") != "photo.date_mismatch") continue;
    (row.at("record") == kLateDate ? late : other) = true;
    EXPECT_EQ(row.at("value"), "2022-06-01");
    EXPECT_EQ(row.at("threshold"), "2021-05-12 10:20:30");
  }
  EXPECT_TRUE(late);
  EXPECT_FALSE(other) << "older catalogue dates are what scans of old prints have";
  for (const std::string& ref : {kColour, kTurned, kGrey, kDeep})
    EXPECT_EQ(row_of("records.csv", "record", ref).at("status"), "deposited") << ref;
}

//! No page stage ran on a photo: OCR, orient and deskew ran on the one paper page only, the photo stages on the nine photos; no OCR text for a photo record.
TEST_F(PhotoLot, NoOcrOnPhotos) {
  ASSERT_EQ(run_.exit_code, 0) << run_.output;
  const CommandResult status = run_command({lantai_bin().string(), "status", (dir_ / "work").string()});
  ASSERT_EQ(status.exit_code, 0) << status.output;
  auto ran_on = [&](const std::string& stage) {
    std::smatch match;
    const std::regex line("\\n  " + stage + " +([0-9]+)\\n");
    return std::regex_search(status.output, match, line) ? std::stoi(match[1]) : 0;
  };
  EXPECT_EQ(ran_on("ocr"), 1) << status.output;
  EXPECT_EQ(ran_on("av"), 2);
  EXPECT_EQ(ran_on("orient"), 1);
  EXPECT_EQ(ran_on("deskew"), 1);
  EXPECT_EQ(ran_on("photo_quality"), 8);
  EXPECT_EQ(ran_on("photo_derivatives"), 7);  // the coarse one was quarantined before
  EXPECT_FALSE(fs::exists(dir_ / "work" / "ocr" / fs::u8path(kColour)));
}

//! A lot of photos alone, with the photo profile and a DA/T 50-2014 catalogue that has no 页数 column: every record deposited, the access copies reduced to the profile's long side, the bag verifies.
TEST_F(PhotoLot, APhotoLotWithItsOwnProfileAndCatalogue) {
  const fs::path lot = dir_ / "photo-lot";
  fs::create_directories(lot / "scans");
  for (const std::string& ref : {kColour, kTurned, kDeep})
    fs::copy(scan(ref, "").parent_path(), lot / "scans" / fs::u8path(ref), fs::copy_options::recursive);
  write_file_atomically(lot / "catalogue.csv",
                        "档号,照片号,题名,摄影者,时间,地点,人物,底片号,参见号\n" + kColour +
                            ",ZP0001,新馆落成典礼,王明,1985-10-01,临江市,李华,DP0001,\n" + kTurned +
                            ",ZP0002,新馆大门,王明,1985-10,临江市,,DP0002,\n" + kDeep +
                            ",ZP0004,馆藏珍品展,王明,2003-04-18,临江市,,,\n");
  const CommandResult run = run_command(
      {lantai_bin().string(), "run", "--profile", (profile_file().parent_path() / "da-t50-photo.yaml").string(),
       "--in", (lot / "scans").string(), "--catalog", (lot / "catalogue.csv").string(), "--out",
       (lot / "work").string(), "--fonds", "J012", "--unit", "示例市档案馆", "--jobs", "2", "--virus-db",
       test_virus_db().string()});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  for (const auto& row : read_csv(lot / "work" / "reports" / "records.csv")) EXPECT_EQ(row.at("status"), "deposited");
  const fs::path bag = bag_of(lot / "work");
  EXPECT_EQ(slurp(bag / "data" / "entity" / fs::u8path(kDeep) / "0001.tif"), slurp(scan(kDeep, "0001.tif")));
  const cv::Mat copy = decode_jpeg(slurp(bag / "data" / "entity" / fs::u8path(kDeep) / "0001.access.jpg"));
  EXPECT_EQ(std::max(copy.cols, copy.rows), 3000);  // within the profile's 4000: the scan's own size
  EXPECT_NE(slurp(bag / "data" / "catalogue" / "目录.csv").find("底片号"), std::string::npos);
  EXPECT_EQ(run_command({lantai_bin().string(), "verify", bag.string()}).exit_code, 0);
}

}  // namespace
}  // namespace lantai::e2e
