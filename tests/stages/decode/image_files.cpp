#include "tests/stages/decode/image_files.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include <jpeglib.h>
#include <png.h>
#include <tiffio.h>

namespace lantai::test_images {

cv::Mat draw_page(int width_px, int height_px, int channels, int seed) {
  cv::Mat page(height_px, width_px, CV_8UC(channels));
  for (int y = 0; y < height_px; ++y)
    for (int x = 0; x < width_px; ++x) {
      unsigned char* p = page.ptr(y) + static_cast<size_t>(x) * channels;
      for (int c = 0; c < channels; ++c) p[c] = static_cast<unsigned char>((x * 3 + y * 2 + c * 60 + seed * 40) % 256);
    }
  cv::Mat bar = page(cv::Rect(width_px / 8, height_px / 4, width_px / 2, std::max(1, height_px / 10)));
  bar.setTo(cv::Scalar::all(20));
  cv::Mat box = page(cv::Rect(width_px / 2, height_px / 2, width_px / 4, height_px / 4));
  box.setTo(cv::Scalar::all(230));
  return page;
}

void write_jpeg(const fs::path& path, const cv::Mat& image, const JpegOptions& options) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) throw std::runtime_error("cannot write " + path.string());
  jpeg_compress_struct cinfo{};
  jpeg_error_mgr errors{};
  cinfo.err = jpeg_std_error(&errors);
  jpeg_create_compress(&cinfo);
  jpeg_stdio_dest(&cinfo, file);
  cinfo.image_width = static_cast<JDIMENSION>(image.cols);
  cinfo.image_height = static_cast<JDIMENSION>(image.rows);
  cv::Mat source = image;
  if (options.cmyk) {
    cv::Mat cmyk(image.rows, image.cols, CV_8UC4);
    for (int y = 0; y < image.rows; ++y)
      for (int x = 0; x < image.cols; ++x) {
        unsigned char* p = cmyk.ptr(y) + x * 4;
        p[0] = p[1] = p[2] = 0;
        p[3] = static_cast<unsigned char>(255 - image.at<unsigned char>(y, x));
      }
    source = cmyk;
    cinfo.input_components = 4;
    cinfo.in_color_space = JCS_CMYK;
  } else {
    cinfo.input_components = image.channels();
    cinfo.in_color_space = image.channels() == 1 ? JCS_GRAYSCALE : JCS_EXT_BGR;
  }
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, options.quality, TRUE);
  cinfo.write_JFIF_header = options.jfif ? TRUE : FALSE;
  cinfo.density_unit = static_cast<UINT8>(options.density_unit);
  cinfo.X_density = static_cast<UINT16>(options.x_density);
  cinfo.Y_density = static_cast<UINT16>(options.y_density);
  jpeg_start_compress(&cinfo, TRUE);
  if (!options.exif_app1.empty())
    jpeg_write_marker(&cinfo, JPEG_APP0 + 1, reinterpret_cast<const JOCTET*>(options.exif_app1.data()),
                      static_cast<unsigned>(options.exif_app1.size()));
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(source.ptr(static_cast<int>(cinfo.next_scanline)));
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::fclose(file);
}

std::string exif_payload(unsigned x_dpi, unsigned y_dpi, unsigned unit, bool little_endian) {
  std::string tiff;
  auto put = [&](std::uint32_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) {
      const int shift = 8 * (little_endian ? i : bytes - 1 - i);
      tiff.push_back(static_cast<char>((value >> shift) & 0xFF));
    }
  };
  tiff += little_endian ? "II" : "MM";
  put(42, 2);
  put(8, 4);  // IFD0 right after the header
  put(3, 2);  // three entries, 12 bytes each, then the next-IFD link; rationals follow
  const std::uint32_t rationals = 8 + 2 + 3 * 12 + 4;
  put(0x011A, 2), put(5, 2), put(1, 4), put(rationals, 4);
  put(0x011B, 2), put(5, 2), put(1, 4), put(rationals + 8, 4);
  put(0x0128, 2), put(3, 2), put(1, 4), put(unit, 2), put(0, 2);
  put(0, 4);
  put(x_dpi, 4), put(1, 4);
  put(y_dpi, 4), put(1, 4);
  return std::string("Exif\0\0", 6) + tiff;
}

namespace {

struct PngWriter {
  explicit PngWriter(const fs::path& path) {
    file = std::fopen(path.c_str(), "wb");
    if (!file) throw std::runtime_error("cannot write " + path.string());
    png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    info = png_create_info_struct(png);
    png_init_io(png, file);
  }
  ~PngWriter() {
    png_destroy_write_struct(&png, &info);
    std::fclose(file);
  }
  void write_rows(const std::vector<std::vector<unsigned char>>& rows) {
    png_write_info(png, info);
    for (const auto& row : rows) png_write_row(png, row.data());
    png_write_end(png, nullptr);
  }
  std::FILE* file = nullptr;
  png_structp png = nullptr;
  png_infop info = nullptr;
};

}  // namespace

void write_png(const fs::path& path, const cv::Mat& image, std::optional<unsigned> pixels_per_metre) {
  PngWriter writer(path);
  const int channels = image.channels();
  const int type = channels == 1 ? PNG_COLOR_TYPE_GRAY : channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGBA;
  png_set_IHDR(writer.png, writer.info, static_cast<png_uint_32>(image.cols), static_cast<png_uint_32>(image.rows), 8,
               type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (pixels_per_metre)
    png_set_pHYs(writer.png, writer.info, *pixels_per_metre, *pixels_per_metre, PNG_RESOLUTION_METER);
  std::vector<std::vector<unsigned char>> rows;
  for (int y = 0; y < image.rows; ++y) {
    const unsigned char* src = image.ptr(y);
    std::vector<unsigned char> row(src, src + static_cast<size_t>(image.cols) * channels);
    if (channels >= 3)
      for (size_t x = 0; x < static_cast<size_t>(image.cols); ++x) std::swap(row[x * channels], row[x * channels + 2]);
    rows.push_back(std::move(row));
  }
  writer.write_rows(rows);
}

void write_png_16bit(const fs::path& path, const cv::Mat& grey16) {
  PngWriter writer(path);
  png_set_IHDR(writer.png, writer.info, static_cast<png_uint_32>(grey16.cols), static_cast<png_uint_32>(grey16.rows),
               16, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  std::vector<std::vector<unsigned char>> rows;
  for (int y = 0; y < grey16.rows; ++y) {
    std::vector<unsigned char> row;
    for (int x = 0; x < grey16.cols; ++x) {
      const std::uint16_t v = grey16.at<std::uint16_t>(y, x);
      row.push_back(static_cast<unsigned char>(v >> 8));  // PNG is big-endian
      row.push_back(static_cast<unsigned char>(v & 0xFF));
    }
    rows.push_back(std::move(row));
  }
  writer.write_rows(rows);
}

void write_png_bilevel(const fs::path& path, const cv::Mat& black_white) {
  PngWriter writer(path);
  png_set_IHDR(writer.png, writer.info, static_cast<png_uint_32>(black_white.cols),
               static_cast<png_uint_32>(black_white.rows), 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  std::vector<std::vector<unsigned char>> rows;
  for (int y = 0; y < black_white.rows; ++y) {
    std::vector<unsigned char> row((black_white.cols + 7) / 8, 0);
    for (int x = 0; x < black_white.cols; ++x)
      if (black_white.at<unsigned char>(y, x)) row[x / 8] |= static_cast<unsigned char>(0x80 >> (x % 8));
    rows.push_back(std::move(row));
  }
  writer.write_rows(rows);
}

void write_png_palette(const fs::path& path, const cv::Mat& indices,
                       const std::vector<std::array<unsigned char, 3>>& rgb_palette) {
  PngWriter writer(path);
  png_set_IHDR(writer.png, writer.info, static_cast<png_uint_32>(indices.cols), static_cast<png_uint_32>(indices.rows),
               8, PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  std::vector<png_color> palette;
  for (const auto& c : rgb_palette) palette.push_back({c[0], c[1], c[2]});
  png_set_PLTE(writer.png, writer.info, palette.data(), static_cast<int>(palette.size()));
  std::vector<std::vector<unsigned char>> rows;
  for (int y = 0; y < indices.rows; ++y) rows.emplace_back(indices.ptr(y), indices.ptr(y) + indices.cols);
  writer.write_rows(rows);
}

void write_tiff(const fs::path& path, const std::vector<cv::Mat>& frames, const TiffOptions& options) {
  TIFF* tif = TIFFOpen(path.c_str(), "w");
  if (!tif) throw std::runtime_error("cannot write " + path.string());
  for (const cv::Mat& frame : frames) {
    const int channels = frame.channels();
    const int bits = options.bilevel ? 1 : frame.depth() == CV_16U ? 16 : 8;
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, static_cast<std::uint32_t>(frame.cols));
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, static_cast<std::uint32_t>(frame.rows));
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, bits);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, channels);
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(tif, TIFFTAG_COMPRESSION, options.compression);
    const std::uint16_t photometric =
        channels > 1 ? PHOTOMETRIC_RGB
                     : options.photometric.value_or(options.bilevel ? PHOTOMETRIC_MINISWHITE : PHOTOMETRIC_MINISBLACK);
    const bool white_is_zero = photometric == PHOTOMETRIC_MINISWHITE;
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, photometric);
    if (channels == 4) {
      const std::uint16_t alpha = EXTRASAMPLE_UNASSALPHA;
      TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, 1, &alpha);
    }
    if (frames.size() > 1) {
      TIFFSetField(tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
      TIFFSetField(tif, TIFFTAG_PAGENUMBER, static_cast<std::uint16_t>(&frame - frames.data()),
                   static_cast<std::uint16_t>(frames.size()));
    }
    if (options.resolution) {
      TIFFSetField(tif, TIFFTAG_XRESOLUTION, *options.resolution);
      TIFFSetField(tif, TIFFTAG_YRESOLUTION, *options.resolution);
      TIFFSetField(tif, TIFFTAG_RESOLUTIONUNIT, options.resolution_unit);
    }
    // One packed row as the file stores it: bits, RGB order, native 16-bit.
    auto pack_row = [&](int y) {
      std::vector<unsigned char> row;
      if (options.bilevel) {
        row.assign((frame.cols + 7) / 8, 0);
        for (int x = 0; x < frame.cols; ++x)
          if ((frame.at<unsigned char>(y, x) != 0) != white_is_zero) row[x / 8] |= static_cast<unsigned char>(0x80 >> (x % 8));
        return row;
      }
      const size_t sample_bytes = bits / 8;
      const unsigned char* src = frame.ptr(y);
      row.assign(src, src + static_cast<size_t>(frame.cols) * channels * sample_bytes);
      if (channels >= 3)
        for (int x = 0; x < frame.cols; ++x)
          for (size_t b = 0; b < sample_bytes; ++b)
            std::swap(row[(x * channels) * sample_bytes + b], row[(x * channels + 2) * sample_bytes + b]);
      if (channels == 1 && white_is_zero && bits == 8)
        for (auto& value : row) value = static_cast<unsigned char>(255 - value);
      return row;
    };
    if (options.tile_size > 0) {
      TIFFSetField(tif, TIFFTAG_TILEWIDTH, options.tile_size);
      TIFFSetField(tif, TIFFTAG_TILELENGTH, options.tile_size);
      std::vector<unsigned char> tile(static_cast<size_t>(TIFFTileSize(tif)));
      const size_t tile_row = static_cast<size_t>(TIFFTileRowSize(tif));
      // Byte offset and length of a run of pixels in a packed row (tiles start on a byte).
      auto bytes_for = [&](size_t pixels) { return (pixels * channels * bits + 7) / 8; };
      for (std::uint32_t ty = 0; ty < static_cast<std::uint32_t>(frame.rows); ty += options.tile_size)
        for (std::uint32_t tx = 0; tx < static_cast<std::uint32_t>(frame.cols); tx += options.tile_size) {
          std::fill(tile.begin(), tile.end(), 0);
          for (std::uint32_t r = 0; r < options.tile_size && ty + r < static_cast<std::uint32_t>(frame.rows); ++r) {
            const std::vector<unsigned char> row = pack_row(static_cast<int>(ty + r));
            const size_t columns = std::min<size_t>(options.tile_size, frame.cols - tx);
            std::copy_n(row.begin() + bytes_for(tx), bytes_for(columns), tile.begin() + r * tile_row);
          }
          TIFFWriteTile(tif, tile.data(), tx, ty, 0, 0);
        }
    } else {
      TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, options.rows_per_strip);
      for (int y = 0; y < frame.rows; ++y) {
        std::vector<unsigned char> row = pack_row(y);
        TIFFWriteScanline(tif, row.data(), static_cast<std::uint32_t>(y), 0);
      }
    }
    TIFFWriteDirectory(tif);
  }
  TIFFClose(tif);
}

void write_tiff_palette(const fs::path& path, const cv::Mat& indices,
                        const std::vector<std::array<unsigned char, 3>>& rgb_palette) {
  TIFF* tif = TIFFOpen(path.c_str(), "w");
  TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, static_cast<std::uint32_t>(indices.cols));
  TIFFSetField(tif, TIFFTAG_IMAGELENGTH, static_cast<std::uint32_t>(indices.rows));
  TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 8);
  TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
  TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_PALETTE);
  TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, static_cast<std::uint32_t>(indices.rows));
  std::vector<std::uint16_t> red(256), green(256), blue(256);
  for (size_t i = 0; i < rgb_palette.size(); ++i) {
    red[i] = static_cast<std::uint16_t>(rgb_palette[i][0] * 257);
    green[i] = static_cast<std::uint16_t>(rgb_palette[i][1] * 257);
    blue[i] = static_cast<std::uint16_t>(rgb_palette[i][2] * 257);
  }
  TIFFSetField(tif, TIFFTAG_COLORMAP, red.data(), green.data(), blue.data());
  for (int y = 0; y < indices.rows; ++y)
    TIFFWriteScanline(tif, const_cast<unsigned char*>(indices.ptr(y)), static_cast<std::uint32_t>(y), 0);
  TIFFClose(tif);
}

namespace {

void put_le(std::string& out, std::uint32_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

}  // namespace

void write_tiff_directory_first(const fs::path& path, const cv::Mat& grey, unsigned dpi) {
  const std::uint32_t width = static_cast<std::uint32_t>(grey.cols), height = static_cast<std::uint32_t>(grey.rows);
  constexpr int kEntries = 12;
  const std::uint32_t ifd = 8, rationals = ifd + 2 + kEntries * 12 + 4, pixels = rationals + 16;
  std::string out = "II";
  put_le(out, 42, 2);
  put_le(out, ifd, 4);
  put_le(out, kEntries, 2);
  auto entry = [&](std::uint16_t tag, std::uint16_t type, std::uint32_t value) {
    put_le(out, tag, 2);
    put_le(out, type, 2);
    put_le(out, 1, 4);
    put_le(out, value, type == 3 ? 2 : 4);
    if (type == 3) put_le(out, 0, 2);
  };
  entry(256, 4, width);
  entry(257, 4, height);
  entry(258, 3, 8);
  entry(259, 3, 1);
  entry(262, 3, 1);
  entry(273, 4, pixels);
  entry(277, 3, 1);
  entry(278, 4, height);
  entry(279, 4, width * height);
  entry(282, 5, rationals);
  entry(283, 5, rationals + 8);
  entry(296, 3, 2);
  put_le(out, 0, 4);
  put_le(out, dpi, 4), put_le(out, 1, 4), put_le(out, dpi, 4), put_le(out, 1, 4);
  for (int y = 0; y < grey.rows; ++y) out.append(reinterpret_cast<const char*>(grey.ptr(y)), width);
  write_bytes(path, out);
}

void write_tiff_claiming(const fs::path& path, std::uint32_t width, std::uint32_t height) {
  TIFF* tif = TIFFOpen(path.c_str(), "w");
  TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, width);
  TIFFSetField(tif, TIFFTAG_IMAGELENGTH, height);
  TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 8);
  TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
  TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
  TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
  TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, height);
  unsigned char few[64] = {};
  TIFFWriteRawStrip(tif, 0, few, sizeof few);
  TIFFWriteDirectory(tif);
  TIFFClose(tif);
}

std::string hand_built_tiff(std::vector<TiffTag> tags, const std::string& payload) {
  std::sort(tags.begin(), tags.end(), [](const TiffTag& a, const TiffTag& b) { return a.tag < b.tag; });
  std::string out = "II";
  put_le(out, 42, 2);
  const std::uint32_t ifd = kHandBuiltPayloadAt + static_cast<std::uint32_t>(payload.size() + payload.size() % 2);
  put_le(out, ifd, 4);
  out += payload;
  if (payload.size() % 2) out += '\0';
  std::string values;  // out-of-line values, after the directory
  const std::uint32_t values_at = ifd + 2 + 12 * static_cast<std::uint32_t>(tags.size()) + 4;
  put_le(out, static_cast<std::uint32_t>(tags.size()), 2);
  for (const TiffTag& t : tags) {
    const int size = t.type == 3 ? 2 : 4;
    put_le(out, t.tag, 2);
    put_le(out, t.type, 2);
    put_le(out, static_cast<std::uint32_t>(t.values.size()), 4);
    std::string packed;
    for (std::uint32_t v : t.values) put_le(packed, v, size);
    if (packed.size() <= 4) {
      packed.resize(4, '\0');
      out += packed;
    } else {
      put_le(out, values_at + static_cast<std::uint32_t>(values.size()), 4);
      values += packed;
    }
  }
  put_le(out, 0, 4);
  return out + values;
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

void keep_first_half(const fs::path& path) {
  const std::string bytes = read_bytes(path);
  write_bytes(path, bytes.substr(0, bytes.size() / 2));
}

std::uint32_t crc32(const unsigned char* data, std::size_t size) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < size; ++i) {
    crc ^= data[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

}  // namespace lantai::test_images
