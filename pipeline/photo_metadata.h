// What a photo's (or a scan's) file says about itself, read with exiv2: the EXIF and XMP a camera or
// scanner wrote (capture date, device, resolution, orientation, whether a camera made the
// file) and the embedded ICC profile. Only reads; the original is never changed.
//
// Thread-safe once prepare_photo_metadata() has run (exiv2's XMP toolkit must be set up
// once, before threads read XMP): call it from a stage's setup().
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

namespace lantai {

struct PhotoMetadata {
  // DateTimeOriginal (EXIF, else XMP exif:DateTimeOriginal or photoshop:DateCreated) as
  // "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS"; empty when the file has none or a blank one.
  std::string capture_date;
  std::string make;   // Make / Model, trimmed; empty when absent
  std::string model;
  std::string software;   // Software: what wrote the file (a scanner's driver), trimmed
  std::string file_date;  // DateTime (TIFF 306, a scanner's time of scanning), as capture_date
  // X/YResolution as tagged, with its unit ("inch", "cm" or "none"); absent when untagged.
  std::optional<double> x_resolution;
  std::optional<double> y_resolution;
  std::string resolution_unit;
  // EXIF Orientation (or XMP tiff:Orientation), 1-8: how the stored pixels must be turned
  // or mirrored to show the picture upright. 1 when absent or out of range.
  int orientation = 1;
  // A camera's own file, born digital: EXIF FileSource 3 (digital still camera), or,
  // without FileSource, an exposure time or f-number only a camera records. A scanner's
  // file (FileSource 1 or 2, or no exposure data) is false.
  bool camera_born = false;
  std::string icc_profile;  // the embedded ICC profile's bytes; empty when none
};

class PhotoMetadataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Sets up exiv2 once for the process (its XMP toolkit; its own messages muted, since
// problems come back as PhotoMetadataError). Safe to call more than once.
void prepare_photo_metadata();

// Throws PhotoMetadataError naming the file when exiv2 cannot read it (not an image it
// knows, damaged metadata).
PhotoMetadata read_photo_metadata(const std::filesystem::path& file);

// "exiv2 0.27.6", as linked: for a stage's StageInfo::libraries.
std::string exiv2_library();

}  // namespace lantai
