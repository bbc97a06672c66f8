#include "tests/stages/decode/cmyk_files.h"

#include <cstdio>
#include <stdexcept>
#include <vector>

#include <jpeglib.h>
#include <lcms2.h>
#include <tiffio.h>

namespace lantai::test_images {

namespace {

// sRGB (0..1, doubles) to Lab D50, through LittleCMS's own sRGB.
struct SrgbToLab {
  cmsHPROFILE srgb = cmsCreate_sRGBProfile();
  cmsHPROFILE lab = cmsCreateLab4Profile(nullptr);
  cmsHTRANSFORM transform = cmsCreateTransform(srgb, TYPE_RGB_DBL, lab, TYPE_Lab_DBL, INTENT_RELATIVE_COLORIMETRIC, 0);
  ~SrgbToLab() {
    cmsDeleteTransform(transform);
    cmsCloseProfile(lab);
    cmsCloseProfile(srgb);
  }
  cmsCIELab operator()(double r, double g, double b) const {
    const double rgb[3] = {r, g, b};
    cmsCIELab out;
    cmsDoTransform(transform, rgb, &out, 1);
    return out;
  }
};

int sample(const cmsUInt16Number in[], cmsUInt16Number out[], void* cargo) {
  const auto& to_lab = *static_cast<const SrgbToLab*>(cargo);
  const double c = in[0] / 65535.0, m = in[1] / 65535.0, y = in[2] / 65535.0, k = in[3] / 65535.0;
  const cmsCIELab lab = to_lab((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k));
  cmsFloat2LabEncoded(out, &lab);
  return 1;
}

}  // namespace

cv::Vec3b model_cmyk_to_bgr(double c, double m, double y, double k) {
  auto level = [](double v) { return static_cast<unsigned char>(std::lround(v * 255)); };
  return {level((1 - y) * (1 - k)), level((1 - m) * (1 - k)), level((1 - c) * (1 - k))};
}

std::string model_cmyk_profile() {
  SrgbToLab to_lab;
  cmsHPROFILE profile = cmsCreateProfilePlaceholder(nullptr);
  cmsSetProfileVersion(profile, 4.3);
  cmsSetDeviceClass(profile, cmsSigInputClass);
  cmsSetColorSpace(profile, cmsSigCmykData);
  cmsSetPCS(profile, cmsSigLabData);
  cmsPipeline* table = cmsPipelineAlloc(nullptr, 4, 3);
  cmsStage* grid = cmsStageAllocCLut16bit(nullptr, 17, 4, 3, nullptr);
  cmsStageSampleCLut16bit(grid, sample, &to_lab, 0);
  // lutAtoBType wants curves around the table: identity ones.
  cmsPipelineInsertStage(table, cmsAT_END, cmsStageAllocToneCurves(nullptr, 4, nullptr));
  cmsPipelineInsertStage(table, cmsAT_END, grid);
  cmsPipelineInsertStage(table, cmsAT_END, cmsStageAllocToneCurves(nullptr, 3, nullptr));
  cmsWriteTag(profile, cmsSigAToB0Tag, table);
  cmsWriteTag(profile, cmsSigMediaWhitePointTag, cmsD50_XYZ());
  cmsMLU* description = cmsMLUalloc(nullptr, 1);
  cmsMLUsetASCII(description, "en", "US", "lantai test CMYK (simple ink model)");
  cmsWriteTag(profile, cmsSigProfileDescriptionTag, description);
  cmsUInt32Number size = 0;
  cmsSaveProfileToMem(profile, nullptr, &size);
  std::string bytes(size, '\0');
  cmsSaveProfileToMem(profile, bytes.data(), &size);
  cmsMLUfree(description);
  cmsPipelineFree(table);
  cmsCloseProfile(profile);
  return bytes;
}

void write_tiff_cmyk(const std::filesystem::path& path, const cv::Mat& cmyk, const std::string& icc_profile) {
  TIFF* tif = TIFFOpen(path.c_str(), "w");
  if (!tif) throw std::runtime_error("cannot write " + path.string());
  const int bits = cmyk.depth() == CV_16U ? 16 : 8;
  TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, static_cast<std::uint32_t>(cmyk.cols));
  TIFFSetField(tif, TIFFTAG_IMAGELENGTH, static_cast<std::uint32_t>(cmyk.rows));
  TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, bits);
  TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 4);
  TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_SEPARATED);
  TIFFSetField(tif, TIFFTAG_INKSET, INKSET_CMYK);
  TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_LZW);
  TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, 16u);
  TIFFSetField(tif, TIFFTAG_XRESOLUTION, 300.0f);
  TIFFSetField(tif, TIFFTAG_YRESOLUTION, 300.0f);
  TIFFSetField(tif, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
  if (!icc_profile.empty())
    TIFFSetField(tif, TIFFTAG_ICCPROFILE, static_cast<std::uint32_t>(icc_profile.size()), icc_profile.data());
  for (int y = 0; y < cmyk.rows; ++y)
    if (TIFFWriteScanline(tif, const_cast<unsigned char*>(cmyk.ptr(y)), static_cast<std::uint32_t>(y), 0) < 0)
      throw std::runtime_error("libtiff cannot write " + path.string());
  TIFFClose(tif);
}

void write_jpeg_cmyk(const std::filesystem::path& path, const cv::Mat& cmyk, const std::string& icc_profile) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) throw std::runtime_error("cannot write " + path.string());
  jpeg_compress_struct cinfo{};
  jpeg_error_mgr errors{};
  cinfo.err = jpeg_std_error(&errors);
  jpeg_create_compress(&cinfo);
  jpeg_stdio_dest(&cinfo, file);
  cinfo.image_width = static_cast<JDIMENSION>(cmyk.cols);
  cinfo.image_height = static_cast<JDIMENSION>(cmyk.rows);
  cinfo.input_components = 4;
  cinfo.in_color_space = JCS_CMYK;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, 98, TRUE);
  cinfo.write_Adobe_marker = TRUE;
  jpeg_start_compress(&cinfo, TRUE);
  if (!icc_profile.empty())
    jpeg_write_icc_profile(&cinfo, reinterpret_cast<const JOCTET*>(icc_profile.data()),
                           static_cast<unsigned>(icc_profile.size()));
  std::vector<unsigned char> row(static_cast<std::size_t>(cmyk.cols) * 4);
  while (cinfo.next_scanline < cinfo.image_height) {
    const unsigned char* source = cmyk.ptr(static_cast<int>(cinfo.next_scanline));
    for (std::size_t i = 0; i < row.size(); ++i) row[i] = static_cast<unsigned char>(255 - source[i]);
    JSAMPROW pointer = row.data();
    jpeg_write_scanlines(&cinfo, &pointer, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::fclose(file);
}

double delta_e_2000(cv::Vec3b a, cv::Vec3b b) {
  SrgbToLab to_lab;
  const cmsCIELab la = to_lab(a[2] / 255.0, a[1] / 255.0, a[0] / 255.0);
  const cmsCIELab lb = to_lab(b[2] / 255.0, b[1] / 255.0, b[0] / 255.0);
  return cmsCIE2000DeltaE(&la, &lb, 1, 1, 1);
}

}  // namespace lantai::test_images
