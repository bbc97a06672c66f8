// One lot in three shards, each run on its own, then merged: the deposit a single run made,
// byte for byte; shards missing, unfinished, tampered with or of another plan refused by name.
// No scheduler here: tests/slurm/ runs the same through a real Slurm.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "pipeline/runtime/ledger.h"
#include "pipeline/runtime/runner.h"
#include "tests/e2e/e2e_support.h"

namespace lantai::e2e {
namespace {

namespace fs = std::filesystem;

fs::path shards_dir() { return e2e_dir() / "shards"; }
fs::path plan_file() { return shards_dir() / "plan.json"; }
fs::path shard_work(int number) { return shards_dir() / ("shard-" + std::to_string(number)); }
fs::path merged_work() { return shards_dir() / "work"; }

std::vector<std::string> plan_args(int shards, const fs::path& out) {
  const fs::path lot = e2e_dir() / "lot";
  return {lantai_bin().string(), "plan", "--profile", profile_file().string(), "--in", (lot / "scans").string(),
          "--catalog", (lot / "catalogue.csv").string(), "--fonds", "J012", "--unit", "示例市档案馆", "--shards",
          std::to_string(shards), "--out", out.string()};
}

std::vector<std::string> shard_args(int number, const fs::path& out) {
  std::vector<std::string> args{lantai_bin().string(), "run", "--plan", plan_file().string(), "--shard",
                                std::to_string(number), "--out", out.string(), "--jobs", "2"};
  for (std::string& arg : virus_scan_args()) args.push_back(std::move(arg));
  return args;
}

CommandResult merge(const fs::path& out, const std::vector<fs::path>& shard_works, const fs::path& plan = plan_file()) {
  std::vector<std::string> args{lantai_bin().string(), "merge", "--plan", plan.string(), "--out", out.string(),
                                "--jobs", "2"};
  for (std::string& arg : virus_scan_args()) args.push_back(std::move(arg));
  for (const fs::path& work : shard_works) args.push_back(work.string());
  return run_command(args);
}

// A copy of a shard's WORK to spoil without touching the shard.
fs::path copy_of_shard(int number, const std::string& name) {
  const fs::path copy = shards_dir() / name;
  fs::remove_all(copy);
  fs::copy(shard_work(number), copy, fs::copy_options::recursive);
  return copy;
}

bool has_bag(const fs::path& work) { return fs::exists(work / "deposit") && !fs::is_empty(work / "deposit"); }

// The plan, the three shards and the merge are run by run_in_shards.sh, the ctest fixture
// e2e_shards; what each printed is kept beside them.
std::string printed(const std::string& step) { return slurp(shards_dir() / (step + ".txt")); }


//! The plan puts every record with pages in exactly one shard, balanced by pages, under the batch id a single run has.
TEST(Shards, PlanSplitsByRecordsBalancedByPages) {
  const nlohmann::json plan = nlohmann::json::parse(slurp(plan_file()));
  EXPECT_EQ(plan["batch_id"], bag_of(e2e_dir() / "work").filename().string());
  ASSERT_EQ(plan["shards"].size(), 3u);
  std::multiset<std::string> planned;
  long long pages = 0, most = 0, fewest = 1 << 30;
  for (const auto& shard : plan["shards"]) {
    for (const auto& ref : shard["records"]) planned.insert(ref.get<std::string>());
    pages += shard["pages"].get<long long>();
    most = std::max(most, shard["pages"].get<long long>());
    fewest = std::min(fewest, shard["pages"].get<long long>());
  }
  std::multiset<std::string> folders;
  for (const auto& entry : fs::directory_iterator(e2e_dir() / "lot" / "scans")) folders.insert(entry.path().filename());
  EXPECT_EQ(planned, folders);  // each once: a record is never split nor left out
  EXPECT_EQ(pages, Ledger::open_read_only(e2e_dir() / "work")->items().size());
  EXPECT_LE(most - fewest, 3) << "no record of the sample lot has more than 3 pages";
}

//! A shard runs only its own records' items and makes no deposit.
TEST(Shards, ShardRunsOnlyItsRecordsAndDepositsNothing) {
  const nlohmann::json plan = nlohmann::json::parse(slurp(plan_file()));
  for (int number = 1; number <= 3; ++number) {
    const auto& records = plan["shards"][number - 1]["records"];
    const std::set<std::string> own(records.begin(), records.end());
    auto ledger = Ledger::open_read_only(shard_work(number));
    const std::vector<ItemRow> items = ledger->items();
    EXPECT_EQ(static_cast<long long>(items.size()), plan["shards"][number - 1]["pages"].get<long long>());
    for (const ItemRow& row : items) EXPECT_TRUE(own.count(row.record_ref)) << row.item.rel_path << " in shard " << number;
    EXPECT_FALSE(has_bag(shard_work(number)));
    EXPECT_NE(printed("shard-" + std::to_string(number)).find("made by lantai merge"), std::string::npos);
  }
}

//! The merged deposit's payload manifests are byte for byte those of the single run, and so are its reports.
TEST(Shards, MergedDepositEqualsSingleRun) {
  const fs::path single = bag_of(e2e_dir() / "work"), merged = bag_of(merged_work());
  EXPECT_EQ(merged.filename(), single.filename());
  for (const char* manifest : {"manifest-sha256.txt", "manifest-md5.txt"})
    EXPECT_EQ(slurp(merged / manifest), slurp(single / manifest)) << manifest;
  EXPECT_EQ(slurp(merged_work() / "reports" / "records.csv"), slurp(e2e_dir() / "work" / "reports" / "records.csv"));
  EXPECT_NE(printed("merge").find("verify            OK"), std::string::npos) << printed("merge");
  EXPECT_NE(printed("merge").find("(0 processed in this run)"), std::string::npos)
      << "the merge ran items a shard had done";
}

//! A shard whose WORK is not given, or does not exist, is named, and nothing is deposited.
TEST(Shards, MissingShardRefusedWithItsName) {
  const fs::path out = shards_dir() / "work-missing";
  fs::remove_all(out);
  CommandResult result = merge(out, {shard_work(1), shard_work(3)});
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_NE(result.output.find("shard 2 of 3"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("is missing"), std::string::npos) << result.output;
  EXPECT_FALSE(has_bag(out));

  result = merge(out, {shard_work(1), shards_dir() / "shard-9", shard_work(3)});
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_NE(result.output.find((shards_dir() / "shard-9").string() + " does not exist"), std::string::npos)
      << result.output;
  EXPECT_FALSE(has_bag(out));
}

//! A shard whose run stopped early is refused by its marker, and one with items missing by the items themselves.
TEST(Shards, UnfinishedShardRefusedWithItsName) {
  const fs::path out = shards_dir() / "work-unfinished";
  const fs::path stopped = copy_of_shard(2, "shard-2-stopped");
  Ledger::open(stopped)->set_batch_value(RunOptions::Shard::kFinishedKey, "no");
  fs::remove_all(out);
  CommandResult result = merge(out, {shard_work(1), stopped, shard_work(3)});
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_NE(result.output.find("shard 2 of 3 (" + stopped.string() + ") has not finished"), std::string::npos)
      << result.output;
  EXPECT_FALSE(has_bag(out));

  // Items gone from a shard that says it finished: the merge still will not run them itself.
  const fs::path partial = copy_of_shard(2, "shard-2-partial");
  {
    auto ledger = Ledger::open(partial);
    const std::vector<ItemRow> items = ledger->items();  // by record, then page: the last record loses two
    std::set<std::string> keep;
    for (std::size_t i = 0; i + 2 < items.size(); ++i) keep.insert(items[i].item.item_id);
    ledger->remove_items_except(keep);
  }
  fs::remove_all(out);
  result = merge(out, {shard_work(1), partial, shard_work(3)});
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_NE(result.output.find("shard 2 of 3: 1 of its records not done"), std::string::npos) << result.output;
  EXPECT_FALSE(has_bag(out));
}

//! An output changed after its shard recorded it is named with both digests, and nothing is deposited.
TEST(Shards, TamperedOutputRefused) {
  const fs::path tampered = copy_of_shard(1, "shard-1-tampered");
  const StageOutput victim = Ledger::open_read_only(tampered)->items().front().item.outputs.front();
  {
    std::fstream file(tampered / victim.path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(victim.size_bytes / 2));
    file.put('\x5a');
  }
  const fs::path out = shards_dir() / "work-tampered";
  fs::remove_all(out);
  CommandResult result = merge(out, {tampered, shard_work(2), shard_work(3)});
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_NE(result.output.find("shard 1 of 3 (" + tampered.string() + "): " + victim.path + " has SHA-256"),
            std::string::npos)
      << result.output;
  EXPECT_FALSE(has_bag(out));
}

//! Shards of another plan of the same lot, or the WORK of a whole run, are not taken for this plan's.
TEST(Shards, ShardOfAnotherPlanRefused) {
  const fs::path other_plan = shards_dir() / "plan-2.json";
  ASSERT_EQ(run_command(plan_args(2, other_plan)).exit_code, 0);
  const fs::path out = shards_dir() / "work-other-plan";
  fs::remove_all(out);
  CommandResult result = merge(out, {shard_work(1), shard_work(2)}, other_plan);
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_NE(result.output.find(shard_work(1).string() + " is not a shard of this plan"), std::string::npos)
      << result.output;
  result = merge(out, {shard_work(1), e2e_dir() / "work", shard_work(3)});
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_NE(result.output.find("the WORK of a whole run"), std::string::npos) << result.output;
  EXPECT_FALSE(has_bag(out));
}

//! A shard rerun resumes in its WORK; the shard number comes from SLURM_ARRAY_TASK_ID when --shard is left out.
TEST(Shards, ShardResumesWithItsNumberFromSlurm) {
  const fs::path resumed = copy_of_shard(2, "shard-2-resumed");
  std::vector<std::string> args = shard_args(2, resumed);
  args.erase(args.begin() + 4, args.begin() + 6);  // --shard 2
  args.insert(args.begin(), {"env", "SLURM_ARRAY_TASK_ID=2"});
  CommandResult result = run_command(args);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("(0 processed in this run)"), std::string::npos) << result.output;

  args[1] = "SLURM_ARRAY_TASK_ID=two";
  result = run_command(args);
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("SLURM_ARRAY_TASK_ID=two is not a shard number"), std::string::npos) << result.output;

  args[1] = "SLURM_ARRAY_TASK_ID=4";
  result = run_command(args);
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("the plan has shards 1 to 3"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace lantai::e2e
