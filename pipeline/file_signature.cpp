#include "pipeline/file_signature.h"

#include <array>
#include <fstream>

namespace lantai {

namespace {

bool at(std::string_view bytes, std::size_t offset, std::string_view magic) {
  return bytes.size() >= offset + magic.size() && bytes.substr(offset, magic.size()) == magic;
}

}  // namespace

FileSignature file_signature(std::string_view b) {
  using namespace std::string_view_literals;
  if (at(b, 0, "\xFF\xD8\xFF"sv)) return FileSignature::jpeg;
  if (at(b, 0, "\x89PNG\r\n\x1A\n"sv)) return FileSignature::png;
  if (at(b, 0, "II*\0"sv) || at(b, 0, "MM\0*"sv) || at(b, 0, "II+\0"sv) || at(b, 0, "MM\0+"sv))
    return FileSignature::tiff;
  if (at(b, 0, "\0\0\0\x0CjP  \r\n\x87\n"sv) || at(b, 0, "\xFF\x4F\xFF\x51"sv)) return FileSignature::jpeg2000;
  if (at(b, 0, "%PDF-")) return FileSignature::pdf;
  if (at(b, 0, "PK\x03\x04"sv) || at(b, 0, "Rar!") || at(b, 0, "7z\xBC\xAF\x27\x1C"sv) || at(b, 0, "\x1F\x8B"sv) ||
      at(b, 0, "BZh") || at(b, 0, "\xFD" "7zXZ\0"sv))
    return FileSignature::archive;
  const bool riff = at(b, 0, "RIFF") || at(b, 0, "RF64");
  if (riff && (at(b, 8, "AVI ") || at(b, 8, "WAVE"))) return FileSignature::audio_video;
  if (at(b, 0, "FORM") && (at(b, 8, "AIFF") || at(b, 8, "AIFC"))) return FileSignature::audio_video;
  if (at(b, 0, "\x06\x0E\x2B\x34"sv)) return FileSignature::audio_video;  // MXF: a SMPTE universal label
  for (std::string_view box : {"ftyp"sv, "moov"sv, "mdat"sv, "wide"sv, "free"sv})
    if (at(b, 4, box)) return FileSignature::audio_video;  // QuickTime and MP4 (ISO base media)
  if (at(b, 0, "\x1A\x45\xDF\xA3"sv)) return FileSignature::audio_video;  // Matroska, WebM
  if (at(b, 0, "\0\0\x01\xBA"sv) || at(b, 0, "\0\0\x01\xB3"sv)) return FileSignature::audio_video;  // MPEG
  if (b.size() > 188 && b[0] == 0x47 && b[188] == 0x47) return FileSignature::audio_video;        // MPEG-TS
  if (at(b, 0, "\x30\x26\xB2\x75\x8E\x66\xCF\x11"sv)) return FileSignature::audio_video;          // ASF
  if (at(b, 0, "fLaC") || at(b, 0, "OggS") || at(b, 0, "ID3") || at(b, 0, "FLV\x01"sv))
    return FileSignature::audio_video;
  if (b.size() >= 2 && static_cast<unsigned char>(b[0]) == 0xFF && (static_cast<unsigned char>(b[1]) & 0xE0) == 0xE0 &&
      (static_cast<unsigned char>(b[1]) & 0x06) != 0)
    return FileSignature::audio_video;  // an MPEG audio frame (MP3 without a tag)
  return FileSignature::unknown;
}

FileSignature file_signature_of(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::array<char, kSignatureBytes> buffer{};
  in.read(buffer.data(), buffer.size());
  return file_signature(std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount())));
}

}  // namespace lantai
