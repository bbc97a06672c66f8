// What every decoder fuzz harness checks on each input: the reader's contract from
// stages/decode/decoded_image.h. A breach aborts, which libFuzzer reports as a crash and
// saves the input.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "stages/decode/decoded_image.h"

namespace lantai::fuzz {

// Small enough that the fuzzer explores headers instead of spending its time allocating
// (a 50 Mpx page is 150 MB as BGR, within libFuzzer's 2 GB RSS limit with buffers).
inline constexpr decode::ReadLimits kFuzzLimits{50'000'000};

[[noreturn]] inline void breach(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "reader contract broken: %s %s\n", what, detail.c_str());
  std::abort();
}

inline void check_contract(const decode::DecodedImage& image) {
  using decode::Problem;
  if (image.problem == Problem::none) {
    if (image.image.empty()) breach("no problem but no pixels");
    if (image.image.cols != image.width_px || image.image.rows != image.height_px)
      breach("pixels differ from the header's size");
    if (image.image.type() != CV_8UC1 && image.image.type() != CV_8UC3) breach("pixels are not 8-bit grey or BGR");
    if (!image.detail.empty()) breach("a detail without a problem", image.detail);
    return;
  }
  if (!image.image.empty()) breach("a problem but pixels kept", image.detail);
  if (image.detail.empty()) breach("a problem without a detail");
  if (image.detail.find('\n') != std::string::npos) breach("a detail over several lines", image.detail);
}

// Runs one reader call; the contract is that readers never throw.
template <typename Read>
void read_checked(Read read) {
  try {
    check_contract(read());
  } catch (const std::exception& error) {
    breach("an exception escaped the reader:", error.what());
  } catch (...) {
    breach("an exception escaped the reader");
  }
}

}  // namespace lantai::fuzz
