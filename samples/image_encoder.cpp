#include "samples/image_encoder.h"

#include <csetjmp>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <png.h>
#include <tiffio.h>

#include "pipeline/jpeg_codec.h"

namespace lantai::samples {

namespace {

void require_8bit(const cv::Mat& image, const char* format) {
  if (image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3))
    throw std::invalid_argument(std::string("samples: ") + format + " encoder takes 8-bit grey or BGR");
}

// ---- PNG --------------------------------------------------------------------------

void png_append(png_structp png, png_bytep data, png_size_t size) {
  static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<const char*>(data), size);
}
void png_no_flush(png_structp) {}

[[noreturn]] void png_fail(png_structp png, png_const_charp message) {
  *static_cast<std::string*>(png_get_error_ptr(png)) = message;
  png_longjmp(png, 1);
}
void png_ignore_warning(png_structp, png_const_charp) {}

// ---- TIFF, written into a string through libtiff's client I/O --------------------

struct MemoryFile {
  std::string data;
  toff_t position = 0;
  std::string error;
};

tmsize_t tiff_read(thandle_t handle, void* buffer, tmsize_t size) {
  auto* file = static_cast<MemoryFile*>(handle);
  if (file->position >= file->data.size()) return 0;
  const auto n = std::min<toff_t>(static_cast<toff_t>(size), file->data.size() - file->position);
  std::memcpy(buffer, file->data.data() + file->position, n);
  file->position += n;
  return static_cast<tmsize_t>(n);
}
tmsize_t tiff_write(thandle_t handle, void* buffer, tmsize_t size) {
  auto* file = static_cast<MemoryFile*>(handle);
  const auto end = file->position + static_cast<toff_t>(size);
  if (end > file->data.size()) file->data.resize(end, '\0');
  std::memcpy(file->data.data() + file->position, buffer, static_cast<size_t>(size));
  file->position = end;
  return size;
}
toff_t tiff_seek(thandle_t handle, toff_t offset, int whence) {
  auto* file = static_cast<MemoryFile*>(handle);
  if (whence == SEEK_SET) file->position = offset;
  else if (whence == SEEK_CUR) file->position += offset;
  else file->position = file->data.size() + offset;
  return file->position;
}
int tiff_close(thandle_t) { return 0; }
toff_t tiff_size(thandle_t handle) { return static_cast<MemoryFile*>(handle)->data.size(); }
int tiff_map(thandle_t, void**, toff_t*) { return 0; }
void tiff_unmap(thandle_t, void*, toff_t) {}

int tiff_error(TIFF*, void* user_data, const char* module, const char* format, va_list args) {
  char text[512];
  std::vsnprintf(text, sizeof text, format, args);
  auto* file = static_cast<MemoryFile*>(user_data);
  if (file->error.empty()) file->error = std::string(module ? module : "libtiff") + ": " + text;
  return 1;
}
int tiff_warning(TIFF*, void*, const char*, const char*, va_list) { return 1; }

void write_frame(TIFF* tiff, const TiffFrame& frame, int index, int count) {
  const cv::Mat& image = frame.image;
  require_8bit(image, "TIFF");
  const bool bilevel = frame.compression == TiffCompression::ccitt_g4;
  if (bilevel && image.channels() != 1)
    throw std::invalid_argument("samples: a CCITT G4 frame must be grey");
  const bool colour = image.channels() == 3;
  TIFFSetField(tiff, TIFFTAG_IMAGEWIDTH, static_cast<std::uint32_t>(image.cols));
  TIFFSetField(tiff, TIFFTAG_IMAGELENGTH, static_cast<std::uint32_t>(image.rows));
  TIFFSetField(tiff, TIFFTAG_BITSPERSAMPLE, bilevel ? 1 : 8);
  TIFFSetField(tiff, TIFFTAG_SAMPLESPERPIXEL, colour ? 3 : 1);
  TIFFSetField(tiff, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField(tiff, TIFFTAG_PHOTOMETRIC,
               bilevel ? PHOTOMETRIC_MINISWHITE : colour ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK);
  TIFFSetField(tiff, TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT);
  switch (frame.compression) {
    case TiffCompression::lzw:
      TIFFSetField(tiff, TIFFTAG_COMPRESSION, COMPRESSION_LZW);
      TIFFSetField(tiff, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL);
      break;
    case TiffCompression::deflate:
      TIFFSetField(tiff, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
      TIFFSetField(tiff, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL);
      TIFFSetField(tiff, TIFFTAG_ZIPQUALITY, 6);
      break;
    case TiffCompression::ccitt_g4:
      TIFFSetField(tiff, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
      TIFFSetField(tiff, TIFFTAG_GROUP4OPTIONS, 0);
      break;
  }
  TIFFSetField(tiff, TIFFTAG_ROWSPERSTRIP, TIFFDefaultStripSize(tiff, 0));
  TIFFSetField(tiff, TIFFTAG_XRESOLUTION, static_cast<float>(frame.resolution_dpi));
  TIFFSetField(tiff, TIFFTAG_YRESOLUTION, static_cast<float>(frame.resolution_dpi));
  TIFFSetField(tiff, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
  const std::pair<ttag_t, const std::string&> capture[] = {{TIFFTAG_MAKE, frame.make},
                                                           {TIFFTAG_MODEL, frame.model},
                                                           {TIFFTAG_SOFTWARE, frame.software},
                                                           {TIFFTAG_DATETIME, frame.date_time}};
  for (const auto& [tag, text] : capture)
    if (!text.empty()) TIFFSetField(tiff, tag, text.c_str());
  if (count > 1) {
    TIFFSetField(tiff, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
    TIFFSetField(tiff, TIFFTAG_PAGENUMBER, static_cast<std::uint16_t>(index), static_cast<std::uint16_t>(count));
  }

  std::vector<unsigned char> row(static_cast<size_t>(TIFFScanlineSize(tiff)));
  for (int y = 0; y < image.rows; ++y) {
    const unsigned char* source = image.ptr<unsigned char>(y);
    if (bilevel) {
      std::fill(row.begin(), row.end(), 0);
      for (int x = 0; x < image.cols; ++x)
        if (source[x] < 128) row[static_cast<size_t>(x / 8)] |= static_cast<unsigned char>(0x80 >> (x % 8));
    } else if (colour) {
      for (int x = 0; x < image.cols; ++x) {  // BGR → RGB
        row[static_cast<size_t>(3 * x)] = source[3 * x + 2];
        row[static_cast<size_t>(3 * x + 1)] = source[3 * x + 1];
        row[static_cast<size_t>(3 * x + 2)] = source[3 * x];
      }
    } else {
      std::memcpy(row.data(), source, static_cast<size_t>(image.cols));
    }
    if (TIFFWriteScanline(tiff, row.data(), static_cast<std::uint32_t>(y), 0) < 0) return;
  }
  TIFFWriteDirectory(tiff);
}

}  // namespace

std::string encode_jpeg(const cv::Mat& image, int resolution_dpi, int quality) {
  require_8bit(image, "JPEG");
  return lantai::encode_jpeg(image, quality, resolution_dpi);
}

std::string encode_png(const cv::Mat& image, int resolution_dpi) {
  require_8bit(image, "PNG");
  std::string out;
  std::string error;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &error, png_fail, png_ignore_warning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!info) {
    png_destroy_write_struct(&png, nullptr);
    throw std::runtime_error("samples: libpng could not start");
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    throw std::runtime_error("samples: PNG encoding failed: " + error);
  }
  png_set_write_fn(png, &out, png_append, png_no_flush);
  png_set_compression_level(png, 6);
  png_set_IHDR(png, info, static_cast<png_uint_32>(image.cols), static_cast<png_uint_32>(image.rows), 8,
               image.channels() == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  const auto pixels_per_metre = static_cast<png_uint_32>(std::lround(resolution_dpi / 0.0254));
  png_set_pHYs(png, info, pixels_per_metre, pixels_per_metre, PNG_RESOLUTION_METER);
  png_write_info(png, info);
  if (image.channels() == 3) png_set_bgr(png);
  for (int y = 0; y < image.rows; ++y)
    png_write_row(png, const_cast<png_bytep>(image.ptr<unsigned char>(y)));
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  return out;
}

std::string encode_tiff(const std::vector<TiffFrame>& frames) {
  if (frames.empty()) throw std::invalid_argument("samples: a TIFF needs at least one frame");
  MemoryFile file;
  TIFFOpenOptions* options = TIFFOpenOptionsAlloc();
  TIFFOpenOptionsSetErrorHandlerExtR(options, tiff_error, &file);
  TIFFOpenOptionsSetWarningHandlerExtR(options, tiff_warning, &file);
  // "l": little-endian whatever the host, so the bytes do not depend on the machine.
  TIFF* tiff = TIFFClientOpenExt("memory.tif", "wl", &file, tiff_read, tiff_write, tiff_seek, tiff_close,
                                 tiff_size, tiff_map, tiff_unmap, options);
  TIFFOpenOptionsFree(options);
  if (!tiff) throw std::runtime_error("samples: libtiff could not start: " + file.error);
  const int count = static_cast<int>(frames.size());
  for (int i = 0; i < count && file.error.empty(); ++i) write_frame(tiff, frames[static_cast<size_t>(i)], i, count);
  TIFFClose(tiff);
  if (!file.error.empty()) throw std::runtime_error("samples: TIFF encoding failed: " + file.error);
  return std::move(file.data);
}

}  // namespace lantai::samples
