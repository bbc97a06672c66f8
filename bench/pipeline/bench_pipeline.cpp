// Peak memory of `lantai run` on the sample lot and on a lot ten times larger, each in a
// process of its own, to show memory stays flat as the lot grows; then whole-batch
// throughput on the sample lot, pages/min and time per stage, for --jobs 1 and 2 and for
// the image path alone (--ocr later); last, the image path on colour 300-dpi A4 pages as
// scanned (skewed, scan borders, dust), the figure DA/T 31 lots are planned by, with each
// stage's share: upright JPEG, then fed turned 0/90/180/270 (orientation pays for the
// turns) as JPEG and as TIFF LZW masters. Prints figures, saves no files; never fails on
// time. --colour runs the colour A4 lots alone.
//   bench_pipeline [records] [pages_per_record] [colour_a4_pages]
//   bench_pipeline --colour [colour_a4_pages]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/runtime/runner.h"
#include "samples/sample_lot.h"
#include "stages/stage_sequence.h"
#include "tests/stages/quality/capture_pages.h"

namespace fs = std::filesystem;

namespace {

constexpr int kMemoryRuns = 3;

// Peak resident memory (MiB) of `lantai run` on the lot, in a child process; -1 if it failed.
double peak_rss_of_run(const lantai::samples::SampleLot& lot, const fs::path& work) {
  const std::vector<std::string> args = {LANTAI_BIN, "run", "--profile", LANTAI_PROFILE, "--in", lot.scans_dir.string(),
                                         "--catalog", lot.catalog_file.string(), "--out", work.string(), "--fonds",
                                         "J012", "--unit", "bench", "--jobs", "2",
                                         // the scan's cost is the signature database's, not lantai's
                                         "--no-virus-scan"};
  const pid_t child = ::fork();
  if (child == 0) {
    std::vector<char*> argv;
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    std::freopen("/dev/null", "w", stdout);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  rusage usage{};
  if (child < 0 || ::wait4(child, &status, 0, &usage) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return -1;
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

}  // namespace

int main(int argc, char** argv) {
  // Tesseract's OpenMP must be off before the library loads; the lantai command does the same.
  if (!std::getenv("OMP_THREAD_LIMIT")) {
    ::setenv("OMP_THREAD_LIMIT", "1", 1);
    ::execv("/proc/self/exe", argv);
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // figures as they come, even into a file
  const bool colour_only = argc > 1 && std::string(argv[1]) == "--colour";
  lantai::samples::SampleOptions options;
  if (argc > 1 && !colour_only) options.records = std::atoi(argv[1]);
  if (argc > 2 && !colour_only) options.pages_per_record = std::atoi(argv[2]);
  const int colour_pages = colour_only ? (argc > 2 ? std::atoi(argv[2]) : 60) : argc > 3 ? std::atoi(argv[3]) : 60;
  const fs::path dir = fs::temp_directory_path() / ("lantai-bench-pipeline-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto time_run = [&](const lantai::samples::SampleLot& sample, const std::string& label, int jobs, bool ocr_later) {
    lantai::RunOptions run;
    run.profile_file = LANTAI_PROFILE;
    run.input_root = sample.scans_dir;
    run.catalog_file = sample.catalog_file;
    run.work_dir = dir / ("work-" + label + "-" + std::to_string(jobs) + (ocr_later ? "-ocr-later" : ""));
    if (ocr_later) run.deferred_stages = {"ocr"};
    run.fonds_code = "J012";
    run.unit_name = "bench";
    run.jobs = jobs;
    run.show_progress = false;
    run.virus_scan = false;  // the scan's cost is the signature database's, not lantai's
    lantai::StageSequence stages = lantai::make_stage_sequence();
    const lantai::RunSummary summary = lantai::run_batch(run, stages);
    std::printf("%s --jobs %d%s: %lld pages in %.1f s = %.1f pages/min;", label.c_str(), jobs,
                ocr_later ? " --ocr later" : "", summary.items_processed_now, summary.seconds,
                summary.items_per_minute);
    double total_ms = 0;
    for (const auto& stage : summary.stage_times)
      if (stage.items > 0) total_ms += stage.seconds * 1000.0 / static_cast<double>(stage.items);
    for (const auto& stage : summary.stage_times)
      if (stage.items > 0) {
        const double ms = stage.seconds * 1000.0 / static_cast<double>(stage.items);
        std::printf(" %s %.0f ms (%.0f%%)", stage.stage.c_str(), ms, 100 * ms / total_ms);
      }
    std::printf(" (per page)\n");
  };
  if (!colour_only) {
    const lantai::samples::SampleLot lot = lantai::samples::make_sample_lot(dir / "lot", options);
    lantai::samples::SampleOptions larger_options = options;
    larger_options.records *= 10;
    const lantai::samples::SampleLot larger = lantai::samples::make_sample_lot(dir / "lot-x10", larger_options);
    std::printf("sample lots: %d pages (%d records) and %d pages (%d records), 300-dpi A4\n", lot.pages, lot.records,
                larger.pages, larger.records);

    // Memory first, in child processes, before this process starts any threads. A run's
    // peak is the moment two pages' largest needs meet, which varies from run to run:
    // each lot runs three times, and the medians are compared.
    auto median_peak = [&](const lantai::samples::SampleLot& sample, const std::string& name) {
      std::vector<double> peaks;
      for (int i = 0; i < kMemoryRuns; ++i) {
        fs::remove_all(dir / name);
        peaks.push_back(peak_rss_of_run(sample, dir / name));
        std::printf("  %s run %d: peak %.0f MiB\n", name.c_str(), i + 1, peaks.back());
      }
      std::sort(peaks.begin(), peaks.end());
      return peaks[peaks.size() / 2];
    };
    const double small_rss = median_peak(lot, "work-rss");
    const double large_rss = median_peak(larger, "work-rss-x10");
    std::printf("peak resident memory of lantai run --jobs 2, median of %d runs: %.0f MiB on %d pages, %.0f MiB on %d "
                "pages (%+.1f%%)\n",
                kMemoryRuns, small_rss, lot.pages, large_rss, larger.pages, (large_rss / small_rss - 1) * 100);
    time_run(lot, "sample lot", 1, false);
    time_run(lot, "sample lot", 2, false);
    time_run(lot, "sample lot", 2, true);
  }

  using lantai::quality::testing::ColourLotOptions;
  using lantai::quality::testing::LotFormat;
  const struct {
    const char* label;
    ColourLotOptions options;
  } colour_lots[] = {{"colour A4", {}},
                     {"colour A4 turned", {.format = LotFormat::jpeg, .turned = true}},
                     {"colour A4 TIFF turned", {.format = LotFormat::tiff, .turned = true}}};
  for (const auto& [label, lot_options] : colour_lots) {
    const fs::path lot_dir = dir / label;
    lantai::samples::SampleLot colour;
    colour.scans_dir = lot_dir / "scans";
    colour.catalog_file = lot_dir / "catalogue.csv";
    colour.pages = lantai::quality::testing::write_colour_a4_lot(1, lot_dir, colour_pages, lot_options);
    std::printf("%s lot: %d pages, 300 dpi, %s%s\n", label, colour.pages,
                lot_options.format == LotFormat::tiff ? "TIFF LZW" : "JPEG q95",
                lot_options.turned ? ", fed turned 0/90/180/270 in turn" : ", upright");
    time_run(colour, label, 2, true);
    fs::remove_all(lot_dir);  // room on the disk for the next lot
  }
  fs::remove_all(dir);
  return 0;
}
