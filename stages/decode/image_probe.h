// How many pixels an image file claims, from its header alone and without decoding:
// what the runtime needs to budget memory before a page is let in. Damaged or unknown
// files give 0 (decode then reports why).
#pragma once

#include <cstdint>
#include <filesystem>

namespace lantai::decode {

// width × height of the JPEG, PNG, JPEG 2000 or TIFF frame at path (frame counts TIFF directories).
std::uint64_t probe_pixels(const std::filesystem::path& path, int frame);

}  // namespace lantai::decode
