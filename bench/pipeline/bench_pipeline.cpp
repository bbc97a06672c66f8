// Whole-batch throughput on the sample lot: pages/min and time per stage for --jobs 1
// and 2, and peak memory. Prints figures; never fails on time.
//   bench_pipeline [records] [pages_per_record]
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "pipeline/runner.h"
#include "samples/sample_lot.h"
#include "stages/stage_sequence.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  // Tesseract's OpenMP must be off before the library loads; the lantai command does the same.
  if (!std::getenv("OMP_THREAD_LIMIT")) {
    ::setenv("OMP_THREAD_LIMIT", "1", 1);
    ::execv("/proc/self/exe", argv);
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // figures as they come, even into a file
  lantai::samples::SampleOptions options;
  if (argc > 1) options.records = std::atoi(argv[1]);
  if (argc > 2) options.pages_per_record = std::atoi(argv[2]);
  const fs::path dir = fs::temp_directory_path() / "lantai-bench-pipeline";
  fs::remove_all(dir);
  lantai::samples::SampleLot lot = lantai::samples::make_sample_lot(dir / "lot", options);
  std::printf("sample lot: %d records, %d pages (300-dpi A4)\n", lot.records, lot.pages);

  for (int jobs : {1, 2}) {
    lantai::RunOptions run;
    run.profile_file = LANTAI_PROFILE;
    run.input_root = lot.scans_dir;
    run.catalog_file = lot.catalog_file;
    run.work_dir = dir / ("work-" + std::to_string(jobs));
    run.fonds_code = "J012";
    run.unit_name = "bench";
    run.jobs = jobs;
    run.show_progress = false;
    lantai::StageSequence stages = lantai::make_stage_sequence();
    lantai::RunSummary summary = lantai::run_batch(run, stages);
    std::printf("--jobs %d: %lld pages in %.1f s = %.1f pages/min;", jobs, summary.pages_processed_now,
                summary.seconds, summary.pages_per_minute);
    for (const auto& [stage, seconds] : summary.stage_seconds)
      std::printf(" %s %.0f ms", stage.c_str(), seconds * 1000.0 / static_cast<double>(summary.pages_processed_now));
    std::printf(" (per page)\n");
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("peak resident memory: %.0f MiB\n", static_cast<double>(usage.ru_maxrss) / 1024.0);
  fs::remove_all(dir);
  return 0;
}
