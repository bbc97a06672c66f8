#include "pipeline/photo_metadata.h"

#include <cctype>
#include <mutex>
#include <string_view>

// exiv2 0.27's headers still name std::auto_ptr, deprecated since C++11.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <exiv2/exiv2.hpp>
#pragma GCC diagnostic pop

namespace lantai {

namespace {

std::string trimmed(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  // EXIF ASCII values may carry their terminating NULs.
  const auto last = text.find_last_not_of(std::string(" \t\r\n\0", 5));
  return text.substr(first, last - first + 1);
}

// "2021:03:15 10:20:30" (EXIF) or "2021-03-15T10:20:30+08:00" (XMP) as
// "2021-03-15 10:20:30"; a date alone, or a year and month, as far as it goes; empty when
// blank or zero (cameras with an unset clock write "0000:00:00 00:00:00").
std::string normalised_date(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c == '+' || c == 'Z') break;  // a time zone follows the time
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
  }
  if (digits.size() < 4 || digits.substr(0, 4) == "0000") return {};
  std::string date = digits.substr(0, 4);
  if (digits.size() >= 6 && digits.substr(4, 2) != "00") date += "-" + digits.substr(4, 2);
  if (digits.size() >= 8 && date.size() == 7 && digits.substr(6, 2) != "00") date += "-" + digits.substr(6, 2);
  if (digits.size() >= 14 && date.size() == 10)
    date += " " + digits.substr(8, 2) + ":" + digits.substr(10, 2) + ":" + digits.substr(12, 2);
  return date;
}

const Exiv2::Value* exif_value(const Exiv2::ExifData& exif, const char* key) {
  const auto it = exif.findKey(Exiv2::ExifKey(key));
  return it == exif.end() || it->count() == 0 ? nullptr : &it->value();
}

const Exiv2::Value* xmp_value(const Exiv2::XmpData& xmp, const char* key) {
  const auto it = xmp.findKey(Exiv2::XmpKey(key));
  return it == xmp.end() || it->count() == 0 ? nullptr : &it->value();
}

std::optional<double> rational(const Exiv2::Value* value) {
  if (!value) return std::nullopt;
  const Exiv2::Rational r = value->toRational(0);
  if (r.second == 0 || r.first <= 0) return std::nullopt;
  return static_cast<double>(r.first) / r.second;
}

}  // namespace

void prepare_photo_metadata() {
  static std::once_flag once;
  std::call_once(once, [] {
    Exiv2::LogMsg::setLevel(Exiv2::LogMsg::mute);
    Exiv2::XmpParser::initialize();
  });
}

PhotoMetadata read_photo_metadata(const std::filesystem::path& file) {
  prepare_photo_metadata();
  PhotoMetadata metadata;
  try {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    Exiv2::Image::AutoPtr image = Exiv2::ImageFactory::open(file.string());
#pragma GCC diagnostic pop
    if (image.get() == nullptr) throw PhotoMetadataError(file.string() + ": exiv2 cannot open it");
    image->readMetadata();
    const Exiv2::ExifData& exif = image->exifData();
    const Exiv2::XmpData& xmp = image->xmpData();

    for (const char* key : {"Exif.Photo.DateTimeOriginal", "Exif.Image.DateTimeOriginal"})
      if (const auto* value = exif_value(exif, key); value && metadata.capture_date.empty())
        metadata.capture_date = normalised_date(value->toString());
    for (const char* key : {"Xmp.exif.DateTimeOriginal", "Xmp.photoshop.DateCreated"})
      if (const auto* value = xmp_value(xmp, key); value && metadata.capture_date.empty())
        metadata.capture_date = normalised_date(value->toString());

    if (const auto* value = exif_value(exif, "Exif.Image.Make")) metadata.make = trimmed(value->toString());
    if (const auto* value = exif_value(exif, "Exif.Image.Model")) metadata.model = trimmed(value->toString());
    if (const auto* value = exif_value(exif, "Exif.Image.Software")) metadata.software = trimmed(value->toString());
    if (const auto* value = exif_value(exif, "Exif.Image.DateTime")) metadata.file_date = normalised_date(value->toString());

    metadata.x_resolution = rational(exif_value(exif, "Exif.Image.XResolution"));
    metadata.y_resolution = rational(exif_value(exif, "Exif.Image.YResolution"));
    if (metadata.x_resolution || metadata.y_resolution) {
      // TIFF and EXIF: 1 none, 2 inch (the default), 3 centimetre.
      const auto* unit = exif_value(exif, "Exif.Image.ResolutionUnit");
      const long code = unit ? unit->toLong(0) : 2;
      metadata.resolution_unit = code == 3 ? "cm" : code == 1 ? "none" : "inch";
    }

    const Exiv2::Value* orientation = exif_value(exif, "Exif.Image.Orientation");
    if (!orientation) orientation = xmp_value(xmp, "Xmp.tiff.Orientation");
    if (orientation) {
      const long code = orientation->toLong(0);
      if (code >= 1 && code <= 8) metadata.orientation = static_cast<int>(code);
    }

    if (const auto* source = exif_value(exif, "Exif.Photo.FileSource"))
      metadata.camera_born = source->toLong(0) == 3;
    else
      metadata.camera_born = exif_value(exif, "Exif.Photo.ExposureTime") || exif_value(exif, "Exif.Photo.FNumber");

    if (image->iccProfileDefined()) {
      const Exiv2::DataBuf* icc = image->iccProfile();
      metadata.icc_profile.assign(reinterpret_cast<const char*>(icc->pData_), static_cast<std::size_t>(icc->size_));
    }
  } catch (const Exiv2::AnyError& error) {
    throw PhotoMetadataError(file.string() + ": its metadata cannot be read (exiv2: " + error.what() + ")");
  }
  return metadata;
}

std::string exiv2_library() { return "exiv2 " + Exiv2::versionString(); }

}  // namespace lantai
