// TIFF through libtiff 4.5. Each call opens its own handle with TIFFOpenOptions: error and
// warning handlers per handle (never the process-wide TIFFSetErrorHandler, which is not
// thread-safe) and a cap on any single allocation. Warnings (unknown tags, fixed-up
// counts) are ignored; the first error becomes the problem's detail.
//
// Truncation: a TIFF is truncated when a structure it points to lies past the end of the
// file (its first directory, a later frame's directory, a strip or a tile), or when a
// read fails on a strip or tile that reaches the end of the file. Other failures are
// corruption.
//
// Memory: no size from the directory drives an allocation before it is checked. The page
// against max_pixels; each strip or tile against the file (uncompressed data must lie in
// it; LZW, Deflate and PackBits data must be long enough to decode to its size); the one
// working buffer (a strip, a tile or the RGBA raster) and each of libtiff's allocations
// against 8 bytes a pixel of max_pixels. libtiff 4.5 has no cap on its cumulated
// allocations, so those caps bound the total.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>

#include "stages/decode/decoded_image.h"

namespace lantai::decode {

// Decodes directory `frame` (0-based) of the TIFF at path. head holds the file's first
// bytes (at least the 16 of a BigTIFF header when the file has them) and file_size its
// length. Fast paths: 1-bit grey (→ 0/255, PhotometricInterpretation honoured), 8/16-bit
// grey, 8/16-bit RGB, with or without alpha (composited on white), in strips or tiles,
// any codec libtiff has (none, LZW, Deflate, CCITT G3/G4, PackBits, JPEG). Other layouts
// (palette, YCbCr, planar, 2/4-bit) go through TIFFReadRGBAImageOriented. CMYK
// (PhotometricInterpretation 5, InkSet CMYK, 8 or 16 bits, one plane) is converted to sRGB
// with its embedded ICC profile (cmyk_to_srgb.h); without one it is unsupported, as are
// other inks, planar CMYK and floating-point samples. Orientation tags are not applied: the image is
// the raster as stored.
DecodedImage read_tiff(const std::filesystem::path& path, int frame, std::span<const unsigned char> head,
                       std::uint64_t file_size, const ReadLimits& limits);

}  // namespace lantai::decode
