// Throughput of the virus scan on the sample lot's page files: the time to load the
// signature database (once per run), then ms per file and MB/s (10^6 bytes) on one thread
// and on every core, as the virus_scan stage and the deposit's bag scan use it. Prints
// figures; never fails on time.
//   bench_virus_scan [DATABASE_DIR]   default: /var/lib/clamav when it holds a database,
//                                     else the tests' one-signature database (EICAR)
#include <tbb/parallel_for_each.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "pipeline/virus_scanner.h"
#include "samples/sample_lot.h"
#include "tests/support/test_virus_db.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

int main(int argc, char** argv) {
  const fs::path dir = fs::temp_directory_path() / ("lantai-bench-virus-scan-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::path database = argc > 1 ? fs::path(argv[1]) : fs::path("/var/lib/clamav");
  std::error_code error;
  if (argc == 1 && !fs::is_directory(database, error))
    database = lantai::test_support::write_test_virus_db(dir / "db");
  const auto lot = lantai::samples::make_sample_lot(dir / "lot");
  std::vector<fs::path> files;
  std::uintmax_t bytes = 0;
  for (const auto& entry : fs::recursive_directory_iterator(lot.scans_dir))
    if (entry.is_regular_file()) {
      files.push_back(entry.path());
      bytes += entry.file_size();
    }

  auto started = Clock::now();
  const auto scanner = lantai::VirusScanner::load(database, lantai::VirusScanLimits{}, dir / "tmp");
  std::printf("database: %s\n  loaded and compiled in %.2f s\n", scanner->describe().c_str(), seconds_since(started));
  std::printf("sample lot: %zu files, %.1f MB\n", files.size(), double(bytes) / 1e6);

  started = Clock::now();
  for (const fs::path& file : files) scanner->scan(file);
  double seconds = seconds_since(started);
  std::printf("  one thread:   %.1f ms a file, %.1f MB/s\n", 1000 * seconds / double(files.size()),
              double(bytes) / 1e6 / seconds);
  started = Clock::now();
  for (const fs::path& file : files) scanner->scan(file);
  seconds = seconds_since(started);
  std::printf("  again, the same engine (ClamAV's cache of clean files): %.2f ms a file\n",
              1000 * seconds / double(files.size()));
  // A fresh engine: ClamAV remembers the files it found clean, and would answer from memory.
  const auto fresh = lantai::VirusScanner::load(database, lantai::VirusScanLimits{}, dir / "tmp");
  started = Clock::now();
  tbb::parallel_for_each(files.begin(), files.end(), [&](const fs::path& file) { fresh->scan(file); });
  seconds = seconds_since(started);
  std::printf("  every core:   %.1f ms a file, %.1f MB/s\n", 1000 * seconds / double(files.size()),
              double(bytes) / 1e6 / seconds);
  fs::remove_all(dir);
  return 0;
}
