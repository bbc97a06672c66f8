// What a file holds, told from its first bytes (the formats' signatures), never from its
// name: ingest sorts a lot's files into pages and recordings by it, and verify checks a
// bag's files against the formats their names promise. Readers that open the whole file
// (decode, the av stage) name any damage; this only tells the kind.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace lantai {

enum class FileSignature { unknown, jpeg, png, tiff, jpeg2000, pdf, archive, audio_video };

// Enough bytes for every signature (an MPEG transport stream's second sync byte is at 188).
inline constexpr std::size_t kSignatureBytes = 512;

FileSignature file_signature(std::string_view first_bytes);
// Reads the first kSignatureBytes of the file; unknown when it cannot be read.
FileSignature file_signature_of(const std::filesystem::path& file);

}  // namespace lantai
