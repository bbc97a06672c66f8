// The lantai subcommands: each file adds one to the app and hands its work to pipeline/.
#pragma once

#include <CLI/CLI.hpp>

namespace lantai::cli {

void add_run_command(CLI::App& app);
void add_verify_command(CLI::App& app);
void add_status_command(CLI::App& app);
void add_samples_command(CLI::App& app);
void add_profile_command(CLI::App& app);
void add_sample_command(CLI::App& app);
void add_review_command(CLI::App& app);
void add_keys_command(CLI::App& app);
void add_seal_commands(CLI::App& app);  // seal and unseal
void add_carriers_command(CLI::App& app);

}  // namespace lantai::cli
