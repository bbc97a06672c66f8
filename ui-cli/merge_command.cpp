// lantai merge: the shards of a plan gathered into one WORK, and the one deposit made.
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <thread>

#include "pipeline/runtime/shards.h"
#include "stages/stage_sequence.h"
#include "ui-cli/commands.h"

namespace lantai::cli {

void add_merge_command(CLI::App& app) {
  auto options = std::make_shared<RunOptions>();
  options->jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto plan_file = std::make_shared<std::filesystem::path>();
  auto shard_works = std::make_shared<std::vector<std::filesystem::path>>();
  CLI::App* merge = app.add_subcommand(
      "merge", "Gather the shards of a plan into one WORK and make the deposit a single run would have made");
  merge->add_option("--plan", *plan_file, "the plan the shards ran (lantai plan)")->required()->check(CLI::ExistingFile);
  merge->add_option("--out", options->work_dir, "the work folder (WORK) of the whole lot")->required();
  merge->add_option("SHARD_WORK", *shard_works, "every shard's work folder, in any order")->required();
  merge->add_option("--jobs", options->jobs, "worker threads (default: one per core)")->check(CLI::Range(1, 256))->capture_default_str();
  merge->add_option("--virus-db", options->virus_db, "ClamAV signature database folder, as for lantai run");
  merge->add_flag("--no-virus-scan", [options](std::int64_t) { options->virus_scan = false; },
                  "scan nothing for viruses (the 四性 report records item 4-2 as not done)");
  merge->add_option("--sign-key", options->sign_key, "SM2 private key (PEM): the bag is signed, as for lantai run")
      ->check(CLI::ExistingFile);
  merge->callback([options, plan_file, shard_works] {
    options->show_progress = ::isatty(STDERR_FILENO);
    const ShardPlan plan = read_shard_plan(*plan_file);
    StageSequence stages = make_stage_sequence();
    const RunSummary summary = merge_shards(plan, *shard_works, *options, stages);
    print_run_summary(summary, *options);
    check_deposit(summary);
  });
}

}  // namespace lantai::cli
