// The cost of splitting a lot: the sample lot run once on this machine, against the same
// lot planned into shards, each shard run after the other (as N machines would run them
// side by side), then merged, for 1, 2 and 3 shards (or the number given). Prints wall and
// CPU time of each command, then per shard count the pages a minute N machines side by
// side would give (plan + longest shard + merge), pages per CPU-minute, and whether the
// deposit's manifest is the one machine's. Never fails on time.
//   bench_shards [shards] [records] [pages_per_record]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "samples/sample_lot.h"

namespace fs = std::filesystem;

namespace {

struct Timing {
  double wall_s = 0, cpu_s = 0;
  bool ok = false;
};

// One lantai command in a child process, its output to log: wall time, and CPU time of the child.
Timing timed(const std::vector<std::string>& args, const fs::path& log) {
  const auto started = std::chrono::steady_clock::now();
  const pid_t child = ::fork();
  if (child == 0) {
    std::vector<char*> argv;
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    std::freopen(log.c_str(), "w", stdout);
    std::freopen(log.c_str(), "a", stderr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  rusage usage{};
  Timing timing;
  timing.ok = child > 0 && ::wait4(child, &status, 0, &usage) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  timing.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  timing.cpu_s = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                 static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  return timing;
}

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The bag: the folder below deposit/ holding bagit.txt (its forms folder lies beside it).
fs::path bag_of(const fs::path& work) {
  if (fs::is_directory(work / "deposit"))
    for (const auto& entry : fs::directory_iterator(work / "deposit"))
      if (fs::exists(entry.path() / "bagit.txt")) return entry.path();
  return {};
}

void print(const char* what, const Timing& timing) {
  std::printf("  %-28s %7.1f s wall %7.1f s CPU%s\n", what, timing.wall_s, timing.cpu_s, timing.ok ? "" : "  FAILED");
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const int shards = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
  lantai::samples::SampleOptions options;
  if (argc > 2) options.records = std::atoi(argv[2]);
  if (argc > 3) options.pages_per_record = std::atoi(argv[3]);
  const fs::path dir = fs::temp_directory_path() / "lantai-bench-shards";
  fs::remove_all(dir);
  const lantai::samples::SampleLot lot = lantai::samples::make_sample_lot(dir / "lot", options);
  std::printf("sample lot: %d pages (%d records), --jobs 2, no virus scan\n", lot.pages, lot.records);

  const std::vector<std::string> lot_args{"--profile", LANTAI_PROFILE, "--in", lot.scans_dir.string(), "--catalog",
                                          lot.catalog_file.string(), "--fonds", "J012", "--unit", "bench"};
  auto command = [&](std::vector<std::string> head, const std::vector<std::string>& tail, bool with_lot) {
    head.insert(head.begin(), LANTAI_BIN);
    if (with_lot) head.insert(head.end(), lot_args.begin(), lot_args.end());
    head.insert(head.end(), tail.begin(), tail.end());
    return head;
  };
  const std::vector<std::string> run_tail{"--jobs", "2", "--no-virus-scan"};

  std::vector<std::string> single = command({"run"}, run_tail, true);
  single.insert(single.end(), {"--out", (dir / "single").string()});
  const Timing one = timed(single, dir / "single.txt");
  std::printf("one machine\n");
  print("lantai run", one);

  const fs::path single_bag = bag_of(dir / "single");
  const double pages = lot.pages;

  struct Row {
    int shards;
    double plan_s, longest_s, merge_s, cpu_s;
    bool same;
  };
  std::vector<Row> rows;
  std::vector<int> counts = argc > 1 ? std::vector<int>{shards} : std::vector<int>{1, 2, 3};
  for (const int n : counts) {
    const fs::path round = dir / ("shards-" + std::to_string(n));
    fs::create_directories(round);
    const fs::path plan = round / "plan.json";
    const Timing planned = timed(command({"plan"}, {"--shards", std::to_string(n), "--out", plan.string()}, true),
                                 round / "plan.txt");
    std::printf("%d shard%s, one after another\n", n, n == 1 ? "" : "s");
    print("lantai plan", planned);
    Timing all_shards{0, 0, true};
    double longest_shard_s = 0;
    std::vector<std::string> merge_command = command(
        {"merge"}, {"--plan", plan.string(), "--out", (round / "merged").string(), "--jobs", "2", "--no-virus-scan"}, false);
    for (int k = 1; k <= n; ++k) {
      const fs::path work = round / ("shard-" + std::to_string(k));
      const Timing shard = timed(command({"run"}, {"--plan", plan.string(), "--shard", std::to_string(k), "--out",
                                                   work.string(), "--jobs", "2", "--no-virus-scan"}, false),
                                 round / ("shard-" + std::to_string(k) + ".txt"));
      print(("lantai run --shard " + std::to_string(k)).c_str(), shard);
      all_shards.wall_s += shard.wall_s;
      all_shards.cpu_s += shard.cpu_s;
      all_shards.ok = all_shards.ok && shard.ok;
      longest_shard_s = std::max(longest_shard_s, shard.wall_s);
      merge_command.push_back(work.string());
    }
    const Timing merged = timed(merge_command, round / "merge.txt");
    print("lantai merge", merged);
    const double total_wall = planned.wall_s + all_shards.wall_s + merged.wall_s;
    const double total_cpu = planned.cpu_s + all_shards.cpu_s + merged.cpu_s;
    std::printf("  %-28s %7.1f s wall %7.1f s CPU (%+.1f%% wall, %+.1f%% CPU against one machine)\n",
                "plan + shards + merge", total_wall, total_cpu, 100.0 * (total_wall - one.wall_s) / one.wall_s,
                100.0 * (total_cpu - one.cpu_s) / one.cpu_s);
    const fs::path merged_bag = bag_of(round / "merged");
    const bool same = !single_bag.empty() && !merged_bag.empty() &&
                      slurp(single_bag / "manifest-sha256.txt") == slurp(merged_bag / "manifest-sha256.txt");
    rows.push_back({n, planned.wall_s, longest_shard_s, merged.wall_s, total_cpu, same});
  }

  // N machines side by side: the plan, then the longest shard, then the merge.
  std::printf("\n%d pages; one machine: %.1f s, %.0f pages/min, %.0f pages per CPU-minute\n", lot.pages, one.wall_s,
              pages / one.wall_s * 60, pages / one.cpu_s * 60);
  std::printf("%-7s %8s %14s %8s %16s %10s %18s  %s\n", "shards", "plan s", "longest shard", "merge s",
              "side by side s", "pages/min", "pages per CPU-min", "manifest");
  for (const Row& row : rows) {
    const double wall = row.plan_s + row.longest_s + row.merge_s;
    std::printf("%-7d %8.1f %14.1f %8.1f %16.1f %10.0f %18.0f  %s\n", row.shards, row.plan_s, row.longest_s,
                row.merge_s, wall, pages / wall * 60, pages / row.cpu_s * 60,
                row.same ? "same as one machine" : "DIFFERENT");
  }
  return 0;
}
