// Acceptance sampling through the lantai command on the sample lot: a sample drawn and
// redrawn from its seed, every sampled record checked, the reports written, and the next
// run's deposit carrying them, still a valid bag for the registration centre.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "pipeline/acceptance/sampling.h"
#include "pipeline/runtime/ledger.h"
#include "tests/e2e/e2e_support.h"

namespace lantai::e2e {
namespace {

namespace fs = std::filesystem;

//! sample → check → report → run: the bag's metadata/acceptance/ holds the reports as written, and verifies.
TEST(Acceptance, SampleCheckReportAndDeposit) {
  const fs::path work = e2e_dir() / "work-acceptance";
  fs::remove_all(work);
  fs::copy(e2e_dir() / "work", work, fs::copy_options::recursive);
  const std::string bin = lantai_bin().string();

  CommandResult drawn = run_command({bin, "sample", work.string(), "--rate", "5%", "--seed", "20261130", "--by", "张三"});
  ASSERT_EQ(drawn.exit_code, 0) << drawn.output;
  std::vector<std::string> ready, sampled;
  {
    auto ledger = Ledger::open(work);
    for (const RecordRow& record : ledger->records())
      if (record.deposited) ready.push_back(record.ref);
    ASSERT_EQ(ledger->samples().size(), 1u);
    sampled = ledger->samples()[0].refs;
  }
  ASSERT_FALSE(ready.empty());
  EXPECT_EQ(sampled, acceptance::draw(ready, 20261130, 500)) << "the seed alone gives the sample";
  EXPECT_GE(sampled.size() * 20, ready.size()) << "at least 5%";
  for (const std::string& ref : sampled) EXPECT_NE(drawn.output.find(ref), std::string::npos) << drawn.output;

  CommandResult again = run_command({bin, "sample", work.string(), "--seed", "20261130", "--by", "李四"});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("nothing new was recorded"), std::string::npos) << again.output;

  for (const std::string& ref : sampled)
    for (const char* item : {"inspector.entry_images", "inspector.catalogue_entry", "inspector.image_quality",
                             "inspector.image_processing"}) {
      CommandResult checked =
          run_command({bin, "sample", "check", work.string(), "--record", ref, "--item", item, "--pass", "--by", "王质检"});
      ASSERT_EQ(checked.exit_code, 0) << checked.output;
    }
  CommandResult refused = run_command({bin, "sample", "check", work.string(), "--record", sampled[0], "--item",
                                       "inspector.image_quality", "--fail", "--by", "王质检"});
  EXPECT_EQ(refused.exit_code, 2) << "a fail without a note: " << refused.output;

  CommandResult reported = run_command({bin, "sample", "report", work.string()});
  ASSERT_EQ(reported.exit_code, 0) << reported.output;
  // The sample lot withholds records on purpose (blank, sideways, short pages): the machine items fail.
  const auto report = nlohmann::json::parse(slurp(work / "reports/acceptance-1.json"));
  EXPECT_EQ(report["verdict"], "fail") << report.dump(2);
  EXPECT_EQ(report["checks"].size(), sampled.size() * 4);
  const auto notice = nlohmann::json::parse(slurp(work / "reports/corrective-action-1.json"));
  EXPECT_FALSE(notice["defects"].empty());
  bool withheld_named = false;
  for (const auto& defect : notice["defects"])
    withheld_named = withheld_named || std::find(ready.begin(), ready.end(), defect["record_ref"].get<std::string>()) == ready.end();
  EXPECT_TRUE(withheld_named) << "the notice names the withheld records";

  // Only a supervisor signs off, proven by the account's password on stdin.
  const auto with_password = [&](const std::string& password, const std::string& command) {
    return run_command({"/bin/sh", "-c", "printf '%s\\n' \"$0\" | " + command, password});
  };
  const std::string lantai = "'" + bin + "' ";
  const std::string work_arg = "'" + work.string() + "'";
  ASSERT_EQ(with_password("supervisor-pass", lantai + "review " + work_arg + " user add 赵主管 --role supervisor").exit_code, 0);
  ASSERT_EQ(with_password("inspector-pass", lantai + "review " + work_arg + " user add 王质检 --role inspector").exit_code, 0);
  const std::string sign_off = lantai + "sample sign-off " + work_arg + " --by ";
  CommandResult by_inspector = with_password("inspector-pass", sign_off + "王质检");
  EXPECT_EQ(by_inspector.exit_code, 2) << by_inspector.output;
  EXPECT_NE(by_inspector.output.find("only a supervisor signs off"), std::string::npos) << by_inspector.output;
  CommandResult by_stranger = with_password("whatever-pass", sign_off + "路人");
  EXPECT_EQ(by_stranger.exit_code, 2) << by_stranger.output;
  CommandResult wrong_password = with_password("not-the-password", sign_off + "赵主管");
  EXPECT_EQ(wrong_password.exit_code, 2) << wrong_password.output;
  EXPECT_NE(wrong_password.output.find("wrong password"), std::string::npos) << wrong_password.output;
  CommandResult signed_off = with_password("supervisor-pass", sign_off + "赵主管");
  ASSERT_EQ(signed_off.exit_code, 0) << signed_off.output;
  EXPECT_NE(signed_off.output.find("signed off by 赵主管"), std::string::npos) << signed_off.output;
  EXPECT_EQ(Ledger::open(work)->sample_sign_offs(1).size(), 1u) << "the refused ones signed nothing";

  CommandResult rerun = run_command(run_args(work));
  ASSERT_EQ(rerun.exit_code, 0) << rerun.output;
  const fs::path bag = bag_of(work);
  for (const char* name : {"acceptance-1.json", "acceptance-1.pdf", "corrective-action-1.json", "corrective-action-1.pdf"})
    EXPECT_EQ(slurp(bag / "metadata/acceptance" / name), slurp(work / "reports" / name)) << name;
  std::vector<std::string> verify{bin, "verify", "--policy", "centre", bag.string()};
  for (std::string& arg : virus_scan_args()) verify.push_back(std::move(arg));
  CommandResult verified = run_command(verify);
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
}

}  // namespace
}  // namespace lantai::e2e
