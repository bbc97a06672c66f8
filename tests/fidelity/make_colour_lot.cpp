// make_colour_lot DIR: writes the colour-fidelity lot (scans/ and catalogue.csv) into DIR,
// to look at by hand or to run lantai on outside the test.
#include <cstdio>
#include <exception>
#include <filesystem>

#include "tests/fidelity/colour_lot.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_colour_lot DIR\n");
    return 2;
  }
  try {
    const auto lot = lantai::fidelity::make_colour_lot(argv[1]);
    for (const auto& page : lot.pages)
      std::printf("%s frame %d → %s/%04d.jpg  %s\n", page.file.c_str(), page.frame, page.record.c_str(), page.serial,
                  page.layout.c_str());
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s\n", error.what());
    return 1;
  }
}
