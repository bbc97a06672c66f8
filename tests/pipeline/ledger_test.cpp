// The ledger keeps each page once, with its facts, outputs and findings, across reopenings.
#include <gtest/gtest.h>

#include <filesystem>

#include "pipeline/ledger.h"

namespace lantai {
namespace {

std::filesystem::path fresh_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("lantai-ledger-" + name);
  std::filesystem::remove_all(dir);
  return dir;
}

Page make_page(const std::string& rel_path, int seq) {
  Page page;
  page.rel_path = rel_path;
  page.id = Page::make_id(rel_path, 0);
  page.record_ref = rel_path.substr(0, rel_path.find('/'));
  page.seq = seq;
  page.facts.width_px = 2480;
  page.facts.resolution_dpi = 300;
  page.facts.skew_deg = -1.25;
  page.facts.fingerprint = "abcd";
  return page;
}

//! A recorded page survives reopening with its facts, outputs and findings, and is done.
TEST(Ledger, RecordsPagesDurably) {
  auto dir = fresh_dir("pages");
  {
    auto ledger = Ledger::open(dir);
    Outcome outcome;
    outcome.add(make_finding("qc.blank", "A/0001.jpg: blank"));
    outcome.outputs.push_back({"derivative", "derivatives/A/0001.jpg", "ff", 12});
    ledger->record_page(make_page("A/0001.jpg", 1), {{"quality", outcome}});
    ledger->record_page(make_page("A/0002.jpg", 2), {{"quality", Outcome{}}});
  }
  auto ledger = Ledger::open(dir);
  EXPECT_EQ(ledger->done_page_ids(), (std::set<std::string>{"A/0001.jpg#0", "A/0002.jpg#0"}));
  auto pages = ledger->record_pages("A");
  ASSERT_EQ(pages.size(), 2u);
  EXPECT_TRUE(pages[0].rejected);
  EXPECT_FALSE(pages[1].rejected);
  EXPECT_EQ(pages[0].finding_codes, std::vector<std::string>{"qc.blank"});
  ASSERT_EQ(pages[0].outputs.size(), 1u);
  EXPECT_EQ(pages[0].outputs[0].size_bytes, 12u);
  EXPECT_DOUBLE_EQ(*pages[0].facts.skew_deg, -1.25);
  EXPECT_EQ(pages[0].facts.fingerprint, "abcd");
}

//! Recording a page again replaces it rather than duplicating its findings and outputs.
TEST(Ledger, RecordingAgainReplaces) {
  auto ledger = Ledger::open(fresh_dir("again"));
  Outcome outcome;
  outcome.add(make_finding("qc.blank", "blank"));
  outcome.outputs.push_back({"derivative", "d/0001.jpg", "ff", 1});
  ledger->record_page(make_page("A/0001.jpg", 1), {{"quality", outcome}});
  ledger->record_page(make_page("A/0001.jpg", 1), {{"quality", outcome}});
  auto pages = ledger->pages();
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].findings.size(), 1u);
  EXPECT_EQ(pages[0].page.outputs.size(), 1u);
}

//! Record findings are replaced per record and stage; a page-targeted one joins the page's findings.
TEST(Ledger, ReplacesRecordFindings) {
  auto ledger = Ledger::open(fresh_dir("records"));
  ledger->record_page(make_page("A/0001.jpg", 1), {});
  Finding duplicate = make_finding("qc.duplicate", "dup");
  duplicate.item_id = "A/0001.jpg#0";
  StoredFinding on_page{FindingScope::record, "duplicates", "A/0001.jpg#0", "A", duplicate};
  StoredFinding on_record{FindingScope::record, "link", "", "A", make_finding("link.missing_page", "short")};
  ledger->replace_record_findings("A", {"link", "duplicates"}, {on_page, on_record});
  ledger->replace_record_findings("A", {"link", "duplicates"}, {on_page, on_record});
  EXPECT_EQ(ledger->findings().size(), 2u);
  auto pages = ledger->pages();
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_TRUE(any_reject(pages[0].findings));
  EXPECT_FALSE(pages[0].page.rejected);  // item stages found nothing wrong
  ledger->replace_record_findings("A", {"link", "duplicates"}, {});
  EXPECT_TRUE(ledger->findings().empty());
}

//! The batch identity is stored once and read back.
TEST(Ledger, StoresIdentity) {
  auto dir = fresh_dir("identity");
  Ledger::open(dir)->set_identity({"J012-1", "J012", "单位", "/in", "/c.csv", "", "p", "sha"});
  auto identity = Ledger::open(dir)->identity();
  ASSERT_TRUE(identity);
  EXPECT_EQ(identity->batch_id, "J012-1");
  EXPECT_EQ(identity->unit_name, "单位");
}

}  // namespace
}  // namespace lantai
