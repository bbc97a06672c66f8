// What a file holds, told from its first bytes (the signatures of the formats), not its
// name: a page image, a sound or moving-picture recording, or neither. Decode and the av
// stage read the whole file and name any damage; this only sorts files into kinds.
#pragma once

#include <filesystem>
#include <string_view>

namespace lantai::ingest {

enum class ContentKind { unknown, jpeg, png, tiff, jpeg2000, audio_video };

ContentKind content_kind(std::string_view first_bytes);
// Reads the first bytes of the file; unknown when it cannot be read (decode names why).
ContentKind content_kind_of(const std::filesystem::path& file);

}  // namespace lantai::ingest
