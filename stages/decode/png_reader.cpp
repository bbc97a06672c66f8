#include "stages/decode/png_reader.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <csetjmp>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include <png.h>

namespace lantai::decode {

namespace {

constexpr double kInchesPerMetre = 0.0254;
// zlib's limit: one compressed byte never inflates to more than 1032 bytes.
constexpr std::uint64_t kMaxInflateRatio = 1032;
constexpr std::uint64_t kZlibSlackBytes = 1024;

// The image data a PNG file holds: the summed lengths of its IDAT chunks, walking the
// chunk headers from the signature on (the file position is restored).
struct ImageData {
  std::uint64_t bytes = 0;
  bool file_ends_early = false;  // no IEND: the walk ran off the end of the file
};

ImageData image_data_in(std::FILE* file) {
  ImageData data;
  const long start = std::ftell(file);
  if (start < 0 || std::fseek(file, start + 8, SEEK_SET) != 0) return data;
  unsigned char header[8];
  for (;;) {
    if (std::fread(header, 1, sizeof header, file) != sizeof header) {
      data.file_ends_early = true;
      break;
    }
    const std::uint64_t length =
        std::uint64_t{header[0]} << 24 | std::uint64_t{header[1]} << 16 | std::uint64_t{header[2]} << 8 | header[3];
    if (std::memcmp(header + 4, "IEND", 4) == 0) break;
    if (std::memcmp(header + 4, "IDAT", 4) == 0) data.bytes += length;
    if (length > 0x7fffffff || std::fseek(file, static_cast<long>(length) + 4, SEEK_CUR) != 0) break;
  }
  std::clearerr(file);
  std::fseek(file, start, SEEK_SET);
  return data;
}

// Everything the decoding touches after setjmp lives here, outside the frame that calls
// setjmp, so no value is left indeterminate by the longjmp.
struct Job {
  std::FILE* file = nullptr;
  png_structp png = nullptr;
  png_infop info = nullptr;
  bool hit_eof = false;
  bool io_error = false;
  char message[256] = {};
  DecodedImage out;
  ReadLimits limits;
  ImageData image_data;  // read before libpng starts
  cv::Mat raw;  // as libpng delivers it: 1 to 4 channels of 8 bits
  std::vector<png_bytep> rows;
  bool palette_grey = false;      // every palette entry has r == g == b
  bool palette_bilevel = false;   // ... and is 0 or 255
};

Job& job_of(png_structp png, bool io) {
  return *static_cast<Job*>(io ? png_get_io_ptr(png) : png_get_error_ptr(png));
}

[[noreturn]] void on_error(png_structp png, png_const_charp text) {
  Job& job = job_of(png, false);
  if (job.message[0] == '\0') std::snprintf(job.message, sizeof job.message, "%s", text);
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}

void on_read(png_structp png, png_bytep data, size_t length) {
  Job& job = job_of(png, true);
  if (std::fread(data, 1, length, job.file) == length) return;
  job.hit_eof = std::feof(job.file) != 0;
  job.io_error = !job.hit_eof;
  png_error(png, job.hit_eof ? "the file ends inside a chunk" : "a read from the disk failed");
}

void inspect_palette(Job& job) {
  png_colorp palette = nullptr;
  int count = 0;
  if (!png_get_PLTE(job.png, job.info, &palette, &count) || count == 0) return;
  job.palette_grey = job.palette_bilevel = true;
  for (int i = 0; i < count; ++i) {
    const png_color& c = palette[i];
    if (c.red != c.green || c.green != c.blue) job.palette_grey = job.palette_bilevel = false;
    if (c.red != 0 && c.red != 255) job.palette_bilevel = false;
  }
}

void take_resolution(Job& job) {
  png_uint_32 x = 0, y = 0;
  int unit = PNG_RESOLUTION_UNKNOWN;
  if (png_get_pHYs(job.png, job.info, &x, &y, &unit) && unit == PNG_RESOLUTION_METER) {
    job.out.resolution = TaggedResolution{snap_dpi(x * kInchesPerMetre, kInchesPerMetre),
                                          snap_dpi(y * kInchesPerMetre, kInchesPerMetre), "pHYs"};
    return;
  }
  job.out.missing_resolution_note = png_get_valid(job.png, job.info, PNG_INFO_pHYs)
                                        ? "pHYs gives only an aspect ratio"
                                        : "no pHYs chunk";
}

void decode(Job& job) {
  if (setjmp(png_jmpbuf(job.png))) {
    job.out.fail(job.hit_eof ? Problem::truncated : job.io_error ? Problem::unreadable : Problem::corrupt, job.message);
    return;
  }
  png_set_read_fn(job.png, &job, on_read);
  // max_pixels is the guard; libpng's own default per-side cap (1,000,000) is not.
  png_set_user_limits(job.png, 0x7fffffff, 0x7fffffff);
  png_read_info(job.png, job.info);

  png_uint_32 width = 0, height = 0;
  int bit_depth = 0, colour_type = 0;
  png_get_IHDR(job.png, job.info, &width, &height, &bit_depth, &colour_type, nullptr, nullptr, nullptr);
  if (!accept_size(width, height, job.limits, job.out)) return;
  // Filtered rows: a filter byte and the packed samples each (Adam7 passes only add to it).
  const std::uint64_t row_bytes = (std::uint64_t{width} * png_get_channels(job.png, job.info) * bit_depth + 7) / 8;
  const std::uint64_t filtered_bytes = std::uint64_t{height} * (row_bytes + 1);
  if (job.image_data.bytes * kMaxInflateRatio + kZlibSlackBytes < filtered_bytes) {
    job.out.fail(job.image_data.file_ends_early ? Problem::truncated : Problem::corrupt,
                 "its image data (" + std::to_string(job.image_data.bytes) + " bytes of IDAT) cannot hold the " +
                     std::to_string(width) + " x " + std::to_string(height) + " px its header claims");
    return;
  }
  take_resolution(job);
  job.out.bits_per_sample = bit_depth;

  switch (colour_type) {
    case PNG_COLOR_TYPE_GRAY:
      job.out.colour_mode = bit_depth == 1 ? ColourMode::bilevel : ColourMode::grey;
      break;
    case PNG_COLOR_TYPE_GRAY_ALPHA: job.out.colour_mode = ColourMode::grey; break;
    case PNG_COLOR_TYPE_PALETTE:
      inspect_palette(job);
      job.out.colour_mode = job.palette_bilevel ? ColourMode::bilevel
                            : job.palette_grey  ? ColourMode::grey
                                                : ColourMode::colour;
      break;
    default: job.out.colour_mode = ColourMode::colour; break;
  }
  if (bit_depth == 16) png_set_scale_16(job.png);
  png_set_expand(job.png);  // palette → RGB, grey < 8 bits → 8, tRNS → alpha
  png_set_bgr(job.png);
  png_set_interlace_handling(job.png);
  png_read_update_info(job.png, job.info);

  const int channels = png_get_channels(job.png, job.info);
  job.raw.create(static_cast<int>(height), static_cast<int>(width), CV_8UC(channels));
  job.rows.resize(height);
  for (png_uint_32 r = 0; r < height; ++r) job.rows[r] = job.raw.ptr(static_cast<int>(r));
  png_read_image(job.png, job.rows.data());
  // Reads on to IEND, so a file cut after the image data is caught too.
  png_read_end(job.png, nullptr);
}

// Lays alpha over white paper: out = c·a + 255·(1 − a).
cv::Mat composite_on_white(const cv::Mat& raw) {
  const int colours = raw.channels() - 1;
  cv::Mat out(raw.rows, raw.cols, CV_8UC(colours));
  for (int y = 0; y < raw.rows; ++y) {
    const unsigned char* src = raw.ptr(y);
    unsigned char* dst = out.ptr(y);
    for (int x = 0; x < raw.cols; ++x, src += raw.channels(), dst += colours) {
      const unsigned alpha = src[colours];
      for (int c = 0; c < colours; ++c) dst[c] = static_cast<unsigned char>((src[c] * alpha + 255 * (255 - alpha) + 127) / 255);
    }
  }
  return out;
}

}  // namespace

DecodedImage read_png(std::FILE* file, const ReadLimits& limits) {
  auto job = std::make_unique<Job>();
  job->file = file;
  job->limits = limits;
  job->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, job.get(), on_error, on_warning);
  if (job->png) job->info = png_create_info_struct(job->png);
  if (!job->png || !job->info) {
    png_destroy_read_struct(&job->png, &job->info, nullptr);
    job->out.fail_out_of_memory();
    return std::move(job->out);
  }
  job->image_data = image_data_in(file);
  guard_allocations(job->out, [&] { decode(*job); });
  png_destroy_read_struct(&job->png, &job->info, nullptr);
  if (job->out.problem != Problem::none) return std::move(job->out);

  guard_allocations(job->out, [&] {
    cv::Mat image = job->raw.channels() % 2 == 0 ? composite_on_white(job->raw) : job->raw;
    if (image.channels() == 3 && job->palette_grey) {
      cv::Mat grey;
      cv::extractChannel(image, grey, 0);
      image = grey;
    }
    job->out.image = image;
  });
  return std::move(job->out);
}

}  // namespace lantai::decode
