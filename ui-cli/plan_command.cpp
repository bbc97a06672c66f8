// lantai plan: one lot split into shards by records, for many machines (docs/slurm.md).
#include <cstdio>
#include <memory>

#include "pipeline/runtime/shards.h"
#include "stages/stage_sequence.h"
#include "ui-cli/commands.h"

namespace lantai::cli {

void add_plan_command(CLI::App& app) {
  auto options = std::make_shared<RunOptions>();
  auto shard_count = std::make_shared<int>(0);
  auto plan_file = std::make_shared<std::filesystem::path>();
  CLI::App* plan = app.add_subcommand(
      "plan", "Split a lot into shards by records (balanced by pages) for lantai run --plan on many machines");
  plan->add_option("--profile", options->profile_file, "profile YAML, as for lantai run")->required();
  plan->add_option("--in", options->input_root, "folder of scans: one sub-folder per 档号")->required();
  plan->add_option("--catalog", options->catalog_file, "catalogue CSV (UTF-8 or GB18030)")->required();
  plan->add_option("--fonds", options->fonds_code, "全宗号 (fonds code), e.g. J012")->required();
  plan->add_option("--unit", options->unit_name, "单位名称 (name of the depositing unit)")->required();
  plan->add_option("--shards", *shard_count, "how many shards (Slurm array tasks)")->required()->check(CLI::Range(1, 100000));
  plan->add_option("--out", *plan_file, "the plan file to write (JSON), on the filesystem every node sees")->required();
  plan->callback([options, shard_count, plan_file] {
    StageSequence stages = make_stage_sequence();
    const ShardPlan shard_plan = make_shard_plan(*options, stages, *shard_count);
    write_shard_plan(shard_plan, *plan_file);
    std::printf("lantai plan %s: batch %s in %zu shards (balanced by pages, input bytes breaking ties)\n",
                plan_file->c_str(), shard_plan.batch_id.c_str(), shard_plan.shards.size());
    for (const auto& shard : shard_plan.shards)
      std::printf("  shard %-4d %5zu records %7lld pages %10.1f MB\n", shard.number, shard.records.size(), shard.pages,
                  static_cast<double>(shard.bytes) / 1e6);
    if (!shard_plan.catalogue_only.empty())
      std::printf("  %zu catalogue entries without a folder: the merge reports them\n", shard_plan.catalogue_only.size());
    std::printf("run each: lantai run --plan %s --shard K --out SHARD_WORK (K from SLURM_ARRAY_TASK_ID when left out)\n"
                "then:     lantai merge --plan %s --out WORK SHARD_WORK...\n",
                plan_file->c_str(), plan_file->c_str());
  });
}

}  // namespace lantai::cli
