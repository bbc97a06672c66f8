// A small colour test lot for the colour-fidelity tests: official-document pages (红头
// with its red rule, black text, a red round seal over the 落款, a blue ink signature, on
// off-white paper, some turned by a degree or two) written in every file layout the decode
// stage accepts, one or more pages each, plus one grey page and one bitonal page.
//
// On disk: DIR/scans/<档号>/<NN>_<layout>.<ext> and DIR/catalogue.csv (档号,题名,页数).
// Each page keeps the pixels its file holds, so what comes out can be compared with what
// went in.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace lantai::fidelity {

namespace fs = std::filesystem;

enum class PageInk { colour, grey, bitonal };

struct LotPage {
  std::string record;  // 档号, the record folder's name
  fs::path file;       // relative to the scans folder: <档号>/<name>
  int frame = 0;       // 0-based frame within a multi-page TIFF
  int serial = 0;      // 1-based position in the record: the derivative's NNNN.jpg
  std::string layout;  // what the file is, for messages: "TIFF, JPEG-compressed YCbCr"
  PageInk ink = PageInk::colour;
  int resolution_dpi = 0;
  double skew_deg = 0;  // how far the sheet was turned: positive = content counter-clockwise
  // The pixels as the file holds them (after the palette, over white where there is alpha,
  // before lossy compression): 8-bit BGR for colour pages, 8-bit grey (0/255 when bitonal)
  // otherwise.
  cv::Mat original;
  cv::Rect seal_px;       // the seal's bounding box in original; empty when the page has none
  cv::Rect signature_px;  // the blue signature's box; empty when none
};

struct ColourLot {
  fs::path scans_dir;
  fs::path catalogue_file;
  std::vector<LotPage> pages;  // record by record, in serial order
};

// Writes the lot below dir (which must not hold a previous lot) and describes it. Throws
// std::runtime_error when a file cannot be written or the CJK fonts are missing.
ColourLot make_colour_lot(const fs::path& dir);

}  // namespace lantai::fidelity
