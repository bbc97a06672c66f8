// What one format reader hands back to the decode stage: pixels, header facts and the
// first problem met. Readers never throw for bad input and never build findings; the
// stage turns a DecodedImage into page facts and findings (it knows the page's name).
#pragma once

#include <cstdint>
#include <new>
#include <optional>
#include <string>

#include <opencv2/core.hpp>

#include "pipeline/item.h"

namespace lantai::decode {

enum class Problem { none, unreadable, truncated, corrupt, unsupported, too_large };

// A resolution as the file tags it, converted to dots per inch but not yet judged.
struct TaggedResolution {
  double x_dpi = 0;
  double y_dpi = 0;
  std::string source;  // where it came from, for messages: "JFIF", "EXIF", "pHYs", "TIFF"
};

struct DecodedImage {
  cv::Mat image;  // CV_8UC1 (grey, bilevel as 0/255) or CV_8UC3 BGR; empty unless problem == none
  int width_px = 0;  // from the header; kept when decoding fails later
  int height_px = 0;
  std::uint64_t claimed_pixels = 0;  // width × height as the header claims it
  ColourMode colour_mode = ColourMode::unknown;
  int bits_per_sample = 8;  // as stored, before the reduction to 8 bits (1, 8, 16 …)
  std::optional<TaggedResolution> resolution;  // absent: no tag with a physical unit
  std::string missing_resolution_note;         // why resolution is absent ("JFIF density unit 0")
  Problem problem = Problem::none;
  std::string detail;  // one line (fail() folds line breaks), why; empty when problem == none

  void fail(Problem what, std::string why);  // keeps the first problem, drops the pixels
  void fail_out_of_memory();                 // too_large: an allocation failed after the checks
};

struct ReadLimits {
  long long max_pixels = 0;  // width × height a header may claim, checked before allocating
};

// Runs a reader's body. Readers check every size a header gives against the file and the
// limits before allocating for it; should an allocation fail anyway (the machine is short
// of memory), the image is marked too_large instead of letting std::bad_alloc (or
// OpenCV's out-of-memory error) escape, since readers never throw for bad input.
template <typename Body>
void guard_allocations(DecodedImage& image, Body&& body) {
  try {
    body();
  } catch (const std::bad_alloc&) {
    image.fail_out_of_memory();
  } catch (const cv::Exception& error) {
    if (error.code != cv::Error::StsNoMem) throw;  // a programming error, not the file's
    image.fail_out_of_memory();
  }
}

// Checks the header's size against the limits; on failure records too_large (or corrupt
// for a zero or absurd dimension) in image and returns false. Sets width_px/height_px.
bool accept_size(std::uint64_t width_px, std::uint64_t height_px, const ReadLimits& limits,
                 DecodedImage& image);

// A dpi value converted from a unit stored in whole steps (JFIF dots/cm, PNG dots/metre)
// is snapped to the nearest whole dpi when within half a step: 118 dots/cm is 299.72 dpi
// but was written for 300. quantum_dpi is the size of one stored step in dpi.
double snap_dpi(double dpi, double quantum_dpi);

}  // namespace lantai::decode
