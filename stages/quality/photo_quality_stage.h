// photo_quality: the quality check of a photo (照片档案), on the pixels as scanned and on
// what the file says about itself (EXIF and XMP, read with exiv2: pipeline/photo_metadata.h).
//
// Contract:
// - Input: a decoded photo (decode's width_px, height_px, colour_mode, bits_per_sample and,
//   when believed, resolution_dpi), and its original file (Item::source), read for its
//   metadata only. Never changes the pixels: the photo goes on as scanned.
// - Measurements: capture_date, camera_make, camera_model, exif_x_resolution,
//   exif_y_resolution, exif_resolution_unit, exif_orientation (1-8), capture_source
//   (camera: born digital; scan), icc_profile_bytes; original_long_side_mm and
//   required_resolution_dpi (when the resolution is known), blur_print_mm.
// - Resolution by the size of the original (required_resolution_dpi below): the scan's
//   long side in pixels must reach min_long_side_px (a 5-inch print at 600 dpi, 3000 px),
//   so a smaller original needs more dpi, up to max_required_dpi; a larger one may be
//   scanned with fewer, down to min_resolution_dpi. Without a believed resolution the
//   original's size is unknown and the long side alone is held to min_long_side_px.
// - Findings (value and threshold in each): photo.resolution.low, photo.colour_mode,
//   photo.bit_depth.low, photo.blur, photo.metadata_unreadable.
// - Thread-safe: no state beyond the settings; exiv2 set up once in setup().
#pragma once

#include <vector>

#include "pipeline/units.h"

namespace lantai::quality {

struct PhotoResolutionRule {
  double min_long_side_px = 3000;   // the reference: a 5-inch print at 600 dpi
  double min_resolution_dpi = 300;  // the floor for originals larger than the reference
  double max_required_dpi = 4000;   // the most asked of a small original (a film scanner's optics)
};

// The least dpi an original whose long side is original_long_side_in inches must be
// scanned at: min_long_side_px over its long side, held between min_resolution_dpi and
// max_required_dpi.
double required_resolution_dpi(double original_long_side_in, const PhotoResolutionRule& rule);

struct PhotoQualitySettings {
  PhotoResolutionRule resolution;
  std::vector<ColourMode> colour_modes{ColourMode::colour, ColourMode::grey};  // modes a photo may be scanned in
  int min_colour_bits = 24;  // bits per pixel of a colour scan (3 samples)
  int min_grey_bits = 8;     // of a greyscale scan
  double max_blur_print_mm = 0.25;
  std::vector<std::string> formats{"tiff", "jpeg"};  // storage formats allowed
};

class PhotoQualityStage final : public ItemStage {
 public:
  StageInfo describe() const override;
  void setup(ProfileSection& section, const StageContext& context) override;
  Outcome process(const Item& photo) const override;

 private:
  PhotoQualitySettings settings_;
};

}  // namespace lantai::quality
