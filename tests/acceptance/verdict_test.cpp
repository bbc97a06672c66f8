// The verdict by DA/T 31-2017 12.3 at its boundaries: exactly 95% passes, one record less
// fails; catalogue entry ↔ images and machine items allow no failure; missing checks leave
// it pending; the checks are append-only, the latest per record and item counting.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include "pipeline/acceptance/acceptance.h"
#include "tests/acceptance/acceptance_fixture.h"

namespace lantai::acceptance {
namespace {

using testing::make_lot;

std::vector<std::string> inspector_codes() {
  std::vector<std::string> codes;
  for (const CheckItem& item : check_items())
    if (item.method == CheckMethod::inspector) codes.emplace_back(item.code);
  return codes;
}

// Every inspector item of every sampled record checked; the listed (record index, item) fail.
void check_all(Acceptance& acceptance, const StoredSample& sample,
               const std::vector<std::pair<int, std::string>>& failing = {}) {
  for (std::size_t i = 0; i < sample.refs.size(); ++i)
    for (const std::string& item : inspector_codes()) {
      const bool fails = std::find(failing.begin(), failing.end(), std::make_pair(static_cast<int>(i), item)) !=
                         failing.end();
      acceptance.record_check({sample.number, sample.refs[i], item, !fails, fails ? "第2页缺失" : "", "王质检"});
    }
}

const ItemTally& tally_of(const Judgement& judgement, std::string_view code) {
  for (const ItemTally& tally : judgement.items)
    if (tally.item->code == code) return tally;
  throw std::runtime_error("no tally for " + std::string(code));
}

struct Sampled {
  testing::Lot lot;
  std::unique_ptr<Acceptance> acceptance;
  StoredSample sample;
};

// 400 records, 5%: 20 sampled, so one failure is exactly 95%.
Sampled twenty_sampled(const std::string& name) {
  Sampled s{make_lot(name, 400), nullptr, {}};
  s.acceptance = std::make_unique<Acceptance>(*s.lot.ledger, s.lot.work_dir);
  s.sample = s.acceptance->draw({42, std::nullopt, "张三"}).sample;
  EXPECT_EQ(s.sample.refs.size(), 20u);
  return s;
}

//! All checks passed on a clean lot: pass.
TEST(Verdict, AllPassIsPass) {
  auto s = twenty_sampled("all-pass");
  check_all(*s.acceptance, s.sample);
  const Judgement judgement = s.acceptance->judge(s.sample.number);
  EXPECT_EQ(judgement.verdict, Verdict::pass);
  EXPECT_TRUE(judgement.defects.empty());
  EXPECT_TRUE(judgement.pending.empty());
}

//! 19 of 20 (exactly 95%) passing an ordinary item passes; 18 of 20 fails.
TEST(Verdict, ExactlyNinetyFivePercentPasses) {
  auto at_95 = twenty_sampled("at-95");
  check_all(*at_95.acceptance, at_95.sample, {{3, "inspector.image_quality"}});
  const Judgement passed = at_95.acceptance->judge(at_95.sample.number);
  EXPECT_EQ(passed.verdict, Verdict::pass);
  EXPECT_EQ(tally_of(passed, "inspector.image_quality").passed, 19);
  EXPECT_EQ(passed.defects.size(), 1u) << "the one defect is still listed";

  auto below = twenty_sampled("below-95");
  check_all(*below.acceptance, below.sample, {{3, "inspector.image_quality"}, {9, "inspector.image_quality"}});
  const Judgement failed = below.acceptance->judge(below.sample.number);
  EXPECT_EQ(failed.verdict, Verdict::fail);
  EXPECT_EQ(tally_of(failed, "inspector.image_quality").met, false);
  EXPECT_EQ(failed.defects.size(), 2u);
}

//! One sampled record whose images are not its catalogue entry's fails the lot (100% rule).
TEST(Verdict, EntryImagesAllowsNoFailure) {
  auto s = twenty_sampled("entry-images");
  check_all(*s.acceptance, s.sample, {{0, "inspector.entry_images"}});
  const Judgement judgement = s.acceptance->judge(s.sample.number);
  EXPECT_EQ(judgement.verdict, Verdict::fail);
  EXPECT_EQ(tally_of(judgement, "inspector.entry_images").met, false);
  ASSERT_EQ(judgement.defects.size(), 1u);
  EXPECT_EQ(judgement.defects[0].record_ref, s.sample.refs[0]);
  EXPECT_EQ(judgement.defects[0].problem, "第2页缺失");
  EXPECT_EQ(judgement.defects[0].source, "王质检");
}

//! One reject finding on one record of the whole lot fails its machine item, however the sample fares.
TEST(Verdict, OneMachineCheckFailureFails) {
  auto s = twenty_sampled("machine-fail");
  check_all(*s.acceptance, s.sample);
  const std::string ref = s.lot.refs[250];
  Finding blank{"qc.blank", Severity::reject, "0.00001", "0.0002", ref + "/0002.tif: blank page"};
  s.lot.ledger->replace_record_findings(ref, {"quality"}, {{FindingScope::record, "quality", "", ref, blank}});
  const Judgement judgement = s.acceptance->judge(s.sample.number);
  EXPECT_EQ(judgement.verdict, Verdict::fail);
  const ItemTally& quality = tally_of(judgement, "machine.image_quality");
  EXPECT_EQ(quality.failed, 1);
  EXPECT_EQ(quality.records, 400);
  EXPECT_EQ(quality.met, false);
  EXPECT_EQ(tally_of(judgement, "machine.catalogue").met, true);
  ASSERT_EQ(judgement.defects.size(), 1u);
  EXPECT_EQ(judgement.defects[0].source, "qc.blank");
  EXPECT_EQ(judgement.defects[0].record_ref, ref);
  // A warning is no failure.
  blank.severity = Severity::warn;
  s.lot.ledger->replace_record_findings(ref, {"quality"}, {{FindingScope::record, "quality", "", ref, blank}});
  EXPECT_EQ(s.acceptance->judge(s.sample.number).verdict, Verdict::pass);
}

//! Unchecked records leave the verdict pending, unless the failures already recorded decide it.
TEST(Verdict, PendingUntilCheckedUnlessAlreadyFailed) {
  auto s = twenty_sampled("pending");
  const Judgement nothing = s.acceptance->judge(s.sample.number);
  EXPECT_EQ(nothing.verdict, Verdict::pending);
  EXPECT_FALSE(nothing.pending.empty());
  for (int i : {0, 1})
    s.acceptance->record_check({0, s.sample.refs[i], "inspector.catalogue_entry", false, "题名错误", "王质检"});
  const Judgement decided = s.acceptance->judge(s.sample.number);
  EXPECT_EQ(decided.verdict, Verdict::fail) << "18 of 20 at most can pass: below 95% whatever comes";
}

//! With no deposit made, the package item, and so the verdict, waits.
TEST(Verdict, PackageWaitsForADeposit) {
  testing::Lot lot = make_lot("no-deposit", 20, false);
  Acceptance acceptance(*lot.ledger, lot.work_dir);
  const StoredSample sample = acceptance.draw({1, std::nullopt, "张三"}).sample;
  check_all(acceptance, sample);
  const Judgement judgement = acceptance.judge(sample.number);
  EXPECT_EQ(judgement.verdict, Verdict::pending);
  EXPECT_FALSE(tally_of(judgement, "machine.package").met.has_value());
}

//! A later check of the same item counts; the earlier stays on record; the ledger refuses to change or delete either.
TEST(Verdict, ChecksAreAppendOnly) {
  auto s = twenty_sampled("append-only");
  check_all(*s.acceptance, s.sample, {{5, "inspector.image_processing"}});
  EXPECT_EQ(s.acceptance->judge(s.sample.number).defects.size(), 1u);
  s.acceptance->record_check(
      {0, s.sample.refs[5], "inspector.image_processing", true, "复核：污点为原件所有，非加工造成", "赵主管"});
  const Judgement judgement = s.acceptance->judge(s.sample.number);
  EXPECT_TRUE(judgement.defects.empty());
  const auto history = s.acceptance->history(s.sample.number);
  ASSERT_EQ(history.size(), 20 * inspector_codes().size() + 1);
  const auto& corrected = history.back();
  EXPECT_EQ(corrected.checked_by, "赵主管");
  EXPECT_FALSE(corrected.checked_at.empty());
  EXPECT_EQ(std::count_if(history.begin(), history.end(), [](const SampleCheck& c) { return !c.passed; }), 1);

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((s.lot.work_dir / "ledger.sqlite").c_str(), &db), SQLITE_OK);
  s.acceptance->sign_off({0, "赵主管", ""});
  for (const char* sql : {"UPDATE sample_checks SET passed = 1", "DELETE FROM sample_checks",
                          "UPDATE sample_sign_offs SET verdict = 'fail'", "DELETE FROM sample_sign_offs",
                          "UPDATE samples SET seed = '1'", "DELETE FROM sample_records", "DELETE FROM samples"})
    EXPECT_NE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sql;
  sqlite3_close(db);
  EXPECT_EQ(s.acceptance->history(s.sample.number).size(), history.size());
}

//! A check names a record of the sample, an inspector item, an inspector, a note when it fails, and nothing overlong.
TEST(Verdict, RefusesMalformedChecks) {
  auto s = twenty_sampled("malformed");
  const std::string in = s.sample.refs[0];
  std::string out;
  for (const std::string& ref : s.lot.refs)
    if (std::find(s.sample.refs.begin(), s.sample.refs.end(), ref) == s.sample.refs.end()) out = ref;
  const CheckRequest bad[] = {
      {0, out, "inspector.image_quality", true, "", "王质检"},
      {0, in, "machine.image_quality", true, "", "王质检"},
      {0, in, "inspector.colour", true, "", "王质检"},
      {0, in, "inspector.image_quality", true, "", " "},
      {0, in, "inspector.image_quality", false, "  ", "王质检"},
      {9, in, "inspector.image_quality", true, "", "王质检"},
      {0, in, "inspector.image_quality", true, std::string(5000, 'x'), "王质检"},
      {0, in, "inspector.image_quality", true, "", std::string(300, 'x')},
  };
  for (const CheckRequest& request : bad) EXPECT_THROW(s.acceptance->record_check(request), AcceptanceError);
  EXPECT_TRUE(s.acceptance->history(0).empty());
}

//! Records freed since the draw can leave the sample short of 5% of what is now ready: pending, draw again.
TEST(Verdict, SampleTooSmallForTheLotNowIsPending) {
  auto lot = make_lot("grown", 20);
  Acceptance acceptance(*lot.ledger, lot.work_dir);
  const StoredSample sample = acceptance.draw({3, std::nullopt, "张三"}).sample;
  ASSERT_EQ(sample.refs.size(), 1u);
  check_all(acceptance, sample);
  EXPECT_EQ(acceptance.judge(sample.number).verdict, Verdict::pass);
  auto rows = lot.ledger->records();
  for (int i = 21; i <= 40; ++i) {
    RecordRow row = rows.front();
    row.ref = testing::ref_of(i);
    rows.push_back(row);
  }
  lot.ledger->replace_records(rows);
  const Judgement judgement = acceptance.judge(sample.number);
  EXPECT_EQ(judgement.verdict, Verdict::pending);
  EXPECT_EQ(judgement.population_now, 40);
}

}  // namespace
}  // namespace lantai::acceptance
