#include "stages/ingest/ingest_stage.h"

#include <gtest/gtest.h>
#include <tiffio.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipeline/profile.h"

#include <yaml-cpp/yaml.h>

namespace lantai::ingest {
namespace {

namespace fs = std::filesystem;

const std::string kRecordA = "J012-WS·2021-Y-BGS-0002";
const std::string kRecordB = "J012-WS·2021-Y-BGS-0010";

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::temp_directory_path() / ("lantai-ingest-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path touch(const std::string& rel_path, const std::string& bytes = "x") {
    const fs::path path = root_ / fs::u8path(rel_path);
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  // A grey TIFF with `frames` pages of 8 x 8 px.
  fs::path write_tiff(const std::string& rel_path, int frames) {
    const fs::path path = touch(rel_path);
    TIFF* tif = TIFFOpen(path.c_str(), "w");
    std::vector<unsigned char> row(8, 128);
    for (int f = 0; f < frames; ++f) {
      TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, 8u);
      TIFFSetField(tif, TIFFTAG_IMAGELENGTH, 8u);
      TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 8);
      TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
      TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
      TIFFSetField(tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
      for (std::uint32_t y = 0; y < 8; ++y) TIFFWriteScanline(tif, row.data(), y, 0);
      TIFFWriteDirectory(tif);
    }
    TIFFClose(tif);
    return path;
  }

  Outcome ingest() {
    lot_ = Lot{};
    lot_.input_root = root_;
    return IngestStage().process(lot_);
  }

  // "rel_path#frame@seq" per page, for compact comparisons.
  std::vector<std::string> listing() const {
    std::vector<std::string> pages;
    for (const ItemRef& page : lot_.items)
      pages.push_back(page.rel_path + "#" + std::to_string(page.frame) + "@" + std::to_string(page.seq));
    return pages;
  }

  static std::vector<std::string> codes(const Outcome& outcome) {
    std::vector<std::string> found;
    for (const auto& finding : outcome.findings) found.push_back(finding.code + " " + finding.item_id);
    return found;
  }

  fs::path root_;
  Lot lot_;
};

//! Records come in natural folder order, pages in natural file order with 1-based seq per record.
TEST_F(IngestTest, NaturalOrderAndSeq) {
  touch(kRecordB + "/page10.jpg");
  touch(kRecordB + "/page2.JPG");
  touch(kRecordB + "/page1.jpg");
  touch(kRecordA + "/第10页.jpg");
  touch(kRecordA + "/第2页.jpeg");
  const Outcome outcome = ingest();
  EXPECT_TRUE(outcome.findings.empty()) << ::testing::PrintToString(codes(outcome));
  EXPECT_EQ(lot_.folders, (std::vector<std::string>{kRecordA, kRecordB}));
  EXPECT_EQ(listing(), (std::vector<std::string>{kRecordA + "/第2页.jpeg#0@1", kRecordA + "/第10页.jpg#0@2",
                                                  kRecordB + "/page1.jpg#0@1", kRecordB + "/page2.JPG#0@2",
                                                  kRecordB + "/page10.jpg#0@3"}));
  EXPECT_EQ(lot_.items[2].record_ref, kRecordB);
}

//! A three-page TIFF gives frames 0..2 with consecutive seq, between the files around it.
TEST_F(IngestTest, MultiPageTiffFrames) {
  touch(kRecordA + "/a.jpg");
  write_tiff(kRecordA + "/b.tif", 3);
  touch(kRecordA + "/c.png");
  ingest();
  EXPECT_EQ(listing(), (std::vector<std::string>{kRecordA + "/a.jpg#0@1", kRecordA + "/b.tif#0@2",
                                                  kRecordA + "/b.tif#1@3", kRecordA + "/b.tif#2@4",
                                                  kRecordA + "/c.png#0@5"}));
}

//! JPEG 2000 files (.jp2, .jpx, .j2k, any case) are pages; one storage format gives no batch finding.
TEST_F(IngestTest, Jpeg2000Pages) {
  touch(kRecordA + "/0001.jp2");
  touch(kRecordA + "/0002.JPX");
  touch(kRecordA + "/0003.j2k");
  const Outcome outcome = ingest();
  EXPECT_TRUE(outcome.findings.empty()) << ::testing::PrintToString(codes(outcome));
  EXPECT_EQ(listing(), (std::vector<std::string>{kRecordA + "/0001.jp2#0@1", kRecordA + "/0002.JPX#0@2",
                                                  kRecordA + "/0003.j2k#0@3"}));
}

//! A batch mixing formats gets one ingest.mixed_formats (warn) on the batch, counting files (not frames) per format.
TEST_F(IngestTest, MixedFormatsReportedOncePerBatch) {
  touch(kRecordA + "/0001.tif");
  write_tiff(kRecordA + "/0002.tif", 3);
  touch(kRecordA + "/0003.jpg");
  touch(kRecordB + "/0001.jp2");
  touch(kRecordB + "/0002.tif");
  const Outcome outcome = ingest();
  ASSERT_EQ(codes(outcome), (std::vector<std::string>{"ingest.mixed_formats "}));
  const Finding& finding = outcome.findings[0];
  EXPECT_EQ(finding.severity, Severity::warn);
  EXPECT_TRUE(finding.record_ref.empty());
  EXPECT_EQ(finding.value, "3");
  EXPECT_EQ(finding.threshold, "1");
  EXPECT_NE(finding.message.find("1 JPEG, 3 TIFF, 1 JPEG 2000 files"), std::string::npos) << finding.message;
  EXPECT_FALSE(outcome.rejected());
}

//! A .tif libtiff cannot open gives frame 0 only; one whose page chain breaks gives one frame past the last readable, for decode to report.
TEST_F(IngestTest, DamagedTiffFrames) {
  touch(kRecordA + "/garbage.tif", "not a tiff at all");
  const fs::path cut = write_tiff(kRecordA + "/cut.tif", 4);
  const auto size = fs::file_size(cut);
  fs::resize_file(cut, size - 150);  // the last directory is lost; earlier ones stay
  ingest();
  const std::vector<std::string> pages = listing();
  ASSERT_FALSE(pages.empty());
  EXPECT_EQ(pages.back(), kRecordA + "/garbage.tif#0@" + std::to_string(pages.size()));
  EXPECT_EQ(pages.size(), 5u) << ::testing::PrintToString(pages);  // cut.tif: 3 readable + 1, garbage.tif: 1
  EXPECT_EQ(pages[3], kRecordA + "/cut.tif#3@4");
}

//! A TIFF whose last directory links back to its first (an IFD loop, only a warning to libtiff) is a broken chain: its readable frames and one more, so decode names the loop.
TEST_F(IngestTest, LoopingTiffChainIsBroken) {
  const fs::path looping = write_tiff(kRecordA + "/loop.tif", 2);
  std::string bytes;
  {
    std::ifstream in(looping, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto u32 = [&](size_t at) {
    std::uint32_t v = 0;
    for (int b = 3; b >= 0; --b) v = v << 8 | static_cast<unsigned char>(bytes[at + b]);
    return v;
  };
  const std::uint32_t first = u32(4);
  for (std::uint32_t at = first; at != 0;) {
    const size_t next_at = at + 2 + 12 * (static_cast<unsigned char>(bytes[at]) | static_cast<unsigned char>(bytes[at + 1]) << 8);
    at = u32(next_at);
    if (at == 0)
      for (int b = 0; b < 4; ++b) bytes[next_at + b] = static_cast<char>(first >> (8 * b));
  }
  std::ofstream(looping, std::ios::binary) << bytes;
  ingest();
  EXPECT_EQ(listing(), (std::vector<std::string>{kRecordA + "/loop.tif#0@1", kRecordA + "/loop.tif#1@2",
                                                 kRecordA + "/loop.tif#2@3"}));
}

//! A folder whose name cannot be a 档号 is ingest.bad_folder (reject); its files are not listed.
TEST_F(IngestTest, BadFolderName) {
  touch(" padded/page1.jpg");
  touch("tab\tname/page1.jpg");
  touch(kRecordA + "/page1.jpg");
  const Outcome outcome = ingest();
  EXPECT_EQ(codes(outcome), (std::vector<std::string>{"ingest.bad_folder  padded#0", "ingest.bad_folder tab\\x09name#0"}));
  EXPECT_TRUE(outcome.rejected());
  EXPECT_EQ(lot_.folders, std::vector<std::string>{kRecordA});
  EXPECT_EQ(listing(), std::vector<std::string>{kRecordA + "/page1.jpg#0@1"});
  EXPECT_EQ(outcome.findings[1].message.rfind("tab\\x09name: ", 0), 0u) << outcome.findings[1].message;
}

//! Other formats, nested folders and non-UTF-8 names are ingest.unsupported_file (warn) naming the entry, and not pages.
TEST_F(IngestTest, UnsupportedEntries) {
  touch(kRecordA + "/page1.jpg");
  touch(kRecordA + "/notes.txt");
  touch(kRecordA + "/scan.bmp");
  touch(kRecordA + "/sub/page2.jpg");
  std::ofstream(root_ / kRecordA / std::string("\xB5\xDA" "2.jpg")) << "x";  // GBK for 第
  const Outcome outcome = ingest();
  EXPECT_EQ(codes(outcome), (std::vector<std::string>{"ingest.unsupported_file " + kRecordA + "/notes.txt#0",
                                                       "ingest.unsupported_file " + kRecordA + "/scan.bmp#0",
                                                       "ingest.unsupported_file " + kRecordA + "/sub#0",
                                                       "ingest.unsupported_file " + kRecordA + "/\\xB5\\xDA2.jpg#0"}));
  EXPECT_FALSE(outcome.rejected());
  for (const auto& finding : outcome.findings) EXPECT_EQ(finding.severity, Severity::warn);
  EXPECT_EQ(listing(), std::vector<std::string>{kRecordA + "/page1.jpg#0@1"});
}

//! Each file's kind is told by its content, not its name: a recording (AVI, WAV, MP4, MXF) is an av item whatever it is called, a JPEG named .tif is a JPEG page, and a text file named .avi is not read.
TEST_F(IngestTest, KindsByContent) {
  using namespace std::string_literals;
  touch(kRecordA + "/0001.jpg", "\xFF\xD8\xFF\xE0 a JPEG"s);
  touch(kRecordA + "/0002.tif", "\xFF\xD8\xFF\xE0 a JPEG named .tif"s);
  touch(kRecordA + "/0003.dat", "RIFF\x10\0\0\0AVI LIST"s);
  touch(kRecordA + "/0004.jpg", "RIFF\x10\0\0\0WAVEfmt "s);
  touch(kRecordA + "/0005.mov", "\0\0\0\x18" "ftypqt  "s);
  touch(kRecordA + "/0006.mxf", "\x06\x0E\x2B\x34\x02\x05\x01\x01"s);
  touch(kRecordA + "/0007.avi", "minutes of the meeting\n");
  const Outcome outcome = ingest();
  EXPECT_EQ(codes(outcome), std::vector<std::string>{"ingest.unsupported_file " + kRecordA + "/0007.avi#0"});
  ASSERT_EQ(lot_.items.size(), 6u);
  const ItemKind expected[] = {ItemKind::page, ItemKind::page, ItemKind::av, ItemKind::av, ItemKind::av, ItemKind::av};
  for (std::size_t i = 0; i < lot_.items.size(); ++i) {
    EXPECT_EQ(lot_.items[i].kind, expected[i]) << lot_.items[i].rel_path;
    EXPECT_EQ(lot_.items[i].seq, static_cast<int>(i) + 1);
  }
}

// Kinds of the items ingest finds, set up from a profile section, with a catalogue.
std::vector<ItemKind> kinds_of(Lot& lot, const std::string& yaml, const Catalog* catalog) {
  IngestStage stage;
  ProfileSection section("test.yaml", "ingest", YAML::Load(yaml));
  stage.setup(section, {});
  lot.catalog = catalog;
  stage.process(lot);
  std::vector<ItemKind> kinds;
  for (const ItemRef& item : lot.items) kinds.push_back(item.kind);
  return kinds;
}

//! Photo records are told by the catalogue (a 门类 column saying 照片), by the 档号's 门类代码 ZP (either form), or by the profile, never by the pixels; a recording in a photo record stays a recording; a photo is one file.
TEST_F(IngestTest, PhotoRecordsByCatalogueCodeOrProfile) {
  using namespace std::string_literals;
  const std::string jpeg = "\xFF\xD8\xFF\xE0 a JPEG"s;
  touch("J012-WS·2021-Y-BGS-0001/0001.jpg", jpeg);       // paper
  touch("J012-WS·2021-Y-BGS-0002/0001.jpg", jpeg);       // 门类 照片 in the catalogue
  // Natural order puts the 档号 without the middle dot first.
  touch("J012-ZP·2021-Y-0001/0001.jpg", jpeg);           // 门类代码 ZP
  touch("J012-ZP-2021-0002/0001.jpg", jpeg);             // the same without the middle dot
  touch("J012-ZP-2021-0002/0002.wav", "RIFF\x10\0\0\0WAVEfmt "s);
  Catalog catalog;
  catalog.columns = {"档号", "门类", "题名"};
  catalog.records.push_back({"J012-WS·2021-Y-BGS-0001", std::nullopt, {"J012-WS·2021-Y-BGS-0001", "文书", "通知"}, 2});
  catalog.records.push_back({"J012-WS·2021-Y-BGS-0002", std::nullopt, {"J012-WS·2021-Y-BGS-0002", " 照片 ", "合影"}, 3});
  for (std::size_t i = 0; i < catalog.records.size(); ++i) catalog.index[catalog.records[i].ref] = i;

  lot_.input_root = root_;
  // A photo is one file: a TIFF's second directory (a thumbnail) and a letter-named part are not read as more.
  write_tiff("J012-ZP-2021-0003/0001.tif", 2);
  touch("J012-ZP-2021-0003/0002a.jpg", jpeg);
  touch("J012-ZP-2021-0003/0002b.jpg", jpeg);
  kinds_of(lot_, "{}", nullptr);
  std::vector<std::string> photos;
  for (const ItemRef& item : lot_.items)
    if (item.record_ref == "J012-ZP-2021-0003") photos.push_back(item.rel_path + "#" + std::to_string(item.frame));
  EXPECT_EQ(photos, (std::vector<std::string>{"J012-ZP-2021-0003/0001.tif#0", "J012-ZP-2021-0003/0002a.jpg#0",
                                              "J012-ZP-2021-0003/0002b.jpg#0"}));
  fs::remove_all(root_ / "J012-ZP-2021-0003");
  EXPECT_EQ(kinds_of(lot_, "{}", &catalog),
            (std::vector<ItemKind>{ItemKind::page, ItemKind::photo, ItemKind::photo, ItemKind::av, ItemKind::photo}));
  EXPECT_EQ(kinds_of(lot_, "{}", nullptr),
            (std::vector<ItemKind>{ItemKind::page, ItemKind::page, ItemKind::photo, ItemKind::av, ItemKind::photo}));
  EXPECT_EQ(kinds_of(lot_, "photo_category_codes: ''", &catalog),
            (std::vector<ItemKind>{ItemKind::page, ItemKind::photo, ItemKind::page, ItemKind::av, ItemKind::page}));
  EXPECT_EQ(kinds_of(lot_, "photo_records: true", nullptr),
            (std::vector<ItemKind>{ItemKind::photo, ItemKind::photo, ItemKind::photo, ItemKind::av, ItemKind::photo}));
}

//! A file directly under the input folder is ingest.loose_file (warn), with its item id.
TEST_F(IngestTest, LooseFile) {
  touch("readme.txt");
  touch("page9.jpg");
  const Outcome outcome = ingest();
  EXPECT_EQ(codes(outcome), (std::vector<std::string>{"ingest.loose_file page9.jpg#0", "ingest.loose_file readme.txt#0"}));
  EXPECT_TRUE(lot_.items.empty());
  EXPECT_TRUE(lot_.folders.empty());
}

//! Hidden entries, Thumbs.db and desktop.ini are skipped silently at every level; an empty record folder is still a folder.
TEST_F(IngestTest, HiddenEntriesIgnored) {
  touch(".DS_Store");
  touch("Thumbs.db");
  touch(".git/config");
  touch(kRecordA + "/.DS_Store");
  touch(kRecordA + "/._page1.jpg");
  touch(kRecordA + "/THUMBS.DB");
  touch(kRecordA + "/desktop.ini");
  touch(kRecordA + "/page1.jpg");
  fs::create_directories(root_ / kRecordB);
  const Outcome outcome = ingest();
  EXPECT_TRUE(outcome.findings.empty()) << ::testing::PrintToString(codes(outcome));
  EXPECT_EQ(lot_.folders, (std::vector<std::string>{kRecordA, kRecordB}));
  EXPECT_EQ(listing(), std::vector<std::string>{kRecordA + "/page1.jpg#0@1"});
}

//! A missing input folder is an environment error naming the folder; a second run over the same lot gives the same lot.
TEST_F(IngestTest, MissingRootThrowsAndRerunsAgree) {
  Lot missing;
  missing.input_root = root_ / "nowhere";
  try {
    IngestStage().process(missing);
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find((root_ / "nowhere").string()), std::string::npos) << error.what();
  }

  touch(kRecordA + "/p3.jpg");
  touch(kRecordA + "/p1.jpg");
  ingest();
  const std::vector<std::string> first = listing();
  ingest();
  EXPECT_EQ(listing(), first);
  EXPECT_EQ(first.size(), 2u);
}

//! setup() refuses a key it does not know; describe() names the stage and its photo-record settings.
TEST_F(IngestTest, SetupRefusesKeys) {
  const fs::path profile_file = root_ / "profile.yaml";
  std::ofstream(profile_file) << "profile: test\ningest: {recursive: true}\n";
  Profile profile = Profile::load(profile_file);
  ProfileSection section = profile.section("ingest");
  IngestStage stage;
  EXPECT_THROW(stage.setup(section, StageContext{root_, root_, 1}), ProfileError);
  EXPECT_EQ(stage.describe().id, "ingest");
  std::vector<std::string> names;
  for (const ParamInfo& param : stage.describe().params) names.push_back(param.name);
  EXPECT_EQ(names, (std::vector<std::string>{"photo_records", "kind_columns", "photo_kinds", "photo_category_codes"}));
}

//! A page scanned in parts (0003a, 0003b, 0003c) is one page, one serial, named by its first
//! part and listing every part in letter order; the pages after it keep their places.
TEST_F(IngestTest, PartsOfAPageAreOnePage) {
  for (const char* name : {"0001.tif", "0002.tif", "0003a.tif", "0003b.tif", "0003c.tif", "0004.tif"})
    touch(kRecordA + "/" + name);
  const Outcome outcome = ingest();
  EXPECT_TRUE(outcome.findings.empty());
  EXPECT_EQ(listing(), (std::vector<std::string>{kRecordA + "/0001.tif#0@1", kRecordA + "/0002.tif#0@2",
                                                 kRecordA + "/0003a.tif#0@3", kRecordA + "/0004.tif#0@4"}));
  EXPECT_EQ(lot_.items[2].parts, (std::vector<std::string>{kRecordA + "/0003a.tif", kRecordA + "/0003b.tif",
                                                            kRecordA + "/0003c.tif"}));
  EXPECT_TRUE(lot_.items[0].parts.empty());
  EXPECT_EQ(lot_.items[2].files().size(), 3u);
  EXPECT_EQ(lot_.items[3].files(), std::vector<std::string>{kRecordA + "/0004.tif"});
}

//! A lone a (an inserted page), a b with no a, a part of another format, and a letter that
//! does not follow on are pages of their own.
TEST_F(IngestTest, WhatIsNotARunOfPartsIsAPage) {
  for (const char* name : {"0001a.tif", "0002b.tif", "0003a.tif", "0003b.jpg", "0004a.tif", "0004c.tif", "0005.tif"})
    touch(kRecordA + "/" + name);
  ingest();
  ASSERT_EQ(lot_.items.size(), 7u);
  for (const ItemRef& page : lot_.items) EXPECT_TRUE(page.parts.empty()) << page.rel_path;
}

//! A multi-page TIFF named as a first part is not a part: its frames are pages as ever.
TEST_F(IngestTest, AMultiPageTiffIsNotAPart) {
  write_tiff(kRecordA + "/0001a.tif", 2);
  write_tiff(kRecordA + "/0001b.tif", 1);
  ingest();
  EXPECT_EQ(listing(), (std::vector<std::string>{kRecordA + "/0001a.tif#0@1", kRecordA + "/0001a.tif#1@2",
                                                 kRecordA + "/0001b.tif#0@3"}));
}

//! Parts are gathered within one record folder only.
TEST_F(IngestTest, PartsDoNotCrossRecords) {
  touch(kRecordA + "/0009a.tif");
  touch(kRecordB + "/0009b.tif");
  ingest();
  ASSERT_EQ(lot_.items.size(), 2u);
  EXPECT_TRUE(lot_.items[0].parts.empty());
  EXPECT_TRUE(lot_.items[1].parts.empty());
}

}  // namespace
}  // namespace lantai::ingest
