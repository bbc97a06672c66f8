// lantai verify BAG: checks a deposit bag as the registration centre does.
#include <cstdio>
#include <memory>

#include "pipeline/runtime/runner.h"
#include "pipeline/runtime/stage_guard.h"
#include "stages/verify/verify_stage.h"
#include "ui-cli/commands.h"

namespace lantai::cli {

void add_verify_command(CLI::App& app) {
  auto bag_dir = std::make_shared<std::string>();
  CLI::App* verify = app.add_subcommand("verify", "Verify a deposit bag: exit 0 only when it is intact");
  verify->add_option("BAG", *bag_dir, "the bag folder (WORK/deposit/<batch-id>)")->required();
  verify->callback([bag_dir] {
    const verify::VerifyStage stage;
    const Bag bag{*bag_dir};
    const Outcome outcome = StageGuard().call(stage, stage.describe(), bag, *bag_dir);
    for (const Finding& problem : outcome.findings) std::printf("%s: %s\n", problem.code.c_str(), problem.message.c_str());
    if (outcome.rejected()) throw CLI::RuntimeError(kExitVerifyFailed);
    std::printf("%s: OK\n", bag_dir->c_str());
  });
}

}  // namespace lantai::cli
