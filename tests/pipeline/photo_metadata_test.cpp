// What exiv2 reads from a photo's XMP: scanning software and photo managers often write
// the date and orientation there rather than in EXIF.
#include "pipeline/photo_metadata.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <exiv2/exiv2.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <opencv2/core.hpp>

#include "pipeline/jpeg_codec.h"

namespace lantai {
namespace {

namespace fs = std::filesystem;

// A small JPEG with the XMP (and EXIF) given, written by exiv2 as a photo manager would.
fs::path photo_with(const fs::path& dir, const std::string& name, const std::map<std::string, std::string>& xmp,
                    const std::map<std::string, std::string>& exif = {}) {
  const fs::path file = dir / name;
  std::ofstream(file, std::ios::binary) << encode_jpeg(cv::Mat(120, 160, CV_8UC3, cv::Scalar(40, 60, 200)), 90, 300);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  Exiv2::Image::AutoPtr image = Exiv2::ImageFactory::open(file.string());
#pragma GCC diagnostic pop
  image->readMetadata();
  for (const auto& [key, value] : xmp) image->xmpData()[key] = value;
  for (const auto& [key, value] : exif) image->exifData()[key] = value;
  image->writeMetadata();
  return file;
}

class PhotoMetadataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "lantai-photo-metadata-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    prepare_photo_metadata();
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

//! A photo whose date and orientation are only in its XMP has them read from there.
TEST_F(PhotoMetadataTest, DateAndOrientationFromXmp) {
  const fs::path file =
      photo_with(dir_, "xmp.jpg", {{"Xmp.photoshop.DateCreated", "1987-06-05"}, {"Xmp.tiff.Orientation", "6"}});
  const PhotoMetadata metadata = read_photo_metadata(file);
  EXPECT_EQ(metadata.capture_date, "1987-06-05");
  EXPECT_EQ(metadata.orientation, 6);

  const fs::path exif_date = photo_with(dir_, "exif-date.jpg", {{"Xmp.exif.DateTimeOriginal", "1990-01-02T03:04:05"}});
  EXPECT_EQ(read_photo_metadata(exif_date).capture_date, "1990-01-02 03:04:05");
}

//! Where EXIF and XMP both speak, EXIF (what the camera or scanner wrote) wins.
TEST_F(PhotoMetadataTest, ExifWinsOverXmp) {
  const fs::path file = photo_with(dir_, "both.jpg", {{"Xmp.photoshop.DateCreated", "1987-06-05"}, {"Xmp.tiff.Orientation", "6"}},
                                   {{"Exif.Photo.DateTimeOriginal", "1986:03:04 10:11:12"}, {"Exif.Image.Orientation", "3"}});
  const PhotoMetadata metadata = read_photo_metadata(file);
  EXPECT_EQ(metadata.capture_date, "1986-03-04 10:11:12");
  EXPECT_EQ(metadata.orientation, 3);
}

}  // namespace
}  // namespace lantai
