// lantai: raw scans of paper archives to verified deposit batches.
#include <malloc.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "pipeline/image.h"
#include "pipeline/runtime/runner.h"
#include "ui-cli/commands.h"

namespace {

// Tesseract's OpenMP reads OMP_THREAD_LIMIT when the library loads, before main runs;
// pages in parallel beat threads inside one page, so restart once with it set.
void limit_openmp_threads(char** argv) {
  if (std::getenv("OMP_THREAD_LIMIT")) return;
  ::setenv("OMP_THREAD_LIMIT", "1", 1);
  ::execv("/proc/self/exe", argv);
  // execv only returns on failure; carry on with Tesseract's default threading.
}

// Page pixels handed between stages are read-only (pipeline/image.h): a stage that writes
// into them is stopped by the operating system. Say what that most likely was, then die
// as the signal would have it; a rerun of the same command resumes.
void on_fatal_signal(int signal) {
  static const char kMessage[] =
      "lantai: stopped by a memory fault; if a stage wrote into read-only page pixels, that stage is at fault. "
      "Run the same command again to resume.\n";
  [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

// Page buffers of tens of MB are allocated on one thread and freed on another. With
// glibc's defaults (an arena per thread, an mmap threshold that rises to 32 MB after the
// first large free) they end up inside fragmented heaps. Large buffers always mapped and
// given back, and two arenas, lower the peak (docs/design-notes.md, the memory budget).
void keep_large_buffers_out_of_the_heap() {
  ::mallopt(M_ARENA_MAX, 2);
  ::mallopt(M_MMAP_THRESHOLD, 4 << 20);
  ::mallopt(M_TRIM_THRESHOLD, 8 << 20);
}

}  // namespace

int main(int argc, char** argv) {
  limit_openmp_threads(argv);
  keep_large_buffers_out_of_the_heap();
  lantai::Image::map_large_buffers();
  std::signal(SIGSEGV, on_fatal_signal);
  CLI::App app{"lantai (兰台): raw scans of paper archives to verified, checksummed deposit batches"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "lantai " LANTAI_VERSION);
  lantai::cli::add_run_command(app);
  lantai::cli::add_verify_command(app);
  lantai::cli::add_status_command(app);
  lantai::cli::add_samples_command(app);
  lantai::cli::add_profile_command(app);
  lantai::cli::add_sample_command(app);
  lantai::cli::add_review_command(app);
  lantai::cli::add_keys_command(app);
  lantai::cli::add_seal_commands(app);
  lantai::cli::add_carriers_command(app);
  lantai::cli::add_plan_command(app);
  lantai::cli::add_merge_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& error) {
    return error.get_exit_code();  // a command's own verdict, e.g. verify's 1
  } catch (const CLI::ParseError& error) {
    // --help and --version exit 0; any other parse error is a usage error.
    return app.exit(error) == 0 ? lantai::kExitOk : lantai::kExitBadArguments;
  } catch (const lantai::RunError& error) {
    std::fprintf(stderr, "lantai: %s\n", error.what());
    return error.exit_code;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "lantai: %s\n", error.what());
    return lantai::kExitEnvironment;
  }
  return 0;
}
