// The catalogue checked against the pages through `lantai run`: the wrong fields a lot's
// catalogue was written with are reported, the right ones are not.
#include <gtest/gtest.h>

#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "pipeline/catalog.h"
#include "pipeline/utf8.h"
#include "tests/e2e/e2e_support.h"

namespace lantai::e2e {
namespace {

namespace fs = std::filesystem;

using RecordCode = std::pair<std::string, std::string>;  // 档号, code

std::set<RecordCode> mismatches(const fs::path& work) {
  std::set<RecordCode> out;
  for (const auto& row : read_csv(work / "reports" / "findings.csv"))
    if (row.at("code").rfind("catalog.mismatch.", 0) == 0) out.insert({row.at("record"), row.at("code")});
  return out;
}

//! Each deliberately wrong field gets its catalog.mismatch.* finding; no right field gets one.
TEST(CatalogueCheck, WrongFieldsAreFoundAndRightOnesAreNot) {
  const fs::path dir = LANTAI_E2E_CATALOGUE_DIR;
  const auto truth = nlohmann::json::parse(slurp(dir / "lot" / "ground-truth.json"));
  std::set<RecordCode> planted;
  for (const auto& fault : truth["faults"])
    if (std::string(fault["code"]).rfind("catalog.mismatch.", 0) == 0) planted.insert({fault["record"].get<std::string>(), fault["code"].get<std::string>()});
  ASSERT_EQ(planted.size(), 4u);  // one of each field
  const std::set<RecordCode> reported = mismatches(dir / "work");
  for (const RecordCode& wrong : planted)
    EXPECT_TRUE(reported.count(wrong)) << wrong.second << " on " << wrong.first << " not reported";
  // OCR misreads a digit of a true 文号 or date now and then (a strict check's price, see
  // docs/design-notes.md): one false alarm among the lot's ~30 right fields is tolerated.
  EXPECT_LE(reported.size(), planted.size() + 1);
}

//! The sample lot's catalogue is right: no 档号 or 件号 finding, no mismatch beyond one OCR misreading.
TEST(CatalogueCheck, TrueCatalogueHasNoFinding) {
  EXPECT_LE(mismatches(e2e_dir() / "work").size(), 1u);  // as above: one OCR misreading at most
  for (const auto& row : read_csv(e2e_dir() / "work" / "reports" / "findings.csv")) {
    if (row.at("code").rfind("catalog.mismatch.", 0) == 0) continue;
    EXPECT_NE(row.at("code").rfind("catalog.", 0), 0u) << row.at("code") << " " << row.at("message");
  }
}

//! Every record with OCR text has its candidates in WORK, and its 题名 is read from the page on all records but one at most.
TEST(CatalogueCheck, CandidatesAreWritten) {
  const fs::path work = e2e_dir() / "work";
  const auto truth = nlohmann::json::parse(slurp(e2e_dir() / "lot" / "ground-truth.json"));
  int read_right = 0, records = 0;
  for (const auto& record : truth["records"]) {
    const fs::path file = work / "catalogue" / fs::u8path(std::string(record["ref"]) + ".json");
    if (!fs::exists(file)) continue;
    ++records;
    const auto candidates = nlohmann::json::parse(slurp(file));
    EXPECT_EQ(candidates["档号"], record["ref"]);
    if (candidates["fields"]["题名"]["page"].is_string()) ++read_right;
  }
  EXPECT_GE(records, 7);
  EXPECT_GE(read_right, records - 1);
}

// Letters, digits and CJK only: how titles compare whatever punctuation OCR made.
std::u32string words_of(const std::string& text) {
  std::u32string out;
  for (char32_t c : to_code_points(text))
    if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= U'0' && c <= U'9') || (c >= U'A' && c <= U'Z') || (c >= U'a' && c <= U'z'))
      out.push_back(c);
  return out;
}

//! Run first without its catalogue, the lot got a draft one (目录建库): a row per folder
//! with the pages found, and the 题名 read right on all records but one at most; given the
//! catalogue, the next run in the same WORK redid no page and deposited.
TEST(CatalogueCheck, DraftFromALotWithoutCatalogue) {
  const fs::path dir = LANTAI_E2E_CATALOGUE_DIR;
  const auto truth = nlohmann::json::parse(slurp(dir / "lot" / "ground-truth.json"));
  const Catalog draft = load_catalog(dir / "work" / "catalogue" / "draft.csv");
  int folders = 0, titles_right = 0;
  for (const auto& record : truth["records"]) {
    if (record["folder_pages"].get<int>() == 0) continue;
    ++folders;
    const CatalogRecord* row = draft.find(record["ref"].get<std::string>());
    ASSERT_NE(row, nullptr) << record["ref"];
    EXPECT_EQ(row->page_count, record["folder_pages"].get<int>()) << record["ref"];
    const std::u32string want = words_of(record["title"].get<std::string>());
    const std::u32string got = words_of(row->field(draft.columns, kTitleColumn));
    const double alike = 1.0 - static_cast<double>(edit_distance(want, got, false)) /
                                   static_cast<double>(std::max(want.size(), got.size()));
    if (alike >= 0.9) ++titles_right;
  }
  EXPECT_EQ(static_cast<int>(draft.records.size()), folders);
  EXPECT_GE(titles_right, folders - 1);

  const std::string second_run = slurp(dir / "run.txt");
  EXPECT_NE(second_run.find("(0 processed in this run)"), std::string::npos) << second_run;
  EXPECT_NE(second_run.find("verify            OK"), std::string::npos) << second_run;
}

}  // namespace
}  // namespace lantai::e2e
