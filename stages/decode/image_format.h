// Which image format a file holds, told from its first bytes (never from its name),
// and which format its name promises.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace lantai::decode {

// jpeg2000: a JP2 file (or a JPX file starting as one) or a bare codestream.
enum class ImageFormat { unknown, jpeg, png, tiff, jpeg2000 };

// The first bytes a reader needs to tell every format apart (BigTIFF needs 16).
inline constexpr std::size_t kSignatureBytes = 16;

struct Signature {
  ImageFormat format = ImageFormat::unknown;
  // For an unknown format that is a known non-page format: "PDF", "GIF", "WebP" ...;
  // empty when the bytes are nothing recognisable.
  std::string other_name;
};

Signature sniff_format(std::span<const unsigned char> head);

// .jpg/.jpeg → jpeg, .png → png, .tif/.tiff → tiff, .jp2/.jpx/.j2k → jpeg2000 (any case);
// unknown otherwise.
ImageFormat format_from_extension(const std::filesystem::path& path);

// True when head starts like `format` but its signature is damaged: "\x89PNG" followed by
// bytes a text-mode transfer mangled, FF D8 without the FF that opens the next marker, II/MM
// without the 42, a JP2 signature box with mangled line-ending bytes. A damaged signature means a damaged file of that format, not another one.
bool has_damaged_signature(ImageFormat format, std::span<const unsigned char> head);

std::string_view format_name(ImageFormat format);  // "JPEG", "PNG", "TIFF", "JPEG 2000", "unknown"

// "3F A1 22 90": the first bytes, for messages about unrecognised content.
std::string hex_prefix(std::span<const unsigned char> head, std::size_t count = 4);

}  // namespace lantai::decode
