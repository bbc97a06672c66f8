// Helpers for the end-to-end tests: run the lantai command, read its CSV reports.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace lantai::e2e {

std::filesystem::path e2e_dir();     // the shared fixture: lot/ and work/
std::filesystem::path lantai_bin();
std::filesystem::path profile_file();
std::filesystem::path bag_of(const std::filesystem::path& work_dir);  // WORK/deposit/<the one bag>

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};
CommandResult run_command(const std::vector<std::string>& args);

// A ClamAV database of the tests' own (tests/support/test_virus_db.h), below e2e_dir(),
// and the run arguments that scan with it.
std::filesystem::path test_virus_db();
std::vector<std::string> virus_scan_args();

// The run arguments for the sample lot into work_dir.
std::vector<std::string> run_args(const std::filesystem::path& work_dir);

// Rows of a CSV file with a header, as column → value maps (RFC 4180 quoting).
std::vector<std::map<std::string, std::string>> read_csv(const std::filesystem::path& file);

std::string slurp(const std::filesystem::path& file);

// Share of the truth's characters that the OCR text holds too (multiset, white space ignored).
double character_recall(const std::string& truth, const std::string& ocr);

}  // namespace lantai::e2e
