#include "stages/decode/image_probe.h"

#include <tiffio.h>

#include <array>
#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

#include "stages/decode/image_format.h"
#include "stages/decode/jp2_reader.h"

namespace lantai::decode {

namespace {

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

std::uint32_t big_endian(const unsigned char* bytes, int size) {
  std::uint32_t value = 0;
  for (int i = 0; i < size; ++i) value = value << 8 | bytes[i];
  return value;
}

// PNG: IHDR is the first chunk, at a fixed place.
std::uint64_t png_pixels(std::FILE* file) {
  std::array<unsigned char, 24> head{};
  if (std::fread(head.data(), 1, head.size(), file) != head.size()) return 0;
  return std::uint64_t{big_endian(&head[16], 4)} * big_endian(&head[20], 4);
}

// JPEG: walks the markers to the first start-of-frame (SOF0-SOF15 but DHT, JPG, DAC).
std::uint64_t jpeg_pixels(std::FILE* file) {
  unsigned char marker[4];
  if (std::fread(marker, 1, 2, file) != 2) return 0;
  for (int guard = 0; guard < 10'000; ++guard) {
    int c = std::fgetc(file);
    while (c == 0xFF) c = std::fgetc(file);  // fill bytes
    if (c == EOF) return 0;
    const bool sof = c >= 0xC0 && c <= 0xCF && c != 0xC4 && c != 0xC8 && c != 0xCC;
    if (std::fread(marker, 1, 2, file) != 2) return 0;
    const std::uint32_t length = big_endian(marker, 2);
    if (sof) {
      unsigned char frame[5];
      if (std::fread(frame, 1, 5, file) != 5) return 0;
      return std::uint64_t{big_endian(&frame[1], 2)} * big_endian(&frame[3], 2);
    }
    if (length < 2 || std::fseek(file, static_cast<long>(length) - 2, SEEK_CUR) != 0) return 0;
    if (std::fgetc(file) != 0xFF) return 0;
  }
  return 0;
}

int silent(TIFF*, void*, const char*, const char*, va_list) { return 1; }

std::uint64_t tiff_pixels(const std::filesystem::path& path, int frame) {
  TIFFOpenOptions* options = TIFFOpenOptionsAlloc();
  if (!options) return 0;
  TIFFOpenOptionsSetErrorHandlerExtR(options, silent, nullptr);
  TIFFOpenOptionsSetWarningHandlerExtR(options, silent, nullptr);
  TIFF* tif = TIFFOpenExt(path.c_str(), "rm", options);
  TIFFOpenOptionsFree(options);
  if (!tif) return 0;
  std::uint32_t width = 0, height = 0;
  if (TIFFSetDirectory(tif, static_cast<tdir_t>(frame))) {
    TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &width);
    TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &height);
  }
  TIFFClose(tif);
  return std::uint64_t{width} * height;
}

}  // namespace

std::uint64_t probe_pixels(const std::filesystem::path& path, int frame) {
  File file(std::fopen(path.c_str(), "rb"));
  if (!file) return 0;
  std::array<unsigned char, kSignatureBytes> head{};
  const std::size_t size = std::fread(head.data(), 1, head.size(), file.get());
  std::rewind(file.get());
  switch (sniff_format({head.data(), size}).format) {
    case ImageFormat::png: return png_pixels(file.get());
    case ImageFormat::jpeg: return jpeg_pixels(file.get());
    case ImageFormat::tiff:
      file.reset();
      return tiff_pixels(path, frame);
    case ImageFormat::jpeg2000: {
      std::vector<unsigned char> bytes(64 * 1024);
      bytes.resize(std::fread(bytes.data(), 1, bytes.size(), file.get()));
      const std::optional<Jp2Size> size = jp2_size(bytes);
      return size ? size->width_px * size->height_px : 0;
    }
    case ImageFormat::unknown: break;
  }
  return 0;
}

}  // namespace lantai::decode
