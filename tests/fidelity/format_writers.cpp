#include "tests/fidelity/format_writers.h"

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include <jpeglib.h>
#include <png.h>
#include <tiffio.h>

#include "pipeline/jp2_codec.h"
#include "tests/fidelity/jpeg_errors.h"

namespace lantai::fidelity {

namespace {

constexpr double kInchesPerMetre = 0.0254;

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

File open_for_writing(const fs::path& path) {
  File file(std::fopen(path.c_str(), "wb"));
  if (!file) throw std::runtime_error("fidelity: cannot write " + path.string());
  return file;
}

void require_bgr(const cv::Mat& image, const fs::path& path) {
  if (image.type() != CV_8UC3) throw std::invalid_argument("fidelity: " + path.string() + " needs an 8-bit BGR page");
}

// ---- JPEG ---------------------------------------------------------------------------

// ---- PNG ----------------------------------------------------------------------------

// Everything libpng touches after setjmp lives outside the frame that calls setjmp.
struct PngJob {
  png_structp png = nullptr;
  png_infop info = nullptr;
  std::string error;
};

[[noreturn]] void png_fail(png_structp png, png_const_charp message) {
  static_cast<PngJob*>(png_get_error_ptr(png))->error = message;
  png_longjmp(png, 1);
}
void png_quiet(png_structp, png_const_charp) {}

// Writes an 8-bit or 16-bit PNG; row(y, bytes) fills one row of the stored samples.
template <typename FillRow>
void write_png(const fs::path& path, int width, int height, int bit_depth, int colour_type, int resolution_dpi,
               const Palette* palette, FillRow fill_row) {
  File file = open_for_writing(path);
  auto job = std::make_unique<PngJob>();
  job->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, job.get(), png_fail, png_quiet);
  if (job->png) job->info = png_create_info_struct(job->png);
  if (!job->info) {
    png_destroy_write_struct(&job->png, nullptr);
    throw std::runtime_error("fidelity: libpng could not start");
  }
  const int channels = colour_type == PNG_COLOR_TYPE_RGB ? 3 : colour_type == PNG_COLOR_TYPE_RGBA ? 4 : 1;
  std::vector<unsigned char> row(static_cast<size_t>(width) * channels * (bit_depth / 8));
  if (setjmp(png_jmpbuf(job->png))) {
    png_destroy_write_struct(&job->png, &job->info);
    throw std::runtime_error("fidelity: libpng cannot write " + path.string() + ": " + job->error);
  }
  png_init_io(job->png, file.get());
  png_set_IHDR(job->png, job->info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), bit_depth,
               colour_type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (palette) {
    std::vector<png_color> entries;
    for (const auto& rgb : palette->rgb) entries.push_back({rgb[0], rgb[1], rgb[2]});
    png_set_PLTE(job->png, job->info, entries.data(), static_cast<int>(entries.size()));
  }
  const auto per_metre = static_cast<png_uint_32>(std::lround(resolution_dpi / kInchesPerMetre));
  png_set_pHYs(job->png, job->info, per_metre, per_metre, PNG_RESOLUTION_METER);
  png_write_info(job->png, job->info);
  for (int y = 0; y < height; ++y) {
    fill_row(y, row.data());
    png_write_row(job->png, row.data());
  }
  png_write_end(job->png, job->info);
  png_destroy_write_struct(&job->png, &job->info);
}

// ---- TIFF ---------------------------------------------------------------------------

struct TiffCloser {
  void operator()(TIFF* tif) const { TIFFClose(tif); }
};
using Tiff = std::unique_ptr<TIFF, TiffCloser>;

Tiff open_tiff(const fs::path& path) {
  Tiff tif(TIFFOpen(path.c_str(), "w"));
  if (!tif) throw std::runtime_error("fidelity: libtiff cannot create " + path.string());
  return tif;
}

void set_common_tags(TIFF* tif, const cv::Mat& image, int bits, int samples, int photometric, int resolution_dpi) {
  TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, static_cast<std::uint32_t>(image.cols));
  TIFFSetField(tif, TIFFTAG_IMAGELENGTH, static_cast<std::uint32_t>(image.rows));
  TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, bits);
  TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, samples);
  TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, photometric);
  TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField(tif, TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT);
  TIFFSetField(tif, TIFFTAG_XRESOLUTION, static_cast<float>(resolution_dpi));
  TIFFSetField(tif, TIFFTAG_YRESOLUTION, static_cast<float>(resolution_dpi));
  TIFFSetField(tif, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
}

void bgr_to_rgb_row(const cv::Mat& bgr, int y, unsigned char* out) {
  const unsigned char* in = bgr.ptr(y);
  for (int x = 0; x < bgr.cols; ++x) {
    out[3 * x] = in[3 * x + 2];
    out[3 * x + 1] = in[3 * x + 1];
    out[3 * x + 2] = in[3 * x];
  }
}

void check_write(tmsize_t written, const fs::path& path) {
  if (written < 0) throw std::runtime_error("fidelity: libtiff cannot write " + path.string());
}

// Strips of rows_per_strip rows, each filled by fill(row, bytes) with one stored row.
template <typename FillRow>
void write_strips(TIFF* tif, const fs::path& path, int height, std::uint32_t rows_per_strip, FillRow fill) {
  TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, rows_per_strip);
  const auto row_bytes = static_cast<size_t>(TIFFScanlineSize(tif));
  std::vector<unsigned char> strip(row_bytes * rows_per_strip);
  for (int top = 0, index = 0; top < height; top += static_cast<int>(rows_per_strip), ++index) {
    const int rows = std::min(static_cast<int>(rows_per_strip), height - top);
    for (int r = 0; r < rows; ++r) fill(top + r, strip.data() + r * row_bytes);
    check_write(TIFFWriteEncodedStrip(tif, static_cast<std::uint32_t>(index), strip.data(),
                                      static_cast<tmsize_t>(rows * row_bytes)),
                path);
  }
}

}  // namespace

std::uint16_t to_16bit(unsigned char v) { return static_cast<std::uint16_t>(v * 256u + 0x80u); }

void write_jpeg_progressive(const fs::path& path, const cv::Mat& bgr, int resolution_dpi, int quality) {
  require_bgr(bgr, path);
  File file = open_for_writing(path);
  auto cinfo = std::make_unique<jpeg_compress_struct>();
  auto errors = std::make_unique<JpegErrors>();
  cinfo->err = jpeg_std_error(&errors->base);
  errors->base.error_exit = jpeg_fail;
  if (setjmp(errors->jump)) {
    jpeg_destroy_compress(cinfo.get());
    throw std::runtime_error("fidelity: libjpeg cannot write " + path.string() + ": " + errors->message);
  }
  jpeg_create_compress(cinfo.get());
  jpeg_stdio_dest(cinfo.get(), file.get());
  cinfo->image_width = static_cast<JDIMENSION>(bgr.cols);
  cinfo->image_height = static_cast<JDIMENSION>(bgr.rows);
  cinfo->input_components = 3;
  cinfo->in_color_space = JCS_EXT_BGR;
  jpeg_set_defaults(cinfo.get());
  jpeg_set_quality(cinfo.get(), quality, TRUE);
  jpeg_simple_progression(cinfo.get());
  cinfo->write_JFIF_header = TRUE;
  cinfo->density_unit = 1;  // dots per inch
  cinfo->X_density = cinfo->Y_density = static_cast<UINT16>(resolution_dpi);
  jpeg_start_compress(cinfo.get(), TRUE);
  while (cinfo->next_scanline < cinfo->image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(bgr.ptr(static_cast<int>(cinfo->next_scanline)));
    jpeg_write_scanlines(cinfo.get(), &row, 1);
  }
  jpeg_finish_compress(cinfo.get());
  jpeg_destroy_compress(cinfo.get());
}

void write_png_rgb16(const fs::path& path, const cv::Mat& bgr, int resolution_dpi) {
  require_bgr(bgr, path);
  write_png(path, bgr.cols, bgr.rows, 16, PNG_COLOR_TYPE_RGB, resolution_dpi, nullptr,
            [&](int y, unsigned char* out) {
              const unsigned char* in = bgr.ptr(y);
              for (int x = 0; x < bgr.cols; ++x)
                for (int c = 0; c < 3; ++c) {  // big-endian samples, RGB order
                  const unsigned value = to_16bit(in[3 * x + 2 - c]);
                  out[6 * x + 2 * c] = static_cast<unsigned char>(value >> 8);
                  out[6 * x + 2 * c + 1] = static_cast<unsigned char>(value & 0xFF);
                }
            });
}

namespace {

// One row of an OpenCV BGRA page in the RGBA order PNG and TIFF store.
void bgra_row_as_rgba(const cv::Mat& bgra, int y, unsigned char* out) {
  const unsigned char* in = bgra.ptr(y);
  for (int x = 0; x < bgra.cols; ++x) {
    out[4 * x] = in[4 * x + 2];
    out[4 * x + 1] = in[4 * x + 1];
    out[4 * x + 2] = in[4 * x];
    out[4 * x + 3] = in[4 * x + 3];
  }
}

}  // namespace

void write_png_rgba(const fs::path& path, const cv::Mat& bgra, int resolution_dpi) {
  if (bgra.type() != CV_8UC4) throw std::invalid_argument("fidelity: " + path.string() + " needs an 8-bit BGRA page");
  write_png(path, bgra.cols, bgra.rows, 8, PNG_COLOR_TYPE_RGBA, resolution_dpi, nullptr,
            [&](int y, unsigned char* out) { bgra_row_as_rgba(bgra, y, out); });
}

Palette quantise(const cv::Mat& bgr, cv::Mat& quantised) {
  constexpr int kLevels = 6;  // 0, 51, ..., 255
  constexpr int kGreys = 40;
  Palette palette;
  for (int r = 0; r < kLevels; ++r)
    for (int g = 0; g < kLevels; ++g)
      for (int b = 0; b < kLevels; ++b)
        palette.rgb.push_back({static_cast<unsigned char>(r * 51), static_cast<unsigned char>(g * 51),
                               static_cast<unsigned char>(b * 51)});
  const int grey_base = static_cast<int>(palette.rgb.size());
  for (int i = 0; i < kGreys; ++i) {
    const auto v = static_cast<unsigned char>(3 + i * 255 / kGreys);
    palette.rgb.push_back({v, v, v});
  }

  auto distance = [](const std::array<unsigned char, 3>& entry, int r, int g, int b) {
    return (entry[0] - r) * (entry[0] - r) + (entry[1] - g) * (entry[1] - g) + (entry[2] - b) * (entry[2] - b);
  };
  palette.indices.create(bgr.size(), CV_8UC1);
  quantised.create(bgr.size(), CV_8UC3);
  for (int y = 0; y < bgr.rows; ++y) {
    const unsigned char* in = bgr.ptr(y);
    unsigned char* index = palette.indices.ptr(y);
    unsigned char* out = quantised.ptr(y);
    for (int x = 0; x < bgr.cols; ++x) {
      const int b = in[3 * x], g = in[3 * x + 1], r = in[3 * x + 2];
      // Nearest cube entry, then the nearest grey if closer.
      int best = ((r + 25) / 51) * 36 + ((g + 25) / 51) * 6 + (b + 25) / 51;
      const int grey = std::clamp(grey_base + ((r + g + b) / 3 - 3) * kGreys / 255, grey_base, grey_base + kGreys - 1);
      for (int candidate : {grey - 1, grey, grey + 1})
        if (candidate >= grey_base && candidate < grey_base + kGreys &&
            distance(palette.rgb[static_cast<size_t>(candidate)], r, g, b) <
                distance(palette.rgb[static_cast<size_t>(best)], r, g, b))
          best = candidate;
      index[x] = static_cast<unsigned char>(best);
      const auto& entry = palette.rgb[static_cast<size_t>(best)];
      out[3 * x] = entry[2];
      out[3 * x + 1] = entry[1];
      out[3 * x + 2] = entry[0];
    }
  }
  return palette;
}

void write_png_palette(const fs::path& path, const Palette& palette, int resolution_dpi) {
  write_png(path, palette.indices.cols, palette.indices.rows, 8, PNG_COLOR_TYPE_PALETTE, resolution_dpi, &palette,
            [&](int y, unsigned char* out) { std::memcpy(out, palette.indices.ptr(y), palette.indices.cols); });
}

void write_tiff(const fs::path& path, const cv::Mat& bgr, TiffVariant variant, int resolution_dpi) {
  require_bgr(bgr, path);
  Tiff tif = open_tiff(path);
  switch (variant) {
    case TiffVariant::uncompressed_rgb:
      set_common_tags(tif.get(), bgr, 8, 3, PHOTOMETRIC_RGB, resolution_dpi);
      TIFFSetField(tif.get(), TIFFTAG_COMPRESSION, COMPRESSION_NONE);
      write_strips(tif.get(), path, bgr.rows, 32, [&](int y, unsigned char* out) { bgr_to_rgb_row(bgr, y, out); });
      break;
    case TiffVariant::jpeg_ycbcr:
      set_common_tags(tif.get(), bgr, 8, 3, PHOTOMETRIC_YCBCR, resolution_dpi);
      TIFFSetField(tif.get(), TIFFTAG_COMPRESSION, COMPRESSION_JPEG);
      TIFFSetField(tif.get(), TIFFTAG_YCBCRSUBSAMPLING, 2, 2);
      TIFFSetField(tif.get(), TIFFTAG_JPEGQUALITY, 90);
      // We hand libtiff RGB rows; libjpeg converts them to YCbCr and subsamples.
      TIFFSetField(tif.get(), TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
      write_strips(tif.get(), path, bgr.rows, 64, [&](int y, unsigned char* out) { bgr_to_rgb_row(bgr, y, out); });
      break;
    case TiffVariant::rgb16:
      set_common_tags(tif.get(), bgr, 16, 3, PHOTOMETRIC_RGB, resolution_dpi);
      TIFFSetField(tif.get(), TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
      TIFFSetField(tif.get(), TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL);
      write_strips(tif.get(), path, bgr.rows, 16, [&](int y, unsigned char* out) {
        const unsigned char* in = bgr.ptr(y);
        for (int x = 0; x < bgr.cols; ++x)
          for (int c = 0; c < 3; ++c) {  // native byte order: libtiff swaps for the file
            const std::uint16_t value = to_16bit(in[3 * x + 2 - c]);
            std::memcpy(out + 6 * x + 2 * c, &value, sizeof value);
          }
      });
      break;
    case TiffVariant::tiled_rgb: {
      constexpr std::uint32_t kTile = 256;
      set_common_tags(tif.get(), bgr, 8, 3, PHOTOMETRIC_RGB, resolution_dpi);
      TIFFSetField(tif.get(), TIFFTAG_COMPRESSION, COMPRESSION_LZW);
      TIFFSetField(tif.get(), TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL);
      TIFFSetField(tif.get(), TIFFTAG_TILEWIDTH, kTile);
      TIFFSetField(tif.get(), TIFFTAG_TILELENGTH, kTile);
      std::vector<unsigned char> tile(kTile * kTile * 3);
      for (int top = 0; top < bgr.rows; top += kTile)
        for (int left = 0; left < bgr.cols; left += kTile) {
          std::fill(tile.begin(), tile.end(), 255);  // the part past the image edge: white
          for (int r = 0; r < static_cast<int>(kTile) && top + r < bgr.rows; ++r)
            for (int c = 0; c < static_cast<int>(kTile) && left + c < bgr.cols; ++c) {
              const unsigned char* in = bgr.ptr(top + r) + 3 * (left + c);
              unsigned char* out = tile.data() + 3 * (r * kTile + c);
              out[0] = in[2], out[1] = in[1], out[2] = in[0];
            }
          check_write(TIFFWriteTile(tif.get(), tile.data(), static_cast<std::uint32_t>(left),
                                    static_cast<std::uint32_t>(top), 0, 0),
                      path);
        }
      break;
    }
    case TiffVariant::planar_rgb: {
      set_common_tags(tif.get(), bgr, 8, 3, PHOTOMETRIC_RGB, resolution_dpi);
      TIFFSetField(tif.get(), TIFFTAG_PLANARCONFIG, PLANARCONFIG_SEPARATE);
      TIFFSetField(tif.get(), TIFFTAG_COMPRESSION, COMPRESSION_LZW);
      constexpr std::uint32_t kRowsPerStrip = 32;
      TIFFSetField(tif.get(), TIFFTAG_ROWSPERSTRIP, kRowsPerStrip);
      std::vector<unsigned char> strip(static_cast<size_t>(bgr.cols) * kRowsPerStrip);
      for (std::uint16_t plane = 0; plane < 3; ++plane)  // R, G, B planes
        for (int top = 0; top < bgr.rows; top += static_cast<int>(kRowsPerStrip)) {
          const int rows = std::min(static_cast<int>(kRowsPerStrip), bgr.rows - top);
          for (int r = 0; r < rows; ++r) {
            const unsigned char* in = bgr.ptr(top + r);
            for (int x = 0; x < bgr.cols; ++x) strip[static_cast<size_t>(r) * bgr.cols + x] = in[3 * x + 2 - plane];
          }
          const auto index = TIFFComputeStrip(tif.get(), static_cast<std::uint32_t>(top), plane);
          check_write(TIFFWriteEncodedStrip(tif.get(), index, strip.data(), static_cast<tmsize_t>(rows) * bgr.cols),
                      path);
        }
      break;
    }
  }
  if (!TIFFWriteDirectory(tif.get())) throw std::runtime_error("fidelity: libtiff cannot finish " + path.string());
}

void write_tiff_rgba(const fs::path& path, const cv::Mat& bgra, int resolution_dpi) {
  if (bgra.type() != CV_8UC4) throw std::invalid_argument("fidelity: " + path.string() + " needs an 8-bit BGRA page");
  Tiff tif = open_tiff(path);
  set_common_tags(tif.get(), bgra, 8, 4, PHOTOMETRIC_RGB, resolution_dpi);
  std::uint16_t extra = EXTRASAMPLE_UNASSALPHA;
  TIFFSetField(tif.get(), TIFFTAG_EXTRASAMPLES, 1, &extra);
  TIFFSetField(tif.get(), TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
  write_strips(tif.get(), path, bgra.rows, 32, [&](int y, unsigned char* out) { bgra_row_as_rgba(bgra, y, out); });
  if (!TIFFWriteDirectory(tif.get())) throw std::runtime_error("fidelity: libtiff cannot finish " + path.string());
}

void write_jp2(const fs::path& path, const cv::Mat& bgr, int resolution_dpi) {
  const std::string bytes = encode_jp2(bgr, Jp2Encoding{}, resolution_dpi);
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

cv::Mat to_model_cmyk(const cv::Mat& bgr) {
  cv::Mat cmyk(bgr.size(), CV_8UC4);
  for (int y = 0; y < bgr.rows; ++y)
    for (int x = 0; x < bgr.cols; ++x) {
      const cv::Vec3b p = bgr.at<cv::Vec3b>(y, x);
      const double r = p[2] / 255.0, g = p[1] / 255.0, b = p[0] / 255.0;
      const double k = 1 - std::max({r, g, b});
      const auto ink = [&](double v) { return k >= 1 ? 0.0 : (1 - v - k) / (1 - k); };
      auto level = [](double v) { return static_cast<unsigned char>(std::lround(std::clamp(v, 0.0, 1.0) * 255)); };
      cmyk.at<cv::Vec4b>(y, x) = cv::Vec4b(level(ink(r)), level(ink(g)), level(ink(b)), level(k));
    }
  return cmyk;
}

void write_tiff_palette(const fs::path& path, const Palette& palette, int resolution_dpi) {
  Tiff tif = open_tiff(path);
  set_common_tags(tif.get(), palette.indices, 8, 1, PHOTOMETRIC_PALETTE, resolution_dpi);
  TIFFSetField(tif.get(), TIFFTAG_COMPRESSION, COMPRESSION_LZW);
  std::vector<std::uint16_t> red(256), green(256), blue(256);
  for (size_t i = 0; i < palette.rgb.size(); ++i) {
    red[i] = static_cast<std::uint16_t>(palette.rgb[i][0] * 257);
    green[i] = static_cast<std::uint16_t>(palette.rgb[i][1] * 257);
    blue[i] = static_cast<std::uint16_t>(palette.rgb[i][2] * 257);
  }
  TIFFSetField(tif.get(), TIFFTAG_COLORMAP, red.data(), green.data(), blue.data());
  write_strips(tif.get(), path, palette.indices.rows, 32, [&](int y, unsigned char* out) {
    std::memcpy(out, palette.indices.ptr(y), static_cast<size_t>(palette.indices.cols));
  });
  if (!TIFFWriteDirectory(tif.get())) throw std::runtime_error("fidelity: libtiff cannot finish " + path.string());
}

}  // namespace lantai::fidelity
