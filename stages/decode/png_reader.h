// PNG through libpng. Errors leave libpng by longjmp (png_jmpbuf) with the text its error
// callback captured; a read that runs out of file marks the problem truncated, a failing
// disk read unreadable, any other error corrupt (CRC, zlib, chunk order). libpng's warnings (bad ancillary chunks, iCCP
// quirks) do not affect the pixels and are ignored. Thread-safe: all state lives in the call.
// Memory: the header's size is checked against max_pixels, and against the IDAT bytes the
// file holds (zlib inflates at most 1032:1), before anything is allocated for the pixels.
#pragma once

#include <cstdio>

#include "stages/decode/decoded_image.h"

namespace lantai::decode {

// Decodes the PNG in file (positioned at its start) to 8 bits: 16-bit samples are scaled,
// palettes and low bit depths expanded, alpha (and tRNS) composited on white paper.
// Grey gives CV_8UC1 (bilevel for 1-bit grey, or a palette of only black and white);
// a palette of grey entries gives grey; anything else CV_8UC3 BGR. Gamma and ICC data
// are not applied. Resolution from pHYs when its unit is the metre.
DecodedImage read_png(std::FILE* file, const ReadLimits& limits);

}  // namespace lantai::decode
