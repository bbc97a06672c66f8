// The photo check on photos made at test time (tests/support/photo_files.h), decoded by the
// real decode stage: resolution by the size of the original, colour mode and bit depth,
// blur, EXIF read with exiv2; and the record check of the catalogue's 时间 against EXIF.
#include <gtest/gtest.h>

#include <unistd.h>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <filesystem>

#include <yaml-cpp/yaml.h>

#include "pipeline/files.h"
#include "samples/image_encoder.h"
#include "stages/decode/decode_stage.h"
#include "stages/quality/photo_date_stage.h"
#include "stages/quality/photo_quality_stage.h"
#include "tests/stages/item_stage_support.h"
#include "tests/support/photo_files.h"

namespace lantai::quality {
namespace {

namespace fs = std::filesystem;
using stage_testing::run_stage;

const std::string kRef = "J012-ZP·2021-Y-0001";

fs::path folder() {
  // One folder per test process: ctest runs this binary's tests side by side.
  const fs::path dir = fs::temp_directory_path() / ("lantai-photo-quality-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

template <class S>
S set_up(const std::string& id, const std::string& yaml = "{}") {
  ProfileSection section("test.yaml", id, YAML::Load(yaml));
  S stage;
  stage.setup(section, {});
  section.finish();
  return stage;
}

struct Checked {
  Item item;
  std::vector<std::string> codes;
};

// The photo decoded, then checked, as the photo chain runs them.
Checked check(const fs::path& file, const std::string& yaml = "{}") {
  static const decode::DecodeStage decoder = set_up<decode::DecodeStage>("decode");
  const PhotoQualityStage stage = set_up<PhotoQualityStage>("photo_quality", yaml);
  Checked checked{test_photos::photo_item(kRef, file), {}};
  run_stage(decoder, checked.item);
  const Outcome outcome = run_stage(stage, checked.item);
  for (const Finding& finding : outcome.findings) checked.codes.push_back(finding.code);
  return checked;
}

bool has(const Checked& checked, const std::string& code) {
  return std::find(checked.codes.begin(), checked.codes.end(), code) != checked.codes.end();
}

const test_photos::Exif kScanner{"2021:05:12 10:20:30", "Epson", "Perfection V850", 0, 2, 600};

//! The resolution rule: 3000 px along the long side, so a 5-inch print needs 600 dpi, a 35 mm negative about 2117, a 10-inch print 300; never below the floor nor above the cap.
TEST(PhotoResolution, RequiredDpiFollowsTheOriginalsSize) {
  const PhotoResolutionRule rule;
  EXPECT_NEAR(required_resolution_dpi(5.0, rule), 600, 1e-9);
  EXPECT_NEAR(required_resolution_dpi(36 / 25.4, rule), 2116.7, 0.1);
  EXPECT_NEAR(required_resolution_dpi(10.0, rule), 300, 1e-9);
  EXPECT_NEAR(required_resolution_dpi(20.0, rule), 300, 1e-9);   // the floor
  EXPECT_NEAR(required_resolution_dpi(0.5, rule), 4000, 1e-9);   // the cap
}

//! A 5-inch colour print scanned at 600 dpi with an ICC profile passes, and its EXIF is read: date, device, resolution, source, the profile's size.
TEST(PhotoQuality, AGoodColourScanPassesAndItsExifIsRead) {
  const fs::path file = folder() / "colour.jpg";
  const std::string icc = test_photos::srgb_icc();
  test_photos::write_jpeg(file, test_photos::draw_photo({3000, 2100}), 600, kScanner, icc);
  const Checked checked = check(file);
  EXPECT_TRUE(checked.codes.empty()) << ::testing::PrintToString(checked.codes);
  const Measurements& m = checked.item.measurements;
  EXPECT_EQ(m.text("capture_date"), "2021-05-12 10:20:30");
  EXPECT_EQ(m.text("camera_make"), "Epson");
  EXPECT_EQ(m.text("camera_model"), "Perfection V850");
  EXPECT_EQ(m.number("exif_x_resolution"), 600);
  EXPECT_EQ(m.text("exif_resolution_unit"), "inch");
  EXPECT_EQ(m.text("capture_source"), "scan");
  EXPECT_EQ(m.number("exif_orientation"), 1);
  EXPECT_EQ(m.number("icc_profile_bytes"), static_cast<double>(icc.size()));
  EXPECT_NEAR(*m.number("original_long_side_mm"), 127, 0.1);
  EXPECT_NEAR(*m.number("required_resolution_dpi"), 600, 1e-6);
  EXPECT_LT(*m.number("blur_print_mm"), 0.25);
}

//! The same print scanned at 300 dpi is too coarse for its size; a 10-inch print at 300 dpi is not.
TEST(PhotoQuality, ResolutionIsJudgedBySizeOfTheOriginal) {
  const fs::path small = folder() / "small-300.jpg";
  test_photos::write_jpeg(small, test_photos::draw_photo({1500, 1050}), 300, kScanner);
  const Checked coarse = check(small);
  EXPECT_TRUE(has(coarse, "photo.resolution.low")) << ::testing::PrintToString(coarse.codes);
  const fs::path large = folder() / "large-300.jpg";
  test_photos::write_jpeg(large, test_photos::draw_photo({3000, 2400}), 300, kScanner);
  EXPECT_FALSE(has(check(large), "photo.resolution.low"));
}

//! Greyscale passes where the profile allows it and is refused where only colour is; a 16-bit colour TIFF is 48-bit, enough for negatives, an 8-bit one is not.
TEST(PhotoQuality, ColourModeAndBitDepthAgainstTheProfile) {
  const fs::path grey = folder() / "grey.tif";
  test_photos::write_tiff(grey, test_photos::draw_photo({3000, 2100}, false), 600, kScanner, test_photos::grey_icc());
  EXPECT_TRUE(check(grey).codes.empty());
  EXPECT_TRUE(has(check(grey, "  colour_modes: colour\n"), "photo.colour_mode"));

  const fs::path deep = folder() / "colour16.tif";
  cv::Mat sixteen;
  test_photos::draw_photo({3000, 2100}).convertTo(sixteen, CV_16UC3, 257);
  test_photos::write_tiff(deep, sixteen, 600, kScanner, test_photos::srgb_icc());
  const Checked negative = check(deep, "  min_colour_bits: 48\n");
  EXPECT_TRUE(negative.codes.empty()) << ::testing::PrintToString(negative.codes);
  EXPECT_EQ(negative.item.measurements.number("bits_per_sample"), 16);
  const fs::path shallow = folder() / "colour8.tif";
  test_photos::write_tiff(shallow, test_photos::draw_photo({3000, 2100}), 600, kScanner);
  EXPECT_TRUE(has(check(shallow, "  min_colour_bits: 48\n"), "photo.bit_depth.low"));
}

//! A scan out of focus is flagged photo.blur with its measure and the limit; the same picture in focus is not.
TEST(PhotoQuality, BlurIsFlagged) {
  cv::Mat blurred;
  cv::GaussianBlur(test_photos::draw_photo({3000, 2100}), blurred, {0, 0}, 12);
  const fs::path file = folder() / "blurred.jpg";
  test_photos::write_jpeg(file, blurred, 600, kScanner);
  const Checked checked = check(file);
  EXPECT_TRUE(has(checked, "photo.blur")) << ::testing::PrintToString(checked.codes);
  EXPECT_GT(*checked.item.measurements.number("blur_print_mm"), 0.25);
}

//! A photo delivered as PNG is photo.format (DA/T 50-2014: TIFF or JPEG) naming the format and the ones allowed; a profile that lists png takes it.
TEST(PhotoQuality, FormatAgainstTheProfile) {
  const fs::path file = folder() / "print.png";
  write_file_atomically(file, samples::encode_png(test_photos::draw_photo({3000, 2100}), 600));
  Checked checked = check(file);
  EXPECT_EQ(checked.codes, std::vector<std::string>{"photo.format"});
  const Outcome outcome = run_stage(set_up<PhotoQualityStage>("photo_quality"), checked.item);
  ASSERT_FALSE(outcome.findings.empty());
  EXPECT_EQ(outcome.findings[0].value, "png");
  EXPECT_EQ(outcome.findings[0].threshold, "tiff, jpeg");
  EXPECT_TRUE(check(file, "  formats: tiff,jpeg,png\n").codes.empty());
  EXPECT_THROW(set_up<PhotoQualityStage>("photo_quality", "  formats: gif\n"), ProfileError);
}

//! A file whose metadata exiv2 cannot read is reported, not failed: the check goes on.
TEST(PhotoQuality, UnreadableMetadataIsAFinding) {
  Item item = test_photos::photo_item(kRef, folder() / "missing.jpg");
  item.image = Image::seal(test_photos::draw_photo({3000, 2100}));
  item.measurements.set("colour_mode", std::string("colour"));
  const Outcome outcome = set_up<PhotoQualityStage>("photo_quality").process(item);
  ASSERT_FALSE(outcome.findings.empty());
  EXPECT_EQ(outcome.findings[0].code, "photo.metadata_unreadable");
}

//! Catalogue dates are read in the forms catalogues use, to the precision they give.
TEST(PhotoDates, CatalogueDatesParse) {
  for (const char* text : {"2021-05-12", "20210512", "2021.5.12", "2021年5月12日"}) {
    const auto date = parse_catalogue_date(text);
    ASSERT_TRUE(date) << text;
    EXPECT_EQ(date->year, 2021);
    EXPECT_EQ(date->month, 5);
    EXPECT_EQ(date->day, 12);
  }
  EXPECT_EQ(parse_catalogue_date("2021-05")->day, 0);
  EXPECT_EQ(parse_catalogue_date("2021")->month, 0);
  EXPECT_FALSE(parse_catalogue_date(""));
  EXPECT_FALSE(parse_catalogue_date("2021-2022"));
  EXPECT_FALSE(parse_catalogue_date("2021-13-01"));
}

// What photo_dates finds on a photo record with this catalogue row (档号 first).
std::vector<Finding> record_findings(const std::vector<std::string>& columns, const std::vector<std::string>& row,
                                     const std::string& capture_date, const std::string& source) {
  Catalog catalog;
  catalog.columns = columns;
  catalog.records.push_back({kRef, std::nullopt, row, 2});
  RecordWork record;
  record.ref = kRef;
  record.entry = catalog.records[0];
  record.catalog = &catalog;
  record.has_folder = true;
  RecordItem item;
  item.item_id = Item::make_id(kRef + "/0001.jpg", 0);
  item.kind = ItemKind::photo;
  item.rel_path = kRef + "/0001.jpg";
  item.measurements.set("capture_date", capture_date);
  item.measurements.set("capture_source", source);
  record.items.push_back(item);
  return set_up<PhotoDateStage>("photo_dates").process(record).findings;
}

std::vector<Finding> dates_of(const std::string& catalogue_date, const std::string& capture_date,
                              const std::string& source) {
  return record_findings({"档号", "题名", "时间", "照片号", "摄影者"}, {kRef, "新馆落成", catalogue_date, "ZP0001", "王明"},
                         capture_date, source);
}

//! A scan: a catalogue date later than the scan is flagged, an earlier one (the print is older) is not. A camera's file: another year is flagged, another day of the year is not.
TEST(PhotoDates, TheCatalogueDateAgainstExif) {
  const auto later = dates_of("2022-06-01", "2021-05-12 10:20:30", "scan");
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].code, "photo.date_mismatch");
  EXPECT_EQ(later[0].severity, Severity::warn);
  EXPECT_EQ(later[0].value, "2022-06-01");
  EXPECT_EQ(later[0].threshold, "2021-05-12 10:20:30");
  EXPECT_TRUE(dates_of("1985-10", "2021-05-12 10:20:30", "scan").empty());
  EXPECT_TRUE(dates_of("2021-05", "2021-05-12 10:20:30", "scan").empty());  // the same month may be the day
  EXPECT_EQ(dates_of("2019-05-12", "2021-05-12 10:20:30", "camera").size(), 1u);
  EXPECT_TRUE(dates_of("2021-01-01", "2021-05-12 10:20:30", "camera").empty());
  // No date to judge (only the missing field is said).
  const auto undated = dates_of("", "2021-05-12 10:20:30", "scan");
  ASSERT_EQ(undated.size(), 1u);
  EXPECT_EQ(undated[0].code, "photo.catalogue_incomplete");
}

//! A photo record whose row lacks a DA/T 50-2014 field (照片号 or 摄影者 empty or without a column, no date in 时间 or 日期) is photo.catalogue_incomplete, a warning naming what is missing; a full row, dated by 日期 in a paper catalogue, is not.
TEST(PhotoDates, TheCatalogueFieldsOfAPhoto) {
  const std::string scanned = "2021-05-12 10:20:30";
  const auto blank = record_findings({"档号", "题名", "时间", "照片号", "摄影者"}, {kRef, "新馆落成", "", "ZP0001", " "},
                                     scanned, "scan");
  ASSERT_EQ(blank.size(), 1u);
  EXPECT_EQ(blank[0].code, "photo.catalogue_incomplete");
  EXPECT_EQ(blank[0].severity, Severity::warn);
  EXPECT_EQ(blank[0].value, "摄影者, 时间");
  EXPECT_EQ(blank[0].threshold, "照片号, 摄影者, 时间");
  const auto paper = record_findings({"档号", "题名", "日期"}, {kRef, "新馆落成", "1985-10-01"}, scanned, "scan");
  ASSERT_EQ(paper.size(), 1u);
  EXPECT_EQ(paper[0].value, "照片号, 摄影者");
  EXPECT_TRUE(record_findings({"档号", "题名", "日期", "照片号", "摄影者"}, {kRef, "新馆落成", "1985-10-01", "ZP0001", "王明"},
                              scanned, "scan")
                  .empty());
}

}  // namespace
}  // namespace lantai::quality
