// The record's multi-page TIFF, built from pages the real derivative stage wrote, read
// back page by page with libtiff's own RGBA reader (not lantai's decoder).
#include <gtest/gtest.h>
#include <tiffio.h>
#include <yaml-cpp/yaml.h>

#include <opencv2/imgproc.hpp>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "pipeline/tiff_codec.h"
#include "stages/derivatives/derivative_stage.h"
#include "stages/derivatives/record_tiff_stage.h"
#include "tests/stages/item_stage_support.h"

namespace lantai::derivatives {
namespace {

namespace fs = std::filesystem;

constexpr const char* kRef = "J012-WS·2021-Y-BGS-0001";

template <class Stage>
void set_up(Stage& stage, const std::string& id, const fs::path& work, const std::string& yaml) {
  YAML::Node node = YAML::Load(yaml);
  ProfileSection section("test.yaml", id, node);
  stage.setup(section, StageContext{work, {}, 1});
}

cv::Mat page_with_seal(int width, int height, bool colour) {
  cv::Mat page(height, width, colour ? CV_8UC3 : CV_8UC1, cv::Scalar::all(235));
  cv::putText(page, "RECORD 2021", {width / 10, height / 3}, cv::FONT_HERSHEY_SIMPLEX, 2.0, cv::Scalar::all(20), 5);
  cv::circle(page, {width / 2, 2 * height / 3}, height / 6, colour ? cv::Scalar(30, 30, 210) : cv::Scalar(90), 6);
  return page;
}

cv::Mat black_and_white(int width, int height) {
  cv::Mat page(height, width, CV_8UC1, cv::Scalar(255));
  cv::putText(page, "BITONAL", {width / 10, height / 2}, cv::FONT_HERSHEY_SIMPLEX, 2.0, cv::Scalar(0), 5);
  return page;
}

// One page of a TIFF as libtiff reads it.
struct ReadPage {
  cv::Mat bgr;
  std::uint16_t compression = 0, page = 0, pages = 0;
  float x_dpi = 0;
};

std::vector<ReadPage> read_pages(const fs::path& file) {
  std::unique_ptr<TIFF, void (*)(TIFF*)> tif(TIFFOpen(file.c_str(), "r"), TIFFClose);
  if (!tif) return {};
  std::vector<ReadPage> pages;
  do {
    ReadPage page;
    std::uint32_t width = 0, height = 0;
    TIFFGetField(tif.get(), TIFFTAG_IMAGEWIDTH, &width);
    TIFFGetField(tif.get(), TIFFTAG_IMAGELENGTH, &height);
    TIFFGetField(tif.get(), TIFFTAG_COMPRESSION, &page.compression);
    TIFFGetField(tif.get(), TIFFTAG_PAGENUMBER, &page.page, &page.pages);
    TIFFGetField(tif.get(), TIFFTAG_XRESOLUTION, &page.x_dpi);
    cv::Mat rgba(static_cast<int>(height), static_cast<int>(width), CV_8UC4);
    if (!TIFFReadRGBAImageOriented(tif.get(), width, height, reinterpret_cast<std::uint32_t*>(rgba.data),
                                   ORIENTATION_TOPLEFT, 0))
      return {};
    cv::cvtColor(rgba, page.bgr, cv::COLOR_RGBA2BGR);
    pages.push_back(std::move(page));
  } while (TIFFReadDirectory(tif.get()));
  return pages;
}

cv::Mat as_bgr(const cv::Mat& pixels) {
  if (pixels.channels() == 3) return pixels;
  cv::Mat bgr;
  cv::cvtColor(pixels, bgr, cv::COLOR_GRAY2BGR);
  return bgr;
}

class RecordTiffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::remove_all(work_);
    record_.ref = kRef;
    record_.entry = CatalogRecord{};
    record_.entry->ref = kRef;
    record_.has_folder = true;
    record_.work_dir = work_;
  }

  // One page through the real derivative stage (derivatives_yaml its section), as the
  // record stage will see it.
  void add_page(const cv::Mat& pixels, double dpi, const std::string& derivatives_yaml, bool bilevel = false) {
    DerivativeStage derivatives;
    set_up(derivatives, "derivatives", work_, derivatives_yaml);
    const int seq = static_cast<int>(record_.items.size()) + 1;
    char name[64];
    std::snprintf(name, sizeof name, "%s/%04d.tif", kRef, seq);
    Item item = stage_testing::page_item(pixels, dpi, name);
    item.seq = seq;
    if (bilevel) item.measurements.set("colour_mode", std::string(to_string(ColourMode::bilevel)));
    RecordItem page;
    page.item_id = item.id;
    page.rel_path = item.rel_path;
    page.seq = seq;
    page.outputs = stage_testing::run_stage(derivatives, item).outputs;
    page.measurements = item.measurements;
    page.measurements.set("width_px", static_cast<double>(pixels.cols));
    page.measurements.set("height_px", static_cast<double>(pixels.rows));
    record_.items.push_back(std::move(page));
  }

  cv::Mat derivative_pixels(size_t index) const {
    return decode_derivative(read_file(work_ / utf8_path(record_.items[index].outputs.at(0).path)));
  }

  Outcome build(const std::string& yaml = "{enabled: true}") {
    RecordTiffStage stage;
    set_up(stage, "record_tiff", work_, yaml);
    return stage.process(record_);
  }

  fs::path work_ = fs::temp_directory_path() /
                   (std::string("lantai-record-tiff-") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  RecordWork record_;
};

//! The record's pages become one TIFF at WORK/tiff/<档号>.tif, in order, each page exactly the pixels of its derivative (colour and grey, lossless), with its resolution, its page number of the count and LZW; the output's SHA-256 and size are the file's.
TEST_F(RecordTiffTest, PagesAreTheDerivativesPixelsInOrder) {
  add_page(page_with_seal(900, 1200, true), 300, "{}");
  add_page(page_with_seal(800, 1000, false), 200, "{format: tiff}");
  add_page(page_with_seal(700, 900, true), 400, "{format: jp2}");
  const Outcome outcome = build();
  ASSERT_EQ(outcome.outputs.size(), 1u);
  EXPECT_EQ(outcome.outputs[0].path, std::string("tiff/") + kRef + ".tif");
  EXPECT_EQ(outcome.outputs[0].kind, "record_tiff");
  const fs::path file = work_ / utf8_path(outcome.outputs[0].path);
  const std::string bytes = read_file(file);
  EXPECT_EQ(outcome.outputs[0].sha256, hex_digest(DigestAlgorithm::sha256, bytes));
  EXPECT_EQ(outcome.outputs[0].size_bytes, bytes.size());

  const std::vector<ReadPage> pages = read_pages(file);
  ASSERT_EQ(pages.size(), 3u);
  const double dpi[] = {300, 200, 400};
  for (size_t i = 0; i < pages.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(pages[i].page, i);
    EXPECT_EQ(pages[i].pages, 3);
    EXPECT_EQ(pages[i].compression, COMPRESSION_LZW);
    EXPECT_FLOAT_EQ(pages[i].x_dpi, static_cast<float>(dpi[i]));
    const cv::Mat expected = as_bgr(derivative_pixels(i));
    ASSERT_EQ(pages[i].bgr.size(), expected.size());
    EXPECT_EQ(cv::norm(pages[i].bgr, expected, cv::NORM_INF), 0) << "page " << i << " differs from its derivative";
  }
}

//! With compression g4 a black-and-white page is stored as CCITT G4 at one bit a pixel and the colour page beside it as LZW, both exact; deflate stores every page as Deflate.
TEST_F(RecordTiffTest, G4ForBlackAndWhitePagesOnly) {
  add_page(black_and_white(1000, 800), 300, "{format: tiff, tiff_compression: g4}", true);
  add_page(page_with_seal(900, 1200, true), 300, "{}");
  const Outcome outcome = build("{enabled: true, compression: g4}");
  ASSERT_EQ(outcome.outputs.size(), 1u);
  const std::vector<ReadPage> pages = read_pages(work_ / utf8_path(outcome.outputs[0].path));
  ASSERT_EQ(pages.size(), 2u);
  EXPECT_EQ(pages[0].compression, COMPRESSION_CCITTFAX4);
  EXPECT_EQ(pages[1].compression, COMPRESSION_LZW);
  for (size_t i = 0; i < pages.size(); ++i)
    EXPECT_EQ(cv::norm(pages[i].bgr, as_bgr(derivative_pixels(i)), cv::NORM_INF), 0) << "page " << i;

  const Outcome deflated = build("{enabled: true, compression: deflate}");
  ASSERT_EQ(deflated.outputs.size(), 1u);
  for (const ReadPage& page : read_pages(work_ / utf8_path(deflated.outputs[0].path)))
    EXPECT_EQ(page.compression, COMPRESSION_ADOBE_DEFLATE);
}

//! The same pages give the same bytes.
TEST_F(RecordTiffTest, SamePagesSameBytes) {
  add_page(page_with_seal(600, 800, true), 300, "{}");
  add_page(page_with_seal(600, 800, false), 300, "{}");
  const Outcome first = build();
  const Outcome second = build();
  ASSERT_EQ(first.outputs.size(), 1u);
  ASSERT_EQ(second.outputs.size(), 1u);
  EXPECT_EQ(first.outputs[0].sha256, second.outputs[0].sha256);
}

//! Nothing is built unless the profile asks (off by default), nor for a record with a quarantined page or without a catalogue entry; a derivative changed after it was made is not put in (the deposit refuses it), and no temp file is left behind.
TEST_F(RecordTiffTest, BuildsOnlyWhatWillBeDeposited) {
  add_page(page_with_seal(600, 800, true), 300, "{}");
  add_page(page_with_seal(600, 800, true), 300, "{}");
  EXPECT_TRUE(build("{}").outputs.empty());
  record_.items[1].rejected = true;
  EXPECT_TRUE(build().outputs.empty());
  record_.items[1].rejected = false;
  record_.entry.reset();
  EXPECT_TRUE(build().outputs.empty());
  record_.entry = CatalogRecord{};

  const fs::path derivative = work_ / utf8_path(record_.items[1].outputs[0].path);
  std::string bytes = read_file(derivative);
  bytes[bytes.size() / 2] ^= 0x10;
  write_file_atomically(derivative, bytes);
  EXPECT_TRUE(build().outputs.empty());
  EXPECT_FALSE(fs::exists(work_ / "tiff" / (std::string(kRef) + ".tif")));
  for (const auto& entry : fs::recursive_directory_iterator(work_))
    EXPECT_EQ(entry.path().filename().string().find(".lantai-tmp."), std::string::npos) << entry.path();
}

//! A file that may pass 4 GB is written as BigTIFF (version 43), which libtiff reads back page by page.
TEST(TiffPagesWriter, WritesBigTiffWhenAsked) {
  const fs::path work = fs::temp_directory_path() / "lantai-record-tiff-big";
  fs::remove_all(work);
  OutputFile file(work, "big.tif", "test");
  TiffPagesWriter writer(file.descriptor(), 2, true);
  writer.add(page_with_seal(300, 400, true), TiffCompression::deflate, 300.0);
  writer.add(black_and_white(300, 400), TiffCompression::g4, 300.0);
  writer.finish();
  const StageOutput output = file.commit();
  const std::string bytes = read_file(work / "big.tif");
  ASSERT_GE(bytes.size(), 4u);
  EXPECT_EQ(bytes.substr(0, 4), std::string("II\x2B\0", 4));
  EXPECT_EQ(output.sha256, hex_digest(DigestAlgorithm::sha256, bytes));
  EXPECT_EQ(read_pages(work / "big.tif").size(), 2u);
}

}  // namespace
}  // namespace lantai::derivatives
