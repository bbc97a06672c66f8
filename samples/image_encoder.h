// Encoders for the scans, in memory, each carrying its resolution: JPEG (JFIF density in
// dots per inch), PNG (pHYs, pixels per metre) and TIFF (XResolution/YResolution, inch).
// No dates, software names or other varying metadata: the same pixels give the same bytes.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace lantai::samples {

// image: 8-bit grey or BGR. quality 1..100; baseline, integer DCT (the same bytes on every CPU).
std::string encode_jpeg(const cv::Mat& image, int resolution_dpi, int quality);

// image: 8-bit grey or BGR.
std::string encode_png(const cv::Mat& image, int resolution_dpi);

enum class TiffCompression { lzw, deflate, ccitt_g4 };

struct TiffFrame {
  cv::Mat image;  // 8-bit grey or BGR; for ccitt_g4, grey where < 128 is black
  int resolution_dpi = 300;
  TiffCompression compression = TiffCompression::lzw;
  // What a scanner writes of the capture (TIFF Make, Model, Software, DateTime
  // "YYYY:MM:DD HH:MM:SS"); each only when not empty.
  std::string make, model, software, date_time;
};

// One frame: a plain TIFF. Several: a multi-page TIFF, one directory per page, each
// marked as a page (SubfileType, PageNumber). Little-endian classic TIFF.
std::string encode_tiff(const std::vector<TiffFrame>& frames);

}  // namespace lantai::samples
