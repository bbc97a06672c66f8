// Throughput of verify on a bag it writes itself, against the digests alone: OpenSSL's EVP
// on one core (what `openssl speed -evp` measures), and sha256sum / md5sum / `openssl
// dgst -sm3` over the same files. Files are read once before timing so every figure comes
// from the page cache. Prints MB/s (10^6 bytes); never fails on time.
//   bench_verify [total_MiB=512] [files=64] [algorithms=md5,sha256]
#include <openssl/evp.h>
#include <tbb/global_control.h>
#include <tbb/info.h>

#include <unistd.h>

#include <chrono>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline/digest.h"
#include "stages/verify/tag_lines.h"
#include "stages/verify/verify_stage.h"

namespace fs = std::filesystem;
using lantai::DigestAlgorithm;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double mb_per_s(std::uint64_t bytes, double seconds) { return double(bytes) / 1e6 / seconds; }

// One core, one algorithm, 1 MiB updates over 256 MiB: the figure `openssl speed -evp`
// gives for large blocks.
double evp_speed(DigestAlgorithm algorithm) {
  std::string block(1 << 20, 'x');
  const auto start = Clock::now();
  lantai::DigestStream stream({algorithm});
  for (int i = 0; i < 256; ++i) stream.update(block);
  stream.finish();
  return mb_per_s(256ull << 20, seconds_since(start));
}

double command_speed(const std::string& command, std::uint64_t bytes) {
  const auto start = Clock::now();
  if (std::system((command + " > /dev/null").c_str()) != 0) return 0;
  return mb_per_s(bytes, seconds_since(start));
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t total_mib = argc > 1 ? std::stoull(argv[1]) : 512;
  const int files = argc > 2 ? std::stoi(argv[2]) : 64;
  std::vector<DigestAlgorithm> algorithms;
  {
    std::istringstream names(argc > 3 ? argv[3] : "md5,sha256");
    for (std::string name; std::getline(names, name, ',');)
      if (auto algorithm = lantai::verify::algorithm_from_name(name)) algorithms.push_back(*algorithm);
  }
  const fs::path bag = fs::temp_directory_path() / ("lantai-bench-verify-" + std::to_string(::getpid()));
  fs::remove_all(bag);
  fs::create_directories(bag / "data");
  std::ofstream(bag / "bagit.txt") << "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";
  std::mt19937_64 random(42);
  const std::uint64_t per_file = (total_mib << 20) / static_cast<std::uint64_t>(files);
  std::vector<std::string> names;
  std::vector<std::string> manifests(algorithms.size());
  std::string bytes(per_file, '\0');
  for (int i = 0; i < files; ++i) {
    for (size_t j = 0; j + 8 <= bytes.size(); j += 8) {
      const std::uint64_t word = random();
      std::memcpy(bytes.data() + j, &word, 8);
    }
    const std::string name = "data/file" + std::to_string(i) + ".bin";
    std::ofstream(bag / name, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    names.push_back(name);
    for (size_t a = 0; a < algorithms.size(); ++a)
      manifests[a] += lantai::hex_digest(algorithms[a], bytes) + "  " + name + "\n";
  }
  for (size_t a = 0; a < algorithms.size(); ++a)
    std::ofstream(bag / ("manifest-" + std::string(lantai::to_string(algorithms[a])) + ".txt")) << manifests[a];
  const std::uint64_t total = per_file * static_cast<std::uint64_t>(files);

  std::string file_list;
  for (const std::string& name : names) file_list += " '" + (bag / name).string() + "'";
  std::system(("cat" + file_list + " > /dev/null").c_str());  // into the page cache

  std::printf("bag: %d files, %.1f MB, algorithms:", files, double(total) / 1e6);
  for (DigestAlgorithm algorithm : algorithms) std::printf(" %s", std::string(lantai::to_string(algorithm)).c_str());
  std::printf("; %d cores for oneTBB\n\n", tbb::info::default_concurrency());

  double slowest = 1e18;
  std::printf("%-44s %10s\n", "digest alone", "MB/s");
  for (DigestAlgorithm algorithm : algorithms) {
    const double speed = evp_speed(algorithm);
    slowest = std::min(slowest, speed);
    std::printf("%-44s %10.0f\n", ("OpenSSL EVP " + std::string(lantai::to_string(algorithm)) + ", 1 core").c_str(),
                speed);
  }
  for (DigestAlgorithm algorithm : algorithms) {
    const std::string name(lantai::to_string(algorithm));
    const std::string command = algorithm == DigestAlgorithm::sm3 ? "openssl dgst -sm3" : name + "sum";
    std::printf("%-44s %10.0f\n", (command + " of the files, 1 core").c_str(),
                command_speed(command + file_list, total));
  }

  std::printf("\n%-44s %10s %8s\n", "lantai verify (every algorithm, one read)", "MB/s", "x slowest");
  for (int threads : {1, 2}) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(threads));
    for (int run = 0; run < 2; ++run) {
      const auto start = Clock::now();
      const auto findings = lantai::verify::verify_bag(bag);
      const double speed = mb_per_s(total, seconds_since(start));
      if (!findings.empty()) std::printf("  unexpected: %s\n", findings.front().message.c_str());
      std::printf("%-44s %10.0f %8.2f\n", ("verify_bag, " + std::to_string(threads) + " thread(s), run " +
                                           std::to_string(run + 1)).c_str(),
                  speed, speed / slowest);
    }
  }
  lantai::verify::VerifyOptions fast;
  fast.fast = true;
  const auto start = Clock::now();
  lantai::verify::verify_bag(bag, fast);
  std::printf("%-44s %10.0f\n", "verify_bag --fast (no hashing)", mb_per_s(total, seconds_since(start)));
  fs::remove_all(bag);
}
