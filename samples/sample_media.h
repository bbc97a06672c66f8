// Photos and sound made by code, as a print scanner and a tape transfer deliver them: for
// the demo lot (`lantai samples make --photos-and-recordings`) and the photo stages' tests.
//   - a photo: a drawn print (a sky gradient, red, green and blue patches, dark figures
//     and lines with sharp edges), its EXIF written with exiv2;
//   - a sound recording: a tone as 24-bit PCM in a WAV file.
#pragma once

#include <filesystem>
#include <string>

#include <opencv2/core.hpp>

namespace lantai::samples {

// Where the red patch lies on a picture of this size (it stays red in every copy).
cv::Rect red_patch(cv::Size size);

// 8-bit BGR (colour) or grey, drawn so that sharp edges cross the whole picture.
cv::Mat draw_photo(cv::Size size, bool colour = true);

struct PhotoExif {
  std::string date_time_original;  // "2021:05:12 10:20:30"; empty: none
  std::string make;
  std::string model;
  int orientation = 0;   // 1-8; 0: no tag
  int file_source = 0;   // 1 film scanner, 2 print scanner, 3 camera; 0: no tag
  double resolution_dpi = 0;  // X/YResolution in inches; 0: none
};

// Adds the tags to the JPEG or TIFF file in place, with exiv2. Throws std::runtime_error
// naming the file when it cannot be written.
void add_exif(const std::filesystem::path& file, const PhotoExif& exif);

// A WAV file's bytes: a sine tone of frequency_hz, seconds long, 24-bit PCM, in every
// channel, at three quarters of full scale.
std::string tone_wav(double seconds, int sample_rate, int channels, double frequency_hz);

}  // namespace lantai::samples
