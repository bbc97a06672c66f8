// lantai profile show FILE: every stage's settings as the profile gives them, with where
// each value came from (the file or the stage's default) and the stages' parameters.
#include <cstdio>
#include <memory>

#include "pipeline/runner.h"
#include "stages/stage_sequence.h"
#include "ui-cli/commands.h"

namespace lantai::cli {

namespace {

template <class Unit>
void show_stage(Stage<Unit>& stage, Profile& profile) {
  StageInfo info = stage.describe();
  ProfileSection section = profile.section(info.id);
  stage.setup(section, StageContext{});
  section.finish();
  std::printf("%s:  # %s (v%s)\n", info.id.c_str(), info.purpose.c_str(), info.version.c_str());
  for (const ParamInfo& param : info.params) {
    std::string value, source;
    for (const EffectiveValue& effective : section.effective())
      if (effective.key == param.name) value = effective.value, source = effective.source;
    std::printf("  %s: %s  # %s %s%s; %s; from %s\n", param.name.c_str(), value.c_str(), param.type.c_str(),
                param.range.c_str(), param.unit.empty() ? "" : (" " + param.unit).c_str(), param.description.c_str(),
                source.c_str());
  }
}

}  // namespace

void add_profile_command(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  CLI::App* profile = app.add_subcommand("profile", "Work with profiles");
  profile->require_subcommand(1);
  CLI::App* show = profile->add_subcommand("show", "Print the effective profile: each value and where it came from");
  show->add_option("FILE", *file, "profile YAML")->required();
  show->callback([file] {
    try {
      Profile loaded = Profile::load(*file);
      StageSequence stages = make_stage_sequence();
      std::printf("profile: %s  # %s, sha256 %s\n", loaded.name().c_str(), file->c_str(), loaded.sha256().c_str());
      show_stage(*stages.ingest, loaded);
      for (auto& stage : stages.page_stages) show_stage(*stage, loaded);
      for (auto& stage : stages.record_stages) show_stage(*stage, loaded);
      show_stage(*stages.deposit, loaded);
      show_stage(*stages.verify, loaded);
      loaded.finish();
    } catch (const ProfileError& error) {
      throw RunError(kExitBadInput, error.what());
    }
  });
}

}  // namespace lantai::cli
