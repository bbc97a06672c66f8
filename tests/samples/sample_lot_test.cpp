// The demo-archive generator: determinism, the planted faults, the catalogue, the
// resolution tags and that the pages carry text.
#include <gtest/gtest.h>
#include <png.h>
#include <tiffio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "pipeline/catalog.h"
#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "pipeline/photo_metadata.h"
#include "samples/sample_lot.h"
#include "stages/av/media_analysis.h"
#include "samples/text_renderer.h"

namespace lantai::samples {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

fs::path fresh_dir(const std::string& name) {
  static std::atomic<int> counter{0};
  fs::path dir = fs::temp_directory_path() /
                 ("lantai-samples-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(dir);
  return dir;
}

// relative path → sha256 of every file below dir
std::map<std::string, std::string> hash_tree(const fs::path& dir) {
  std::map<std::string, std::string> hashes;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file())
      hashes[relative_utf8(entry.path(), dir)] = hex_digest(DigestAlgorithm::sha256, read_file(entry.path()));
  return hashes;
}

int tiff_directories(const fs::path& file) {
  TIFF* tiff = TIFFOpen(file.c_str(), "r");
  if (!tiff) return -1;
  int count = TIFFNumberOfDirectories(tiff);
  TIFFClose(tiff);
  return count;
}

// Pages a record folder holds: one per file, one per frame of a TIFF.
int pages_in_folder(const fs::path& folder) {
  int pages = 0;
  for (const auto& entry : fs::directory_iterator(folder))
    pages += entry.path().extension() == ".tif" ? tiff_directories(entry.path()) : 1;
  return pages;
}

cv::Mat decode_grey_png(const fs::path& file) {
  const std::string bytes = read_file(file);
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) return {};
  image.format = PNG_FORMAT_GRAY;
  cv::Mat out(static_cast<int>(image.height), static_cast<int>(image.width), CV_8UC1);
  if (!png_image_finish_read(&image, nullptr, out.data, static_cast<png_int_32>(out.step), nullptr)) return {};
  return out;
}

// Share of dark pixels inside the page's text area (margins left out, where the scan
// border and the rotated corners are).
double ink_share(const cv::Mat& grey) {
  const cv::Rect text_area(grey.cols / 6, grey.rows / 8, grey.cols * 2 / 3, grey.rows * 3 / 4);
  const cv::Mat area = grey(text_area);
  return static_cast<double>(cv::countNonZero(area < 128)) / static_cast<double>(area.total());
}

// ctest runs every test in a process of its own, so each makes its lot: two pages per
// record keep that quick while every record kind and fault is still there.
SampleOptions fixture_options() {
  SampleOptions options;
  options.pages_per_record = 2;
  return options;
}

class SampleLotTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fresh_dir("lot"));
    lot_ = new SampleLot(make_sample_lot(*dir_, fixture_options()));
    truth_ = new Json(Json::parse(read_file(lot_->truth_file)));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete truth_;
    delete lot_;
    delete dir_;
  }
  static const Json& truth() { return *truth_; }
  static const SampleLot& lot() { return *lot_; }
  static const Json& page_with(const std::string& code) {
    for (const auto& page : truth()["pages"])
      for (const auto& finding : page["findings"])
        if (finding == code) return page;
    throw std::runtime_error("no page with " + code);
  }

  static fs::path* dir_;
  static SampleLot* lot_;
  static Json* truth_;
};
fs::path* SampleLotTest::dir_ = nullptr;
SampleLot* SampleLotTest::lot_ = nullptr;
Json* SampleLotTest::truth_ = nullptr;

//! The same options give the same bytes in every file, catalogue and truth included
//! (the default lot, as `lantai samples make` writes it).
TEST(SampleLotDefaults, SameOptionsGiveIdenticalBytes) {
  const fs::path one = fresh_dir("one");
  const fs::path two = fresh_dir("two");
  const SampleLot lot = make_sample_lot(one);
  make_sample_lot(two);
  const auto first = hash_tree(one);
  const auto second = hash_tree(two);
  const Json truth = Json::parse(read_file(lot.truth_file));
  fs::remove_all(one);
  fs::remove_all(two);
  size_t files = 2;  // catalogue and truth
  for (const auto& record : truth["records"]) files += record["folder_files"].get<size_t>();
  EXPECT_EQ(first.size(), files);
  EXPECT_EQ(first, second);
  EXPECT_EQ(truth["faults"].size(), 6u);
  EXPECT_EQ(lot.pages, 9 * 3 - 1) << "eight records and the orphan, three pages each, one missing";
}

//! A different seed changes the pixels but not the plan: same files, other bytes.
TEST_F(SampleLotTest, AnotherSeedGivesOtherBytesSameLayout) {
  const fs::path other = fresh_dir("seed");
  SampleOptions options = fixture_options();
  options.seed = 7;
  make_sample_lot(other, options);
  const auto first = hash_tree(*dir_);
  const auto second = hash_tree(other);
  fs::remove_all(other);
  ASSERT_EQ(first.size(), second.size());
  int differing = 0;
  for (const auto& [path, hash] : first) {
    ASSERT_TRUE(second.contains(path)) << path;
    differing += second.at(path) != hash;
  }
  EXPECT_GT(differing, static_cast<int>(first.size()) / 2);
}

//! The truth lists exactly the six planted faults, each in a record of its own, and the
//! page and record entries agree with that list.
TEST_F(SampleLotTest, TruthListsExactlyTheSixPlantedFaults) {
  const Json& faults = truth()["faults"];
  ASSERT_EQ(faults.size(), 6u);
  std::multiset<std::string> codes;
  std::set<std::string> records;
  for (const auto& fault : faults) {
    codes.insert(fault["code"].get<std::string>());
    records.insert(fault["record"].get<std::string>());
    EXPECT_TRUE(fs::exists(lot().scans_dir / fs::u8path(fault["file"].get<std::string>()))) << fault.dump();
  }
  EXPECT_EQ(codes, (std::multiset<std::string>{"qc.blank", "qc.resolution.low", "qc.duplicate", "decode.truncated",
                                               "link.missing_page", "link.orphan_folder"}));
  EXPECT_EQ(records.size(), 6u) << "each fault in its own record";

  size_t page_findings = 0, record_findings = 0, clean_records = 0;
  for (const auto& page : truth()["pages"]) {
    page_findings += page["findings"].size();
    EXPECT_TRUE(fs::exists(lot().scans_dir / fs::u8path(page["file"].get<std::string>()))) << page["file"];
    EXPECT_EQ(page["text_lines"].empty(), page["blank"].get<bool>()) << page["file"];
  }
  for (const auto& record : truth()["records"]) {
    record_findings += record["findings"].size();
    clean_records += record["findings"].empty() && !records.contains(record["ref"].get<std::string>());
  }
  EXPECT_EQ(page_findings, 4u);
  EXPECT_EQ(record_findings, 2u);
  EXPECT_GE(clean_records, 3u) << "the deposit batch needs content";
  EXPECT_EQ(truth()["pages"].size(), static_cast<size_t>(lot().pages));

  const Json& duplicate = page_with("qc.duplicate");
  EXPECT_EQ(duplicate["rescan_of"].get<std::string>().substr(0, duplicate["record"].get<std::string>().size()),
            duplicate["record"].get<std::string>());
  // Skews span the range the deskew stage must handle, with level pages among them.
  double largest = 0, smallest = 99;
  for (const auto& page : truth()["pages"]) {
    const double skew = std::abs(page["skew_deg"].get<double>());
    EXPECT_LE(skew, 12.0);
    largest = std::max(largest, skew);
    if (!page["blank"].get<bool>()) smallest = std::min(smallest, skew);
  }
  EXPECT_GT(largest, 8.0);
  EXPECT_LT(smallest, 0.5);
}

//! The catalogue loads without findings, quoting included, and its 页数 match the
//! folders except the one short record; the orphan folder has no row.
TEST_F(SampleLotTest, CatalogueParsesAndMatchesTheFolders) {
  const Catalog catalog = load_catalog(lot().catalog_file);
  EXPECT_TRUE(catalog.findings.empty());
  EXPECT_EQ(catalog.encoding, "UTF-8");
  EXPECT_TRUE(read_file(lot().catalog_file).starts_with("\xEF\xBB\xBF"));
  EXPECT_EQ(catalog.columns,
            (std::vector<std::string>{"档号", "题名", "责任者", "文号", "日期", "页数", "保管期限", "密级", "备注"}));
  ASSERT_EQ(catalog.records.size(), static_cast<size_t>(lot().records));

  std::string short_record;
  bool comma_title = false, quote_remark = false;
  for (const auto& record : catalog.records) {
    ASSERT_TRUE(record.page_count) << record.ref;
    const fs::path folder = lot().scans_dir / fs::u8path(record.ref);
    ASSERT_TRUE(fs::is_directory(folder)) << record.ref;
    const int pages = pages_in_folder(folder);
    if (pages != *record.page_count) {
      EXPECT_EQ(pages, *record.page_count - 1) << record.ref;
      EXPECT_TRUE(short_record.empty()) << "a second short record: " << record.ref;
      short_record = record.ref;
    }
    comma_title |= record.field(catalog.columns, "题名").find(',') != std::string::npos;
    quote_remark |= record.field(catalog.columns, "备注").find('"') != std::string::npos;
  }
  EXPECT_TRUE(comma_title) << "one 题名 holds a comma, to exercise quoting";
  EXPECT_TRUE(quote_remark) << "one 备注 holds a quote";
  for (const auto& fault : truth()["faults"])
    if (fault["code"] == "link.missing_page") {
      EXPECT_EQ(fault["record"].get<std::string>(), short_record);
    }

  int orphans = 0;
  for (const auto& entry : fs::directory_iterator(lot().scans_dir)) {
    const std::string ref = entry.path().filename().string();
    if (catalog.find(ref)) continue;
    ++orphans;
    for (const auto& fault : truth()["faults"])
      if (fault["code"] == "link.orphan_folder") {
        EXPECT_EQ(fault["record"].get<std::string>(), ref);
      }
  }
  EXPECT_EQ(orphans, 1);
}

//! The low-resolution page is 150 dpi in pixels and in its JFIF density; others say 300.
TEST_F(SampleLotTest, LowResolutionPageSays150Dpi) {
  const Json& page = page_with("qc.resolution.low");
  ASSERT_EQ(page["format"], "jpeg");
  EXPECT_EQ(page["width_px"], 1240);
  EXPECT_EQ(page["height_px"], 1754);
  auto jfif_density = [](const std::string& bytes) {
    // SOI, APP0 "JFIF\0", version (2), units (1 = dpi), X density (2), Y density (2)
    EXPECT_EQ(bytes.substr(6, 5), std::string("JFIF\0", 5));
    EXPECT_EQ(bytes[13], 1);
    const int x = (static_cast<unsigned char>(bytes[14]) << 8) | static_cast<unsigned char>(bytes[15]);
    const int y = (static_cast<unsigned char>(bytes[16]) << 8) | static_cast<unsigned char>(bytes[17]);
    EXPECT_EQ(x, y);
    return x;
  };
  EXPECT_EQ(jfif_density(read_file(lot().scans_dir / fs::u8path(page["file"].get<std::string>()))), 150);
  for (const auto& other : truth()["pages"])
    if (other["format"] == "jpeg" && other["findings"].empty()) {
      EXPECT_EQ(jfif_density(read_file(lot().scans_dir / fs::u8path(other["file"].get<std::string>()))), 300);
    }
}

//! The truncated JPEG stops before its end marker and is shorter than every whole page of its kind.
TEST_F(SampleLotTest, TruncatedFileIsShorterThanAValidOne) {
  const Json& page = page_with("decode.truncated");
  const std::string bytes = read_file(lot().scans_dir / fs::u8path(page["file"].get<std::string>()));
  EXPECT_FALSE(bytes.ends_with("\xFF\xD9"));
  size_t smallest_valid = SIZE_MAX;
  for (const auto& other : truth()["pages"]) {
    if (other["format"] != "jpeg" || !other["findings"].empty() || other["colour_mode"] != "grey") continue;
    const std::string whole = read_file(lot().scans_dir / fs::u8path(other["file"].get<std::string>()));
    EXPECT_TRUE(whole.ends_with("\xFF\xD9")) << other["file"];
    smallest_valid = std::min(smallest_valid, whole.size());
  }
  EXPECT_LT(bytes.size(), smallest_valid);
}

//! Every TIFF carries its compression, 300 dpi in inches, and the multi-page one a directory per page.
TEST_F(SampleLotTest, TiffVariantsCarryCompressionAndResolution) {
  std::set<int> compressions;
  for (const auto& page : truth()["pages"]) {
    if (page["format"] != "tiff") continue;
    const fs::path file = lot().scans_dir / fs::u8path(page["file"].get<std::string>());
    TIFF* tiff = TIFFOpen(file.c_str(), "r");
    ASSERT_TRUE(tiff) << file;
    ASSERT_TRUE(TIFFSetDirectory(tiff, static_cast<tdir_t>(page["frame"].get<int>())));
    std::uint16_t compression = 0, unit = 0, bits = 0;
    float x_dpi = 0;
    TIFFGetField(tiff, TIFFTAG_COMPRESSION, &compression);
    TIFFGetField(tiff, TIFFTAG_RESOLUTIONUNIT, &unit);
    TIFFGetField(tiff, TIFFTAG_XRESOLUTION, &x_dpi);
    TIFFGetField(tiff, TIFFTAG_BITSPERSAMPLE, &bits);
    EXPECT_EQ(unit, RESUNIT_INCH);
    EXPECT_EQ(x_dpi, 300.0f);
    EXPECT_EQ(bits, page["colour_mode"] == "bilevel" ? 1 : 8);
    EXPECT_EQ(TIFFGetField(tiff, TIFFTAG_DATETIME, nullptr), 0) << "no dates in the files";
    compressions.insert(compression);
    TIFFClose(tiff);
  }
  EXPECT_EQ(compressions, (std::set<int>{COMPRESSION_LZW, COMPRESSION_ADOBE_DEFLATE, COMPRESSION_CCITTFAX4}));
  int multipage = 0;
  for (const auto& record : truth()["records"])
    if (record["storage"] == "tiff-multipage-lzw") {
      ++multipage;
      EXPECT_EQ(record["folder_files"], 1);
      EXPECT_EQ(pages_in_folder(lot().scans_dir / fs::u8path(record["ref"].get<std::string>())), record["folder_pages"]);
    }
  EXPECT_EQ(multipage, 1);
}

//! A rendered page has ink in its text area; the planted blank page has next to none.
TEST_F(SampleLotTest, RenderedPageHasInkAndBlankPageHasNone) {
  const Json& blank = page_with("qc.blank");
  ASSERT_EQ(blank["format"], "png");
  const std::string record = blank["record"].get<std::string>();
  const cv::Mat page = decode_grey_png(lot().scans_dir / fs::u8path(record) / "0001.png");
  const cv::Mat empty = decode_grey_png(lot().scans_dir / fs::u8path(blank["file"].get<std::string>()));
  ASSERT_EQ(page.size(), cv::Size(2480, 3508));
  ASSERT_EQ(empty.size(), cv::Size(2480, 3508));
  EXPECT_GT(ink_share(page), 0.01);
  EXPECT_LT(ink_share(empty), 0.0005);
}

//! Bad options and a folder that is not empty are refused with a message naming the problem.
TEST(SampleLotOptions, RefusesBadOptionsAndFullFolders) {
  const fs::path dir = fresh_dir("refuse");
  SampleOptions options;
  options.records = 5;
  EXPECT_THROW(make_sample_lot(dir, options), std::invalid_argument);
  options = {};
  options.pages_per_record = 1;
  EXPECT_THROW(make_sample_lot(dir, options), std::invalid_argument);
  fs::create_directories(dir);
  std::ofstream(dir / "keep.txt") << "not ours";
  try {
    make_sample_lot(dir);
    ADD_FAILURE() << "a non-empty folder was accepted";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("not empty"), std::string::npos) << error.what();
  }
  EXPECT_EQ(read_file(dir / "keep.txt"), "not ours");
  fs::remove_all(dir);
}

//! The smallest lot (six rows, two pages each) still plants all six faults.
TEST(SampleLotOptions, SmallestLotPlantsAllSixFaults) {
  const fs::path dir = fresh_dir("small");
  SampleOptions options;
  options.records = 6;
  options.pages_per_record = 2;
  const SampleLot lot = make_sample_lot(dir, options);
  const Json truth = Json::parse(read_file(lot.truth_file));
  fs::remove_all(dir);
  std::set<std::string> codes;
  for (const auto& fault : truth["faults"]) codes.insert(fault["code"].get<std::string>());
  EXPECT_EQ(codes.size(), 6u);
  EXPECT_EQ(truth["faults"].size(), 6u);
  EXPECT_EQ(lot.records, 6);
  EXPECT_EQ(lot.folders, 7);
  EXPECT_EQ(lot.pages, 7 * 2 - 1);
}

//! Without the CJK fonts the generator says which package to install.
TEST(SampleLotOptions, MissingFontNamesThePackage) {
  try {
    TextRenderer renderer(fs::temp_directory_path() / "lantai-no-fonts-here");
    ADD_FAILURE() << "a font folder without fonts was accepted";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("fonts-noto-cjk"), std::string::npos) << error.what();
  }
}

//! With photos and recordings asked for, the lot also holds two photo records scanned at 600 dpi with their EXIF (date, scanner, resolution) and a 3 s 24-bit 44.1 kHz stereo WAV that decodes whole, each with its catalogue row; the paper part is unchanged.
TEST(SampleLotKinds, PhotosWithExifAndARecording) {
  const fs::path dir = fresh_dir("kinds");
  SampleOptions options = fixture_options();
  options.records = 6;
  options.photos_and_recordings = true;
  const SampleLot lot = make_sample_lot(dir, options);
  EXPECT_EQ(lot.photos, 2);
  EXPECT_EQ(lot.recordings, 1);
  EXPECT_EQ(lot.records, 6 + 3);
  for (const char* ref : {"J012-ZP·2021-Y-0001", "J012-ZP·2021-Y-0002"}) {
    SCOPED_TRACE(ref);
    const PhotoMetadata exif = read_photo_metadata(dir / "scans" / fs::u8path(ref) / "0001.jpg");
    EXPECT_EQ(exif.capture_date, "2021-05-12 10:20:30");
    EXPECT_EQ(exif.make, "Epson");
    EXPECT_EQ(exif.x_resolution.value_or(0), 600);
  }
  const av::MediaReport sound = av::analyse_media(dir / "scans" / fs::u8path("J012-LY·2021-Y-BGS-0001") / "0001.wav");
  EXPECT_EQ(sound.container, "wav");
  ASSERT_EQ(sound.audio.size(), 1u);
  EXPECT_EQ(sound.audio[0].sample_rate, 44100);
  EXPECT_EQ(sound.audio[0].bit_depth, 24);
  EXPECT_EQ(sound.audio[0].channels, 2);
  EXPECT_NEAR(sound.decoded_duration_s, 3.0, 0.01);
  EXPECT_EQ(sound.error_count, 0);
  const std::string catalogue = read_file(lot.catalog_file);
  for (const char* title : {"新馆落成典礼", "建馆初期合影", "档案工作会议录音"})
    EXPECT_NE(catalogue.find(title), std::string::npos) << title;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace lantai::samples
