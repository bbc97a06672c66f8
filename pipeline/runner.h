// The graph runner: runs one batch through its stage sequence and leaves a work
// directory whose ledger knows the fate of every page. Rerunning the same command on
// the same WORK resumes where the last run stopped.
#pragma once

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipeline/finding.h"
#include "pipeline/stage_sequence.h"

namespace lantai {

// Something that stops a batch before or instead of running it: bad arguments, an
// unreadable profile or catalogue, a WORK folder of another batch. The message says
// what to do; exit_code is what the command returns.
class RunError : public std::runtime_error {
 public:
  RunError(int exit_code, const std::string& message) : std::runtime_error(message), exit_code(exit_code) {}
  int exit_code;
};

// Exit codes of the lantai command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitVerifyFailed = 1;
inline constexpr int kExitBadArguments = 2;
inline constexpr int kExitBadInput = 3;    // profile, catalogue or input folder unusable
inline constexpr int kExitEnvironment = 4; // missing language data, unwritable WORK, damaged WORK

struct RunOptions {
  std::filesystem::path profile_file;
  std::filesystem::path input_root;
  std::filesystem::path catalog_file;
  std::filesystem::path work_dir;
  std::string fonds_code;
  std::string unit_name;
  int jobs = 2;
  bool show_progress = true;
};

struct RunSummary {
  std::string batch_id;
  long long pages_in = 0;
  long long pages_processed_now = 0;  // this run; the rest were done by an earlier run
  long long pages_accepted = 0;
  long long pages_quarantined = 0;
  long long records_in_catalog = 0;
  long long records_deposited = 0;
  long long records_withheld = 0;
  std::map<std::string, long long> reject_counts;  // finding code → count of reject findings
  double seconds = 0;
  double pages_per_minute = 0;  // pages processed this run per minute of this run
  std::vector<std::pair<std::string, double>> stage_seconds;  // page stage → CPU-side seconds this run
  std::filesystem::path bag_dir;
  bool verified = false;
  std::vector<Finding> verify_problems;
};

RunSummary run_batch(const RunOptions& options, StageSequence& stages);

}  // namespace lantai
