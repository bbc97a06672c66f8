#include "tests/e2e/e2e_support.h"

#include "tests/support/test_virus_db.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace lantai::e2e {

namespace fs = std::filesystem;

namespace {

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace

fs::path e2e_dir() { return LANTAI_E2E_DIR; }
fs::path lantai_bin() { return LANTAI_BIN; }
fs::path profile_file() { return LANTAI_PROFILE; }

fs::path bag_of(const fs::path& work_dir) {
  for (const auto& entry : fs::directory_iterator(work_dir / "deposit"))
    if (fs::is_regular_file(entry.path() / "bagit.txt") && entry.path().extension() != ".partial") return entry.path();
  throw std::runtime_error("no bag in " + work_dir.string());
}

CommandResult run_command(const std::vector<std::string>& args) {
  std::string command;
  for (const auto& arg : args) command += shell_quote(arg) + " ";
  command += "2>&1";
  CommandResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + command);
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.output.append(buffer.data(), n);
  int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

fs::path test_virus_db() { return test_support::write_test_virus_db(e2e_dir() / "virus-db"); }

std::vector<std::string> virus_scan_args() { return {"--virus-db", test_virus_db().string()}; }

std::vector<std::string> run_args(const fs::path& work_dir) {
  const fs::path lot = e2e_dir() / "lot";
  std::vector<std::string> args{lantai_bin().string(), "run", "--profile", profile_file().string(), "--in",
                                (lot / "scans").string(), "--catalog", (lot / "catalogue.csv").string(), "--out",
                                work_dir.string(), "--fonds", "J012", "--unit", "示例市档案馆", "--jobs", "2"};
  for (std::string& arg : virus_scan_args()) args.push_back(std::move(arg));
  return args;
}

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::map<std::string, std::string>> read_csv(const fs::path& file) {
  const std::string text = slurp(file);
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') field += '"', ++i;
      else if (c == '"') quoted = false;
      else field += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      rows.back().push_back(std::move(field));
      field.clear();
      rows.emplace_back();
    } else if (c != '\r') {
      field += c;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  std::vector<std::map<std::string, std::string>> records;
  for (size_t r = 1; r < rows.size(); ++r) {
    std::map<std::string, std::string> record;
    for (size_t c = 0; c < rows[0].size() && c < rows[r].size(); ++c) record[rows[0][c]] = rows[r][c];
    records.push_back(std::move(record));
  }
  return records;
}

double character_recall(const std::string& truth, const std::string& ocr) {
  auto count = [](const std::string& text) {
    std::map<std::string, int> counts;
    for (size_t i = 0; i < text.size();) {
      size_t length = (text[i] & 0x80) == 0 ? 1 : (text[i] & 0xE0) == 0xC0 ? 2 : (text[i] & 0xF0) == 0xE0 ? 3 : 4;
      std::string c = text.substr(i, length);
      if (c != " " && c != "\n" && c != "\u3000") counts[c]++;
      i += length;
    }
    return counts;
  };
  auto expected = count(truth), found = count(ocr);
  int total = 0, shared = 0;
  for (const auto& [c, n] : expected) {
    total += n;
    shared += std::min(n, found[c]);
  }
  return total ? static_cast<double>(shared) / total : 1.0;
}

}  // namespace lantai::e2e
