// Test material for the capture checks: pages of every class the orientation tests draw
// (turned_pages.h: Chinese 文书, Latin, two columns, tables, landscape; 200-400 dpi; grey,
// colour and 1-bit), upright, cleaned by the real deskew stage as the page chain does,
// then given a capture fault of known strength (out of focus, under-exposed, washed out)
// and stored as the derivatives stage stores them (JPEG, quality 90).
#pragma once

#include <cstdint>
#include <filesystem>

#include <opencv2/core.hpp>

#include "tests/stages/orient/turned_pages.h"

namespace lantai::quality::testing {

struct Fault {
  double blur_mm = 0;  // Gaussian sigma of an out-of-focus scan, mm on the paper
  double gain = 1;     // every grey scaled by this: under-exposure (paper and ink darker)
  double fade = 1;     // ink's distance from the paper scaled by this: washed out, low contrast
};

struct CapturePage {
  orient::testing::PageClass page_class = orient::testing::PageClass::chinese;
  int resolution_dpi = 300;
  bool bilevel = false;
  cv::Mat cleaned;  // the scan as deskew hands it on, before any fault
};

// One upright page of a class, through the deskew stage with its defaults.
CapturePage make_capture_page(orient::testing::PageClass page_class, std::uint32_t seed);

// The page with the fault applied, as the derivative holds it (JPEG q90 decoded back).
// A bilevel page is blurred and darkened in grey, as a grey scanner would have seen it.
cv::Mat with_fault(const CapturePage& page, const Fault& fault);

enum class LotFormat { jpeg, tiff };
struct ColourLotOptions {
  LotFormat format = LotFormat::jpeg;  // JPEG q95, or TIFF LZW as contractors deliver masters
  bool turned = false;                 // pages fed turned 0, 90, 180 and 270 in turn
};

// A lot of colour 300-dpi A4 Chinese pages as scanned (skewed, scan borders, dust), to time
// the whole image path: DIR/scans/<档号>/NNNN.jpg or .tif (tagged 300 dpi, five pages a
// record) and DIR/catalogue.csv. Returns the number of pages written.
int write_colour_a4_lot(unsigned seed, const std::filesystem::path& dir, int pages,
                        const ColourLotOptions& options = {});

}  // namespace lantai::quality::testing
