// The catalogue reader: encodings detected, RFC 4180 quoting, bad rows become findings.
#include <gtest/gtest.h>

#include <iconv.h>

#include <filesystem>
#include <fstream>

#include "pipeline/catalog.h"

namespace lantai {
namespace {

std::filesystem::path write_bytes(const std::string& name, const std::string& bytes) {
  auto path = std::filesystem::temp_directory_path() / ("lantai-catalog-" + name + ".csv");
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string to_gb18030(const std::string& utf8) {
  iconv_t converter = iconv_open("GB18030", "UTF-8");
  std::string out(utf8.size() * 2, '\0');
  char* in = const_cast<char*>(utf8.data());
  size_t in_left = utf8.size(), out_left = out.size();
  char* out_ptr = out.data();
  iconv(converter, &in, &in_left, &out_ptr, &out_left);
  iconv_close(converter);
  out.resize(out.size() - out_left);
  return out;
}

const std::string kCatalog =
    "档号,题名,页数,责任者\r\n"
    "J012-WS·2021-Y-BGS-0001,\"关于档案数字化的通知,第一号\",3,办公室\r\n"
    "J012-WS·2021-Y-BGS-0002,\"会议纪要 \"\"重要\"\"\",2,办公室\r\n";

//! UTF-8 with a BOM reads, quoted fields keep their commas and quotes, extra columns are kept.
TEST(Catalog, ReadsUtf8WithBomAndQuotes) {
  Catalog catalog = load_catalog(write_bytes("bom", "\xEF\xBB\xBF" + kCatalog));
  EXPECT_EQ(catalog.encoding, "UTF-8");
  ASSERT_EQ(catalog.columns.size(), 4u);
  EXPECT_EQ(catalog.columns[0], "档号");
  ASSERT_EQ(catalog.records.size(), 2u);
  EXPECT_TRUE(catalog.findings.empty());
  EXPECT_EQ(catalog.records[0].field(catalog.columns, "题名"), "关于档案数字化的通知,第一号");
  EXPECT_EQ(catalog.records[1].field(catalog.columns, "题名"), "会议纪要 \"重要\"");
  EXPECT_EQ(catalog.records[0].page_count, 3);
  EXPECT_EQ(catalog.records[1].field(catalog.columns, "责任者"), "办公室");
}

//! A GB18030 file is detected and converted to the same text.
TEST(Catalog, DetectsGb18030) {
  Catalog catalog = load_catalog(write_bytes("gb", to_gb18030(kCatalog)));
  EXPECT_EQ(catalog.encoding, "GB18030");
  ASSERT_EQ(catalog.records.size(), 2u);
  EXPECT_EQ(catalog.records[0].ref, "J012-WS·2021-Y-BGS-0001");
  EXPECT_EQ(catalog.records[0].field(catalog.columns, "题名"), "关于档案数字化的通知,第一号");
}

//! Duplicate, empty and path-escaping 档号 and a bad 页数 become findings, never records with unsafe names.
TEST(Catalog, BadRowsBecomeFindings) {
  Catalog catalog = load_catalog(write_bytes("bad",
                                             "档号,题名,页数\n"
                                             "A-1,一,2\n"
                                             "A-1,二,2\n"
                                             ",三,1\n"
                                             "../../etc,四,1\n"
                                             "B/1,五,1\n"
                                             "C-1,六,两页\n"));
  std::vector<std::string> codes;
  for (const auto& f : catalog.findings) codes.push_back(f.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"catalog.duplicate_ref", "catalog.empty_ref", "catalog.bad_ref",
                                             "catalog.bad_ref", "catalog.bad_page_count"}));
  ASSERT_EQ(catalog.records.size(), 2u);  // A-1 (first row) and C-1
  EXPECT_EQ(catalog.records[0].ref, "A-1");
  EXPECT_EQ(catalog.records[1].ref, "C-1");
  EXPECT_FALSE(catalog.records[1].page_count.has_value());
  for (const auto& record : catalog.records) EXPECT_TRUE(is_safe_ref(record.ref));
}

//! A file without the required columns, or not text at all, cannot be a catalogue.
TEST(Catalog, RefusesFileWithoutRequiredColumns) {
  EXPECT_THROW(load_catalog(write_bytes("nocol", "题名,页数\n一,2\n")), CatalogError);
  EXPECT_THROW(load_catalog(write_bytes("notitle", "档号,页数\nA-1,2\n")), CatalogError);
  EXPECT_THROW(load_catalog(write_bytes("empty", "")), CatalogError);
  EXPECT_THROW(load_catalog("/nonexistent/catalogue.csv"), CatalogError);
}

//! A photo catalogue (DA/T 50-2014 columns, no 页数) is read whole: no counts, no findings, every column kept.
TEST(Catalog, PhotoCatalogueWithoutPageCount) {
  const Catalog catalog = load_catalog(
      write_bytes("photos", "档号,照片号,题名,摄影者,时间,地点,人物,底片号,参见号\n"
                            "J012-ZP·2021-Y-0001,ZP0001,新馆落成,王明,2021-05-12,临江市,李华,DP001,J012-WS·2021-Y-BGS-0001\n"));
  ASSERT_EQ(catalog.records.size(), 1u);
  EXPECT_TRUE(catalog.findings.empty());
  EXPECT_FALSE(catalog.records[0].page_count);
  EXPECT_EQ(catalog.records[0].field(catalog.columns, "摄影者"), "王明");
  EXPECT_EQ(catalog.records[0].field(catalog.columns, "参见号"), "J012-WS·2021-Y-BGS-0001");
  // With a 页数 column, every row still gives a whole number.
  const Catalog counted = load_catalog(write_bytes("counted", "档号,题名,页数\nA-1,一,\n"));
  EXPECT_EQ(counted.findings.size(), 1u);
}

//! is_safe_ref refuses every way out of a folder.
TEST(Catalog, SafeRefs) {
  EXPECT_TRUE(is_safe_ref("J012-WS·2021-Y-BGS-0001"));
  for (const std::string& bad : std::vector<std::string>{"", ".", "..", "a/b", "a\\b", "a\nb", std::string("a\0b", 3), " a", "\xff\xfe"})
    EXPECT_FALSE(is_safe_ref(bad)) << bad;
}

}  // namespace
}  // namespace lantai
