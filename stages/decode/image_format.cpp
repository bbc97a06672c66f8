#include "stages/decode/image_format.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <initializer_list>

namespace lantai::decode {

namespace {

bool starts_with(std::span<const unsigned char> head, std::initializer_list<unsigned char> magic) {
  return head.size() >= magic.size() && std::equal(magic.begin(), magic.end(), head.begin());
}

bool starts_with(std::span<const unsigned char> head, std::string_view magic) {
  return head.size() >= magic.size() &&
         std::equal(magic.begin(), magic.end(), head.begin(),
                    [](char a, unsigned char b) { return static_cast<unsigned char>(a) == b; });
}

// Formats a scanning contractor might hand over by mistake; named so the message helps.
std::string other_format_name(std::span<const unsigned char> head) {
  if (starts_with(head, "%PDF")) return "PDF";
  if (starts_with(head, "GIF87a") || starts_with(head, "GIF89a")) return "GIF";
  if (starts_with(head, "BM")) return "BMP";
  if (starts_with(head, "RIFF") && head.size() >= 12 && std::equal(head.begin() + 8, head.begin() + 12, "WEBP"))
    return "WebP";
  if (head.size() >= 12 && std::equal(head.begin() + 4, head.begin() + 8, "ftyp")) return "HEIF/MP4";
  if (starts_with(head, {'P', 'K', 0x03, 0x04})) return "ZIP";
  return {};
}

}  // namespace

Signature sniff_format(std::span<const unsigned char> head) {
  if (starts_with(head, {0xFF, 0xD8, 0xFF})) return {ImageFormat::jpeg, {}};
  if (starts_with(head, {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A})) return {ImageFormat::png, {}};
  // Classic TIFF (42) and BigTIFF (43), either byte order.
  if (starts_with(head, {'I', 'I', 42, 0}) || starts_with(head, {'M', 'M', 0, 42}) ||
      starts_with(head, {'I', 'I', 43, 0}) || starts_with(head, {'M', 'M', 0, 43}))
    return {ImageFormat::tiff, {}};
  // The JP2 signature box (ISO/IEC 15444-1 I.5.1), or a codestream's SOC and SIZ markers.
  if (starts_with(head, {0x00, 0x00, 0x00, 0x0C, 'j', 'P', ' ', ' ', 0x0D, 0x0A, 0x87, 0x0A}) ||
      starts_with(head, {0xFF, 0x4F, 0xFF, 0x51}))
    return {ImageFormat::jpeg2000, {}};
  return {ImageFormat::unknown, other_format_name(head)};
}

ImageFormat format_from_extension(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext == ".jpg" || ext == ".jpeg") return ImageFormat::jpeg;
  if (ext == ".png") return ImageFormat::png;
  if (ext == ".tif" || ext == ".tiff") return ImageFormat::tiff;
  if (ext == ".jp2" || ext == ".jpx" || ext == ".j2k") return ImageFormat::jpeg2000;
  return ImageFormat::unknown;
}

bool has_damaged_signature(ImageFormat format, std::span<const unsigned char> head) {
  if (sniff_format(head).format == format) return false;
  switch (format) {
    case ImageFormat::jpeg: return starts_with(head, {0xFF, 0xD8});
    case ImageFormat::png: return starts_with(head, {0x89, 'P', 'N', 'G'});
    case ImageFormat::tiff: return starts_with(head, "II") || starts_with(head, "MM");
    case ImageFormat::jpeg2000: return starts_with(head, {0x00, 0x00, 0x00, 0x0C, 'j', 'P', ' ', ' '});
    case ImageFormat::unknown: return false;
  }
  return false;
}

std::string_view format_name(ImageFormat format) {
  switch (format) {
    case ImageFormat::jpeg: return "JPEG";
    case ImageFormat::png: return "PNG";
    case ImageFormat::tiff: return "TIFF";
    case ImageFormat::jpeg2000: return "JPEG 2000";
    case ImageFormat::unknown: return "unknown";
  }
  return "unknown";
}

std::string hex_prefix(std::span<const unsigned char> head, std::size_t count) {
  std::string text;
  for (std::size_t i = 0; i < std::min(count, head.size()); ++i) {
    char byte[4];
    std::snprintf(byte, sizeof byte, "%02X", head[i]);
    if (!text.empty()) text += ' ';
    text += byte;
  }
  return text;
}

}  // namespace lantai::decode
