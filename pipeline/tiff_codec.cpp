#include "pipeline/tiff_codec.h"

#include <sys/stat.h>
#include <tiffio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>
#include <utility>
#include <stdexcept>
#include <vector>

namespace lantai {

namespace {

// The bytes behind a libtiff handle: read from a view, or written into a string.
struct Memory {
  std::string* out = nullptr;
  std::string_view in;
  toff_t at = 0;
  std::size_t size() const { return out ? out->size() : in.size(); }
};

tmsize_t memory_read(thandle_t handle, void* buffer, tmsize_t size) {
  auto* memory = static_cast<Memory*>(handle);
  if (memory->at >= memory->size()) return 0;
  const std::size_t count = std::min<std::size_t>(static_cast<std::size_t>(size), memory->size() - memory->at);
  std::memcpy(buffer, (memory->out ? memory->out->data() : memory->in.data()) + memory->at, count);
  memory->at += count;
  return static_cast<tmsize_t>(count);
}
tmsize_t memory_write(thandle_t handle, void* buffer, tmsize_t size) {
  auto* memory = static_cast<Memory*>(handle);
  if (!memory->out) return -1;
  if (memory->out->size() < memory->at + size) memory->out->resize(memory->at + size);
  std::memcpy(memory->out->data() + memory->at, buffer, static_cast<std::size_t>(size));
  memory->at += size;
  return size;
}
toff_t memory_seek(thandle_t handle, toff_t offset, int whence) {
  auto* memory = static_cast<Memory*>(handle);
  const toff_t base = whence == SEEK_CUR ? memory->at : whence == SEEK_END ? memory->size() : 0;
  memory->at = base + offset;
  return memory->at;
}
int memory_close(thandle_t) { return 0; }
toff_t memory_size(thandle_t handle) { return static_cast<Memory*>(handle)->size(); }
int no_map(thandle_t, void**, toff_t*) { return 0; }
void no_unmap(thandle_t, void*, toff_t) {}

struct Messages {
  char first_error[512] = {};
};
int on_error(TIFF*, void* data, const char*, const char* format, va_list args) {
  auto* messages = static_cast<Messages*>(data);
  if (messages->first_error[0] == '\0') std::vsnprintf(messages->first_error, sizeof messages->first_error, format, args);
  return 1;
}
int on_warning(TIFF*, void*, const char*, const char*, va_list) { return 1; }

struct TiffCloser {
  void operator()(TIFF* tif) const { TIFFClose(tif); }
};
using Handle = std::unique_ptr<TIFF, TiffCloser>;

Handle open(Memory& memory, const char* mode, Messages& messages) {
  TIFFOpenOptions* options = TIFFOpenOptionsAlloc();
  if (!options) throw std::bad_alloc();
  TIFFOpenOptionsSetErrorHandlerExtR(options, on_error, &messages);
  TIFFOpenOptionsSetWarningHandlerExtR(options, on_warning, nullptr);
  TIFF* tif = TIFFClientOpenExt("memory", mode, &memory, memory_read, memory_write, memory_seek, memory_close,
                                memory_size, no_map, no_unmap, options);
  TIFFOpenOptionsFree(options);
  if (!tif) throw std::runtime_error(std::string("libtiff cannot open the image: ") + messages.first_error);
  return Handle(tif);
}

}  // namespace

namespace {

// The bytes of one libtiff handle written to a file descriptor with pread/pwrite, which
// libtiff needs to link each page's directory to the next; closing the handle leaves the
// descriptor open for its owner (OutputFile).
struct Descriptor {
  int fd = -1;
  toff_t at = 0;
};
tmsize_t descriptor_read(thandle_t handle, void* buffer, tmsize_t size) {
  auto* file = static_cast<Descriptor*>(handle);
  const ssize_t n = ::pread(file->fd, buffer, static_cast<std::size_t>(size), static_cast<off_t>(file->at));
  if (n > 0) file->at += static_cast<toff_t>(n);
  return n;
}
tmsize_t descriptor_write(thandle_t handle, void* buffer, tmsize_t size) {
  auto* file = static_cast<Descriptor*>(handle);
  const char* data = static_cast<const char*>(buffer);
  tmsize_t done = 0;
  while (done < size) {
    const ssize_t n = ::pwrite(file->fd, data + done, static_cast<std::size_t>(size - done),
                               static_cast<off_t>(file->at + static_cast<toff_t>(done)));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    done += n;
  }
  file->at += static_cast<toff_t>(done);
  return done;
}
toff_t descriptor_seek(thandle_t handle, toff_t offset, int whence) {
  auto* file = static_cast<Descriptor*>(handle);
  toff_t base = 0;
  if (whence == SEEK_CUR) base = file->at;
  if (whence == SEEK_END) {
    struct stat info {};
    if (::fstat(file->fd, &info) != 0) return static_cast<toff_t>(-1);
    base = static_cast<toff_t>(info.st_size);
  }
  file->at = base + offset;
  return file->at;
}
toff_t descriptor_size(thandle_t handle) {
  struct stat info {};
  return ::fstat(static_cast<Descriptor*>(handle)->fd, &info) == 0 ? static_cast<toff_t>(info.st_size) : 0;
}

// One page as encode_tiff writes it, into the current directory of tif; page: its number
// and the count in a multi-page file.
void write_page(TIFF* tif, const cv::Mat& image, TiffCompression compression, std::optional<double> resolution_dpi,
                std::optional<std::pair<int, int>> page, const Messages& messages) {
  if (image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3) || image.empty())
    throw std::runtime_error("TIFF: only 8-bit grey or BGR images can be written");
  const bool bilevel = compression == TiffCompression::g4;
  if (bilevel && image.channels() != 1) throw std::runtime_error("TIFF G4: the page must be grey (black and white)");
  const int channels = image.channels();
  TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, static_cast<std::uint32_t>(image.cols));
  TIFFSetField(tif, TIFFTAG_IMAGELENGTH, static_cast<std::uint32_t>(image.rows));
  TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, bilevel ? 1 : 8);
  TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, channels);
  // Bilevel pages as fax machines and archives keep them: 0 is white.
  TIFFSetField(tif, TIFFTAG_PHOTOMETRIC,
               bilevel ? PHOTOMETRIC_MINISWHITE : channels == 1 ? PHOTOMETRIC_MINISBLACK : PHOTOMETRIC_RGB);
  TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField(tif, TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT);
  TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, static_cast<std::uint32_t>(image.rows));
  if (page) {
    TIFFSetField(tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
    TIFFSetField(tif, TIFFTAG_PAGENUMBER, static_cast<std::uint16_t>(page->first),
                 static_cast<std::uint16_t>(page->second));
  }
  switch (compression) {
    case TiffCompression::lzw:
      TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_LZW);
      TIFFSetField(tif, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL);
      break;
    case TiffCompression::deflate:
      TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
      TIFFSetField(tif, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL);
      break;
    case TiffCompression::g4: TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4); break;
  }
  if (resolution_dpi && *resolution_dpi > 0) {
    TIFFSetField(tif, TIFFTAG_XRESOLUTION, static_cast<float>(*resolution_dpi));
    TIFFSetField(tif, TIFFTAG_YRESOLUTION, static_cast<float>(*resolution_dpi));
    TIFFSetField(tif, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
  }
  std::vector<unsigned char> row(static_cast<std::size_t>(image.cols) * channels);
  for (int y = 0; y < image.rows; ++y) {
    const unsigned char* source = image.ptr(y);
    if (bilevel) {
      std::fill(row.begin(), row.end(), 0);
      for (int x = 0; x < image.cols; ++x)
        if (source[x] < 128) row[x >> 3] |= static_cast<unsigned char>(0x80 >> (x & 7));  // black = 1
    } else if (channels == 3) {
      for (int x = 0; x < image.cols; ++x) {
        row[3 * x] = source[3 * x + 2];
        row[3 * x + 1] = source[3 * x + 1];
        row[3 * x + 2] = source[3 * x];
      }
    } else {
      std::memcpy(row.data(), source, row.size());
    }
    if (TIFFWriteScanline(tif, row.data(), static_cast<std::uint32_t>(y), 0) < 0)
      throw std::runtime_error(std::string("libtiff cannot write the image: ") + messages.first_error);
  }
  if (!TIFFWriteDirectory(tif))
    throw std::runtime_error(std::string("libtiff cannot write the directory: ") + messages.first_error);
}

}  // namespace

std::string encode_tiff(const cv::Mat& image, TiffCompression compression, std::optional<double> resolution_dpi) {
  std::string bytes;
  Memory memory{&bytes};
  Messages messages;
  {
    Handle tif = open(memory, "w", messages);
    write_page(tif.get(), image, compression, resolution_dpi, std::nullopt, messages);
  }
  return bytes;
}

struct TiffPagesWriter::State {
  Descriptor file;
  Messages messages;
  Handle tif;
  int written = 0;
};

TiffPagesWriter::TiffPagesWriter(int fd, int page_count, bool big) : state_(std::make_unique<State>()), page_count_(page_count) {
  state_->file.fd = fd;
  TIFFOpenOptions* options = TIFFOpenOptionsAlloc();
  if (!options) throw std::bad_alloc();
  TIFFOpenOptionsSetErrorHandlerExtR(options, on_error, &state_->messages);
  TIFFOpenOptionsSetWarningHandlerExtR(options, on_warning, nullptr);
  TIFF* tif = TIFFClientOpenExt("pages", big ? "w8" : "w", &state_->file, descriptor_read, descriptor_write,
                                descriptor_seek, memory_close, descriptor_size, no_map, no_unmap, options);
  TIFFOpenOptionsFree(options);
  if (!tif) throw std::runtime_error(std::string("libtiff cannot start the file: ") + state_->messages.first_error);
  state_->tif.reset(tif);
}

TiffPagesWriter::~TiffPagesWriter() = default;

void TiffPagesWriter::add(const cv::Mat& image, TiffCompression compression, std::optional<double> resolution_dpi) {
  if (!state_->tif) throw std::logic_error("TiffPagesWriter::add after finish");
  write_page(state_->tif.get(), image, compression, resolution_dpi, std::pair{state_->written, page_count_},
             state_->messages);
  ++state_->written;
}

void TiffPagesWriter::finish() {
  if (state_->written != page_count_)
    throw std::logic_error("TiffPagesWriter: " + std::to_string(state_->written) + " pages written of " +
                           std::to_string(page_count_));
  state_->tif.reset();  // TIFFClose flushes the last directory
}

TiffPage decode_tiff(std::string_view bytes) {
  Memory memory{nullptr, bytes};
  Messages messages;
  Handle tif = open(memory, "rm", messages);
  std::uint32_t width = 0, height = 0;
  std::uint16_t bits = 0, samples = 0, photometric = 0, planar = PLANARCONFIG_CONTIG, unit = RESUNIT_INCH;
  TIFFGetField(tif.get(), TIFFTAG_IMAGEWIDTH, &width);
  TIFFGetField(tif.get(), TIFFTAG_IMAGELENGTH, &height);
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_BITSPERSAMPLE, &bits);
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_SAMPLESPERPIXEL, &samples);
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_PLANARCONFIG, &planar);
  TIFFGetField(tif.get(), TIFFTAG_PHOTOMETRIC, &photometric);
  const bool grey = samples == 1 && (photometric == PHOTOMETRIC_MINISBLACK || photometric == PHOTOMETRIC_MINISWHITE);
  const bool rgb = samples == 3 && photometric == PHOTOMETRIC_RGB && bits == 8;
  if (width == 0 || height == 0 || width > 1'000'000 || height > 1'000'000 || planar != PLANARCONFIG_CONTIG ||
      !((grey && (bits == 1 || bits == 8)) || rgb))
    throw std::runtime_error("not a TIFF lantai writes (8-bit grey or RGB, or 1-bit, one plane)");
  TiffPage page;
  page.bits_per_sample = bits;
  float x = 0, y = 0;
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_RESOLUTIONUNIT, &unit);
  if (TIFFGetField(tif.get(), TIFFTAG_XRESOLUTION, &x) && TIFFGetField(tif.get(), TIFFTAG_YRESOLUTION, &y) &&
      (unit == RESUNIT_INCH || unit == RESUNIT_CENTIMETER)) {
    const double per_unit = unit == RESUNIT_INCH ? 1.0 : 2.54;
    page.x_dpi = x * per_unit;
    page.y_dpi = y * per_unit;
  }
  page.image.create(static_cast<int>(height), static_cast<int>(width), rgb ? CV_8UC3 : CV_8UC1);
  std::vector<unsigned char> row(static_cast<std::size_t>(TIFFScanlineSize(tif.get())));
  const bool white_is_zero = photometric == PHOTOMETRIC_MINISWHITE;
  for (std::uint32_t r = 0; r < height; ++r) {
    if (TIFFReadScanline(tif.get(), row.data(), r, 0) < 0)
      throw std::runtime_error(std::string("TIFF data damaged: ") + messages.first_error);
    unsigned char* target = page.image.ptr(static_cast<int>(r));
    for (std::uint32_t c = 0; c < width; ++c) {
      if (bits == 1) {
        const bool set = row[c >> 3] & (0x80 >> (c & 7));
        target[c] = set != white_is_zero ? 255 : 0;
      } else if (rgb) {
        target[3 * c] = row[3 * c + 2];
        target[3 * c + 1] = row[3 * c + 1];
        target[3 * c + 2] = row[3 * c];
      } else {
        target[c] = white_is_zero ? static_cast<unsigned char>(255 - row[c]) : row[c];
      }
    }
  }
  return page;
}

std::optional<std::string> g4_strip(std::string_view bytes) {
  Memory memory{nullptr, bytes};
  Messages messages;
  Handle tif = open(memory, "rm", messages);
  std::uint16_t compression = 0, photometric = 0, fill_order = FILLORDER_MSB2LSB, bits = 0, samples = 0;
  std::uint32_t t6_options = 0;
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_COMPRESSION, &compression);
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_FILLORDER, &fill_order);
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_BITSPERSAMPLE, &bits);
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_SAMPLESPERPIXEL, &samples);
  TIFFGetField(tif.get(), TIFFTAG_PHOTOMETRIC, &photometric);
  if (compression != COMPRESSION_CCITTFAX4 || photometric != PHOTOMETRIC_MINISWHITE || fill_order != FILLORDER_MSB2LSB ||
      bits != 1 || samples != 1 || TIFFNumberOfStrips(tif.get()) != 1)
    return std::nullopt;
  if (TIFFGetField(tif.get(), TIFFTAG_T6OPTIONS, &t6_options) && t6_options != 0) return std::nullopt;
  const std::uint64_t size = TIFFGetStrileByteCount(tif.get(), 0);
  if (size == 0 || size > bytes.size()) return std::nullopt;
  std::string strip(static_cast<std::size_t>(size), '\0');
  if (TIFFReadRawStrip(tif.get(), 0, strip.data(), static_cast<tmsize_t>(size)) != static_cast<tmsize_t>(size))
    return std::nullopt;
  return strip;
}

}  // namespace lantai
