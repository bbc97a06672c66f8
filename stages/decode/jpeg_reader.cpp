#include "stages/decode/jpeg_reader.h"

#include <algorithm>
#include <csetjmp>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include <jpeglib.h>

#include <cstdlib>

#include "stages/decode/cmyk_to_srgb.h"
#include <jerror.h>

namespace lantai::decode {

namespace {

// A progressive JPEG can hold thousands of tiny scans that each re-run the whole image;
// real scanners write at most a few dozen.
constexpr int kMaxScans = 1000;

// In baseline Huffman data every 8x8 block takes at least 2 bits: a DC code and an
// end-of-block code, each at least 1 bit long.
constexpr std::uint64_t kMinBitsPerBaselineBlock = 2;

struct ErrorManager {
  jpeg_error_mgr base;  // first, so libjpeg's cinfo->err points at the whole struct
  std::jmp_buf jump;
  Problem problem = Problem::none;
  bool hit_eof = false;
  char message[JMSG_LENGTH_MAX] = {};
};

ErrorManager& manager_of(j_common_ptr cinfo) { return *reinterpret_cast<ErrorManager*>(cinfo->err); }

[[noreturn]] void stop(j_common_ptr cinfo, Problem problem) {
  ErrorManager& manager = manager_of(cinfo);
  if (manager.message[0] == '\0') (*cinfo->err->format_message)(cinfo, manager.message);
  manager.problem = problem;
  std::longjmp(manager.jump, 1);
}

[[noreturn]] void on_error(j_common_ptr cinfo) {
  switch (cinfo->err->msg_code) {
    case JERR_BAD_PRECISION:  // 12-bit JPEG
    case JERR_NOT_COMPILED:
    case JERR_NOTIMPL:
    case JERR_CONVERSION_NOTIMPL:
      stop(cinfo, Problem::unsupported);
    case JERR_OUT_OF_MEMORY:
    case JERR_NO_BACKING_STORE:  // whole-image buffers over max_memory_to_use
      stop(cinfo, Problem::too_large);
    default:
      // After libjpeg padded a short file with a fake EOI, later errors are its echo.
      stop(cinfo, manager_of(cinfo).hit_eof ? Problem::truncated : Problem::corrupt);
  }
}

void on_message(j_common_ptr cinfo, int level) {
  if (level >= 0) return;  // trace messages
  switch (cinfo->err->msg_code) {
    case JWRN_JFIF_MAJOR:
    case JWRN_BOGUS_ICC:
      return;
    case JWRN_JPEG_EOF:
      manager_of(cinfo).hit_eof = true;
      stop(cinfo, Problem::truncated);
    default:
      stop(cinfo, manager_of(cinfo).hit_eof ? Problem::truncated : Problem::corrupt);
  }
}

void on_progress(j_common_ptr cinfo) {
  if (!cinfo->is_decompressor) return;
  if (reinterpret_cast<j_decompress_ptr>(cinfo)->input_scan_number <= kMaxScans) return;
  std::snprintf(manager_of(cinfo).message, JMSG_LENGTH_MAX, "more than %d progressive scans", kMaxScans);
  stop(cinfo, Problem::corrupt);
}

// Everything the decoding touches after setjmp lives here, outside the frame that calls
// setjmp, so no value is left indeterminate by the longjmp.
struct Job {
  jpeg_decompress_struct cinfo{};
  ErrorManager errors;
  jpeg_progress_mgr progress{};
  DecodedImage out;
  ReadLimits limits;
  std::uint64_t file_size = 0;
  JOCTET* icc = nullptr;  // CMYK: the embedded ICC profile, malloc'd by libjpeg
  unsigned int icc_size = 0;
};

// The file's length from the current position (its start) on; 0 when it cannot be told.
std::uint64_t remaining_bytes(std::FILE* file) {
  const long start = std::ftell(file);
  if (start < 0 || std::fseek(file, 0, SEEK_END) != 0) return 0;
  const long end = std::ftell(file);
  std::fseek(file, start, SEEK_SET);
  return end > start ? static_cast<std::uint64_t>(end - start) : 0;
}

// Whether a baseline (sequential Huffman) JPEG is too short to hold a block for every 8x8
// of its frame; progressive and arithmetic-coded data have no such floor.
bool too_short_for_blocks(const jpeg_decompress_struct& cinfo, std::uint64_t file_size) {
  if (cinfo.progressive_mode || cinfo.arith_code || file_size == 0) return false;
  std::uint64_t blocks = 0;
  for (int c = 0; c < cinfo.num_components; ++c)
    blocks += std::uint64_t{cinfo.comp_info[c].width_in_blocks} * cinfo.comp_info[c].height_in_blocks;
  return blocks * kMinBitsPerBaselineBlock > file_size * 8;
}

std::uint32_t read_u32(const unsigned char* p, bool little) {
  return little ? p[0] | p[1] << 8 | p[2] << 16 | static_cast<std::uint32_t>(p[3]) << 24
                : static_cast<std::uint32_t>(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3];
}
std::uint16_t read_u16(const unsigned char* p, bool little) {
  return static_cast<std::uint16_t>(little ? p[0] | p[1] << 8 : p[0] << 8 | p[1]);
}

void take_resolution(Job& job) {
  const jpeg_decompress_struct& cinfo = job.cinfo;
  if (cinfo.saw_JFIF_marker && (cinfo.density_unit == 1 || cinfo.density_unit == 2)) {
    const double per_unit = cinfo.density_unit == 1 ? 1.0 : 2.54;
    job.out.resolution = TaggedResolution{snap_dpi(cinfo.X_density * per_unit, per_unit),
                                          snap_dpi(cinfo.Y_density * per_unit, per_unit), "JFIF"};
    return;
  }
  for (jpeg_saved_marker_ptr marker = cinfo.marker_list; marker; marker = marker->next) {
    if (marker->marker != JPEG_APP0 + 1) continue;
    if (auto exif = exif_resolution({marker->data, marker->data_length})) {
      job.out.resolution = exif;
      return;
    }
  }
  job.out.missing_resolution_note = cinfo.saw_JFIF_marker
                                        ? "JFIF density has no unit, and no EXIF resolution"
                                        : "no JFIF density or EXIF resolution";
}

void decode(Job& job, std::FILE* file) {
  jpeg_decompress_struct& cinfo = job.cinfo;
  if (setjmp(job.errors.jump)) {
    job.out.fail(job.errors.problem, job.errors.message);
    return;
  }
  jpeg_create_decompress(&cinfo);
  // Bounds libjpeg's whole-image buffers (progressive coefficients: up to 6 bytes a pixel).
  cinfo.mem->max_memory_to_use = std::max(job.limits.max_pixels, 0LL) * 8 + (64L << 20);
  cinfo.progress = &job.progress;
  jpeg_stdio_src(&cinfo, file);
  jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xFFFF);
  jpeg_save_markers(&cinfo, JPEG_APP0 + 2, 0xFFFF);  // ICC profile chunks, for CMYK
  jpeg_read_header(&cinfo, TRUE);

  if (!accept_size(cinfo.image_width, cinfo.image_height, job.limits, job.out)) return;
  if (too_short_for_blocks(cinfo, job.file_size)) {
    job.out.fail(Problem::truncated, "the file (" + std::to_string(job.file_size) + " bytes) is too short for the " +
                                         std::to_string(cinfo.image_width) + " x " +
                                         std::to_string(cinfo.image_height) + " px its frame header claims");
    return;
  }
  switch (cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
      cinfo.out_color_space = JCS_GRAYSCALE;
      job.out.colour_mode = ColourMode::grey;
      break;
    case JCS_YCbCr:
    case JCS_RGB:
      cinfo.out_color_space = JCS_EXT_BGR;
      job.out.colour_mode = ColourMode::colour;
      break;
    case JCS_CMYK:
    case JCS_YCCK:
      // Checked before decoding: without a profile the page is refused whatever its pixels.
      if (!jpeg_read_icc_profile(&cinfo, &job.icc, &job.icc_size)) {
        job.out.fail(Problem::unsupported, "CMYK without an ICC profile: its colours cannot be known");
        return;
      }
      cinfo.out_color_space = JCS_CMYK;  // libjpeg turns YCCK into CMYK
      job.out.colour_mode = ColourMode::colour;
      break;
    default:
      job.out.fail(Problem::unsupported, "JPEG colour space with " + std::to_string(cinfo.num_components) +
                                             " components is not supported");
      return;
  }
  take_resolution(job);

  jpeg_start_decompress(&cinfo);
  job.out.image.create(static_cast<int>(cinfo.output_height), static_cast<int>(cinfo.output_width),
                       CV_8UC(cinfo.output_components));
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = job.out.image.ptr(static_cast<int>(cinfo.output_scanline));
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  // Reads on to EOI, so a file cut after the last scanline is caught too.
  jpeg_finish_decompress(&cinfo);
  if (cinfo.out_color_space == JCS_CMYK) {
    // Adobe's CMYK JPEGs (the APP14 marker) store the inks inverted: 0 is full ink.
    cv::Mat bgr;
    const std::string why = cmyk_to_bgr(job.out.image, cinfo.saw_Adobe_marker, {job.icc, job.icc_size}, bgr);
    if (!why.empty()) job.out.fail(Problem::unsupported, why);
    else job.out.image = bgr;
  }
}

}  // namespace

std::optional<TaggedResolution> exif_resolution(std::span<const unsigned char> app1) {
  constexpr std::string_view kExif("Exif\0\0", 6);
  if (app1.size() < kExif.size() + 8 || std::memcmp(app1.data(), kExif.data(), kExif.size()) != 0)
    return std::nullopt;
  const std::span<const unsigned char> tiff = app1.subspan(kExif.size());
  const bool little = tiff[0] == 'I' && tiff[1] == 'I';
  if (!little && !(tiff[0] == 'M' && tiff[1] == 'M')) return std::nullopt;
  if (read_u16(&tiff[2], little) != 42) return std::nullopt;
  const std::uint64_t ifd = read_u32(&tiff[4], little);
  if (ifd + 2 > tiff.size()) return std::nullopt;
  const unsigned count = read_u16(&tiff[ifd], little);
  if (ifd + 2 + 12ULL * count > tiff.size()) return std::nullopt;

  auto rational = [&](const unsigned char* entry) -> std::optional<double> {
    if (read_u16(entry + 2, little) != 5 || read_u32(entry + 4, little) != 1) return std::nullopt;
    const std::uint64_t at = read_u32(entry + 8, little);
    if (at + 8 > tiff.size()) return std::nullopt;
    const std::uint32_t denominator = read_u32(&tiff[at + 4], little);
    if (denominator == 0) return std::nullopt;
    return static_cast<double>(read_u32(&tiff[at], little)) / denominator;
  };
  std::optional<double> x, y;
  unsigned unit = 2;  // EXIF: inches when the tag is absent
  for (unsigned i = 0; i < count; ++i) {
    const unsigned char* entry = &tiff[ifd + 2 + 12ULL * i];
    switch (read_u16(entry, little)) {
      case 0x011A: x = rational(entry); break;
      case 0x011B: y = rational(entry); break;
      case 0x0128:
        if (read_u16(entry + 2, little) == 3) unit = read_u16(entry + 8, little);
        break;
      default: break;
    }
  }
  if (!x || !y || (unit != 2 && unit != 3)) return std::nullopt;
  const double per_unit = unit == 2 ? 1.0 : 2.54;
  return TaggedResolution{snap_dpi(*x * per_unit, 0), snap_dpi(*y * per_unit, 0), "EXIF"};
}

DecodedImage read_jpeg(std::FILE* file, const ReadLimits& limits) {
  auto job = std::make_unique<Job>();
  job->limits = limits;
  job->cinfo.err = jpeg_std_error(&job->errors.base);
  job->errors.base.error_exit = on_error;
  job->errors.base.emit_message = on_message;
  job->progress.progress_monitor = on_progress;
  job->file_size = remaining_bytes(file);
  guard_allocations(job->out, [&] { decode(*job, file); });
  jpeg_destroy_decompress(&job->cinfo);
  std::free(job->icc);
  return std::move(job->out);
}

}  // namespace lantai::decode
