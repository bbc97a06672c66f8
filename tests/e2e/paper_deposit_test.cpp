// Paper pages as a contractor delivers them, through the real `lantai run` with one
// multi-page TIFF per record turned on: TIFF masters carrying the scanner's tags (one page
// fed sideways, a Latin page, a table), beside files that must be refused (a directory
// chain that loops, a zero-byte file, a zero-width TIFF). The refused files are
// quarantined with a decode.* finding naming each, the batch goes on, and the bag holds
// the record's TIFF and a processing history that names the software, the libraries, the
// time and, per page, the scan it was made from and what the scanner said of it.
#include <gtest/gtest.h>
#include <tiffio.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <map>

#include "pipeline/csv.h"
#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "samples/image_encoder.h"
#include "tests/e2e/e2e_support.h"
#include "tests/stages/orient/turned_pages.h"

namespace lantai::e2e {
namespace {

namespace fs = std::filesystem;
using orient::testing::PageClass;

const std::string kMasters = "J012-WS·2021-Y-BGS-0001";
const std::string kDamaged = "J012-WS·2021-Y-BGS-0002";

samples::TiffFrame scanned(const cv::Mat& page, int dpi) {
  return {.image = page,
          .resolution_dpi = dpi,
          .compression = samples::TiffCompression::lzw,
          .make = "Kodak Alaris",
          .model = "i4250",
          .software = "Capture Pro 5.7",
          .date_time = "2024:03:05 09:10:11"};
}

// Points the last directory of a classic little-endian TIFF back at its first.
std::string with_looping_chain(std::string bytes) {
  auto u32 = [&](size_t at) {
    std::uint32_t v = 0;
    for (int b = 3; b >= 0; --b) v = v << 8 | static_cast<unsigned char>(bytes[at + b]);
    return v;
  };
  const std::uint32_t first = u32(4);
  for (std::uint32_t at = first; at != 0;) {
    const size_t next_at =
        at + 2 + 12 * (static_cast<unsigned char>(bytes[at]) | static_cast<unsigned char>(bytes[at + 1]) << 8);
    at = u32(next_at);
    if (at == 0)
      for (int b = 0; b < 4; ++b) bytes[next_at + b] = static_cast<char>(first >> (8 * b));
  }
  return bytes;
}

// A grey TIFF of 0 x 64 px, as a broken scanner driver might write it.
std::string zero_width_tiff(const fs::path& scratch) {
  TIFF* tif = TIFFOpen(scratch.c_str(), "w");
  TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, 8u);
  TIFFSetField(tif, TIFFTAG_IMAGELENGTH, 64u);
  TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 8);
  TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
  TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
  std::vector<unsigned char> row(8, 200);
  for (std::uint32_t y = 0; y < 64; ++y) TIFFWriteScanline(tif, row.data(), y, 0);
  TIFFClose(tif);
  std::string bytes = slurp(scratch);
  fs::remove(scratch);
  // ImageWidth (256) as a SHORT or LONG in the directory: its value set to 0.
  const std::uint32_t ifd = static_cast<unsigned char>(bytes[4]) | static_cast<unsigned char>(bytes[5]) << 8 |
                            static_cast<unsigned char>(bytes[6]) << 16 | static_cast<unsigned char>(bytes[7]) << 24;
  const unsigned entries = static_cast<unsigned char>(bytes[ifd]) | static_cast<unsigned char>(bytes[ifd + 1]) << 8;
  for (unsigned e = 0; e < entries; ++e) {
    const size_t at = ifd + 2 + 12 * e;
    if (static_cast<unsigned char>(bytes[at]) == 0 && static_cast<unsigned char>(bytes[at + 1]) == 1)
      for (int b = 0; b < 4; ++b) bytes[at + 8 + b] = 0;
  }
  return bytes;
}

class PaperDeposit : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("lantai-e2e-paper-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    const fs::path scans = dir_ / "lot" / "scans";
    const auto sideways = orient::testing::make_turned_page(PageClass::latin, 90, 7101);
    const auto table = orient::testing::make_turned_page(PageClass::table, 0, 7102);
    const auto landscape = orient::testing::make_turned_page(PageClass::landscape, 0, 7103);
    int page = 0;
    for (const auto* drawn : {&sideways, &table, &landscape}) {
      const fs::path file = scans / fs::u8path(kMasters) / ("000" + std::to_string(++page) + ".tif");
      write_file_atomically(file, samples::encode_tiff({scanned(drawn->scan, drawn->resolution_dpi)}));
    }
    const auto other = orient::testing::make_turned_page(PageClass::two_column, 0, 7104);
    const cv::Mat small = other.scan(cv::Rect(0, 0, other.scan.cols / 2, other.scan.rows / 2)).clone();
    write_file_atomically(scans / fs::u8path(kDamaged) / "0001.tif",
                          samples::encode_tiff({scanned(other.scan, other.resolution_dpi)}));
    write_file_atomically(scans / fs::u8path(kDamaged) / "0002.tif",
                          with_looping_chain(samples::encode_tiff({{small, 300}, {small, 300}})));
    write_file_atomically(scans / fs::u8path(kDamaged) / "0003.tif", "");
    write_file_atomically(scans / fs::u8path(kDamaged) / "0004.tif", zero_width_tiff(dir_ / "scratch.tif"));
    write_file_atomically(dir_ / "lot" / "catalogue.csv",
                          "档号,题名,责任者,文号,日期,页数,保管期限,密级,备注\r\n" +
                              csv_line({kMasters, "母版扫描", "临江市档案局", "", "20240305", "3", "永久", "", ""}, "\r\n") +
                              csv_line({kDamaged, "损坏文件", "临江市档案局", "", "20240305", "4", "永久", "", ""}, "\r\n"));
    // The shipped paper profile with the record TIFF turned on, nothing else changed.
    std::string profile = slurp(profile_file());
    const size_t section = profile.find("record_tiff:");
    const size_t enabled = profile.find("enabled: false", section);
    ASSERT_NE(enabled, std::string::npos);
    profile.replace(enabled, std::string("enabled: false").size(), "enabled: true");
    write_file_atomically(dir_ / "profile.yaml", profile);
    run_ = run_command({lantai_bin().string(), "run", "--profile", (dir_ / "profile.yaml").string(), "--in",
                        scans.string(), "--catalog", (dir_ / "lot" / "catalogue.csv").string(), "--out",
                        (dir_ / "work").string(), "--fonds", "J012", "--unit", "示例市档案馆", "--jobs", "2",
                        "--virus-db", test_virus_db().string()});
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  static std::map<std::string, std::string> page_row(const std::string& file) {
    for (const auto& row : read_csv(dir_ / "work" / "reports" / "pages.csv"))
      if (row.at("file") == file) return row;
    return {};
  }

  static inline fs::path dir_;
  static inline CommandResult run_;
};

//! The looping chain, the zero-byte file and the zero-width TIFF are each quarantined with a one-line decode.* finding naming the file; the good page of their record and the other record go on; the record's pages as one multi-page TIFF land in the bag under the record's folder, in the payload manifest, three pages, and `lantai verify` passes the bag.
TEST_F(PaperDeposit, BadFilesAreQuarantinedAndTheRecordTiffIsDeposited) {
  ASSERT_EQ(run_.exit_code, 0) << run_.output;
  std::map<std::string, std::string> code_of;  // file -> the decode finding's code and message
  for (const auto& finding : read_csv(dir_ / "work" / "reports" / "findings.csv"))
    if (finding.at("code").rfind("decode.", 0) == 0) code_of[finding.at("message")] = finding.at("code");
  auto found = [&](const std::string& file, const std::string& code, const std::string& reason) {
    for (const auto& [message, c] : code_of)
      if (message.rfind(kDamaged + "/" + file, 0) == 0 && c == code && message.find(reason) != std::string::npos &&
          message.find('\n') == std::string::npos)
        return true;
    return false;
  };
  EXPECT_TRUE(found("0002.tif", "decode.corrupt", "loops back")) << ::testing::PrintToString(code_of);
  EXPECT_TRUE(found("0003.tif", "decode.empty", "0 bytes")) << ::testing::PrintToString(code_of);
  EXPECT_TRUE(found("0004.tif", "decode.corrupt", "")) << ::testing::PrintToString(code_of);
  EXPECT_EQ(page_row(kDamaged + "/0003.tif").at("status"), "quarantined");
  EXPECT_EQ(page_row(kDamaged + "/0004.tif").at("status"), "quarantined");
  EXPECT_EQ(page_row(kDamaged + "/0001.tif").at("status"), "accepted") << page_row(kDamaged + "/0001.tif").at("findings");
  for (int page = 1; page <= 3; ++page)
    EXPECT_EQ(page_row(kMasters + "/000" + std::to_string(page) + ".tif").at("status"), "accepted") << page;
  EXPECT_EQ(page_row(kMasters + "/0001.tif").at("orientation_deg"), "90");

  const fs::path bag = bag_of(dir_ / "work");
  fs::path record_tiff;
  for (const auto& entry : fs::recursive_directory_iterator(bag / "data"))
    if (entry.path().filename() == fs::u8path(kMasters + ".tif")) record_tiff = entry.path();
  ASSERT_FALSE(record_tiff.empty()) << "no " << kMasters << ".tif in the bag";
  EXPECT_EQ(record_tiff.parent_path().filename(), fs::u8path(kMasters));
  TIFF* tif = TIFFOpen(record_tiff.c_str(), "r");
  ASSERT_NE(tif, nullptr);
  EXPECT_EQ(TIFFNumberOfDirectories(tif), 3u);
  TIFFClose(tif);
  const std::string in_bag = fs::relative(record_tiff, bag).generic_string();
  const std::string manifest = slurp(bag / "manifest-sha256.txt");
  const std::string digest = hex_digests_of_file(record_tiff, {DigestAlgorithm::sha256}).front();
  EXPECT_NE(manifest.find(digest + "  " + in_bag), std::string::npos) << manifest;
  std::vector<std::string> verify{lantai_bin().string(), "verify", bag.string()};
  for (std::string& arg : virus_scan_args()) verify.push_back(std::move(arg));
  const CommandResult verified = run_command(verify);
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
}

//! processing-history.json names lantai's version (as --version prints it), the libraries with their versions (each stage its own) and when the pages were processed; page-measurements.csv gives each deposited page the SHA-256 and size of the scan it came from, the scanner's make, model, software and time from the TIFF tags, its resolution, bit depth and the time it was processed.
TEST_F(PaperDeposit, ProcessMetadataNamesSoftwareTimeAndEachScan) {
  ASSERT_EQ(run_.exit_code, 0) << run_.output;
  const auto history = nlohmann::json::parse(slurp(bag_of(dir_ / "work") / "metadata" / "processing-history.json"));
  const CommandResult version = run_command({lantai_bin().string(), "--version"});
  EXPECT_NE(version.output.find("lantai " + history.at("software_version").get<std::string>()), std::string::npos)
      << version.output;
  std::string libraries;
  for (const auto& library : history.at("libraries")) libraries += library.get<std::string>() + "|";
  for (const char* name : {"OpenCV 4", "Tesseract 5", "libtiff 4", "libjpeg-turbo 2", "OpenJPEG 2", "LittleCMS 2"})
    EXPECT_NE(libraries.find(name), std::string::npos) << name << " in " << libraries;
  const std::string from = history.at("pages_processed").at("from"), to = history.at("pages_processed").at("to");
  EXPECT_EQ(from.size(), std::string("2024-03-05T09:10:11Z").size()) << from;
  EXPECT_LE(from, to);
  EXPECT_LE(to, history.at("written_at").get<std::string>());
  for (const auto& stage : history.at("stages"))
    if (stage.at("stage") == "orient") {
      EXPECT_NE(stage.at("libraries").dump().find("Tesseract"), std::string::npos);
    }

  const auto rows = read_csv(bag_of(dir_ / "work") / "metadata" / "page-measurements.csv");
  int checked = 0;
  for (const auto& row : rows) {
    if (row.at("档号") != kMasters) continue;
    ++checked;
    const fs::path scan = dir_ / "lot" / "scans" / fs::u8path(row.at("original"));
    EXPECT_EQ(row.at("source_sha256"), hex_digests_of_file(scan, {DigestAlgorithm::sha256}).front());
    EXPECT_EQ(std::stoull(row.at("source_bytes")), fs::file_size(scan));
    EXPECT_EQ(row.at("scanner_make"), "Kodak Alaris");
    EXPECT_EQ(row.at("scanner_model"), "i4250");
    EXPECT_EQ(row.at("capture_software"), "Capture Pro 5.7");
    EXPECT_EQ(row.at("capture_datetime"), "2024-03-05 09:10:11");
    EXPECT_FALSE(row.at("resolution_dpi").empty());
    EXPECT_FALSE(row.at("bits_per_sample").empty());
    EXPECT_FALSE(row.at("processed_at").empty());
  }
  EXPECT_EQ(checked, 3);
}

}  // namespace
}  // namespace lantai::e2e
