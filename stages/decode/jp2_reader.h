// JPEG 2000 through OpenJPEG 2.5: JP2 files (.jp2, and .jpx files a JP2 reader can show)
// and bare codestreams (.j2k). OpenJPEG reports through per-codec callbacks: errors are
// captured into the problem's detail, warnings and information are dropped, nothing is
// printed. Strict mode: a codestream cut short fails instead of decoding to grey.
//
// Memory: before OpenJPEG sees the file, the codestream's SIZ marker is read here and the
// page size (against max_pixels) and the number of tiles (each costs OpenJPEG a tile
// record before any pixel is decoded) are checked. OpenJPEG then holds each sample as a
// 32-bit integer: a colour page takes 12 bytes a pixel while decoding, plus the tile
// being decoded; that is what decode's working_bytes budgets for JPEG 2000 pages.
// Thread-safe: all state lives in the call (one decoding thread per call).
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>

#include "stages/decode/decoded_image.h"

namespace lantai::decode {

// What the codestream's SIZ marker says, read from the file's first bytes (a JP2 file's
// header boxes come before its codestream).
struct Jp2Size {
  std::uint64_t width_px = 0, height_px = 0;
  std::uint64_t tiles = 0;
  int components = 0;
};
std::optional<Jp2Size> jp2_size(std::span<const unsigned char> head);

// The most tiles a page may have: OpenJPEG keeps a record of several kilobytes per tile
// from the header on. Scanners write one tile, or 1024-pixel tiles (a 600-dpi A0 has 600).
inline constexpr std::uint64_t kMaxJp2Tiles = 16384;

// Decodes the JP2 file or codestream in file (positioned at its start) to 8 bits: grey
// (1 component, bilevel when 1 bit deep) gives CV_8UC1, sRGB (3 components) CV_8UC3 BGR;
// a component after the colour ones that the cdef box marks as opacity is composited on
// white, any other extra component left out.
// Subsampled components (YCbCr), signed or deeper than 16-bit samples, sYCC, e-YCC and
// CMYK colour spaces are unsupported. Resolution: the `res ` box's capture resolution
// (resc), else its display resolution (resd); a bare codestream has none.
DecodedImage read_jp2(std::FILE* file, const ReadLimits& limits);

}  // namespace lantai::decode
