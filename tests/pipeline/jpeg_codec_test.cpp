// JPEG for the images lantai writes itself: deterministic bytes, resolution in the
// header, and read back exactly.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "pipeline/jpeg_codec.h"

namespace lantai {
namespace {

//! The same pixels give the same JPEG bytes, and the JFIF header carries the resolution.
TEST(JpegCodec, EncodesDeterministicallyWithResolution) {
  cv::Mat image(400, 300, CV_8UC3, cv::Scalar(200, 220, 240));
  cv::circle(image, {150, 200}, 80, cv::Scalar(0, 0, 200), 6);
  std::string a = encode_jpeg(image, 90, 300.0), b = encode_jpeg(image, 90, 300.0);
  EXPECT_EQ(a, b);
  ASSERT_GT(a.size(), 20u);
  EXPECT_EQ(a.substr(6, 4), "JFIF");
  EXPECT_EQ(static_cast<unsigned char>(a[13]), 1);  // density unit: dots per inch
  EXPECT_EQ((static_cast<unsigned char>(a[14]) << 8) | static_cast<unsigned char>(a[15]), 300);
  EXPECT_NE(encode_jpeg(image, 60, 300.0), a);
}

//! What decode_jpeg reads back is stable: decoding the same bytes twice gives the same pixels, in BGR order.
TEST(JpegCodec, DecodesBackInBgr) {
  cv::Mat image(64, 64, CV_8UC3, cv::Scalar(30, 30, 210));  // red, BGR
  const std::string bytes = encode_jpeg(image, 95, std::nullopt);
  const cv::Mat once = decode_jpeg(bytes), twice = decode_jpeg(bytes);
  EXPECT_EQ(cv::norm(once, twice, cv::NORM_INF), 0);
  const cv::Vec3b centre = once.at<cv::Vec3b>(32, 32);
  EXPECT_GT(centre[2], 180);  // red stays in the red channel
  EXPECT_LT(centre[0], 60);
  EXPECT_THROW(decode_jpeg(bytes.substr(0, bytes.size() / 2)), std::runtime_error);
}

}  // namespace
}  // namespace lantai
