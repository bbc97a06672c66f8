// lantai profile show FILE: every stage's settings as the profile gives them, with where
// each value came from (the file or the stage's default) and the stages' parameters.
#include <cstdio>
#include <memory>

#include "pipeline/runtime/runner.h"
#include "stages/stage_sequence.h"
#include "ui-cli/commands.h"

namespace lantai::cli {

void add_profile_command(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  CLI::App* profile = app.add_subcommand("profile", "Work with profiles");
  profile->require_subcommand(1);
  CLI::App* show = profile->add_subcommand("show", "Print the effective profile: each value and where it came from");
  show->add_option("FILE", *file, "profile YAML")->required();
  show->callback([file] {
    try {
      const Profile loaded = Profile::load(*file);
      StageSequence stages = make_stage_sequence();
      std::printf("profile: %s  # %s, sha256 %s\n", loaded.name().c_str(), file->c_str(), loaded.sha256().c_str());
      for (const StageRecord& stage : effective_profile(*file, stages)) {
        std::printf("%s:  # %s (v%s)\n", stage.info.id.c_str(), stage.info.purpose.c_str(), stage.info.version.c_str());
        for (const EffectiveValue& value : stage.settings) {
          const ParamInfo* param = nullptr;
          for (const ParamInfo& declared : stage.info.params)
            if (declared.name == value.key) param = &declared;
          if (!param) {
            std::printf("  %s: %s  # from %s\n", value.key.c_str(), value.value.c_str(), value.source.c_str());
            continue;
          }
          std::printf("  %s: %s  # %s %s%s; %s; from %s\n", value.key.c_str(), value.value.c_str(), param->type.c_str(),
                      param->range.c_str(), param->unit.empty() ? "" : (" " + param->unit).c_str(),
                      param->description.c_str(), value.source.c_str());
        }
      }
    } catch (const ProfileError& error) {
      throw RunError(kExitBadInput, error.what());
    }
  });
}

}  // namespace lantai::cli
