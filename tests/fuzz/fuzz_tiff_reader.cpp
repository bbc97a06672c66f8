// libFuzzer harness: read_tiff over arbitrary bytes. read_tiff takes a path (libtiff opens
// its own handle), so the input goes into a memory file named /proc/self/fd/N: no disk,
// nothing to clean up. Frames 0 and 1 are read, so multi-page seeds reach SetDirectory.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>

#include "stages/decode/image_format.h"
#include "stages/decode/tiff_reader.h"
#include "tests/fuzz/reader_contract.h"

namespace {

int memory_file() {
  static const int fd = [] {
    const int created = memfd_create("fuzz-tiff", 0);
    if (created < 0) {
      std::perror("memfd_create");
      std::abort();
    }
    return created;
  }();
  return fd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;  // the stage refuses empty files before any reader
  const int fd = memory_file();
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) std::abort();
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  const std::span<const unsigned char> head(data, std::min(size, lantai::decode::kSignatureBytes));
  for (int frame : {0, 1})
    lantai::fuzz::read_checked(
        [&] { return lantai::decode::read_tiff(path, frame, head, size, lantai::fuzz::kFuzzLimits); });
  return 0;
}
