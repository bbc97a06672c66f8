// Photos made at test time, as a scanner or a camera writes them: pixels drawn like a
// print (a sky gradient, red, green and blue patches, dark shapes with sharp edges), in
// JPEG or TIFF (8 or 16 bits a sample), with an ICC profile and EXIF written by exiv2.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <opencv2/core.hpp>

#include "pipeline/item.h"
#include "samples/sample_media.h"

namespace lantai::test_photos {

// The drawn print and its EXIF, as the demo lot makes them (samples/sample_media.h).
using samples::draw_photo;
using samples::red_patch;
using Exif = samples::PhotoExif;

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
