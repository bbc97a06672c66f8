#include "pipeline/jp2_codec.h"
#include "pipeline/openjpeg_handles.h"

#include <openjpeg.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

namespace lantai {

namespace {

std::uint32_t be32(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3];
}
std::uint16_t be16(const unsigned char* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
void put32(std::string& bytes, std::size_t at, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>(value >> (24 - 8 * i));
}

// One box: its type, where its contents start and end. A length of 0 runs to the end; 1
// has a 64-bit length after the type.
struct Box {
  std::uint32_t type = 0;
  std::size_t start = 0, contents = 0, end = 0;
};

constexpr std::uint32_t fourcc(const char (&code)[5]) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(code[0])) << 24 | static_cast<unsigned char>(code[1]) << 16 |
         static_cast<unsigned char>(code[2]) << 8 | static_cast<unsigned char>(code[3]);
}

std::optional<Box> box_at(std::span<const unsigned char> bytes, std::size_t at, std::size_t limit) {
  if (at + 8 > limit) return std::nullopt;
  Box box{be32(&bytes[at + 4]), at, at + 8, 0};
  std::uint64_t length = be32(&bytes[at]);
  if (length == 1) {
    if (at + 16 > limit) return std::nullopt;
    length = std::uint64_t{be32(&bytes[at + 8])} << 32 | be32(&bytes[at + 12]);
    box.contents = at + 16;
    if (length < 16) return std::nullopt;
  } else if (length == 0) {
    length = limit - at;
  } else if (length < 8) {
    return std::nullopt;
  }
  // A box reaching past the bytes given: only its start is known (the header box of a cut file).
  box.end = length > limit - at ? limit : at + static_cast<std::size_t>(length);
  return box;
}

// The first box of `type` among the boxes from `at` to `limit`; nullopt when a box of
// `stop` (or a malformed box) comes first.
std::optional<Box> find_box(std::span<const unsigned char> bytes, std::size_t at, std::size_t limit,
                            const char (&type)[5], const char (&stop)[5] = "    ") {
  while (true) {
    const std::optional<Box> box = box_at(bytes, at, limit);
    if (!box || box->type == fourcc(stop)) return std::nullopt;
    if (box->type == fourcc(type)) return box;
    if (box->end <= at) return std::nullopt;
    at = box->end;
  }
}

// resc/resd contents: VR_N VR_D HR_N HR_D (16 bits), VR_E HR_E (signed 8 bits); grid
// points per metre = N / D · 10^E.
bool read_resolution(std::span<const unsigned char> contents, Jp2Header& header) {
  if (contents.size() < 10) return false;
  const auto value = [](std::uint16_t n, std::uint16_t d, std::int8_t e) -> double {
    return d == 0 ? 0 : n / static_cast<double>(d) * std::pow(10.0, e) * 0.0254;
  };
  const double y = value(be16(&contents[0]), be16(&contents[2]), static_cast<std::int8_t>(contents[8]));
  const double x = value(be16(&contents[4]), be16(&contents[6]), static_cast<std::int8_t>(contents[9]));
  if (!(x > 0) || !(y > 0)) return false;
  header.x_dpi = x;
  header.y_dpi = y;
  return true;
}

// The `res ` superbox holding one `resc` for dpi, both axes: N/254 · 10^E = dpi / 0.0254.
std::string resolution_box(double dpi) {
  int scale = 100, exponent = 2;
  while (scale > 1 && dpi * scale > 65535) scale /= 10, ++exponent;
  const auto n = static_cast<std::uint16_t>(std::clamp(std::lround(dpi * scale), 1L, 65535L));
  std::string box(26, '\0');
  put32(box, 0, 26);
  box.replace(4, 4, "res ");
  put32(box, 8, 18);
  box.replace(12, 4, "resc");
  const unsigned char fraction[10] = {static_cast<unsigned char>(n >> 8), static_cast<unsigned char>(n), 0, 254,
                                      static_cast<unsigned char>(n >> 8), static_cast<unsigned char>(n), 0, 254,
                                      static_cast<unsigned char>(exponent), static_cast<unsigned char>(exponent)};
  box.replace(16, 10, reinterpret_cast<const char*>(fraction), 10);
  return box;
}

// Tiles of the JP2 lantai writes: memory while encoding is bounded by a tile, and a
// viewer can show part of a large sheet without decoding all of it.
constexpr int kTilePx = 1024;

struct Messages {
  std::string first_error;
};
void on_error(const char* message, void* data) {
  auto* messages = static_cast<Messages*>(data);
  if (messages->first_error.empty()) messages->first_error = message;
  while (!messages->first_error.empty() && messages->first_error.back() == '\n') messages->first_error.pop_back();
}
void quiet(const char*, void*) {}

using openjpeg::Codec;
using openjpeg::Image;
using openjpeg::Stream;

void route_messages(opj_codec_t* codec, Messages& messages) {
  opj_set_error_handler(codec, on_error, &messages);
  opj_set_warning_handler(codec, quiet, nullptr);
  opj_set_info_handler(codec, quiet, nullptr);
}

// An in-memory stream for OpenJPEG: reading from bytes, or writing into a string it may
// seek back in (the JP2 writer fills in box lengths afterwards).
struct Memory {
  std::string* out = nullptr;
  std::string_view in;
  std::size_t at = 0;
};

OPJ_SIZE_T memory_read(void* buffer, OPJ_SIZE_T size, void* data) {
  auto* memory = static_cast<Memory*>(data);
  if (memory->at >= memory->in.size()) return static_cast<OPJ_SIZE_T>(-1);
  const std::size_t count = std::min<std::size_t>(size, memory->in.size() - memory->at);
  std::memcpy(buffer, memory->in.data() + memory->at, count);
  memory->at += count;
  return count;
}
OPJ_SIZE_T memory_write(void* buffer, OPJ_SIZE_T size, void* data) {
  auto* memory = static_cast<Memory*>(data);
  if (memory->out->size() < memory->at + size) memory->out->resize(memory->at + size);
  std::memcpy(memory->out->data() + memory->at, buffer, size);
  memory->at += size;
  return size;
}
OPJ_OFF_T memory_skip(OPJ_OFF_T count, void* data) {
  auto* memory = static_cast<Memory*>(data);
  if (count < 0 && static_cast<std::size_t>(-count) > memory->at) return -1;
  memory->at = static_cast<std::size_t>(static_cast<OPJ_OFF_T>(memory->at) + count);
  return count;
}
OPJ_BOOL memory_seek(OPJ_OFF_T position, void* data) {
  auto* memory = static_cast<Memory*>(data);
  if (position < 0) return OPJ_FALSE;
  memory->at = static_cast<std::size_t>(position);
  return OPJ_TRUE;
}

Stream memory_stream(Memory& memory, bool reading) {
  opj_stream_t* stream = opj_stream_create(1 << 16, reading ? OPJ_TRUE : OPJ_FALSE);
  if (!stream) throw std::bad_alloc();
  opj_stream_set_user_data(stream, &memory, nullptr);
  if (reading) {
    opj_stream_set_read_function(stream, memory_read);
    opj_stream_set_user_data_length(stream, memory.in.size());
  } else {
    opj_stream_set_write_function(stream, memory_write);
  }
  opj_stream_set_skip_function(stream, memory_skip);
  opj_stream_set_seek_function(stream, memory_seek);
  return Stream(stream);
}

}  // namespace

std::optional<Jp2Header> parse_jp2_header(std::span<const unsigned char> bytes) {
  static constexpr unsigned char kSignature[12] = {0, 0, 0, 0x0C, 'j', 'P', ' ', ' ', 0x0D, 0x0A, 0x87, 0x0A};
  if (bytes.size() < sizeof kSignature || std::memcmp(bytes.data(), kSignature, sizeof kSignature) != 0)
    return std::nullopt;
  const auto contents_of = [&](const Box& box) { return bytes.subspan(box.contents, box.end - box.contents); };
  const std::optional<Box> header_box = find_box(bytes, 0, bytes.size(), "jp2h", "jp2c");
  if (!header_box) return std::nullopt;
  Jp2Header header;
  const std::optional<Box> ihdr = find_box(bytes, header_box->contents, header_box->end, "ihdr");
  if (!ihdr || ihdr->end - ihdr->contents < 14) return std::nullopt;
  const auto image = contents_of(*ihdr);
  header.height = static_cast<int>(std::min<std::uint32_t>(be32(&image[0]), INT32_MAX));
  header.width = static_cast<int>(std::min<std::uint32_t>(be32(&image[4]), INT32_MAX));
  header.components = be16(&image[8]);
  if (const std::optional<Box> res = find_box(bytes, header_box->contents, header_box->end, "res ")) {
    // Capture resolution first: what the scanner sampled; display resolution only without it.
    const std::optional<Box> capture = find_box(bytes, res->contents, res->end, "resc");
    const std::optional<Box> display = find_box(bytes, res->contents, res->end, "resd");
    if (capture && read_resolution(contents_of(*capture), header)) header.resolution_box = "resc";
    else if (display && read_resolution(contents_of(*display), header)) header.resolution_box = "resd";
  }
  if (const std::optional<Box> codestream = find_box(bytes, header_box->end, bytes.size(), "jp2c"))
    header.codestream_at = codestream->contents;
  return header;
}

std::string encode_jp2(const cv::Mat& image, const Jp2Encoding& encoding, std::optional<double> resolution_dpi) {
  if (image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3) || image.empty())
    throw std::runtime_error("JPEG 2000: only 8-bit grey or BGR images can be written");
  const int channels = image.channels();
  opj_image_cmptparm_t parameters[3] = {};
  for (int c = 0; c < channels; ++c) {
    parameters[c].dx = parameters[c].dy = 1;
    parameters[c].w = static_cast<OPJ_UINT32>(image.cols);
    parameters[c].h = static_cast<OPJ_UINT32>(image.rows);
    parameters[c].prec = 8;
    parameters[c].sgnd = 0;
  }
  // The image holds no samples: they are handed over a tile at a time (opj_write_tile),
  // so a drawing of hundreds of megapixels never exists as 32-bit samples all at once.
  Image pixels(opj_image_tile_create(static_cast<OPJ_UINT32>(channels), parameters,
                                     channels == 1 ? OPJ_CLRSPC_GRAY : OPJ_CLRSPC_SRGB));
  if (!pixels) throw std::bad_alloc();
  pixels->x1 = static_cast<OPJ_UINT32>(image.cols);
  pixels->y1 = static_cast<OPJ_UINT32>(image.rows);

  opj_cparameters_t settings;
  opj_set_default_encoder_parameters(&settings);
  settings.tcp_numlayers = 1;
  settings.cp_disto_alloc = 1;
  settings.tcp_rates[0] = encoding.lossless ? 0 : static_cast<float>(encoding.compression_ratio);
  settings.irreversible = encoding.lossless ? 0 : 1;
  settings.tcp_mct = channels == 3 ? 1 : 0;
  settings.tile_size_on = OPJ_TRUE;
  settings.cp_tdx = settings.cp_tdy = kTilePx;
  // Each resolution level halves a tile; the smallest must keep a pixel.
  while (settings.numresolution > 1 &&
         std::min({image.cols, image.rows, kTilePx}) < (1 << (settings.numresolution - 1)))
    --settings.numresolution;

  Messages messages;
  Codec codec(opj_create_compress(OPJ_CODEC_JP2));
  if (!codec) throw std::bad_alloc();
  route_messages(codec.get(), messages);
  std::string bytes;
  Memory memory{&bytes};
  Stream stream = memory_stream(memory, false);
  const auto fail = [&] { throw std::runtime_error("OpenJPEG cannot encode the image: " + messages.first_error); };
  if (!opj_setup_encoder(codec.get(), &settings, pixels.get()) ||
      !opj_start_compress(codec.get(), pixels.get(), stream.get()))
    fail();
  const int across = (image.cols + kTilePx - 1) / kTilePx, down = (image.rows + kTilePx - 1) / kTilePx;
  std::vector<unsigned char> tile;
  for (int ty = 0; ty < down; ++ty)
    for (int tx = 0; tx < across; ++tx) {
      const cv::Rect area(tx * kTilePx, ty * kTilePx, std::min(kTilePx, image.cols - tx * kTilePx),
                          std::min(kTilePx, image.rows - ty * kTilePx));
      // One plane after another (R, G, B from BGR), a byte a sample.
      tile.resize(static_cast<std::size_t>(area.area()) * channels);
      unsigned char* out = tile.data();
      for (int plane = 0; plane < channels; ++plane) {
        const int from = channels == 1 ? 0 : 2 - plane;
        for (int y = area.y; y < area.y + area.height; ++y) {
          const unsigned char* row = image.ptr(y);
          for (int x = area.x; x < area.x + area.width; ++x) *out++ = row[x * channels + from];
        }
      }
      if (!opj_write_tile(codec.get(), static_cast<OPJ_UINT32>(ty * across + tx), tile.data(),
                          static_cast<OPJ_UINT32>(tile.size()), stream.get()))
        fail();
    }
  if (!opj_end_compress(codec.get(), stream.get())) fail();
  stream.reset();  // flushes

  if (resolution_dpi && *resolution_dpi > 0) {
    const std::span<const unsigned char> view(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    const std::optional<Box> box = find_box(view, 0, view.size(), "jp2h");
    if (!box) throw std::runtime_error("OpenJPEG wrote a JP2 without a header box");
    const std::string res = resolution_box(*resolution_dpi);
    const std::size_t start = box->start, end = box->end;
    bytes.insert(end, res);
    put32(bytes, start, static_cast<std::uint32_t>(end - start + res.size()));
  }
  return bytes;
}

cv::Mat decode_jp2(std::string_view bytes) {
  const bool codestream = bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
                          static_cast<unsigned char>(bytes[1]) == 0x4F;
  Messages messages;
  Codec codec(opj_create_decompress(codestream ? OPJ_CODEC_J2K : OPJ_CODEC_JP2));
  if (!codec) throw std::bad_alloc();
  route_messages(codec.get(), messages);
  opj_dparameters_t settings;
  opj_set_default_decoder_parameters(&settings);
  Memory memory{nullptr, bytes};
  Stream stream = memory_stream(memory, true);
  opj_image_t* raw = nullptr;
  if (!opj_setup_decoder(codec.get(), &settings) || !opj_decoder_set_strict_mode(codec.get(), OPJ_TRUE) ||
      !opj_read_header(stream.get(), codec.get(), &raw))
    throw std::runtime_error("not a readable JPEG 2000 file: " + messages.first_error);
  Image image(raw);
  if (!opj_decode(codec.get(), stream.get(), image.get()) || !opj_end_decompress(codec.get(), stream.get()))
    throw std::runtime_error("JPEG 2000 data damaged: " + messages.first_error);
  const int channels = image->numcomps >= 3 ? 3 : 1;
  const int width = static_cast<int>(image->comps[0].w), height = static_cast<int>(image->comps[0].h);
  for (int c = 0; c < channels; ++c)
    if (image->comps[c].prec != 8 || image->comps[c].sgnd || !image->comps[c].data ||
        static_cast<int>(image->comps[c].w) != width || static_cast<int>(image->comps[c].h) != height)
      throw std::runtime_error("JPEG 2000 with other than 8-bit unsigned full-size components");
  cv::Mat out(height, width, channels == 1 ? CV_8UC1 : CV_8UC3);
  for (int y = 0; y < height; ++y) {
    unsigned char* row = out.ptr(y);
    const std::size_t offset = static_cast<std::size_t>(y) * width;
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < channels; ++c)
        row[x * channels + c] = static_cast<unsigned char>(image->comps[channels == 1 ? 0 : 2 - c].data[offset + x]);
  }
  return out;
}

}  // namespace lantai
