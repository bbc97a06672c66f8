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

}  // namespace

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
  samples::add_exif(file, exif);
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
  samples::add_exif(file, exif);
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
