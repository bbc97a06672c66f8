// Write speed of carriers on a bag it makes itself: one carrier (hdd) written as a folder
// and as an ISO image, each file read once, hashed (MD5 and SHA-256) and held to the bag's
// manifests, then synced; against `cp -r` of the payload (plus sync), and xorriso
// (-as mkisofs -J -R) when it is installed. The bag is read once before timing, so every
// figure starts from the page cache. Prints MB/s (10^6 bytes); never fails on time.
//   bench_carriers [total_MB=1024] [files_per_record=20] [MB_per_file=2] [--keep]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "pipeline/digest.h"
#include "stages/carriers/carrier_check.h"
#include "stages/carriers/carrier_writer.h"
#include "tests/stages/carriers/synthetic_bag.h"

namespace fs = std::filesystem;
using namespace lantai::carriers;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

void report(const char* what, std::uint64_t bytes, double seconds) {
  std::printf("%-44s %8.1f MB/s  (%.0f MB in %.2f s)\n", what, double(bytes) / 1e6 / seconds, double(bytes) / 1e6,
              seconds);
}

double command_seconds(const std::string& command) {
  const auto start = Clock::now();
  if (std::system(command.c_str()) != 0) return -1;
  return seconds_since(start);
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t total_mb = argc > 1 ? std::stoull(argv[1]) : 1024;
  const int files_per_record = argc > 2 ? std::stoi(argv[2]) : 20;
  const std::uint64_t mb_per_file = argc > 3 ? std::stoull(argv[3]) : 2;
  const bool keep = argc > 4 && std::string(argv[4]) == "--keep";
  const int records = static_cast<int>(std::max<std::uint64_t>(1, total_mb / (mb_per_file * files_per_record)));
  const fs::path root = fs::temp_directory_path() / ("lantai-bench-carriers-" + std::to_string(::getpid()));
  const fs::path bag_dir =
      make_synthetic_bag(root / "bag", testing::synthetic_records(records, files_per_record, mb_per_file * 1'000'000));
  const BagContents bag = read_bag(bag_dir);
  std::printf("bag: %s, %d records, %zu files, %.0f MB\n", bag_dir.c_str(), records, bag.payload_files,
              double(bag.payload_bytes) / 1e6);
  for (const auto& entry : fs::recursive_directory_iterator(bag_dir))  // into the page cache
    if (entry.is_regular_file()) lantai::hex_digests_of_file(entry.path(), {lantai::DigestAlgorithm::md5});

  const CarrierPlan plan = plan_carriers(bag, parse_medium("hdd"), {});
  const CarrierLayout layout = lay_out_carrier(plan, plan.carriers[0], bag, {});
  auto start = Clock::now();
  write_carrier_folder(layout, root / "folder");
  report("lantai carriers write (folder, hashed, synced)", bag.payload_bytes, seconds_since(start));
  start = Clock::now();
  const fs::path image = write_carrier_iso(layout, root / "iso").path;
  report("lantai carriers write --iso (hashed, synced)", bag.payload_bytes, seconds_since(start));
  start = Clock::now();
  const auto checked = check_carrier(image);
  report(checked.findings.empty() ? "lantai carriers check (ISO, clean)" : "lantai carriers check (ISO, NOT CLEAN)",
         bag.payload_bytes, seconds_since(start));

  double seconds = command_seconds("cp -r '" + (bag_dir / "data").string() + "' '" + (root / "cp").string() + "' && sync");
  if (seconds > 0) report("cp -r data && sync", bag.payload_bytes, seconds);
  if (std::system("command -v xorriso > /dev/null 2>&1") == 0) {
    seconds = command_seconds("xorriso -as mkisofs -quiet -J -R -o '" + (root / "xorriso.iso").string() + "' '" +
                              (bag_dir / "data").string() + "' && sync");
    if (seconds > 0) report("xorriso -as mkisofs -J -R && sync", bag.payload_bytes, seconds);
  } else {
    std::printf("xorriso: not installed, not compared\n");
  }
  if (keep) {
    std::printf("kept: %s\n", root.c_str());
  } else {
    fs::remove_all(root);
  }
  return 0;
}
