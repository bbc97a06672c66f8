// Photos made at test time, as a scanner or a camera writes them: pixels drawn like a
// print (a sky gradient, red, green and blue patches, dark shapes with sharp edges), in
// JPEG or TIFF (8 or 16 bits a sample), with an ICC profile and EXIF written by exiv2.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <opencv2/core.hpp>

#include "pipeline/item.h"

namespace lantai::test_photos {

// Where the red patch lies on a picture of this size (it stays red in every copy).
cv::Rect red_patch(cv::Size size);

// 8-bit BGR (colour) or grey, drawn so that sharp edges cross the whole picture.
cv::Mat draw_photo(cv::Size size, bool colour = true);

struct Exif {
  std::string date_time_original;  // "2021:05:12 10:20:30"; empty: none
  std::string make;
  std::string model;
  int orientation = 0;   // 1-8; 0: no tag
  int file_source = 0;   // 1 film scanner, 2 print scanner, 3 camera; 0: no tag
  double resolution_dpi = 0;  // X/YResolution in inches; 0: none
};

// ICC profiles made with LittleCMS: sRGB, and a grey one (D50, gamma 2.2). Made once per
// process (a profile's header carries the time it was made).
std::string srgb_icc();
std::string grey_icc();

// image: 8-bit BGR or grey. icc embedded when not empty; EXIF added with exiv2.
void write_jpeg(const std::filesystem::path& file, const cv::Mat& image, double resolution_dpi, const Exif& exif,
                std::string_view icc = {});
// image: 8- or 16-bit BGR or grey, stored uncompressed (RGB order in the file).
void write_tiff(const std::filesystem::path& file, const cv::Mat& image, double resolution_dpi, const Exif& exif,
                std::string_view icc = {});

// The photo item of a file in record ref's folder (its first, serial 0001), as ingest makes it.
Item photo_item(const std::string& ref, const std::filesystem::path& file);

// A file's bytes.
std::string read_bytes(const std::filesystem::path& file);

// The ICC profile exiv2 finds in a file; empty when none.
std::string icc_of(const std::filesystem::path& file);

}  // namespace lantai::test_photos
