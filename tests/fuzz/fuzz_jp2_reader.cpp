// libFuzzer harness: read_jp2 over arbitrary bytes (a JP2 file or a bare codestream),
// through a FILE* on the input.
#include <cstddef>
#include <cstdint>
#include <cstdio>

#include "stages/decode/jp2_reader.h"
#include "tests/fuzz/reader_contract.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;  // the stage refuses empty files before any reader
  std::FILE* file = fmemopen(const_cast<std::uint8_t*>(data), size, "rb");
  if (!file) return 0;
  lantai::fuzz::read_checked([&] { return lantai::decode::read_jp2(file, lantai::fuzz::kFuzzLimits); });
  std::fclose(file);
  return 0;
}
