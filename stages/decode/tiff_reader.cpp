#include "stages/decode/tiff_reader.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include <tiffio.h>

#include "stages/decode/cmyk_to_srgb.h"

namespace lantai::decode {

namespace {

// Per handle: libtiff hands this back to the handlers, so threads never share it.
struct Messages {
  char first_error[512] = {};
  char ifd_loop[512] = {};  // libtiff's word when a directory links back to an earlier one
};

// libtiff 4.5 words an IFD loop as an error or a warning depending on where it meets it.
void note_ifd_loop(Messages& messages, const char* format, va_list args) {
  if (messages.ifd_loop[0] != '\0' || !std::strstr(format, "IFD loop")) return;
  std::vsnprintf(messages.ifd_loop, sizeof messages.ifd_loop, format, args);
}

int on_error(TIFF*, void* user_data, const char*, const char* format, va_list args) {
  auto* messages = static_cast<Messages*>(user_data);
  va_list copy;
  va_copy(copy, args);
  note_ifd_loop(*messages, format, copy);
  va_end(copy);
  if (messages->first_error[0] == '\0')
    std::vsnprintf(messages->first_error, sizeof messages->first_error, format, args);
  return 1;  // handled: libtiff must not print to stderr
}

int on_warning(TIFF*, void* user_data, const char*, const char* format, va_list args) {
  note_ifd_loop(*static_cast<Messages*>(user_data), format, args);
  return 1;
}

struct TiffCloser {
  void operator()(TIFF* tif) const { TIFFClose(tif); }
};
using TiffHandle = std::unique_ptr<TIFF, TiffCloser>;

TiffHandle open_tiff(const std::filesystem::path& path, Messages& messages, tmsize_t max_alloc_bytes) {
  TIFFOpenOptions* options = TIFFOpenOptionsAlloc();
  if (!options) throw std::bad_alloc();
  TIFFOpenOptionsSetErrorHandlerExtR(options, on_error, &messages);
  TIFFOpenOptionsSetWarningHandlerExtR(options, on_warning, &messages);
  TIFFOpenOptionsSetMaxSingleMemAlloc(options, max_alloc_bytes);
  // "m": plain reads, no memory map: a file shrinking on a shared filesystem while mapped
  // would kill the process with SIGBUS instead of failing a read.
  TIFF* tif = TIFFOpenExt(path.c_str(), "rm", options);
  TIFFOpenOptionsFree(options);
  return TiffHandle(tif);
}

// libtiff reports a short read or seek with these; without a memory map that means the
// file ended.
bool ran_out_of_file(const char* error) {
  for (const char* sign : {"Can not read TIFF directory", "Cannot read TIFF directory", "Error fetching directory",
                           "Cannot read TIFF header", "Cannot read offset/size for strile", "IO error during reading",
                           "Read error", "Seek error"})
    if (std::strstr(error, sign)) return true;
  return false;
}

bool over_memory_cap(const char* error) { return std::strstr(error, "byte limit defined in open options") != nullptr; }

// The most bytes one compressed byte can decode to, for codecs where that is bounded;
// 0 where it is not (a blank CCITT or JPEG page takes a few bits a row or block).
std::uint64_t max_expansion(std::uint16_t compression) {
  switch (compression) {
    case COMPRESSION_LZW: return 3641;  // each code of at least 9 bits gives at most 4096 bytes
    case COMPRESSION_ADOBE_DEFLATE:
    case COMPRESSION_DEFLATE: return 1032;  // zlib's limit: a 258-byte match in 2 bits
    case COMPRESSION_PACKBITS: return 64;   // 2 bytes repeat one byte 128 times
    default: return 0;
  }
}
// Headers, a last partial code, a zlib stream's end: what a strip of a few bytes may add.
constexpr std::uint64_t kCodecSlackBytes = 4096;

// The most one frame's working buffers (a strip or tile, or the RGBA raster) may take,
// and the cap on each of libtiff's own allocations: room for a page within max_pixels at
// 8 bytes a pixel (16-bit RGBA), plus a little for small pages.
tmsize_t buffer_cap_bytes(const ReadLimits& limits) {
  const tmsize_t most = std::numeric_limits<tmsize_t>::max() / 16;
  return std::min<tmsize_t>(std::max<long long>(limits.max_pixels, 0), most) * 8 + (1 << 20);
}

std::uint64_t read_unsigned(std::span<const unsigned char> bytes, std::size_t at, std::size_t size, bool little) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < size; ++i)
    value |= static_cast<std::uint64_t>(bytes[at + i]) << (8 * (little ? i : size - 1 - i));
  return value;
}

// Whether the header's first-directory offset points past the end of the file.
bool first_directory_past_end(std::span<const unsigned char> head, std::uint64_t file_size) {
  if (head.size() < 8) return false;
  const bool little = head[0] == 'I';
  const std::uint64_t magic = read_unsigned(head, 2, 2, little);
  if (magic == 42) return read_unsigned(head, 4, 4, little) + 2 > file_size;
  if (magic == 43 && head.size() >= 16) return read_unsigned(head, 8, 8, little) + 8 > file_size;
  return false;
}

// 16-bit samples come from libtiff in native byte order.
unsigned char to_8bit(const unsigned char* sample, int bits) {
  if (bits == 8) return *sample;
  std::uint16_t value;
  std::memcpy(&value, sample, sizeof value);
  return static_cast<unsigned char>((value * 255u + 32767u) / 65535u);
}

// Alpha over white paper; associated (premultiplied) alpha already holds c·a.
unsigned char over_white(unsigned colour, unsigned alpha, bool associated) {
  if (associated) return static_cast<unsigned char>(std::min(255u, colour + 255u - alpha));
  return static_cast<unsigned char>((colour * alpha + 255u * (255u - alpha) + 127u) / 255u);
}

// How the samples of one directory are laid out, for the fast paths.
struct Layout {
  std::uint32_t width = 0, height = 0;
  std::uint16_t bits = 0, samples = 0, photometric = 0, planar = PLANARCONFIG_CONTIG;
  std::uint16_t compression = COMPRESSION_NONE, sample_format = SAMPLEFORMAT_UINT;
  int colours = 0;     // colour samples per pixel: 1 (grey), 3 (RGB) or 4 (CMYK)
  int alpha = -1;      // index of the alpha sample, or -1
  bool associated_alpha = false;
  bool white_is_zero = false;  // PHOTOMETRIC_MINISWHITE
  std::vector<unsigned char> icc_profile;  // CMYK: the embedded ICC profile

  bool fast() const {
    if (sample_format != SAMPLEFORMAT_UINT || compression == COMPRESSION_OJPEG) return false;
    if (planar != PLANARCONFIG_CONTIG && samples > 1) return false;
    if (colours == 1) return bits == 8 || bits == 16 || (bits == 1 && samples == 1);
    return (colours == 3 || colours == 4) && (bits == 8 || bits == 16);
  }
  // CMYK is read as stored (8 or 16 bits) and converted with its ICC profile afterwards.
  int read_type() const {
    if (colours == 4) return bits == 16 ? CV_16UC4 : CV_8UC4;
    return CV_8UC(colours == 1 ? 1 : 3);
  }

  // 8-bit samples with nothing but colour: the stored row is the page row, up to order.
  bool in_place() const { return bits == 8 && samples == colours; }

  // Turns a stored row read straight into the page into grey or BGR.
  void finish_in_place(unsigned char* row, int count) const {
    if (colours == 3) {
      for (int x = 0; x < count; ++x, row += 3) std::swap(row[0], row[2]);
    } else if (white_is_zero) {
      for (int x = 0; x < count; ++x) row[x] = static_cast<unsigned char>(255 - row[x]);
    }
  }

  // Converts count pixels starting at the first bit of src into 8-bit grey or BGR (CMYK:
  // copies the four ink samples, dropping any extra sample).
  void convert(const unsigned char* src, int count, unsigned char* dst) const {
    if (colours == 4) {
      const std::size_t pixel = 4u * (bits / 8);
      for (int x = 0; x < count; ++x, src += samples * (bits / 8), dst += pixel) std::memcpy(dst, src, pixel);
      return;
    }
    if (bits == 1) {
      for (int x = 0; x < count; ++x) {
        const bool set = src[x >> 3] & (0x80 >> (x & 7));
        dst[x] = set != white_is_zero ? 255 : 0;
      }
      return;
    }
    const int step = bits / 8;
    for (int x = 0; x < count; ++x, src += samples * step) {
      const unsigned a = alpha >= 0 ? to_8bit(src + alpha * step, bits) : 255u;
      if (colours == 1) {
        unsigned grey = to_8bit(src, bits);
        if (white_is_zero) grey = 255u - grey;
        *dst++ = a == 255u ? static_cast<unsigned char>(grey) : over_white(grey, a, associated_alpha);
      } else {
        for (int c = 2; c >= 0; --c) {  // RGB → BGR
          const unsigned value = to_8bit(src + c * step, bits);
          *dst++ = a == 255u ? static_cast<unsigned char>(value) : over_white(value, a, associated_alpha);
        }
      }
    }
  }
};

class FrameReader {
 public:
  FrameReader(TIFF* tif, const Messages& messages, std::uint64_t file_size, const ReadLimits& limits,
              DecodedImage& out)
      : tif_(tif), messages_(messages), file_size_(file_size), limits_(limits), out_(out) {}

  // Every size the directory gives is checked against the file and the limits before
  // anything is allocated for the pixels.
  void run() {
    if (!read_layout()) return;
    if (!accept_size(layout_.width, layout_.height, limits_, out_)) return;
    take_resolution();
    out_.bits_per_sample = layout_.bits;
    if (!TIFFIsCODECConfigured(layout_.compression)) {
      out_.fail(Problem::unsupported, "TIFF compression " + std::to_string(layout_.compression) + " is not supported");
      return;
    }
    if (!check_striles() || !check_data_in_file() || !check_working_bytes()) return;
    if (layout_.fast()) {
      out_.colour_mode = layout_.colours >= 3 ? ColourMode::colour
                         : layout_.bits == 1  ? ColourMode::bilevel
                                              : ColourMode::grey;
      out_.image.create(static_cast<int>(layout_.height), static_cast<int>(layout_.width), layout_.read_type());
      if (TIFFIsTiled(tif_)) read_tiles();
      else read_strips();
      if (layout_.colours == 4 && out_.problem == Problem::none) to_srgb();
    } else if (layout_.colours == 4) {
      out_.fail(Problem::unsupported, "CMYK TIFF with " + std::to_string(layout_.bits) +
                                          "-bit samples or one plane per ink is not supported");
    } else {
      read_rgba();
    }
  }

 private:
  bool read_layout() {
    Layout& l = layout_;
    TIFFGetField(tif_, TIFFTAG_IMAGEWIDTH, &l.width);
    TIFFGetField(tif_, TIFFTAG_IMAGELENGTH, &l.height);
    TIFFGetFieldDefaulted(tif_, TIFFTAG_BITSPERSAMPLE, &l.bits);
    TIFFGetFieldDefaulted(tif_, TIFFTAG_SAMPLESPERPIXEL, &l.samples);
    TIFFGetFieldDefaulted(tif_, TIFFTAG_PLANARCONFIG, &l.planar);
    TIFFGetFieldDefaulted(tif_, TIFFTAG_COMPRESSION, &l.compression);
    TIFFGetFieldDefaulted(tif_, TIFFTAG_SAMPLEFORMAT, &l.sample_format);
    if (!TIFFGetField(tif_, TIFFTAG_PHOTOMETRIC, &l.photometric)) {
      out_.fail(Problem::corrupt, "the TIFF directory has no PhotometricInterpretation");
      return false;
    }
    std::uint16_t extra_count = 0;
    std::uint16_t* extra_types = nullptr;
    TIFFGetFieldDefaulted(tif_, TIFFTAG_EXTRASAMPLES, &extra_count, &extra_types);

    if (l.photometric == PHOTOMETRIC_SEPARATED) {
      std::uint16_t ink_set = INKSET_CMYK;
      TIFFGetFieldDefaulted(tif_, TIFFTAG_INKSET, &ink_set);
      if (ink_set != INKSET_CMYK || l.samples < 4) {
        out_.fail(Problem::unsupported, "a separated TIFF of other inks than CMYK is not supported");
        return false;
      }
      std::uint32_t icc_size = 0;
      void* icc = nullptr;
      if (TIFFGetField(tif_, TIFFTAG_ICCPROFILE, &icc_size, &icc) && icc && icc_size > 0)
        l.icc_profile.assign(static_cast<unsigned char*>(icc), static_cast<unsigned char*>(icc) + icc_size);
      else {
        // Checked before decoding: without a profile the page is refused whatever its pixels.
        out_.fail(Problem::unsupported, "CMYK without an ICC profile: its colours cannot be known");
        return false;
      }
      l.colours = 4;
    }
    if (l.sample_format != SAMPLEFORMAT_UINT) {
      out_.fail(Problem::unsupported, "TIFF with floating-point or signed samples is not supported");
      return false;
    }
    // JPEG-in-TIFF stored as YCbCr: let libjpeg convert to RGB.
    if (l.compression == COMPRESSION_JPEG && l.photometric == PHOTOMETRIC_YCBCR &&
        TIFFSetField(tif_, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB))
      l.photometric = PHOTOMETRIC_RGB;

    if (l.photometric == PHOTOMETRIC_MINISBLACK || l.photometric == PHOTOMETRIC_MINISWHITE) l.colours = 1;
    else if (l.photometric == PHOTOMETRIC_RGB) l.colours = 3;
    if (l.colours == 4) return true;  // extra samples after the four inks are dropped
    l.white_is_zero = l.photometric == PHOTOMETRIC_MINISWHITE;
    if (l.colours > 0 && l.samples < l.colours) l.colours = 0;  // inconsistent: leave it to the RGBA path
    if (l.colours > 0 && extra_count > 0 && l.samples > l.colours &&
        (extra_types[0] == EXTRASAMPLE_ASSOCALPHA || extra_types[0] == EXTRASAMPLE_UNASSALPHA)) {
      l.alpha = l.colours;
      l.associated_alpha = extra_types[0] == EXTRASAMPLE_ASSOCALPHA;
    }
    return true;
  }

  void take_resolution() {
    float x = 0, y = 0;
    std::uint16_t unit = RESUNIT_INCH;
    const bool has_x = TIFFGetField(tif_, TIFFTAG_XRESOLUTION, &x);
    const bool has_y = TIFFGetField(tif_, TIFFTAG_YRESOLUTION, &y);
    TIFFGetFieldDefaulted(tif_, TIFFTAG_RESOLUTIONUNIT, &unit);
    if (!has_x && !has_y) {
      out_.missing_resolution_note = "no XResolution tag";
      return;
    }
    if (unit != RESUNIT_INCH && unit != RESUNIT_CENTIMETER) {
      out_.missing_resolution_note = "ResolutionUnit is none";
      return;
    }
    if (!has_y) y = x;
    if (!has_x) x = y;
    const double per_unit = unit == RESUNIT_INCH ? 1.0 : 2.54;
    out_.resolution = TaggedResolution{snap_dpi(x * per_unit, 0), snap_dpi(y * per_unit, 0), "TIFF"};
  }

  std::uint32_t strile_count() const { return TIFFIsTiled(tif_) ? TIFFNumberOfTiles(tif_) : TIFFNumberOfStrips(tif_); }

  // Saturates instead of wrapping round: BigTIFF offsets and counts are any 64-bit value.
  std::uint64_t strile_end(std::uint32_t strile) const {
    const std::uint64_t offset = TIFFGetStrileOffset(tif_, strile), count = TIFFGetStrileByteCount(tif_, strile);
    return count > std::numeric_limits<std::uint64_t>::max() - offset ? std::numeric_limits<std::uint64_t>::max()
                                                                         : offset + count;
  }

  const char* strile_kind() const { return TIFFIsTiled(tif_) ? "tile" : "strip"; }

  // Refuses, before decoding anything, a frame whose strips or tiles lie past the file's end.
  bool check_striles() {
    const std::uint32_t count = strile_count();
    for (std::uint32_t i = 0; i < count; ++i) {
      if (TIFFGetStrileByteCount(tif_, i) == 0) continue;  // sparse: legal, reads as empty
      if (strile_end(i) > file_size_) {
        out_.fail(Problem::truncated, std::string(strile_kind()) + " " + std::to_string(i) + " ends at byte " +
                                          std::to_string(strile_end(i)) + ", past the end of the file (" +
                                          std::to_string(file_size_) + " bytes)");
        return false;
      }
    }
    return true;
  }

  // The bytes strip or tile `strile` decodes to (one plane's, for planar files).
  std::uint64_t decoded_bytes(std::uint32_t strile) const {
    if (TIFFIsTiled(tif_)) return TIFFTileSize64(tif_);
    std::uint32_t rows_per_strip = 0;
    TIFFGetFieldDefaulted(tif_, TIFFTAG_ROWSPERSTRIP, &rows_per_strip);
    rows_per_strip = std::clamp<std::uint32_t>(rows_per_strip, 1, layout_.height);
    const std::uint32_t strips_per_plane = (layout_.height - 1) / rows_per_strip + 1;
    const std::uint64_t first_row = static_cast<std::uint64_t>(strile % strips_per_plane) * rows_per_strip;
    if (first_row >= layout_.height) return 0;
    return TIFFVStripSize64(tif_, std::min<std::uint32_t>(rows_per_strip, layout_.height - static_cast<std::uint32_t>(first_row)));
  }

  // Refuses a frame whose strips or tiles cannot hold its pixels, whatever their byte
  // counts claim. libtiff reads an uncompressed strip for its full decoded size from its
  // offset, so that must lie within the file; a compressed one with a codec of bounded
  // expansion must have enough bytes to decode to its size.
  bool check_data_in_file() {
    const bool uncompressed = layout_.compression == COMPRESSION_NONE;
    const std::uint64_t expansion = max_expansion(layout_.compression);
    if (!uncompressed && expansion == 0) return true;
    for (std::uint32_t i = 0, count = strile_count(); i < count; ++i) {
      const std::uint64_t byte_count = TIFFGetStrileByteCount(tif_, i);
      if (byte_count == 0) continue;  // sparse, as in check_striles
      const std::uint64_t needed = decoded_bytes(i);
      const std::uint64_t offset = TIFFGetStrileOffset(tif_, i);
      if (uncompressed && (offset > file_size_ || needed > file_size_ - offset)) {
        out_.fail(Problem::truncated, "uncompressed " + std::string(strile_kind()) + " " + std::to_string(i) +
                                          " needs " + std::to_string(needed) + " bytes from byte " +
                                          std::to_string(offset) + ", past the end of the file (" +
                                          std::to_string(file_size_) + " bytes)");
        return false;
      }
      if (!uncompressed && byte_count * expansion + kCodecSlackBytes < needed) {
        out_.fail(Problem::corrupt, std::string(strile_kind()) + " " + std::to_string(i) + " holds " +
                                        std::to_string(byte_count) + " bytes, too few to decode to its " +
                                        std::to_string(needed) + " bytes");
        return false;
      }
    }
    return true;
  }

  // Refuses a frame whose one strip or tile (or RGBA raster) would need more memory than a
  // page within max_pixels: tile sizes and samples per pixel are not bounded by the page.
  bool check_working_bytes() {
    std::uint64_t bytes = std::uint64_t{layout_.width} * layout_.height * 4;
    const char* what = "the RGBA raster";
    if (layout_.fast()) {
      bytes = TIFFIsTiled(tif_) ? TIFFTileSize64(tif_) : TIFFStripSize64(tif_);
      what = TIFFIsTiled(tif_) ? "one tile" : "one strip";
    }
    const auto cap = static_cast<std::uint64_t>(buffer_cap_bytes(limits_));
    if (bytes <= cap) return true;
    out_.fail(Problem::too_large, std::string(what) + " needs " + std::to_string(bytes) +
                                      " bytes, more than the " + std::to_string(cap) + " allowed by max_pixels " +
                                      std::to_string(limits_.max_pixels));
    return false;
  }

  void fail_read(std::uint32_t strile) {
    const std::string where = std::string(strile_kind()) + " " + std::to_string(strile) + ": ";
    const char* error = messages_.first_error[0] ? messages_.first_error : "libtiff could not decode it";
    if (over_memory_cap(error)) out_.fail(Problem::too_large, where + error);
    else if (ran_out_of_file(error) || strile_end(strile) >= file_size_) out_.fail(Problem::truncated, where + error);
    else out_.fail(Problem::corrupt, where + error);
  }

  void read_strips() {
    std::uint32_t rows_per_strip = 0;
    TIFFGetFieldDefaulted(tif_, TIFFTAG_ROWSPERSTRIP, &rows_per_strip);
    rows_per_strip = std::clamp<std::uint32_t>(rows_per_strip, 1, layout_.height);
    const tmsize_t strip_bytes = TIFFStripSize(tif_);
    const tmsize_t row_bytes = TIFFScanlineSize(tif_);
    if (strip_bytes <= 0 || row_bytes <= 0) {
      out_.fail(Problem::corrupt, "libtiff cannot size the strips");
      return;
    }
    // The usual scanner output (8-bit grey or RGB, nothing else) decodes straight into the
    // page, so a single-strip page does not need a second page-sized buffer.
    const bool in_place = layout_.in_place() && static_cast<std::size_t>(row_bytes) == out_.image.step[0];
    std::vector<unsigned char> buffer(in_place ? 0 : static_cast<std::size_t>(strip_bytes));
    for (std::uint32_t row = 0, strip = 0; row < layout_.height; row += rows_per_strip, ++strip) {
      const std::uint32_t rows = std::min(rows_per_strip, layout_.height - row);
      unsigned char* target = in_place ? out_.image.ptr(static_cast<int>(row)) : buffer.data();
      if (TIFFReadEncodedStrip(tif_, strip, target, TIFFVStripSize(tif_, rows)) < 0) {
        fail_read(strip);
        return;
      }
      for (std::uint32_t r = 0; r < rows; ++r) {
        unsigned char* page_row = out_.image.ptr(static_cast<int>(row + r));
        if (in_place) layout_.finish_in_place(page_row, static_cast<int>(layout_.width));
        else layout_.convert(buffer.data() + r * row_bytes, static_cast<int>(layout_.width), page_row);
      }
    }
  }

  void read_tiles() {
    std::uint32_t tile_width = 0, tile_height = 0;
    TIFFGetField(tif_, TIFFTAG_TILEWIDTH, &tile_width);
    TIFFGetField(tif_, TIFFTAG_TILELENGTH, &tile_height);
    const tmsize_t tile_bytes = TIFFTileSize(tif_);
    const tmsize_t row_bytes = TIFFTileRowSize(tif_);
    if (tile_width == 0 || tile_height == 0 || tile_bytes <= 0 || row_bytes <= 0) {
      out_.fail(Problem::corrupt, "libtiff cannot size the tiles");
      return;
    }
    std::vector<unsigned char> buffer(static_cast<std::size_t>(tile_bytes));
    const std::size_t pixel_bytes = out_.image.elemSize();
    for (std::uint32_t y = 0; y < layout_.height; y += tile_height) {
      for (std::uint32_t x = 0; x < layout_.width; x += tile_width) {
        const std::uint32_t tile = TIFFComputeTile(tif_, x, y, 0, 0);
        if (TIFFReadEncodedTile(tif_, tile, buffer.data(), tile_bytes) < 0) {
          fail_read(tile);
          return;
        }
        const std::uint32_t rows = std::min(tile_height, layout_.height - y);
        const int columns = static_cast<int>(std::min(tile_width, layout_.width - x));
        for (std::uint32_t r = 0; r < rows; ++r)
          layout_.convert(buffer.data() + r * row_bytes, columns,
                          out_.image.ptr(static_cast<int>(y + r)) + static_cast<std::size_t>(x) * pixel_bytes);
      }
    }
  }

  // The CMYK page as read, through its ICC profile into sRGB.
  void to_srgb() {
    cv::Mat bgr;
    const std::string why = cmyk_to_bgr(out_.image, false, layout_.icc_profile, bgr);
    if (!why.empty()) {
      out_.fail(Problem::unsupported, why);
      return;
    }
    out_.image = bgr;
  }

  // Odd layouts: libtiff's RGBA reader, which knows palettes, YCbCr, planes and small depths.
  void read_rgba() {
    char why[1024] = {};
    if (!TIFFRGBAImageOK(tif_, why)) {
      out_.fail(Problem::unsupported, std::string("TIFF layout not supported: ") + why);
      return;
    }
    std::uint16_t orientation = ORIENTATION_TOPLEFT;
    TIFFGetFieldDefaulted(tif_, TIFFTAG_ORIENTATION, &orientation);
    // Asking for the file's own orientation keeps the raster as stored (no flips).
    if (orientation > ORIENTATION_BOTLEFT) orientation = ORIENTATION_TOPLEFT;
    std::vector<std::uint32_t> raster(static_cast<std::size_t>(layout_.width) * layout_.height);
    if (!TIFFReadRGBAImageOriented(tif_, layout_.width, layout_.height, raster.data(), orientation, 1)) {
      const char* error = messages_.first_error[0] ? messages_.first_error : "libtiff could not decode it";
      bool reaches_end = ran_out_of_file(error);
      for (std::uint32_t i = 0, count = strile_count(); i < count && !reaches_end; ++i)
        reaches_end = strile_end(i) >= file_size_;
      out_.fail(over_memory_cap(error) ? Problem::too_large : reaches_end ? Problem::truncated : Problem::corrupt,
                error);
      return;
    }
    const bool grey = layout_.colours == 1;
    out_.colour_mode = !grey ? ColourMode::colour : layout_.bits == 1 ? ColourMode::bilevel : ColourMode::grey;
    out_.image.create(static_cast<int>(layout_.height), static_cast<int>(layout_.width), grey ? CV_8UC1 : CV_8UC3);
    for (int y = 0; y < out_.image.rows; ++y) {
      const std::uint32_t* src = raster.data() + static_cast<std::size_t>(y) * layout_.width;
      unsigned char* dst = out_.image.ptr(y);
      for (int x = 0; x < out_.image.cols; ++x) {
        const std::uint32_t p = src[x];
        const unsigned a = TIFFGetA(p);  // the RGBA reader premultiplies
        if (grey) {
          *dst++ = over_white(TIFFGetR(p), a, true);
        } else {
          *dst++ = over_white(TIFFGetB(p), a, true);
          *dst++ = over_white(TIFFGetG(p), a, true);
          *dst++ = over_white(TIFFGetR(p), a, true);
        }
      }
    }
  }

  TIFF* tif_;
  const Messages& messages_;
  std::uint64_t file_size_;
  ReadLimits limits_;
  DecodedImage& out_;
  Layout layout_;
};

void read_frame(const std::filesystem::path& path, int frame, std::span<const unsigned char> head,
                std::uint64_t file_size, const ReadLimits& limits, DecodedImage& out) {
  Messages messages;
  TiffHandle tif = open_tiff(path, messages, buffer_cap_bytes(limits));
  if (!tif) {
    if (first_directory_past_end(head, file_size) || ran_out_of_file(messages.first_error))
      out.fail(Problem::truncated, "the first TIFF directory lies past the end of the file (" +
                                       std::to_string(file_size) + " bytes)");
    else
      out.fail(Problem::corrupt, std::string("libtiff cannot open it: ") + messages.first_error);
    return;
  }
  messages.first_error[0] = '\0';  // an error opening the first directory is not about this frame
  if (frame > 0 && !TIFFSetDirectory(tif.get(), static_cast<tdir_t>(frame))) {
    if (messages.ifd_loop[0])
      out.fail(Problem::corrupt, "its chain of TIFF directories loops back before frame " + std::to_string(frame) +
                                     " (libtiff: " + messages.ifd_loop + ")");
    else if (ran_out_of_file(messages.first_error))
      out.fail(Problem::truncated, "frame " + std::to_string(frame) + " lies past the end of the file (libtiff: " +
                                       messages.first_error + ")");
    else if (messages.first_error[0])
      out.fail(Problem::corrupt, "cannot read frame " + std::to_string(frame) + " (libtiff: " + messages.first_error + ")");
    else
      out.fail(Problem::corrupt, "the file has no frame " + std::to_string(frame));
    return;
  }
  messages.first_error[0] = '\0';  // what follows is about this frame's pixels
  FrameReader(tif.get(), messages, file_size, limits, out).run();
}

}  // namespace

DecodedImage read_tiff(const std::filesystem::path& path, int frame, std::span<const unsigned char> head,
                       std::uint64_t file_size, const ReadLimits& limits) {
  DecodedImage out;
  guard_allocations(out, [&] { read_frame(path, frame, head, file_size, limits, out); });
  return out;
}

}  // namespace lantai::decode
