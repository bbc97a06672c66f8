#include "stages/quality/photo_quality_stage.h"

#include <algorithm>
#include <cmath>

#include "pipeline/file_signature.h"
#include "pipeline/format.h"
#include "pipeline/photo_metadata.h"
#include "stages/quality/capture_checks.h"

namespace lantai::quality {

namespace {

const NumberParam kMinLongSide{"min_long_side_px", "px", 500, 100'000, 3000,
                               "the least long side of a photo's scan: a 5-inch print at 600 dpi (DB11/T 765.4)"};
const NumberParam kMinResolution{"min_resolution_dpi", "dpi", 50, 4800, 300,
                                 "the least resolution of any photo scan, however large the original"};
const NumberParam kMaxRequired{"max_required_dpi", "dpi", 300, 12'800, 4000,
                               "the most resolution asked of a small original (a film scanner's optical limit)"};
const TextParam kColourModes{"colour_modes", "colour,grey",
                             "colour modes a photo may be scanned in: colour, grey (black-and-white originals), bilevel"};
const IntegerParam kMinColourBits{"min_colour_bits", "bits", 8, 96, 24,
                                  "the least bits per pixel of a colour scan (24; 48 for negatives)"};
const IntegerParam kMinGreyBits{"min_grey_bits", "bits", 1, 32, 8, "the least bits per pixel of a greyscale scan"};
const TextParam kFormats{"formats", "tiff,jpeg",
                         "storage formats a photo may be delivered in, told from the file's content: tiff, jpeg, "
                         "png, jpeg2000 (DA/T 50-2014: TIFF or JPEG)"};
const NumberParam kMaxBlur{"max_blur_print_mm", "mm", 0.02, 5, 0.25,
                           "edges blurred more than this (a Gaussian's sigma, on the photo shown as a 5-inch print): "
                           "photo.blur"};

constexpr FindingCode kResolutionLow{
    "photo.resolution.low", Severity::reject,
    "the photo's scan is too coarse for the size of its original: value the scan's dpi (or long side in px when "
    "its resolution is unknown), threshold what the profile asks of an original that size"};
constexpr FindingCode kColourMode{"photo.colour_mode", Severity::reject,
                                  "the photo is scanned in a colour mode the profile does not allow (grey where only "
                                  "colour is, bilevel)"};
constexpr FindingCode kBitDepthLow{"photo.bit_depth.low", Severity::reject,
                                   "fewer bits per pixel than the profile asks of the photo's colour mode (24 for "
                                   "colour, 48 for negatives, 8 for grey)"};
constexpr FindingCode kBlur{"photo.blur", Severity::warn,
                            "the photo's edges are blurred beyond the profile's limit, measured as on a 5-inch print: "
                            "the scan out of focus or moved (or the original itself soft: an inspector decides)"};
constexpr FindingCode kFormat{"photo.format", Severity::reject,
                              "the photo's file is in a storage format the profile does not allow (DA/T 50-2014: "
                              "TIFF or JPEG); value the format found, threshold the ones allowed"};
constexpr FindingCode kMetadataUnreadable{"photo.metadata_unreadable", Severity::warn,
                                          "the photo's EXIF or XMP cannot be read; its capture date, device and "
                                          "orientation are unknown"};

constexpr MeasurementInfo kCaptureDate{"capture_date", "EXIF DateTimeOriginal (or XMP), YYYY-MM-DD HH:MM:SS"};
constexpr MeasurementInfo kMake{"camera_make", "EXIF Make: the camera's or scanner's maker"};
constexpr MeasurementInfo kModel{"camera_model", "EXIF Model"};
constexpr MeasurementInfo kExifX{"exif_x_resolution", "EXIF XResolution as tagged, in exif_resolution_unit", true};
constexpr MeasurementInfo kExifY{"exif_y_resolution", "EXIF YResolution as tagged, in exif_resolution_unit", true};
constexpr MeasurementInfo kExifUnit{"exif_resolution_unit", "EXIF ResolutionUnit: inch, cm or none", true};
constexpr MeasurementInfo kOrientation{"exif_orientation",
                                       "EXIF Orientation 1-8 (1 upright as stored; 6: to be turned 90° clockwise)", true};
constexpr MeasurementInfo kCaptureSource{"capture_source",
                                         "camera (a camera's own file, born digital) or scan (a scanner's)", true};
constexpr MeasurementInfo kIccBytes{"icc_profile_bytes", "size of the embedded ICC profile; 0: none", true};
constexpr MeasurementInfo kOriginalLongSide{"original_long_side_mm",
                                            "the original's long side, from the scan's pixels and resolution"};
constexpr MeasurementInfo kRequiredDpi{"required_resolution_dpi",
                                       "the least resolution the profile asks of an original this size", true};
constexpr MeasurementInfo kBlurPrint{"blur_print_mm",
                                     "blur of the photo's strong edges, a Gaussian's sigma in mm on a 5-inch print"};

// The reference print blur is judged on, whatever the original's size: a negative and a
// 10-inch print are both looked at enlarged or reduced to about this.
constexpr double kReferencePrintIn = 5.0;
// Fewer strong edges than this (fog, a night sky) are too few to judge blur.
constexpr long long kMinBlurEdges = 200;

// The name photo_quality.formats gives a storage format; empty for what is no picture.
std::string format_name(FileSignature signature) {
  switch (signature) {
    case FileSignature::jpeg: return "jpeg";
    case FileSignature::png: return "png";
    case FileSignature::tiff: return "tiff";
    case FileSignature::jpeg2000: return "jpeg2000";
    default: return {};
  }
}

std::optional<ColourMode> colour_mode_from_string(const std::string& text) {
  for (ColourMode mode : {ColourMode::bilevel, ColourMode::grey, ColourMode::colour})
    if (to_string(mode) == text) return mode;
  return std::nullopt;
}

void record_metadata(const PhotoMetadata& metadata, Measurements& measurements) {
  if (!metadata.capture_date.empty()) measurements.set(kCaptureDate.name, metadata.capture_date);
  if (!metadata.make.empty()) measurements.set(kMake.name, metadata.make);
  if (!metadata.model.empty()) measurements.set(kModel.name, metadata.model);
  if (metadata.x_resolution) measurements.set(kExifX.name, *metadata.x_resolution);
  if (metadata.y_resolution) measurements.set(kExifY.name, *metadata.y_resolution);
  if (!metadata.resolution_unit.empty()) measurements.set(kExifUnit.name, metadata.resolution_unit);
  measurements.set(kOrientation.name, metadata.orientation);
  measurements.set(kCaptureSource.name, std::string(metadata.camera_born ? "camera" : "scan"));
  measurements.set(kIccBytes.name, static_cast<double>(metadata.icc_profile.size()));
}

}  // namespace

double required_resolution_dpi(double original_long_side_in, const PhotoResolutionRule& rule) {
  const double for_pixels = rule.min_long_side_px / original_long_side_in;
  return std::clamp(for_pixels, rule.min_resolution_dpi, rule.max_required_dpi);
}

StageInfo PhotoQualityStage::describe() const {
  return {"photo_quality",
          "Checks a photo as scanned: resolution by the size of its original, colour mode and bit depth, blur; "
          "reads its EXIF and XMP (capture date, device, resolution, orientation) with exiv2.",
          "1",
          {kMinLongSide.info(), kMinResolution.info(), kMaxRequired.info(), kColourModes.info(), kMinColourBits.info(),
           kMinGreyBits.info(), kMaxBlur.info(), kFormats.info()},
          {kResolutionLow, kColourMode, kBitDepthLow, kBlur, kFormat, kMetadataUnreadable},
          {kCaptureDate, kMake, kModel, kExifX, kExifY, kExifUnit, kOrientation, kCaptureSource, kIccBytes,
           kOriginalLongSide, kRequiredDpi, kBlurPrint}};
}

void PhotoQualityStage::setup(ProfileSection& section, const StageContext&) {
  PhotoQualitySettings settings;
  settings.resolution.min_long_side_px = section.get(kMinLongSide);
  settings.resolution.min_resolution_dpi = section.get(kMinResolution);
  settings.resolution.max_required_dpi = section.get(kMaxRequired);
  settings.colour_modes.clear();
  for (const std::string& name : split_list(section.get(kColourModes))) {
    const auto mode = colour_mode_from_string(name);
    if (!mode) section.fail(kColourModes.name, "'" + name + "' is not colour, grey or bilevel");
    settings.colour_modes.push_back(*mode);
  }
  settings.min_colour_bits = static_cast<int>(section.get(kMinColourBits));
  settings.min_grey_bits = static_cast<int>(section.get(kMinGreyBits));
  settings.max_blur_print_mm = section.get(kMaxBlur);
  settings.formats = split_list(section.get(kFormats));
  for (const std::string& name : settings.formats)
    if (name != "tiff" && name != "jpeg" && name != "png" && name != "jpeg2000")
      section.fail(kFormats.name, "'" + name + "' is not tiff, jpeg, png or jpeg2000");
  section.finish();
  if (settings.formats.empty()) section.fail(kFormats.name, "names no format");
  if (settings.colour_modes.empty()) section.fail(kColourModes.name, "names no colour mode");
  if (settings.resolution.min_resolution_dpi > settings.resolution.max_required_dpi)
    section.fail(kMinResolution.name, "must not be above " + std::string(kMaxRequired.name));
  prepare_photo_metadata();
  settings_ = std::move(settings);
}

Outcome PhotoQualityStage::process(const Item& photo) const {
  Outcome outcome;
  auto report = [&](const FindingCode& code, const std::string& why, std::string value, std::string threshold) {
    outcome.add(code(photo.rel_path + ": " + why, std::move(value), std::move(threshold)));
  };

  // A file decode could not tell is decode's to report.
  const std::string format = format_name(file_signature_of(photo.source));
  if (!format.empty() && std::find(settings_.formats.begin(), settings_.formats.end(), format) == settings_.formats.end())
    report(kFormat, "stored as " + format + "; the profile allows " + join_list(settings_.formats), format,
           join_list(settings_.formats));

  try {
    record_metadata(read_photo_metadata(photo.source), outcome.measurements);
  } catch (const PhotoMetadataError& error) {
    report(kMetadataUnreadable, error.what(), {}, {});
  }

  const double width = photo.measurements.number("width_px").value_or(photo.image.pixels().cols);
  const double height = photo.measurements.number("height_px").value_or(photo.image.pixels().rows);
  const double long_side_px = std::max(width, height);
  const std::optional<double> dpi = photo.measurements.number("resolution_dpi");
  const PhotoResolutionRule& rule = settings_.resolution;
  if (dpi) {
    const double long_side_in = long_side_px / *dpi;
    const double required = required_resolution_dpi(long_side_in, rule);
    outcome.measurements.set(kOriginalLongSide.name, long_side_in * 25.4);
    outcome.measurements.set(kRequiredDpi.name, required);
    if (*dpi + 0.5 < required)
      report(kResolutionLow,
             "scanned at " + trimmed(*dpi, 1) + " dpi, an original of " + trimmed(long_side_in * 25.4, 0) +
                 " mm needs at least " + trimmed(required, 0) + " dpi (" + trimmed(long_side_px, 0) + " px long side)",
             trimmed(*dpi, 1), trimmed(required, 0));
  } else if (long_side_px < rule.min_long_side_px) {
    report(kResolutionLow,
           "its resolution is unknown and its long side is " + trimmed(long_side_px, 0) + " px, below " +
               trimmed(rule.min_long_side_px, 0) + " px",
           trimmed(long_side_px, 0), trimmed(rule.min_long_side_px, 0));
  }

  const std::string mode_text = photo.measurements.text("colour_mode");
  const ColourMode mode = colour_mode_from_string(mode_text).value_or(ColourMode::unknown);
  if (std::find(settings_.colour_modes.begin(), settings_.colour_modes.end(), mode) == settings_.colour_modes.end()) {
    std::string allowed;
    for (ColourMode m : settings_.colour_modes) allowed += (allowed.empty() ? "" : ",") + std::string(to_string(m));
    report(kColourMode, "scanned in " + mode_text + ", the profile allows " + allowed, mode_text, allowed);
  } else if (const auto bits = photo.measurements.number("bits_per_sample")) {
    const bool colour = mode == ColourMode::colour;
    const int pixel_bits = static_cast<int>(*bits) * (colour ? 3 : 1);
    const int least = colour ? settings_.min_colour_bits : settings_.min_grey_bits;
    if (mode != ColourMode::bilevel && pixel_bits < least)
      report(kBitDepthLow,
             std::to_string(pixel_bits) + "-bit " + mode_text + ", the profile asks at least " + std::to_string(least),
             std::to_string(pixel_bits), std::to_string(least));
  }

  // Blur as it shows on the reference print: the quality stage's edge measure, with the
  // photo's pixels spread over kReferencePrintIn whatever its original's size.
  const cv::Mat& pixels = photo.image.pixels();
  if (!pixels.empty()) {
    const double print_dpi = std::max(pixels.cols, pixels.rows) / kReferencePrintIn;
    const CaptureMeasure capture = measure_capture(pixels, print_dpi, 1.0, nullptr, false);
    if (capture.edge_count >= kMinBlurEdges) {
      outcome.measurements.set(kBlurPrint.name, capture.blur_mm);
      if (capture.blur_mm > settings_.max_blur_print_mm)
        report(kBlur,
               "edges blurred by " + fixed(capture.blur_mm, 2) + " mm on a 5-inch print, more than " +
                   fixed(settings_.max_blur_print_mm, 2),
               fixed(capture.blur_mm, 3), fixed(settings_.max_blur_print_mm, 3));
    }
  }
  return outcome;
}

}  // namespace lantai::quality
