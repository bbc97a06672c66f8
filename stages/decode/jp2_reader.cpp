#include "stages/decode/jp2_reader.h"

#include <openjpeg.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/jp2_codec.h"
#include "pipeline/openjpeg_handles.h"

namespace lantai::decode {

namespace {

// The header boxes and the SIZ marker: a JP2 writer puts an ICC profile (a few KB) and
// perhaps XML or UUID boxes before the codestream.
constexpr std::size_t kHeadBytes = 256 * 1024;

std::uint32_t be32(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3];
}
std::uint16_t be16(const unsigned char* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }

bool is_codestream(std::span<const unsigned char> head) {
  return head.size() >= 4 && head[0] == 0xFF && head[1] == 0x4F && head[2] == 0xFF && head[3] == 0x51;
}

// Per call: OpenJPEG hands this back to the callbacks.
struct Messages {
  std::string first_error;
};
void on_error(const char* message, void* data) {
  auto* messages = static_cast<Messages*>(data);
  if (!messages->first_error.empty()) return;
  messages->first_error = message;
  while (!messages->first_error.empty() && messages->first_error.back() == '\n') messages->first_error.pop_back();
}
void quiet(const char*, void*) {}

// OpenJPEG's words when the data ran out before the codestream did.
bool ran_out(const std::string& error) {
  for (const char* sign : {"too short", "truncated", "inconsistent with stream length", "Stream does not end", "end of stream",
                           "Not enough"})
    if (error.find(sign) != std::string::npos) return true;
  return false;
}


// OpenJPEG reads the open file through these.
OPJ_SIZE_T file_read(void* buffer, OPJ_SIZE_T size, void* data) {
  const std::size_t count = std::fread(buffer, 1, size, static_cast<std::FILE*>(data));
  return count == 0 ? static_cast<OPJ_SIZE_T>(-1) : count;
}
OPJ_OFF_T file_skip(OPJ_OFF_T count, void* data) {
  return std::fseek(static_cast<std::FILE*>(data), static_cast<long>(count), SEEK_CUR) == 0 ? count : -1;
}
OPJ_BOOL file_seek(OPJ_OFF_T position, void* data) {
  return std::fseek(static_cast<std::FILE*>(data), static_cast<long>(position), SEEK_SET) == 0;
}

// One sample scaled to 8 bits.
unsigned char to_8bit(int value, int precision) {
  if (precision == 8) return static_cast<unsigned char>(std::clamp(value, 0, 255));
  const long long most = (1LL << precision) - 1;
  return static_cast<unsigned char>((std::clamp<long long>(value, 0, most) * 255 + most / 2) / most);
}

unsigned char over_white(unsigned colour, unsigned alpha) {
  return static_cast<unsigned char>((colour * alpha + 255u * (255u - alpha) + 127u) / 255u);
}

void decode(std::FILE* file, const ReadLimits& limits, DecodedImage& out) {
  const long start = std::ftell(file);
  std::vector<unsigned char> head(kHeadBytes);
  head.resize(std::fread(head.data(), 1, head.size(), file));
  std::fseek(file, start, SEEK_SET);
  std::uint64_t file_size = 0;
  if (std::fseek(file, 0, SEEK_END) == 0 && std::ftell(file) > start) file_size = std::ftell(file) - start;
  std::fseek(file, start, SEEK_SET);

  const bool codestream = is_codestream(head);
  std::optional<Jp2Header> boxes;
  if (!codestream) {
    boxes = parse_jp2_header(head);
    if (!boxes) {
      out.fail(Problem::corrupt, "the JP2 header box (jp2h) with its image header (ihdr) is missing or damaged");
      return;
    }
  }
  // Size and tiles from SIZ before OpenJPEG allocates for them.
  if (const std::optional<Jp2Size> size = jp2_size(head)) {
    if (!accept_size(size->width_px, size->height_px, limits, out)) return;
    if (size->tiles > kMaxJp2Tiles) {
      out.fail(Problem::too_large, "the codestream claims " + std::to_string(size->tiles) + " tiles, more than " +
                                       std::to_string(kMaxJp2Tiles));
      return;
    }
  } else if (boxes && !accept_size(static_cast<std::uint64_t>(boxes->width), static_cast<std::uint64_t>(boxes->height),
                                   limits, out)) {
    return;
  }

  Messages messages;
  openjpeg::Codec codec(opj_create_decompress(codestream ? OPJ_CODEC_J2K : OPJ_CODEC_JP2));
  if (!codec) throw std::bad_alloc();
  opj_set_error_handler(codec.get(), on_error, &messages);
  opj_set_warning_handler(codec.get(), quiet, nullptr);
  opj_set_info_handler(codec.get(), quiet, nullptr);
  openjpeg::Stream stream(opj_stream_create(1 << 16, OPJ_TRUE));
  if (!stream) throw std::bad_alloc();
  opj_stream_set_user_data(stream.get(), file, nullptr);
  opj_stream_set_user_data_length(stream.get(), file_size);
  opj_stream_set_read_function(stream.get(), file_read);
  opj_stream_set_skip_function(stream.get(), file_skip);
  opj_stream_set_seek_function(stream.get(), file_seek);

  opj_dparameters_t parameters;
  opj_set_default_decoder_parameters(&parameters);
  opj_image_t* raw = nullptr;
  const auto fail_with = [&](const char* stage) {
    const std::string error = messages.first_error.empty() ? "OpenJPEG gave no reason" : messages.first_error;
    out.fail(ran_out(error) ? Problem::truncated : Problem::corrupt, std::string(stage) + ": " + error);
  };
  if (!opj_setup_decoder(codec.get(), &parameters) || !opj_decoder_set_strict_mode(codec.get(), OPJ_TRUE) ||
      !opj_read_header(stream.get(), codec.get(), &raw)) {
    openjpeg::Image discard(raw);
    fail_with("cannot read the JPEG 2000 header");
    return;
  }
  openjpeg::Image image(raw);
  if (!accept_size(image->x1 - image->x0, image->y1 - image->y0, limits, out)) return;
  const int count = static_cast<int>(image->numcomps);
  if (count < 1 || count > 4) {
    out.fail(Problem::unsupported, "JPEG 2000 with " + std::to_string(count) + " components is not supported");
    return;
  }
  for (int c = 0; c < count; ++c) {
    const opj_image_comp_t& comp = image->comps[c];
    if (comp.dx != 1 || comp.dy != 1) {
      out.fail(Problem::unsupported, "JPEG 2000 with subsampled components is not supported");
      return;
    }
    if (comp.sgnd || comp.prec < 1 || comp.prec > 16) {
      out.fail(Problem::unsupported, "JPEG 2000 with " + std::string(comp.sgnd ? "signed " : "") +
                                         std::to_string(comp.prec) + "-bit samples is not supported");
      return;
    }
  }
  switch (image->color_space) {
    case OPJ_CLRSPC_SYCC:
    case OPJ_CLRSPC_EYCC:
    case OPJ_CLRSPC_CMYK:
      out.fail(Problem::unsupported, std::string("JPEG 2000 in the ") +
                                         (image->color_space == OPJ_CLRSPC_CMYK ? "CMYK" : "YCC") +
                                         " colour space is not supported");
      return;
    default: break;
  }
  if (!opj_decode(codec.get(), stream.get(), image.get()) || !opj_end_decompress(codec.get(), stream.get())) {
    fail_with("damaged JPEG 2000 data");
    return;
  }

  const int colours = count >= 3 ? 3 : 1;
  // An extra component is composited as alpha only when the file says it is (cdef box);
  // otherwise it is not part of the page's colour and is left out.
  const int alpha = count > colours && image->comps[colours].alpha ? colours : -1;
  for (int c = 0; c < colours + (alpha >= 0 ? 1 : 0); ++c)
    if (!image->comps[c].data || image->comps[c].w != image->x1 - image->x0 ||
        image->comps[c].h != image->y1 - image->y0) {
      out.fail(Problem::corrupt, "damaged JPEG 2000 data: component " + std::to_string(c) + " was not decoded whole");
      return;
    }
  const int width = out.width_px, height = out.height_px;
  const int precision = static_cast<int>(image->comps[0].prec);
  out.bits_per_sample = precision;
  out.colour_mode = colours == 3 ? ColourMode::colour : precision == 1 ? ColourMode::bilevel : ColourMode::grey;
  out.image.create(height, width, colours == 3 ? CV_8UC3 : CV_8UC1);
  for (int y = 0; y < height; ++y) {
    unsigned char* row = out.image.ptr(y);
    const std::size_t offset = static_cast<std::size_t>(y) * width;
    for (int x = 0; x < width; ++x) {
      const unsigned a =
          alpha >= 0 ? to_8bit(image->comps[alpha].data[offset + x], static_cast<int>(image->comps[alpha].prec)) : 255u;
      for (int c = 0; c < colours; ++c) {
        const int from = colours == 1 ? 0 : 2 - c;  // R, G, B → BGR
        const unsigned char v = to_8bit(image->comps[from].data[offset + x], static_cast<int>(image->comps[from].prec));
        row[x * colours + c] = a == 255u ? v : over_white(v, a);
      }
    }
  }
  if (boxes && boxes->x_dpi && boxes->y_dpi) {
    out.resolution = TaggedResolution{snap_dpi(*boxes->x_dpi, 0), snap_dpi(*boxes->y_dpi, 0),
                                      "JP2 " + boxes->resolution_box};
  } else {
    out.missing_resolution_note = codestream ? "a bare JPEG 2000 codestream has no resolution box"
                                             : "no JP2 resolution box (res )";
  }
}

}  // namespace

std::optional<Jp2Size> jp2_size(std::span<const unsigned char> head) {
  std::size_t at = 0;
  if (!is_codestream(head)) {
    const std::optional<Jp2Header> boxes = parse_jp2_header(head);
    if (!boxes || boxes->codestream_at == 0) return std::nullopt;
    at = boxes->codestream_at;
  }
  const std::span<const unsigned char> siz = head.subspan(at);
  if (!is_codestream(siz) || siz.size() < 42) return std::nullopt;
  const std::uint64_t x = be32(&siz[8]), y = be32(&siz[12]), x0 = be32(&siz[16]), y0 = be32(&siz[20]);
  const std::uint64_t tile_w = be32(&siz[24]), tile_h = be32(&siz[28]), tile_x0 = be32(&siz[32]), tile_y0 = be32(&siz[36]);
  if (x <= x0 || y <= y0 || tile_w == 0 || tile_h == 0 || tile_x0 > x0 || tile_y0 > y0)
    return Jp2Size{x > x0 ? x - x0 : 0, y > y0 ? y - y0 : 0, 0, be16(&siz[40])};
  const std::uint64_t across = (x - tile_x0 + tile_w - 1) / tile_w, down = (y - tile_y0 + tile_h - 1) / tile_h;
  return Jp2Size{x - x0, y - y0, across * down, be16(&siz[40])};
}

DecodedImage read_jp2(std::FILE* file, const ReadLimits& limits) {
  DecodedImage out;
  guard_allocations(out, [&] { decode(file, limits, out); });
  return out;
}

}  // namespace lantai::decode
