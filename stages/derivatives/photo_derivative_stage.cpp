#include "stages/derivatives/photo_derivative_stage.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>

#include "pipeline/file_signature.h"
#include "pipeline/files.h"
#include "pipeline/jpeg_codec.h"
#include "pipeline/photo_metadata.h"

namespace lantai::derivatives {

namespace {

const FlagParam kAccessCopy{"access_copy", true,
                            "write an access copy (JPEG, upright, with the master's ICC profile) beside the master"};
const IntegerParam kJpegQuality{"jpeg_quality", "", 50, 100, 90, "JPEG quality of the access copy"};
const IntegerParam kMaxLongSide{"access_max_long_side_px", "px", 0, 100'000, 0,
                                "the access copy's long side at most (reduced when larger); 0: the scan's own size"};

constexpr OutputInfo kMaster{"photo_master", OutputRole::entity,
                             "the photo as scanned, byte for byte (WORK/photos/<档号>/<serial>.<ext>)"};
constexpr OutputInfo kAccess{"photo_access", OutputRole::extra,
                             "the access copy: JPEG, upright, the master's ICC profile embedded "
                             "(WORK/photos/<档号>/<serial>.access.jpg)"};

constexpr MeasurementInfo kAccessLongSide{"access_long_side_px", "the access copy's long side", true};

std::string master_extension(const std::filesystem::path& file) {
  switch (file_signature_of(file)) {
    case FileSignature::jpeg: return ".jpg";
    case FileSignature::png: return ".png";
    case FileSignature::tiff: return ".tif";
    case FileSignature::jpeg2000: return ".jp2";
    default: throw std::runtime_error(file.string() + ": not a JPEG, PNG, TIFF or JPEG 2000 file");
  }
}

// Streamed, so a large scan never sits in memory whole.
StageOutput copy_master(const std::filesystem::path& work_dir, const Item& photo) {
  std::ifstream in(photo.source, std::ios::binary);
  if (!in) throw std::runtime_error(photo.source.string() + ": cannot be read to copy it");
  OutputFile out(work_dir, "photos/" + photo.record_ref + "/" + photo.serial() + master_extension(photo.source),
                 std::string(kMaster.kind));
  std::string buffer(1 << 20, '\0');
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    out.write(std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount())));
  }
  if (in.bad()) throw std::runtime_error(photo.source.string() + ": read failed while copying it");
  return out.commit();
}

// An ICC profile describes the pixels only when its colour space is theirs: a CMYK
// scan's profile does not, since decode hands its pixels on converted to sRGB.
bool describes(std::string_view icc, const cv::Mat& pixels) {
  if (icc.size() < 20) return false;
  const std::string_view space = icc.substr(16, 4);
  return pixels.channels() == 3 ? space == "RGB " : space == "GRAY";
}

}  // namespace

cv::Mat upright(const cv::Mat& pixels, int exif_orientation) {
  cv::Mat turned;
  switch (exif_orientation) {
    case 2: cv::flip(pixels, turned, 1); break;
    case 3: cv::rotate(pixels, turned, cv::ROTATE_180); break;
    case 4: cv::flip(pixels, turned, 0); break;
    case 5: cv::transpose(pixels, turned); break;
    case 6: cv::rotate(pixels, turned, cv::ROTATE_90_CLOCKWISE); break;
    case 7:
      cv::transpose(pixels, turned);
      cv::flip(turned, turned, -1);
      break;
    case 8: cv::rotate(pixels, turned, cv::ROTATE_90_COUNTERCLOCKWISE); break;
    default: turned = pixels; break;
  }
  return turned;
}

StageInfo PhotoDerivativeStage::describe() const {
  return {"photo_derivatives",
          "Keeps each photo as scanned (the original, byte for byte) as its master and, when asked, writes an upright "
          "JPEG access copy carrying the master's ICC profile.",
          "1",
          {kAccessCopy.info(), kJpegQuality.info(), kMaxLongSide.info()},
          {},
          {kAccessLongSide},
          {kMaster, kAccess}};
}

void PhotoDerivativeStage::setup(ProfileSection& section, const StageContext& context) {
  settings_.access_copy = section.get(kAccessCopy);
  settings_.jpeg_quality = static_cast<int>(section.get(kJpegQuality));
  settings_.access_max_long_side_px = static_cast<int>(section.get(kMaxLongSide));
  section.finish();
  prepare_photo_metadata();
  context_ = context;
}

Outcome PhotoDerivativeStage::process(const Item& photo) const {
  Outcome outcome;
  outcome.outputs.push_back(copy_master(context_.work_dir, photo));
  if (!settings_.access_copy || photo.image.empty()) return outcome;

  const int orientation = static_cast<int>(photo.measurements.number("exif_orientation").value_or(1));
  cv::Mat access = upright(photo.image.pixels(), orientation);
  std::optional<double> dpi = photo.measurements.number("resolution_dpi");
  const int long_side = std::max(access.cols, access.rows);
  if (settings_.access_max_long_side_px > 0 && long_side > settings_.access_max_long_side_px) {
    const double scale = static_cast<double>(settings_.access_max_long_side_px) / long_side;
    cv::Mat reduced;
    cv::resize(access, reduced, cv::Size(), scale, scale, cv::INTER_AREA);
    access = reduced;
    if (dpi) *dpi *= scale;
  }
  // The profile is read from the original again rather than carried through the ledger.
  std::string icc;
  try {
    icc = read_photo_metadata(photo.source).icc_profile;
    if (!describes(icc, access)) icc.clear();
  } catch (const PhotoMetadataError&) {
    // photo_quality reported it; the copy is written without a profile, as the scan has none readable.
  }
  const std::string bytes = encode_jpeg(access, settings_.jpeg_quality, dpi, icc);
  outcome.outputs.push_back(write_output(context_.work_dir,
                                         "photos/" + photo.record_ref + "/" + photo.serial() + ".access.jpg", bytes,
                                         std::string(kAccess.kind)));
  outcome.measurements.set(kAccessLongSide.name, std::max(access.cols, access.rows));
  return outcome;
}

}  // namespace lantai::derivatives
