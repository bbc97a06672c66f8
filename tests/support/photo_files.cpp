#include "tests/support/photo_files.h"

#include <lcms2.h>
#include <tiffio.h>

#include <opencv2/imgproc.hpp>

#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <vector>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <exiv2/exiv2.hpp>
#pragma GCC diagnostic pop

#include "pipeline/files.h"
#include "pipeline/jpeg_codec.h"

namespace lantai::test_photos {

namespace {

std::string saved(cmsHPROFILE profile) {
  cmsUInt32Number size = 0;
  cmsSaveProfileToMem(profile, nullptr, &size);
  std::string bytes(size, '\0');
  cmsSaveProfileToMem(profile, bytes.data(), &size);
  cmsCloseProfile(profile);
  return bytes;
}

void add_exif(const std::filesystem::path& file, const Exif& exif) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  Exiv2::Image::AutoPtr image = Exiv2::ImageFactory::open(file.string());
#pragma GCC diagnostic pop
  image->readMetadata();
  Exiv2::ExifData& data = image->exifData();
  if (!exif.date_time_original.empty()) data["Exif.Photo.DateTimeOriginal"] = exif.date_time_original;
  if (!exif.make.empty()) data["Exif.Image.Make"] = exif.make;
  if (!exif.model.empty()) data["Exif.Image.Model"] = exif.model;
  if (exif.orientation) data["Exif.Image.Orientation"] = static_cast<std::uint16_t>(exif.orientation);
  if (exif.file_source) {
    Exiv2::Value::AutoPtr value = Exiv2::Value::create(Exiv2::undefined);
    const Exiv2::byte source = static_cast<Exiv2::byte>(exif.file_source);
    value->read(&source, 1, Exiv2::invalidByteOrder);
    data.add(Exiv2::ExifKey("Exif.Photo.FileSource"), value.get());
  }
  if (exif.resolution_dpi > 0) {
    const Exiv2::URational dpi(static_cast<std::uint32_t>(exif.resolution_dpi), 1);
    data["Exif.Image.XResolution"] = dpi;
    data["Exif.Image.YResolution"] = dpi;
    data["Exif.Image.ResolutionUnit"] = static_cast<std::uint16_t>(2);
  }
  image->writeMetadata();
}

}  // namespace

cv::Rect red_patch(cv::Size size) { return {size.width / 10, size.height / 10, size.width / 5, size.height / 5}; }

cv::Mat draw_photo(cv::Size size, bool colour) {
  cv::Mat picture(size, CV_8UC3);
  for (int y = 0; y < size.height; ++y)  // a sky: light blue at the top, paler lower down
    picture.row(y).setTo(cv::Scalar(230 - 60.0 * y / size.height, 200 - 40.0 * y / size.height, 150));
  const int unit = std::min(size.width, size.height) / 10;
  cv::rectangle(picture, red_patch(size), cv::Scalar(30, 30, 200), cv::FILLED);
  cv::rectangle(picture, cv::Rect(size.width / 2, size.height / 10, size.width / 5, size.height / 5),
                cv::Scalar(40, 160, 40), cv::FILLED);
  cv::rectangle(picture, cv::Rect(size.width / 10, size.height * 6 / 10, size.width / 5, size.height / 5),
                cv::Scalar(170, 50, 30), cv::FILLED);
  // Dark figures and lines: the sharp edges a focused scan keeps.
  for (int i = 0; i < 6; ++i) {
    cv::circle(picture, {size.width / 2 + i * unit / 2, size.height * 6 / 10}, unit / 3, cv::Scalar(20, 20, 20),
               cv::FILLED, cv::LINE_8);
    cv::line(picture, {size.width * 4 / 10, size.height * 8 / 10 + i * unit / 4},
             {size.width * 9 / 10, size.height * 8 / 10 + i * unit / 4}, cv::Scalar(10, 10, 10), std::max(2, unit / 20));
  }
  if (colour) return picture;
  cv::Mat grey;
  cv::cvtColor(picture, grey, cv::COLOR_BGR2GRAY);
  return grey;
}

std::string srgb_icc() {
  static const std::string bytes = saved(cmsCreate_sRGBProfile());
  return bytes;
}

std::string grey_icc() {
  static const std::string bytes = [] {
    cmsToneCurve* gamma = cmsBuildGamma(nullptr, 2.2);
    std::string made = saved(cmsCreateGrayProfile(cmsD50_xyY(), gamma));
    cmsFreeToneCurve(gamma);
    return made;
  }();
  return bytes;
}

void write_jpeg(const std::filesystem::path& file, const cv::Mat& image, double resolution_dpi, const Exif& exif,
                std::string_view icc) {
  write_file_atomically(file, encode_jpeg(image, 92, resolution_dpi, icc));
  add_exif(file, exif);
}

void write_tiff(const std::filesystem::path& file, const cv::Mat& image, double resolution_dpi, const Exif& exif,
                std::string_view icc) {
  std::unique_ptr<TIFF, void (*)(TIFF*)> tif(TIFFOpen(file.c_str(), "w"), TIFFClose);
  if (!tif) throw std::runtime_error("cannot write " + file.string());
  const int samples = image.channels();
  const int bits = image.depth() == CV_16U ? 16 : 8;
  TIFFSetField(tif.get(), TIFFTAG_IMAGEWIDTH, image.cols);
  TIFFSetField(tif.get(), TIFFTAG_IMAGELENGTH, image.rows);
  TIFFSetField(tif.get(), TIFFTAG_SAMPLESPERPIXEL, samples);
  TIFFSetField(tif.get(), TIFFTAG_BITSPERSAMPLE, bits);
  TIFFSetField(tif.get(), TIFFTAG_PHOTOMETRIC, samples == 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK);
  TIFFSetField(tif.get(), TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField(tif.get(), TIFFTAG_COMPRESSION, COMPRESSION_NONE);
  TIFFSetField(tif.get(), TIFFTAG_ROWSPERSTRIP, 64);
  TIFFSetField(tif.get(), TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
  TIFFSetField(tif.get(), TIFFTAG_XRESOLUTION, static_cast<float>(resolution_dpi));
  TIFFSetField(tif.get(), TIFFTAG_YRESOLUTION, static_cast<float>(resolution_dpi));
  if (!icc.empty()) TIFFSetField(tif.get(), TIFFTAG_ICCPROFILE, static_cast<std::uint32_t>(icc.size()), icc.data());
  cv::Mat rgb = image;
  if (samples == 3) cv::cvtColor(image, rgb, cv::COLOR_BGR2RGB);
  for (int y = 0; y < rgb.rows; ++y)
    if (TIFFWriteScanline(tif.get(), rgb.ptr(y), static_cast<std::uint32_t>(y), 0) < 0)
      throw std::runtime_error("cannot write " + file.string());
  tif.reset();
  add_exif(file, exif);
}

Item photo_item(const std::string& ref, const std::filesystem::path& file) {
  Item item;
  item.kind = ItemKind::photo;
  item.rel_path = ref + "/" + file.filename().string();
  item.id = Item::make_id(item.rel_path, 0);
  item.record_ref = ref;
  item.seq = 1;
  item.source = file;
  return item;
}

std::string read_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string icc_of(const std::filesystem::path& file) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  Exiv2::Image::AutoPtr image = Exiv2::ImageFactory::open(file.string());
#pragma GCC diagnostic pop
  image->readMetadata();
  if (!image->iccProfileDefined()) return {};
  const Exiv2::DataBuf* icc = image->iccProfile();
  return std::string(reinterpret_cast<const char*>(icc->pData_), static_cast<std::size_t>(icc->size_));
}

}  // namespace lantai::test_photos
