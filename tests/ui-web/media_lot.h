// A lot of a photo, a video and a sound recording, made at test time (the photo with EXIF
// and an ICC profile by exiv2, the clips by Debian's ffmpeg), for the review server's and
// the review page's tests of items that are not pages.
#pragma once

#include <filesystem>
#include <string>

namespace lantai::review::testing {

inline const std::string kMediaPhoto = "J012-ZP·2021-Y-0001";
inline const std::string kMediaVideo = "J012-SX·2021-Y-BGS-0001";
inline const std::string kMediaSound = "J012-LY·2021-Y-BGS-0001";

// Writes dir/scans/<档号>/0001.{jpg,avi,wav} and dir/catalogue.csv; throws std::runtime_error
// when a file cannot be made.
void write_media_lot(const std::filesystem::path& dir);

}  // namespace lantai::review::testing
