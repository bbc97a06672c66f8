// The 四性 report (DA/T 70-2018) on a bag from the real deposit stage: every item it
// checks named with its verdict and evidence, and each flipping to fail when the bag is
// tampered with in the way that item measures.
#include "stages/verify/four_properties.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "pipeline/bag_signature.h"
#include "pipeline/virus_scanner.h"
#include "stages/deposit/deposit_stage.h"
#include "stages/verify/verify_stage.h"
#include "tests/stages/deposit/synthetic_work.h"
#include "tests/support/test_virus_db.h"

namespace lantai::verify {
namespace {

namespace fs = std::filesystem;
using namespace lantai::test_support;

class FourPropertiesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("four-properties");
    write_test_virus_db(dir_->path() / "db");
    scanner_ = VirusScanner::load(dir_->path() / "db", VirusScanLimits{}).release();
    Profile profile = load_profile(dir_->path(), "deposit: {}\n");
    ProfileSection section = profile.section("deposit");
    deposit::DepositStage stage;
    stage.setup(section, StageContext{});
    const BatchWork batch = make_synthetic_work(dir_->path() / "work");
    bag_ = new fs::path(bag_dir_of(batch, stage.process(batch)));
  }
  static void TearDownTestSuite() {
    delete bag_;
    delete scanner_;
    delete dir_;
  }

  fs::path fresh_copy() {
    const fs::path copy = copies_.path() / "bag";
    fs::remove_all(copy);
    fs::copy(*bag_, copy, fs::copy_options::recursive);
    return copy;
  }

  // The centre's check of bag: verify's findings, then the report; items by their number.
  static std::map<std::string, CheckItem> assess(const fs::path& bag, const VirusScanner* scanner = scanner_) {
    VerifyOptions options;
    options.policy = Policy::centre;
    options.virus_scanner = scanner;
    AssessmentContext context;
    context.checker = "test";
    context.virus_scanner = scanner;
    const FourPropertiesReport report = assess_four_properties(bag, verify_bag(bag, options), context);
    std::map<std::string, CheckItem> items;
    for (const CheckItem& item : report.items) items[item.id] = item;
    return items;
  }

  static std::string evidence(const CheckItem& item) {
    std::string text;
    for (const std::string& line : item.evidence) text += line + "\n";
    return text;
  }

  static TempDir* dir_;
  static VirusScanner* scanner_;
  static fs::path* bag_;
  TempDir copies_{"four-properties-copy"};
};

TempDir* FourPropertiesTest::dir_ = nullptr;
VirusScanner* FourPropertiesTest::scanner_ = nullptr;
fs::path* FourPropertiesTest::bag_ = nullptr;

//! A fresh bag: the report names each item it checks, each passes with what it measured, except 2-6, where the
//! synthetic lot's D30 series starts at 件号 3.
TEST_F(FourPropertiesTest, FreshBagPassesEveryItemItChecks) {
  auto items = assess(*bag_);
  for (const char* id :
       {"1-1", "1-10", "1-11", "1-14", "2-1", "2-2", "2-6", "2-7", "2-11", "3-1", "3-3", "3-8", "4-1", "4-2"}) {
    ASSERT_TRUE(items.count(id)) << id << " missing from the report";
    EXPECT_FALSE(items[id].measured.empty()) << id;
    EXPECT_FALSE(items[id].name.empty()) << id;
    if (std::string(id) != "2-6")
      EXPECT_EQ(items[id].verdict, ItemVerdict::pass) << id << ": " << items[id].measured << "\n"
                                                      << evidence(items[id]);
  }
  EXPECT_EQ(items["2-6"].verdict, ItemVerdict::fail);
  EXPECT_NE(evidence(items["2-6"]).find("J012-WS·2021-D30-BGS-…: 件号 1-2 missing"), std::string::npos)
      << evidence(items["2-6"]);
  EXPECT_NE(items["1-14"].evidence[0].find(", as recorded"), std::string::npos);
  EXPECT_NE(items["2-1"].measured.find("3 entity folders"), std::string::npos) << items["2-1"].measured;
}

//! Without a virus scan, 4-1 and 4-2 are recorded as not done, never passed.
TEST_F(FourPropertiesTest, NoVirusScanIsNotDone) {
  auto items = assess(*bag_, nullptr);
  EXPECT_EQ(items["4-1"].verdict, ItemVerdict::not_done);
  EXPECT_EQ(items["4-2"].verdict, ItemVerdict::not_done);
}

//! Each kind of tampering flips the items that measure it to fail, with the file named in the evidence.
TEST_F(FourPropertiesTest, TamperingFlipsItemsToFail) {
  struct Case {
    const char* what;
    std::function<void(const fs::path&)> tamper;
    std::vector<const char*> failing;
    const char* named;  // in the first failing item's evidence
  };
  const std::string page = "data/entity/" + std::string(kRef1) + "/0001.jpg";
  const std::vector<Case> cases = {
      {"one payload byte",
       [&](const fs::path& bag) {
         std::string bytes = read_file(bag / utf8_path(page));
         bytes[bytes.size() / 2] ^= 1;
         write_bytes(bag / utf8_path(page), bytes);
       },
       {"1-1", "2-7"},
       "0001.jpg"},
      {"a page removed",
       [&](const fs::path& bag) { fs::remove(bag / utf8_path(page)); },
       {"2-7", "2-2", "2-11"},
       "0001.jpg"},
      {"a zip added",
       [](const fs::path& bag) { write_bytes(bag / "data" / "extra.zip", std::string("PK\x03\x04", 4) + "zip"); },
       {"3-8", "2-7", "3-3"},
       "extra.zip"},
      {"text named as a JPEG",
       [&](const fs::path& bag) {
         const fs::path text = bag / "data" / "entity" / utf8_path(kRef2) / "0001.txt";
         fs::rename(text, bag / "data" / "entity" / utf8_path(kRef2) / "0009.jpg");
       },
       {"1-10"},
       "0009.jpg"},
      {"the form's record count",
       [](const fs::path& bag) {
         std::string form = read_file(bag / "forms" / "backup-form.json");
         form.replace(form.find("\"record_count\": 3"), 17, "\"record_count\": 4");
         write_bytes(bag / "forms" / "backup-form.json", form);
       },
       {"2-1"},
       "record_count 4"},
      {"the form's package digest",
       [](const fs::path& bag) {
         std::string form = read_file(bag / "forms" / "backup-form.json");
         const auto at = form.find("\"value\": \"") + 10;
         form[at] = form[at] == '0' ? '1' : '0';
         write_bytes(bag / "forms" / "backup-form.json", form);
       },
       {"1-14"},
       "the form records"},
      {"a catalogue entry without its folder",
       [](const fs::path& bag) { fs::remove_all(bag / "data" / "entity" / utf8_path(kRef3)); },
       {"1-11", "2-1", "2-7"},
       kRef3},
      {"an infected file",
       [](const fs::path& bag) { write_bytes(bag / "data" / "x.txt", eicar_test_file()); },
       {"4-2"},
       "x.txt"},
  };
  for (const Case& c : cases) {
    const fs::path bag = fresh_copy();
    c.tamper(bag);
    auto items = assess(bag);
    for (const char* id : c.failing)
      EXPECT_EQ(items[id].verdict, ItemVerdict::fail) << c.what << ": " << id << " " << items[id].measured;
    EXPECT_NE(evidence(items[c.failing[0]]).find(c.named), std::string::npos) << c.what << "\n"
                                                                              << evidence(items[c.failing[0]]);
  }
}

//! An increment's catalogue carries only its new record (件号 3); 2-6 judges the numbering over holdings.csv, all the
//! centre holds after it, so 件号 1 and 2 of the earlier deposit are not gaps, while a 件号 no deposit holds is.
TEST_F(FourPropertiesTest, NumberingOfAnIncrementCountsTheHoldings) {
  const std::string third = "J012-WS·2021-Y-BGS-0003", fifth = "J012-WS·2021-Y-BGS-0005";
  auto deposit = [&](const BatchWork& batch, const fs::path& continues) {
    Profile profile = load_profile(batch.work_dir, "deposit: {}\n");
    ProfileSection section = profile.section("deposit");
    StageContext context;
    context.continues = continues;
    deposit::DepositStage stage;
    stage.setup(section, context);
    return bag_dir_of(batch, stage.process(batch));
  };
  auto lot = [&](const std::string& ref3) {
    BatchWork batch = make_synthetic_work(copies_.path() / "work");
    batch.records[2].entry.ref = batch.records[2].entry.values[0] = ref3;
    batch.catalogue_refs = {kRef1, kRef2, ref3};
    return batch;
  };
  BatchWork first = lot(third);
  first.records.pop_back();
  first.catalogue_refs.pop_back();
  const fs::path earlier = deposit(first, {});
  for (const std::string& added : {third, fifth}) {
    const fs::path increment = deposit(lot(added), earlier);
    ASSERT_FALSE(increment.empty());
    EXPECT_EQ(read_file(increment / "data/catalogue/目录.csv").find(kRef1), std::string::npos) << "only the new record";
    const CheckItem numbering = assess(increment, nullptr)["2-6"];
    EXPECT_NE(numbering.measured.find("3 档号 of metadata/holdings.csv"), std::string::npos) << numbering.measured;
    if (added == third) {
      EXPECT_EQ(numbering.verdict, ItemVerdict::pass) << evidence(numbering);
    } else {
      EXPECT_EQ(numbering.verdict, ItemVerdict::fail);
      EXPECT_EQ(evidence(numbering), "J012-WS·2021-Y-BGS-…: 件号 3-4 missing\n");
    }
    fs::remove_all(increment);
  }
}

//! JSON and HTML carry every item; the HTML page is self-contained (no external assets) and prints on A4.
TEST_F(FourPropertiesTest, WritesJsonAndPrintableHtml) {
  VerifyOptions options;
  AssessmentContext context;
  context.checker = "centre check";
  const FourPropertiesReport report = assess_four_properties(*bag_, verify_bag(*bag_, options), context);
  const auto files = write_four_properties(report, copies_.path() / "reports");
  const auto json = nlohmann::json::parse(read_file(files[0]));
  EXPECT_EQ(json["standard"], "DA/T 70-2018");
  EXPECT_EQ(json["items"].size(), report.items.size());
  EXPECT_EQ(json["items"][0]["item"], "1-1");
  EXPECT_EQ(json["result"], "fail");  // 2-6
  const std::string html = read_file(files[1]);
  EXPECT_NE(html.find("@page { size: A4"), std::string::npos);
  for (const char* external : {"http://", "https://", "<script", "<link", "src="})
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  for (const CheckItem& item : report.items)
    EXPECT_NE(html.find("<td>" + item.id + "</td>"), std::string::npos) << item.id;
}

}  // namespace
}  // namespace lantai::verify
