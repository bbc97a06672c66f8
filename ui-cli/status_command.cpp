// lantai status WORK: what the ledger knows: items done, what each stage did in the last
// run, outputs, and findings per stage and per code.
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>

#include "pipeline/runtime/ledger.h"
#include "pipeline/runtime/runner.h"
#include "ui-cli/commands.h"

namespace lantai::cli {

void add_status_command(CLI::App& app) {
  auto work_dir = std::make_shared<std::string>();
  CLI::App* status = app.add_subcommand("status", "Show the counts per stage and per finding code of a work folder");
  status->add_option("WORK", *work_dir, "the work folder given to run --out")->required();
  status->callback([work_dir] {
    if (!std::filesystem::exists(std::filesystem::path(*work_dir) / "ledger.sqlite"))
      throw RunError(kExitBadArguments, *work_dir + " has no ledger.sqlite: not a lantai work folder");
    auto ledger = Ledger::open(*work_dir);
    auto identity = ledger->identity();
    long long accepted = 0, quarantined = 0;
    std::map<std::string, long long> outputs_per_kind;
    for (const ItemRow& row : ledger->items()) {
      (any_reject(row.findings) ? quarantined : accepted)++;
      for (const StageOutput& output : row.item.outputs) outputs_per_kind[output.kind]++;
    }
    std::map<std::string, std::map<std::string, long long>> per_stage;  // stage → severity → count
    std::map<std::string, std::pair<std::string, long long>> per_code;  // code → severity, count
    for (const StoredFinding& stored : ledger->findings()) {
      per_stage[stored.stage][std::string(to_string(stored.finding.severity))]++;
      auto& entry = per_code[stored.finding.code];
      entry.first = to_string(stored.finding.severity);
      entry.second++;
    }
    std::printf("batch %s  (全宗号 %s, %s)\n", identity ? identity->batch_id.c_str() : "?",
                identity ? identity->fonds_code.c_str() : "?", identity ? identity->unit_name.c_str() : "?");
    std::printf("items done %lld: accepted %lld, quarantined %lld\n", accepted + quarantined, accepted, quarantined);
    const int last_run = ledger->last_run();
    std::printf("\nitems each stage ran on in run %d (the last; a stage not listed ran on none)\n", last_run);
    for (const auto& [stage, count] : ledger->stage_runs_in(last_run)) std::printf("  %-28s %lld\n", stage.c_str(), count);
    std::printf("\noutputs\n");
    for (const auto& [kind, count] : outputs_per_kind) std::printf("  %-28s %lld\n", kind.c_str(), count);
    std::printf("\nfindings per stage          info   warn reject\n");
    for (auto& [stage, counts] : per_stage)
      std::printf("  %-24s %6lld %6lld %6lld\n", stage.c_str(), counts["info"], counts["warn"], counts["reject"]);
    std::printf("\nfindings per code\n");
    for (const auto& [code, entry] : per_code)
      std::printf("  %-30s %-6s %lld\n", code.c_str(), entry.first.c_str(), entry.second);
  });
}

}  // namespace lantai::cli
