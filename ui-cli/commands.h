// The lantai subcommands: each file adds one to the app and hands its work to pipeline/.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace lantai {
struct RunOptions;
struct RunSummary;
}  // namespace lantai

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
void add_plan_command(CLI::App& app);
void add_merge_command(CLI::App& app);

// What run and merge print at the end, and their verdict: a deposit not made or not
// verified throws RunError.
void print_run_summary(const RunSummary& summary, const RunOptions& options);
void check_deposit(const RunSummary& summary);

// One line of stdin, not echoed when stdin is a terminal (a password): review's accounts
// and a sample's sign-off read passwords this way, never from the command line.
std::string read_line_quietly(const char* prompt);

}  // namespace lantai::cli
