#include "samples/sample_media.h"

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <stdexcept>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <exiv2/exiv2.hpp>
#pragma GCC diagnostic pop

namespace lantai::samples {

cv::Rect red_patch(cv::Size size) { return {size.width / 10, size.height / 10, size.width / 5, size.height / 5}; }

cv::Mat draw_photo(cv::Size size, bool colour) {
  cv::Mat picture(size, CV_8UC3);
  for (int y = 0; y < size.height; ++y)  // a sky: light blue at the top, paler lower down
    picture.row(y).setTo(cv::Scalar(230 - 60.0 * y / size.height, 200 - 40.0 * y / size.height, 150));
  const int unit = std::min(size.width, size.height) / 10;
  cv::rectangle(picture, red_patch(size), cv::Scalar(30, 30, 200), cv::FILLED);
  cv::rectangle(picture, cv::Rect(size.width / 2, size.height / 10, size.width / 5, size.height / 5),
                cv::Scalar(40, 160, 40), cv::FILLED);
  cv::rectangle(picture, cv::Rect(size.width / 10, size.height * 6 / 10, size.width / 5, size.height / 5),
                cv::Scalar(170, 50, 30), cv::FILLED);
  // Dark figures and lines: the sharp edges a focused scan keeps.
  for (int i = 0; i < 6; ++i) {
    cv::circle(picture, {size.width / 2 + i * unit / 2, size.height * 6 / 10}, unit / 3, cv::Scalar(20, 20, 20),
               cv::FILLED, cv::LINE_8);
    cv::line(picture, {size.width * 4 / 10, size.height * 8 / 10 + i * unit / 4},
             {size.width * 9 / 10, size.height * 8 / 10 + i * unit / 4}, cv::Scalar(10, 10, 10), std::max(2, unit / 20));
  }
  if (colour) return picture;
  cv::Mat grey;
  cv::cvtColor(picture, grey, cv::COLOR_BGR2GRAY);
  return grey;
}

void add_exif(const std::filesystem::path& file, const PhotoExif& exif) {
  try {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    Exiv2::Image::AutoPtr image = Exiv2::ImageFactory::open(file.string());
#pragma GCC diagnostic pop
    image->readMetadata();
    Exiv2::ExifData& data = image->exifData();
    if (!exif.date_time_original.empty()) data["Exif.Photo.DateTimeOriginal"] = exif.date_time_original;
    if (!exif.make.empty()) data["Exif.Image.Make"] = exif.make;
    if (!exif.model.empty()) data["Exif.Image.Model"] = exif.model;
    if (exif.orientation) data["Exif.Image.Orientation"] = static_cast<std::uint16_t>(exif.orientation);
    if (exif.file_source) {
      Exiv2::Value::AutoPtr value = Exiv2::Value::create(Exiv2::undefined);
      const Exiv2::byte source = static_cast<Exiv2::byte>(exif.file_source);
      value->read(&source, 1, Exiv2::invalidByteOrder);
      data.add(Exiv2::ExifKey("Exif.Photo.FileSource"), value.get());
    }
    if (exif.resolution_dpi > 0) {
      const Exiv2::URational dpi(static_cast<std::uint32_t>(exif.resolution_dpi), 1);
      data["Exif.Image.XResolution"] = dpi;
      data["Exif.Image.YResolution"] = dpi;
      data["Exif.Image.ResolutionUnit"] = static_cast<std::uint16_t>(2);
    }
    image->writeMetadata();
  } catch (const Exiv2::Error& error) {
    throw std::runtime_error("cannot write EXIF into " + file.string() + ": " + error.what());
  }
}

std::string tone_wav(double seconds, int sample_rate, int channels, double frequency_hz) {
  const auto frames = static_cast<std::uint32_t>(std::lround(seconds * sample_rate));
  const std::uint32_t block = 3u * static_cast<std::uint32_t>(channels);
  const std::uint32_t data_bytes = frames * block;
  std::string wav;
  auto put = [&](std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) wav += static_cast<char>(value >> (8 * i) & 0xFF);
  };
  wav += "RIFF";
  put(36 + data_bytes, 4);
  wav += "WAVEfmt ";
  put(16, 4);
  put(1, 2);  // PCM
  put(static_cast<std::uint64_t>(channels), 2);
  put(static_cast<std::uint64_t>(sample_rate), 4);
  put(static_cast<std::uint64_t>(sample_rate) * block, 4);
  put(block, 2);
  put(24, 2);
  wav += "data";
  put(data_bytes, 4);
  for (std::uint32_t i = 0; i < frames; ++i) {
    const double level = 0.75 * std::sin(2 * std::numbers::pi * frequency_hz * i / sample_rate);
    const auto sample = static_cast<std::int32_t>(std::lround(level * 8'388'607));
    for (int c = 0; c < channels; ++c) put(static_cast<std::uint32_t>(sample) & 0xFFFFFF, 3);
  }
  return wav;
}

}  // namespace lantai::samples
