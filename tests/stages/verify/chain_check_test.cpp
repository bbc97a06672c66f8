// Incremental deposits made by the real deposit stage (--continues) and checked by verify:
// the holdings of one bag, and the chain from an earlier bag, fresh and tampered with.
#include "stages/verify/chain_check.h"

#include <gtest/gtest.h>

#include "pipeline/holdings.h"
#include "stages/deposit/deposit_stage.h"
#include "stages/verify/verify_stage.h"
#include "tests/stages/deposit/synthetic_work.h"

namespace lantai::verify {
namespace {

namespace fs = std::filesystem;
using namespace lantai::test_support;

std::string describe(const std::vector<Finding>& findings) {
  std::string text;
  for (const Finding& finding : findings) text += "  " + finding.code + "  " + finding.message + "\n";
  return text.empty() ? "  (none)\n" : text;
}

bool has_code(const std::vector<Finding>& findings, const std::string& code, const std::string& mentions = "") {
  for (const Finding& finding : findings)
    if (finding.code == code && finding.message.find(mentions) != std::string::npos) return true;
  return false;
}

Outcome deposit(const BatchWork& batch, const fs::path& continues = {}) {
  Profile profile = load_profile(batch.work_dir, "");
  ProfileSection section = profile.section("deposit");
  StageContext context;
  context.continues = continues;
  deposit::DepositStage stage;
  stage.setup(section, context);
  return stage.process(batch);
}

void replace_in_file(const fs::path& file, const std::string& from, const std::string& to) {
  std::string text = read_file(file);
  const size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from << " not in " << file;
  text.replace(at, from.size(), to);
  write_bytes(file, text);
}

// A first deposit of records 1 and 2 (3 not yet catalogued); then record 1's 备注
// corrected, record 2 withdrawn from the catalogue and record 3 added.
class ChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BatchWork first = make_synthetic_work(work_.path());
    first.records.pop_back();
    first.catalogue_refs = {kRef1, kRef2};
    earlier_ = bag_dir_of(first, deposit(first));
    ASSERT_FALSE(earlier_.empty());

    later_ = make_synthetic_work(work_.path());
    later_.records[0].entry.values.back() = "含附件,共两页（目录已更正）";
    later_.records.erase(later_.records.begin() + 1);
    later_.catalogue_refs = {kRef1, kRef3};
  }

  fs::path increment() {
    const Outcome outcome = deposit(later_, earlier_);
    EXPECT_FALSE(outcome.rejected()) << describe(outcome.findings);
    return bag_dir_of(later_, outcome);
  }

  static std::vector<Finding> check(const fs::path& bag, const fs::path& previous) {
    VerifyOptions options;
    options.policy = Policy::centre;
    options.previous = previous;
    return verify_bag(bag, options);
  }

  TempDir work_{"chain-work"};
  fs::path earlier_;
  BatchWork later_;
};

//! The increment carries exactly the changed and added records, names its predecessor, and verifies against it.
TEST_F(ChainTest, IncrementHoldsTheChangesAndVerifiesAgainstItsPredecessor) {
  const fs::path bag = increment();
  ASSERT_FALSE(bag.empty());
  EXPECT_EQ(relative_utf8(bag, bag.parent_path()), "J012-2021-批次01-2") << "named by its place in the chain";
  EXPECT_TRUE(fs::exists(earlier_ / "bagit.txt")) << "the earlier bag is not replaced";

  const DepositBag read = read_deposit(bag);
  const DepositBag first = read_deposit(earlier_);
  EXPECT_TRUE(read.incremental);
  EXPECT_EQ(read.sequence, 2);
  EXPECT_EQ(read.continues_batch, first.batch_id);
  EXPECT_EQ(read.continues_package, first.package_digests);
  EXPECT_EQ(read.own_records.size(), 2u);
  EXPECT_TRUE(read.own_records.count(kRef1) && read.own_records.count(kRef3));
  EXPECT_EQ(read.changes, (Changes{{kRef1, Change::changed}, {kRef2, Change::withdrawn}, {kRef3, Change::added}}));
  ASSERT_EQ(read.holdings.size(), 2u);
  EXPECT_EQ(read.holdings.at(kRef1).batch_id, read.batch_id);
  EXPECT_EQ(read.holdings.at(kRef3).fingerprint, read.own_records.at(kRef3));

  const auto findings = check(bag, earlier_);
  EXPECT_TRUE(findings.empty()) << describe(findings);
  EXPECT_TRUE(check(earlier_, {}).empty()) << describe(check(earlier_, {}));
}

//! An unchanged record stays with the deposit that holds it; the next increment then carries only what changed since.
TEST_F(ChainTest, UnchangedRecordsStayWhereTheyAreHeld) {
  const fs::path second = increment();
  BatchWork third_batch = later_;
  third_batch.records[1].entry.values.back() = "补充说明";  // record 3 corrected; record 1 as in the second
  const Outcome outcome = deposit(third_batch, second);
  ASSERT_FALSE(outcome.rejected()) << describe(outcome.findings);
  const fs::path third = bag_dir_of(third_batch, outcome);
  const DepositBag read = read_deposit(third);
  EXPECT_EQ(read.sequence, 3);
  EXPECT_EQ(read.changes, (Changes{{kRef3, Change::changed}}));
  EXPECT_EQ(read.holdings.at(kRef1).batch_id, read_deposit(second).batch_id);
  EXPECT_TRUE(check(third, second).empty()) << describe(check(third, second));
  EXPECT_TRUE(has_code(check(third, earlier_), "verify.chain_broken", "Continues-Batch"));
}

//! With nothing added, changed or withdrawn, no bag is made and the finding says why.
TEST_F(ChainTest, NothingNewMakesNoBag) {
  const fs::path second = increment();
  const Outcome again = deposit(later_, second);
  EXPECT_TRUE(again.rejected());
  EXPECT_TRUE(has_code(again.findings, "deposit.nothing_new", "no record was added, changed or withdrawn"));
  EXPECT_TRUE(bag_dir_of(later_, again).empty());
}

//! Each break of the chain or the holdings is named.
TEST_F(ChainTest, BrokenChainsAreNamed) {
  const fs::path bag = increment();
  const fs::path copy = work_.path() / "copy";
  auto fresh = [&] {
    fs::remove_all(copy);
    fs::copy(bag, copy, fs::copy_options::recursive);
    return copy;
  };

  // Against a bag it does not continue.
  EXPECT_TRUE(has_code(check(bag, bag), "verify.chain_broken", "Continues-Batch")) << describe(check(bag, bag));
  // A full deposit given as an increment.
  EXPECT_TRUE(has_code(check(earlier_, earlier_), "verify.chain_broken", "full deposit"));

  // The earlier bag's package digest misquoted.
  fresh();
  const DepositBag first = read_deposit(earlier_);
  replace_in_file(copy / "bag-info.txt", first.package_digests.front().second, std::string(32, '0'));
  EXPECT_TRUE(has_code(check(copy, earlier_), "verify.chain_broken", "Continues-Package-MD5"));

  // A changed record listed as added.
  fresh();
  replace_in_file(copy / kChangesPath, std::string(kRef1) + ",changed", std::string(kRef1) + ",added");
  EXPECT_TRUE(has_code(check(copy, earlier_), "verify.chain_broken", kRef1));

  // A record carried without being listed, and the holdings out of step with the payload.
  fresh();
  replace_in_file(copy / kChangesPath, std::string(kRef3) + ",added\n", "");
  replace_in_file(copy / kHoldingsPath, read_deposit(bag).holdings.at(kRef3).fingerprint, std::string(64, 'a'));
  const auto findings = check(copy, {});
  EXPECT_TRUE(has_code(findings, "verify.holdings_mismatch", std::string(kRef3) + " is in the payload but listed"))
      << describe(findings);
  EXPECT_TRUE(has_code(findings, "verify.holdings_mismatch", std::string(kRef3) + " has fingerprint"));

  // A withdrawn record the earlier deposit never held.
  fresh();
  replace_in_file(copy / kChangesPath, std::string(kRef2) + ",withdrawn", "J012-WS·2021-Y-BGS-9999,withdrawn");
  EXPECT_TRUE(has_code(check(copy, earlier_), "verify.chain_broken", "does not hold it"));
}

}  // namespace
}  // namespace lantai::verify
