// JPEG through libjpeg-turbo. Errors leave libjpeg by longjmp from a per-call error
// manager; its emit_message hook turns the warnings libjpeg would print into problems:
// "Premature end of JPEG file" → truncated, any other corrupt-data warning → corrupt
// (decoding stops at the first one; the page is rejected anyway). Unknown JFIF revisions
// and damaged ICC markers are ignored: the pixels are not affected.
// Memory: the frame's size is checked against max_pixels, and a baseline JPEG's against
// the file's length (at least 2 bits a block), before anything is allocated for it;
// libjpeg's whole-image buffers are capped at 8 bytes a pixel of max_pixels.
// Thread-safe: all state lives in the call.
#pragma once

#include <cstdio>
#include <optional>
#include <span>

#include "stages/decode/decoded_image.h"

namespace lantai::decode {

// Decodes the JPEG in file (positioned at its start). Grey JPEGs give CV_8UC1, YCbCr and
// RGB ones CV_8UC3 BGR; CMYK and YCCK ones are converted to sRGB BGR with their embedded
// ICC profile (cmyk_to_srgb.h; inverted when an Adobe marker says so, as Photoshop writes
// them), and are unsupported without one.
// Resolution: the JFIF density when its unit is dpi or dots/cm, else EXIF's
// XResolution/YResolution, else none. Orientation tags are not applied.
DecodedImage read_jpeg(std::FILE* file, const ReadLimits& limits);

// The resolution in an EXIF APP1 payload (starting "Exif\0\0"): IFD0's XResolution and
// YResolution with ResolutionUnit (absent = inches, as EXIF says). nullopt when the
// payload is malformed, a value is missing or the unit is "none".
std::optional<TaggedResolution> exif_resolution(std::span<const unsigned char> app1);

}  // namespace lantai::decode
