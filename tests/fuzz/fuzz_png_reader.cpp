// libFuzzer harness: read_png over arbitrary bytes, through a FILE* on the input.
// libpng rejects a chunk whose CRC does not match, and the fuzzer cannot learn CRCs (libpng
// is not instrumented), so the harness rewrites each whole chunk's CRC first: mutations
// then reach the chunk parsers and the image data instead of stopping at the first check.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "stages/decode/png_reader.h"
#include "tests/fuzz/reader_contract.h"

namespace {

void fix_chunk_crcs(std::vector<std::uint8_t>& bytes) {
  std::size_t at = 8;  // after the signature
  while (at + 12 <= bytes.size()) {
    const std::uint64_t length = std::uint64_t{bytes[at]} << 24 | bytes[at + 1] << 16 | bytes[at + 2] << 8 | bytes[at + 3];
    if (length > bytes.size() - at - 12) return;  // the last chunk is cut: leave it
    const std::size_t crc_at = at + 8 + length;
    const auto crc = static_cast<std::uint32_t>(crc32(0, bytes.data() + at + 4, static_cast<uInt>(length + 4)));
    for (int i = 0; i < 4; ++i) bytes[crc_at + i] = static_cast<std::uint8_t>(crc >> (24 - 8 * i));
    at = crc_at + 4;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;  // the stage refuses empty files before any reader
  std::vector<std::uint8_t> bytes(data, data + size);
  fix_chunk_crcs(bytes);
  std::FILE* file = fmemopen(bytes.data(), bytes.size(), "rb");
  if (!file) return 0;
  lantai::fuzz::read_checked([&] { return lantai::decode::read_png(file, lantai::fuzz::kFuzzLimits); });
  std::fclose(file);
  return 0;
}
