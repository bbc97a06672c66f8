// 数据挂接: entries against folders and page counts.
#include <gtest/gtest.h>

#include "stages/link/link_stage.h"

namespace lantai::link {
namespace {

const Catalog kSomeCatalogue;

RecordWork record_with(std::optional<int> page_count, bool has_entry, bool has_folder, int pages) {
  RecordWork record;
  record.catalog = &kSomeCatalogue;
  record.ref = "J012-WS·2021-Y-BGS-0001";
  if (has_entry) {
    record.entry = CatalogRecord{};
    record.entry->ref = record.ref;
    record.entry->page_count = page_count;
  }
  record.has_folder = has_folder;
  record.items.resize(static_cast<size_t>(pages));
  return record;
}

std::vector<std::string> codes_of(RecordWork record) {
  std::vector<std::string> codes;
  for (const auto& finding : LinkStage().process(record).findings) codes.push_back(finding.code);
  return codes;
}

//! Each mismatch between catalogue and folders has its own code; a match has none.
TEST(LinkStage, ReportsEveryMismatch) {
  using Codes = std::vector<std::string>;
  EXPECT_EQ(codes_of(record_with(3, true, true, 3)), Codes{});
  EXPECT_EQ(codes_of(record_with(4, true, true, 3)), Codes{"link.missing_page"});
  EXPECT_EQ(codes_of(record_with(2, true, true, 3)), Codes{"link.extra_page"});
  EXPECT_EQ(codes_of(record_with(3, false, true, 3)), Codes{"link.orphan_folder"});
  EXPECT_EQ(codes_of(record_with(3, true, false, 0)), Codes{"link.missing_record"});
  EXPECT_EQ(codes_of(record_with(std::nullopt, true, true, 3)), Codes{});
}

//! With no catalogue at all the folder names the record: nothing to link, nothing withheld.
TEST(LinkStage, AFolderIsItsOwnRecordWhenThereIsNoCatalogue) {
  RecordWork record = record_with(std::nullopt, false, true, 3);
  record.catalog = nullptr;
  EXPECT_TRUE(codes_of(record).empty());
}

//! The missing-page finding carries what was found and what the catalogue says.
TEST(LinkStage, MissingPageCarriesCounts) {
  RecordWork record = record_with(4, true, true, 3);
  Outcome outcome = LinkStage().process(record);
  ASSERT_EQ(outcome.findings.size(), 1u);
  EXPECT_EQ(outcome.findings[0].value, "3");
  EXPECT_EQ(outcome.findings[0].threshold, "4");
  EXPECT_TRUE(outcome.rejected());
}

}  // namespace
}  // namespace lantai::link
