// One lot across many machines: a plan splits its records into shards, each shard runs in
// a WORK of its own (its own SQLite ledger, so no ledger ever has writers on two
// machines), and the merge gathers the shards into one WORK and makes the one deposit a
// single machine would have made. A cluster scheduler runs the shards (Slurm job arrays:
// scripts/slurm/, docs/slurm.md); nothing here knows of it.
//
//   lantai plan  --in DIR --catalog FILE ... --shards N --out PLAN   make_shard_plan, write_shard_plan
//   lantai run   --plan PLAN --shard K --out SHARD_WORK              shard_options, then BatchRun
//   lantai merge --plan PLAN --out WORK SHARD_WORK...                merge_shards
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/runtime/runner.h"

namespace lantai {

struct ShardPlan {
  std::string batch_id;  // the whole lot's, as a single run computes it
  std::string fonds_code, unit_name;
  std::filesystem::path profile_file, input_root, catalog_file;  // absolute, as on the shared filesystem
  struct Shard {
    int number = 0;                    // 1-based: SLURM_ARRAY_TASK_ID
    std::vector<std::string> records;  // 档号, in lot order; a record is never split
    long long pages = 0;               // items: pages, and recordings one each
    std::uint64_t bytes = 0;           // input bytes
  };
  std::vector<Shard> shards;
  std::vector<std::string> catalogue_only;  // catalogue entries without a folder: the merge reports them

  // A digest of the batch and every shard's records: a shard WORK of another plan is told apart.
  std::string plan_id() const;
  const Shard& shard(int number) const;  // throws RunError when there is no such shard
};

// Splits the lot into shard_count shards by pages, each record whole (largest first, to
// the shard with fewest pages so far; input bytes break ties). Throws RunError when the
// lot has fewer records with pages than shards, or as a run's prepare would.
ShardPlan make_shard_plan(const RunOptions& options, StageSequence& stages, int shard_count);

void write_shard_plan(const ShardPlan& plan, const std::filesystem::path& file);  // atomically
ShardPlan read_shard_plan(const std::filesystem::path& file);  // throws RunError naming the file and the fault

// The run options of one shard: its records, and the plan's lot, catalogue, profile,
// fonds and unit where options leaves them empty. A fonds or unit other than the plan's
// is refused; so, when the shard runs, is a lot, catalogue or profile that is not the
// plan's (its batch id would differ).
RunOptions shard_options(const ShardPlan& plan, int shard, RunOptions options);

// Gathers the shards' outputs into options.work_dir (hard links where the filesystem
// allows, copies where not), each checked against the SHA-256 its shard's ledger recorded,
// and their items into its ledger; then runs the record stages over the whole lot,
// assesses, deposits and verifies, as a single run would. A shard missing, of another
// plan or batch, not finished, or with an output that does not match, is named, and
// nothing is deposited (RunError). options gives the run's own settings (jobs, virus
// scanning, signing key); the lot, catalogue and profile are the plan's.
RunSummary merge_shards(const ShardPlan& plan, const std::vector<std::filesystem::path>& shard_works,
                        RunOptions options, StageSequence& stages);

}  // namespace lantai
