// kill -9 part-way, rerun the same command: the batch resumes and ends with the same payload.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_support.h"

namespace lantai::e2e {
namespace {

namespace fs = std::filesystem;

int count_lines_with(const fs::path& file, const std::string& needle) {
  std::string text = slurp(file);
  int count = 0;
  for (size_t at = 0; (at = text.find(needle, at)) != std::string::npos; at += needle.size()) ++count;
  return count;
}

//! A run killed after some pages resumes without redoing them, and its payload equals an uninterrupted run's.
TEST(Resume, KilledRunResumesToTheSamePayload) {
  const fs::path work = e2e_dir() / "work-killed";
  fs::remove_all(work);
  std::vector<std::string> args = run_args(work);

  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    ::freopen("/dev/null", "w", stdout);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  // Kill it mid-batch: once a few pages are in the ledger, before the last.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(work / "log.jsonl") && count_lines_with(work / "log.jsonl", "\"item_done\"") >= 4) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run ended before it could be killed";
  const int done_before = count_lines_with(work / "log.jsonl", "\"item_done\"");
  ASSERT_FALSE(fs::exists(work / "deposit") && !fs::is_empty(work / "deposit") &&
               fs::exists(work / "reports" / "pages.csv"))
      << "killed too late to test resuming";

  CommandResult resumed = run_command(args);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;

  // Every page recorded once across both runs: done pages were not processed again.
  std::multiset<std::string> pages_done;
  std::string log = slurp(work / "log.jsonl");
  for (size_t start = 0, end; (end = log.find('\n', start)) != std::string::npos; start = end + 1) {
    auto line = nlohmann::json::parse(log.substr(start, end - start));
    if (line["event"] == "item_done") pages_done.insert(line["file"].get<std::string>() + "#" + std::to_string(line["frame"].get<int>()));
  }
  auto truth = nlohmann::json::parse(slurp(e2e_dir() / "lot" / "ground-truth.json"));
  // The ledger, not the log, is the record: a kill between an item's commit and its log
  // line loses that one line, never the item.
  EXPECT_GE(pages_done.size() + 1, truth["pages"].size());
  EXPECT_LE(pages_done.size(), truth["pages"].size());
  for (const auto& page : pages_done) EXPECT_EQ(pages_done.count(page), 1u) << page << " processed twice";
  EXPECT_GT(done_before, 0);

  const fs::path expected = bag_of(e2e_dir() / "work");
  const fs::path actual = bag_of(work);
  EXPECT_EQ(slurp(actual / "manifest-sha256.txt"), slurp(expected / "manifest-sha256.txt"));
  EXPECT_EQ(slurp(actual / "manifest-md5.txt"), slurp(expected / "manifest-md5.txt"));
  CommandResult verified = run_command({lantai_bin().string(), "verify", actual.string()});
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  fs::remove_all(work);
}

}  // namespace
}  // namespace lantai::e2e
