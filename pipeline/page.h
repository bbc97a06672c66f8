// A page: the unit of work of the item stages (decode → deskew → quality → ocr →
// derivatives). One page is one image file, or one frame of a multi-page TIFF.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <opencv2/core.hpp>

namespace lantai {

enum class ColourMode { unknown, bilevel, grey, colour };
std::string_view to_string(ColourMode mode);

// What the stages measured about a page. Stored in the ledger; later stages and
// record stages read it.
struct PageFacts {
  int width_px = 0;   // as scanned
  int height_px = 0;
  std::optional<double> resolution_dpi;  // absent when missing or not trustworthy
  ColourMode colour_mode = ColourMode::unknown;
  // Skew of the content as scanned; positive = content rotated counter-clockwise.
  std::optional<double> skew_deg;
  double skew_confidence = 0;  // 0 (none) .. 1 (certain)
  std::optional<double> ink_ratio;  // share of the content area that is ink, 0..1
  std::string fingerprint;          // perceptual hash (hex) for near-duplicate search
  std::optional<int> ocr_chars;     // characters of text found, spaces excluded
  std::optional<double> ocr_confidence;  // Tesseract mean word confidence, 0..100
};

struct Page {
  // Identity, fixed at ingest and stable across reruns.
  std::string id;                  // "<rel_path>#<frame>"
  std::string rel_path;            // relative to --in, '/'-separated, UTF-8
  int frame = 0;                   // page index inside the file, 0-based
  std::string record_ref;          // 档号: the folder the file is in
  int seq = 0;                     // 1-based position within the record (natural order)
  std::filesystem::path source;    // absolute path of the original (never modified)

  PageFacts facts;
  // The working image: decode fills it (8-bit grey or 8-bit BGR), deskew replaces it with
  // the processed page. Released before the page reaches the ledger.
  cv::Mat image;

  // "0001" for seq 1: the serial used to name this page's derivatives.
  std::string serial() const;
  static std::string make_id(const std::string& rel_path, int frame);
};

}  // namespace lantai
