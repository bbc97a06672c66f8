// Writes the decoder fuzzers' seed corpus: small valid files of every layout the readers
// have a path for, then a few damaged on purpose. Nothing binary is committed; `make fuzz`
// runs this first.
//   make_fuzz_seeds OUT   → OUT/jpeg/*, OUT/png/*, OUT/tiff/*, OUT/jp2/*
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include <jpeglib.h>
#include <png.h>
#include <tiffio.h>

#include <opencv2/core.hpp>

#include "pipeline/jp2_codec.h"
#include "samples/image_encoder.h"
#include "tests/stages/decode/cmyk_files.h"
#include "tests/stages/decode/image_files.h"

namespace fs = std::filesystem;
using lantai::samples::TiffCompression;
using lantai::samples::TiffFrame;

namespace {

// Small pages keep each run fast; the decode tests' pattern has edges for every codec.
cv::Mat page(int width, int height, int channels, int seed = 0) {
  return lantai::test_images::draw_page(width, height, channels, seed);
}
void write(const fs::path& path, const std::string& bytes) { lantai::test_images::write_bytes(path, bytes); }
std::string read(const fs::path& path) { return lantai::test_images::read_bytes(path); }

// A damaged copy: the first half, or bytes overwritten from `at` on.
std::string first_half(const std::string& bytes) { return bytes.substr(0, bytes.size() / 2); }
std::string overwrite(std::string bytes, std::size_t at, const std::string& with) {
  if (at < bytes.size()) bytes.replace(at, std::min(with.size(), bytes.size() - at), with);
  return bytes;
}

void progressive_jpeg(const fs::path& path, const cv::Mat& bgr) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  jpeg_compress_struct cinfo{};
  jpeg_error_mgr errors{};
  cinfo.err = jpeg_std_error(&errors);
  jpeg_create_compress(&cinfo);
  jpeg_stdio_dest(&cinfo, file);
  cinfo.image_width = static_cast<JDIMENSION>(bgr.cols);
  cinfo.image_height = static_cast<JDIMENSION>(bgr.rows);
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_EXT_BGR;
  jpeg_set_defaults(&cinfo);
  jpeg_simple_progression(&cinfo);
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<unsigned char*>(bgr.ptr(static_cast<int>(cinfo.next_scanline)));
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::fclose(file);
}

// PNG layouts encode_png does not write: palette, 16-bit with alpha, Adam7 interlace, 1-bit.
void png_variant(const fs::path& path, int colour_type, int bit_depth, bool interlaced) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  png_init_io(png, file);
  const int width = 37, height = 29;
  png_set_IHDR(png, info, width, height, bit_depth, colour_type,
               interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  if (colour_type == PNG_COLOR_TYPE_PALETTE) {
    std::vector<png_color> palette;
    for (int i = 0; i < 16; ++i)
      palette.push_back({static_cast<png_byte>(i * 16), static_cast<png_byte>(255 - i * 16), static_cast<png_byte>(i * 7)});
    png_set_PLTE(png, info, palette.data(), static_cast<int>(palette.size()));
    png_byte alpha[4] = {0, 128, 255, 64};
    png_set_tRNS(png, info, alpha, 4, nullptr);
  }
  png_set_pHYs(png, info, 11811, 11811, PNG_RESOLUTION_METER);
  png_write_info(png, info);
  const std::size_t row_bytes = png_get_rowbytes(png, info);
  std::vector<png_byte> row(row_bytes);
  for (int pass = 0, passes = png_set_interlace_handling(png); pass < passes; ++pass)
    for (int y = 0; y < height; ++y) {
      for (std::size_t i = 0; i < row_bytes; ++i) row[i] = static_cast<png_byte>((i * 13 + y * 7) & (colour_type == PNG_COLOR_TYPE_PALETTE ? 0x77 : 0xFF));
      png_write_row(png, row.data());
    }
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  std::fclose(file);
}

// TIFF layouts encode_tiff does not write, through libtiff: tiles, 16 bits, alpha,
// palette, planar, uncompressed, PackBits, JPEG.
struct TiffVariant {
  const char* name;
  std::uint16_t compression = COMPRESSION_NONE;
  std::uint16_t bits = 8, samples = 1, photometric = PHOTOMETRIC_MINISBLACK;
  std::uint16_t planar = PLANARCONFIG_CONTIG;
  std::uint32_t tile = 0;  // > 0: tiled
  bool alpha = false;
};

void tiff_variant(const fs::path& path, const TiffVariant& v) {
  TIFF* tif = TIFFOpen(path.c_str(), "w");
  const std::uint32_t width = 40, height = 33;
  TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, width);
  TIFFSetField(tif, TIFFTAG_IMAGELENGTH, height);
  TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, v.bits);
  TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, v.samples);
  TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, v.photometric);
  TIFFSetField(tif, TIFFTAG_PLANARCONFIG, v.planar);
  TIFFSetField(tif, TIFFTAG_COMPRESSION, v.compression);
  TIFFSetField(tif, TIFFTAG_XRESOLUTION, 300.0f);
  TIFFSetField(tif, TIFFTAG_YRESOLUTION, 300.0f);
  TIFFSetField(tif, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
  if (v.alpha) {
    const std::uint16_t extra[] = {EXTRASAMPLE_UNASSALPHA};
    TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, 1, extra);
  }
  if (v.photometric == PHOTOMETRIC_PALETTE) {
    std::vector<std::uint16_t> r(1u << v.bits), g(1u << v.bits), b(1u << v.bits);
    for (std::size_t i = 0; i < r.size(); ++i) r[i] = static_cast<std::uint16_t>(i * 4000), g[i] = 30000, b[i] = static_cast<std::uint16_t>(65535 - i * 4000);
    TIFFSetField(tif, TIFFTAG_COLORMAP, r.data(), g.data(), b.data());
  }
  const int planes = v.planar == PLANARCONFIG_SEPARATE ? v.samples : 1;
  if (v.tile) {
    TIFFSetField(tif, TIFFTAG_TILEWIDTH, v.tile);
    TIFFSetField(tif, TIFFTAG_TILELENGTH, v.tile);
    std::vector<unsigned char> buffer(static_cast<std::size_t>(TIFFTileSize(tif)));
    for (std::size_t i = 0; i < buffer.size(); ++i) buffer[i] = static_cast<unsigned char>(i * 7);
    for (std::uint32_t t = 0; t < TIFFNumberOfTiles(tif); ++t)
      TIFFWriteEncodedTile(tif, t, buffer.data(), static_cast<tmsize_t>(buffer.size()));
  } else {
    if (v.compression == COMPRESSION_JPEG) TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
    TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, 16);  // a multiple of 16, as JPEG needs
    std::vector<unsigned char> row(static_cast<std::size_t>(TIFFScanlineSize(tif)));
    for (int plane = 0; plane < planes; ++plane)
      for (std::uint32_t y = 0; y < height; ++y) {
        for (std::size_t i = 0; i < row.size(); ++i) row[i] = static_cast<unsigned char>(i * 3 + y * 5);
        TIFFWriteScanline(tif, row.data(), y, static_cast<tsample_t>(plane));
      }
  }
  TIFFClose(tif);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_fuzz_seeds OUT\n";
    return 2;
  }
  const fs::path out = argv[1];
  for (const char* format : {"jpeg", "png", "tiff", "jp2"}) fs::create_directories(out / format);
  const cv::Mat grey = page(48, 40, 1), colour = page(48, 40, 3, 1);

  // JPEG: grey, colour, a 1 px page, progressive; then cut, a bumped SOF, noise in the scan.
  const std::string jpeg = lantai::samples::encode_jpeg(colour, 300, 85);
  write(out / "jpeg/colour.jpg", jpeg);
  write(out / "jpeg/grey.jpg", lantai::samples::encode_jpeg(grey, 200, 60));
  write(out / "jpeg/dot.jpg", lantai::samples::encode_jpeg(page(1, 1, 3), 72, 95));
  progressive_jpeg(out / "jpeg/progressive.jpg", colour);
  write(out / "jpeg/cut.jpg", first_half(jpeg));
  const std::size_t sof = jpeg.find("\xFF\xC0");
  write(out / "jpeg/wide_sof.jpg", overwrite(jpeg, sof + 5, "\x7F\xFF\xFF\xF0"));
  write(out / "jpeg/noisy_scan.jpg", overwrite(jpeg, jpeg.find("\xFF\xDA") + 20, "\x13\x77\xFF\x00\xFF\xD9\x42"));
  write(out / "jpeg/progressive_cut.jpg", first_half(read(out / "jpeg/progressive.jpg")));

  // PNG: grey, colour, palette with tRNS, 16-bit RGBA interlaced, 1-bit; then cut and a broken IDAT.
  const std::string png = lantai::samples::encode_png(colour, 300);
  write(out / "png/colour.png", png);
  write(out / "png/grey.png", lantai::samples::encode_png(grey, 300));
  png_variant(out / "png/palette.png", PNG_COLOR_TYPE_PALETTE, 4, false);
  png_variant(out / "png/rgba16_adam7.png", PNG_COLOR_TYPE_RGB_ALPHA, 16, true);
  png_variant(out / "png/grey_alpha.png", PNG_COLOR_TYPE_GRAY_ALPHA, 8, false);
  png_variant(out / "png/bilevel.png", PNG_COLOR_TYPE_GRAY, 1, true);
  write(out / "png/cut.png", first_half(png));
  write(out / "png/bad_idat.png", overwrite(png, png.find("IDAT") + 12, "\xDE\xAD\xBE\xEF"));

  // TIFF: the sample encoder's codecs, a multi-page file, libtiff layouts; then damage.
  const std::string lzw = lantai::samples::encode_tiff({TiffFrame{colour, 300, TiffCompression::lzw}});
  write(out / "tiff/lzw.tif", lzw);
  write(out / "tiff/deflate.tif", lantai::samples::encode_tiff({TiffFrame{grey, 300, TiffCompression::deflate}}));
  write(out / "tiff/g4.tif", lantai::samples::encode_tiff({TiffFrame{grey, 300, TiffCompression::ccitt_g4}}));
  const std::string multi = lantai::samples::encode_tiff({TiffFrame{grey, 300, TiffCompression::ccitt_g4},
                                                          TiffFrame{colour, 300, TiffCompression::lzw},
                                                          TiffFrame{grey, 200, TiffCompression::deflate}});
  write(out / "tiff/multi_page.tif", multi);
  for (const TiffVariant& v : {
           TiffVariant{"none_grey"},
           TiffVariant{"packbits_rgb", COMPRESSION_PACKBITS, 8, 3, PHOTOMETRIC_RGB},
           TiffVariant{"rgba16_tiled", COMPRESSION_ADOBE_DEFLATE, 16, 4, PHOTOMETRIC_RGB, PLANARCONFIG_CONTIG, 16, true},
           TiffVariant{"grey16_lzw", COMPRESSION_LZW, 16, 1},
           TiffVariant{"palette4", COMPRESSION_NONE, 4, 1, PHOTOMETRIC_PALETTE},
           TiffVariant{"planar_rgb", COMPRESSION_LZW, 8, 3, PHOTOMETRIC_RGB, PLANARCONFIG_SEPARATE},
           TiffVariant{"jpeg_ycbcr", COMPRESSION_JPEG, 8, 3, PHOTOMETRIC_YCBCR},
           TiffVariant{"bilevel_tiled_g3", COMPRESSION_CCITTFAX3, 1, 1, PHOTOMETRIC_MINISWHITE, PLANARCONFIG_CONTIG, 32},
       })
    tiff_variant(out / "tiff" / (std::string(v.name) + ".tif"), v);
  write(out / "tiff/cut.tif", first_half(lzw));
  write(out / "tiff/multi_page_cut.tif", first_half(multi));
  // The reported damage, made small: a wide grey frame in two uncompressed strips whose
  // byte counts claim 4 bytes each.
  write(out / "tiff/lying_byte_counts.tif",
        lantai::test_images::hand_built_tiff({{256, 4, {4000}}, {257, 4, {20}}, {258, 3, {8}}, {259, 3, {COMPRESSION_NONE}},
                         {262, 3, {PHOTOMETRIC_MINISBLACK}}, {273, 4, {8, 12}}, {277, 3, {1}}, {278, 4, {10}},
                         {279, 4, {4, 4}}},
                        std::string(8, '\x40')));

  // CMYK with an ICC profile: the LittleCMS paths of both readers.
  cv::Mat cmyk(40, 48, CV_8UC4);
  for (int y = 0; y < cmyk.rows; ++y)
    for (int x = 0; x < cmyk.cols * 4; ++x) cmyk.ptr(y)[x] = static_cast<unsigned char>(x * 5 + y * 3);
  const std::string profile = lantai::test_images::model_cmyk_profile();
  lantai::test_images::write_tiff_cmyk(out / "tiff/cmyk_icc.tif", cmyk, profile);
  lantai::test_images::write_jpeg_cmyk(out / "jpeg/cmyk_icc.jpg", cmyk, profile);

  // JPEG 2000: lossless and lossy JP2 files, a bare codestream; then cut, a huge SIZ, tiny tiles.
  const std::string jp2 = lantai::encode_jp2(colour, {}, 300.0);
  write(out / "jp2/colour.jp2", jp2);
  write(out / "jp2/grey_lossy.jp2", lantai::encode_jp2(grey, {false, 10}, 200.0));
  const std::string codestream = jp2.substr(jp2.find("jp2c") + 4);
  write(out / "jp2/codestream.j2k", codestream);
  write(out / "jp2/cut.jp2", first_half(jp2));
  const std::size_t siz = codestream.find("\xFF\x51") + 4;
  write(out / "jp2/wide_siz.j2k", overwrite(codestream, siz + 4, std::string("\x7F\xFF\xFF\xF0\x7F\xFF\xFF\xF0", 8)));
  write(out / "jp2/tiny_tiles.j2k", overwrite(codestream, siz + 20, std::string("\0\0\0\x01\0\0\0\x01", 8)));
  return 0;
}
