// lantai run: one batch from scans and catalogue to a verified deposit bag.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>

#include "pipeline/runtime/runner.h"
#include "pipeline/runtime/shards.h"
#include "pipeline/sealed_package.h"
#include "stages/stage_sequence.h"
#include "ui-cli/commands.h"

namespace lantai::cli {

namespace {

// The shard of --plan to run: --shard, or the Slurm array task's index.
int shard_number(int given) {
  if (given > 0) return given;
  const char* task = std::getenv("SLURM_ARRAY_TASK_ID");
  if (!task || *task == '\0')
    throw RunError(kExitBadArguments, "--plan needs --shard K (or SLURM_ARRAY_TASK_ID, as a Slurm array task has)");
  char* end = nullptr;
  const long number = std::strtol(task, &end, 10);
  if (*end != '\0' || number < 1 || number > 1'000'000)
    throw RunError(kExitBadArguments, std::string("SLURM_ARRAY_TASK_ID=") + task + " is not a shard number (1, 2, ...)");
  return static_cast<int>(number);
}

}  // namespace

void print_run_summary(const RunSummary& summary, const RunOptions& options) {
  std::printf("\nlantai batch %s (run %d on this WORK)\n", summary.batch_id.c_str(), summary.run_number);
  std::printf("  items in          %lld (%lld processed in this run)\n", summary.items_in, summary.items_processed_now);
  std::printf("  accepted          %lld\n", summary.items_accepted);
  std::printf("  quarantined       %lld\n", summary.items_quarantined);
  if (!summary.reject_counts.empty()) {
    std::printf("  reasons (reject findings):\n");
    for (const auto& [code, count] : summary.reject_counts) std::printf("    %-28s %lld\n", code.c_str(), count);
  }
  std::printf("  records           %lld in catalogue, %lld %s, %lld withheld\n", summary.records_in_catalog,
              summary.records_deposited, options.shard ? "ready for deposit" : "deposited", summary.records_withheld);
  std::printf("  throughput        %.1f items/min (%.1f s, --jobs %d)\n", summary.items_per_minute, summary.seconds,
              options.jobs);
  std::printf("  stages this run  ");
  for (const auto& stage : summary.stage_times) {
    std::printf(" %s %lld", stage.stage.c_str(), stage.items);
    if (stage.items > 0) std::printf(" (%.0f ms each)", stage.seconds * 1000.0 / static_cast<double>(stage.items));
  }
  std::printf("\n  virus scan        %s\n",
              summary.virus_scan.empty() ? "NOT DONE (--no-virus-scan)" : summary.virus_scan.c_str());
  std::printf("  memory in flight  %.0f MiB at most\n", static_cast<double>(summary.peak_bytes_in_flight) / (1 << 20));
  std::printf("  reports           %s/reports/ pages.csv, findings.csv, records.csv\n", options.work_dir.c_str());
  if (!summary.catalogue_draft.empty()) {
    std::printf("  catalogue draft   %s (%lld records named by their folders)\n", summary.catalogue_draft.c_str(),
                summary.records_drafted);
    std::printf("  deposit batch     waits for the catalogue: confirm the draft (待核对 names the fields to check),\n"
                "                    then run again with --catalog %s\n",
                summary.catalogue_draft.c_str());
    return;
  }
  if (!summary.deferred_stages.empty()) {
    std::string waiting;
    for (const std::string& stage : summary.deferred_stages) waiting += (waiting.empty() ? "" : ", ") + stage;
    std::printf("  deposit batch     waits for %s: run again without --ocr later to finish it\n", waiting.c_str());
    return;
  }
  if (options.shard) {
    std::printf("  deposit batch     made by lantai merge once every shard of the plan is done\n");
    return;
  }
  if (!summary.deposited) {
    std::printf("  deposit batch     NOT MADE:\n");
    for (const auto& problem : summary.deposit_problems) std::printf("    %s\n", problem.message.c_str());
    return;
  }
  std::printf("  deposit batch     %s\n", summary.bag_dir.c_str());
  if (!summary.package_file.empty()) std::printf("  package file      %s\n", summary.package_file.c_str());
  if (!summary.package_json.empty()) std::printf("  package figures   %s\n", summary.package_json.c_str());
  if (!summary.sealed_package.empty()) std::printf("  sealed package    %s\n", summary.sealed_package.c_str());
  if (!summary.registration_forms.empty()) {
    std::string names;
    for (const auto& form : summary.registration_forms) names += (names.empty() ? "" : ", ") + form.filename().string();
    std::printf("  forms             %s (登记备份表格, to print, sign and stamp)\n    %s\n",
                summary.registration_forms.front().parent_path().c_str(), names.c_str());
  }
  if (summary.verified) {
    std::printf("  verify            OK: every file present and its checksums match\n");
    if (!summary.four_properties_report.empty())
      std::printf("  四性 report       %s\n", summary.four_properties_report.c_str());
  } else {
    std::printf("  verify            FAILED:\n");
    for (const auto& problem : summary.verify_problems) std::printf("    %s\n", problem.message.c_str());
  }
}

void check_deposit(const RunSummary& summary) {
  // A batch whose bag was not made or does not verify has not run to the end.
  if (!summary.deposited)
    throw RunError(kExitEnvironment, "the deposit bag was not made: " +
                                         (summary.deposit_problems.empty() ? std::string("no reason given")
                                                                           : summary.deposit_problems.front().message));
  if (!summary.verified)
    throw RunError(kExitVerifyFailed, "the deposit bag " + summary.bag_dir.string() + " does not verify (" +
                                          std::to_string(summary.verify_problems.size()) + " problems, listed above)");
}

void add_run_command(CLI::App& app) {
  auto options = std::make_shared<RunOptions>();
  options->jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  CLI::App* run = app.add_subcommand("run", "Run a batch: scans + catalogue → checked pages, OCR text, deposit bag");
  run->add_option("--profile", options->profile_file,
                  "profile YAML (default: " LANTAI_DEFAULT_PROFILE ", for pages, photos and recordings)");
  run->add_option("--in", options->input_root, "folder of scans: one sub-folder per 档号");
  run->add_option("--catalog", options->catalog_file,
                  "catalogue CSV (UTF-8 or GB18030) with 档号, 题名, 页数; without it, records are named by their "
                  "folders and a draft catalogue is written to WORK/catalogue/draft.csv (no deposit until it is given)");
  run->add_option("--out", options->work_dir, "work folder (WORK); rerun the same command to resume");
  run->add_option("--fonds", options->fonds_code, "全宗号 (fonds code), e.g. J012");
  run->add_option("--unit", options->unit_name, "单位名称 (name of the depositing unit)");
  auto plan_file = std::make_shared<std::filesystem::path>();
  auto shard = std::make_shared<int>(0);
  run->add_option("--plan", *plan_file,
                  "a plan from lantai plan: run one shard of it (its records, no deposit; lantai merge makes it), "
                  "with the plan's lot, catalogue, profile, fonds and unit")
      ->check(CLI::ExistingFile);
  run->add_option("--shard", *shard, "the shard of --plan to run, 1 to N (default: SLURM_ARRAY_TASK_ID)")
      ->check(CLI::Range(1, 1'000'000));
  run->add_option("--jobs", options->jobs, "worker threads (default: one per core)")->check(CLI::Range(1, 256))->capture_default_str();
  auto ocr = std::make_shared<std::string>("now");
  run->add_option("--ocr", *ocr,
                  "now: read every page in this run; later: intake, QC and linking at scanner speed, the OCR left "
                  "for the next run in the same WORK (no deposit until then)")
      ->check(CLI::IsMember({"now", "later"}))
      ->capture_default_str();
  run->add_option("--virus-db", options->virus_db,
                  "ClamAV signature database folder (default: the profile's clamav.database, /var/lib/clamav); "
                  "without a usable database the run stops before it starts");
  run->add_flag("--no-virus-scan", [options](std::int64_t) { options->virus_scan = false; },
                "scan nothing for viruses (the 四性 report records item 4-2 as not done)");
  run->add_option("--sign-key", options->sign_key,
                  "SM2 private key (PEM, from lantai keys new): the bag's tag manifests are signed with it "
                  "(bag-signature-sm2.txt; check with lantai verify --trust PUBLIC-KEY)")
      ->check(CLI::ExistingFile);
  run->add_option("--continues", options->continues,
                  "an earlier deposit bag of this lot: the deposit holds only the records added or changed since "
                  "it, names it (bag-info Continues-Batch and its package digest) and lists the records withdrawn "
                  "from the catalogue (an incremental deposit; check with lantai verify --previous)")
      ->check(CLI::ExistingDirectory);
  run->add_option("--seal-key", options->seal_key,
                  "key file: the package file is sealed whole with it (lantai seal) into "
                  "WORK/deposit/<batch-id>.tar.sealed; package.json and the forms gain the sealed file's digests, "
                  "and a package that fails the self-check loses its sealed copy")
      ->check(CLI::ExistingFile);
  run->add_option("--seal-cipher", options->seal_cipher, "with --seal-key: sm4 (SM4-GCM) or aes256 (AES-256-GCM)")
      ->check(CLI::IsMember({"sm4", "aes256"}))
      ->capture_default_str();
  run->callback([options, ocr, plan_file, shard] {
    if (!options->seal_key.empty()) try {
        SealKey::load(options->seal_key, *seal_cipher_from_option(options->seal_cipher));  // refused before any work
      } catch (const SealError& error) {
        throw RunError(kExitBadInput, error.what());
      }
    if (*ocr == "later") options->deferred_stages = {"ocr"};
    if (!plan_file->empty()) {
      *options = shard_options(read_shard_plan(*plan_file), shard_number(*shard), *options);
    } else {
      if (*shard > 0) throw RunError(kExitBadArguments, "--shard needs --plan");
      if (options->profile_file.empty()) {
        options->profile_file = LANTAI_DEFAULT_PROFILE;
        std::cerr << "profile: " << options->profile_file.string() << " (the default; --profile names another)\n";
      }
      for (const auto& [missing, name] : {std::pair{options->input_root.empty(), "--in"},
                                          {options->work_dir.empty(), "--out"},
                                          {options->fonds_code.empty(), "--fonds"},
                                          {options->unit_name.empty(), "--unit"}})
        if (missing) throw RunError(kExitBadArguments, std::string(name) + " is required (or --plan)");
    }
    if (options->work_dir.empty()) throw RunError(kExitBadArguments, "--out is required");
    options->show_progress = ::isatty(STDERR_FILENO);
    StageSequence stages = make_stage_sequence();
    RunSummary summary = run_batch(*options, stages);
    print_run_summary(summary, *options);
    if (options->shard) return;                    // done as asked: the deposit comes with the merge
    if (!summary.deferred_stages.empty()) return;  // done as asked: the deposit comes with the OCR
    if (options->catalog_file.empty()) {         // done as asked: the deposit comes with the catalogue
      if (summary.catalogue_draft.empty()) throw RunError(kExitEnvironment, "the catalogue draft was not written");
      return;
    }
    check_deposit(summary);
  });
}

}  // namespace lantai::cli
