// lantai run: one batch from scans and catalogue to a verified deposit bag.
#include <unistd.h>

#include <cstdio>
#include <algorithm>
#include <memory>
#include <thread>

#include "pipeline/runner.h"
#include "stages/stage_sequence.h"
#include "ui-cli/commands.h"

namespace lantai::cli {

namespace {

void print_summary(const RunSummary& summary, const RunOptions& options) {
  std::printf("\nlantai batch %s\n", summary.batch_id.c_str());
  std::printf("  pages in          %lld (%lld processed in this run)\n", summary.pages_in, summary.pages_processed_now);
  std::printf("  accepted          %lld\n", summary.pages_accepted);
  std::printf("  quarantined       %lld\n", summary.pages_quarantined);
  if (!summary.reject_counts.empty()) {
    std::printf("  reasons (reject findings):\n");
    for (const auto& [code, count] : summary.reject_counts) std::printf("    %-28s %lld\n", code.c_str(), count);
  }
  std::printf("  records           %lld in catalogue, %lld deposited, %lld withheld\n", summary.records_in_catalog,
              summary.records_deposited, summary.records_withheld);
  std::printf("  throughput        %.1f pages/min (%.1f s, --jobs %d)\n", summary.pages_per_minute, summary.seconds,
              options.jobs);
  if (summary.pages_processed_now > 0) {
    std::printf("  time per page    ");
    for (const auto& [stage, seconds] : summary.stage_seconds)
      std::printf(" %s %.0f ms", stage.c_str(), seconds * 1000.0 / static_cast<double>(summary.pages_processed_now));
    std::printf("\n");
  }
  std::printf("  reports           %s/reports/ pages.csv, findings.csv, records.csv\n", options.work_dir.c_str());
  std::printf("  deposit batch     %s\n", summary.bag_dir.c_str());
  if (summary.verified) {
    std::printf("  verify            OK: every file present and its checksums match\n");
  } else {
    std::printf("  verify            FAILED:\n");
    for (const auto& problem : summary.verify_problems) std::printf("    %s\n", problem.message.c_str());
  }
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto options = std::make_shared<RunOptions>();
  options->jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  CLI::App* run = app.add_subcommand("run", "Run a batch: scans + catalogue → checked pages, OCR text, deposit bag");
  run->add_option("--profile", options->profile_file, "profile YAML, e.g. profiles/da-t31-2017-paper.yaml")->required();
  run->add_option("--in", options->input_root, "folder of scans: one sub-folder per 档号")->required();
  run->add_option("--catalog", options->catalog_file, "catalogue CSV (UTF-8 or GB18030) with 档号, 题名, 页数")->required();
  run->add_option("--out", options->work_dir, "work folder (WORK); rerun the same command to resume")->required();
  run->add_option("--fonds", options->fonds_code, "全宗号 (fonds code), e.g. J012")->required();
  run->add_option("--unit", options->unit_name, "单位名称 (name of the depositing unit)")->required();
  run->add_option("--jobs", options->jobs, "worker threads (default: one per core)")->check(CLI::Range(1, 256))->capture_default_str();
  run->callback([options] {
    options->show_progress = ::isatty(STDERR_FILENO);
    StageSequence stages = make_stage_sequence();
    RunSummary summary = run_batch(*options, stages);
    print_summary(summary, *options);
  });
}

}  // namespace lantai::cli
