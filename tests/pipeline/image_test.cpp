// Sealed images: the pixels an item carries cannot be changed by any stage, and
// measurements keep their values through the ledger's JSON.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "pipeline/image.h"
#include "pipeline/item.h"

namespace lantai {
namespace {

//! Sealing copies the pixels exactly and leaves the original free to change.
TEST(Image, SealCopiesThePixels) {
  cv::Mat page(300, 200, CV_8UC3, cv::Scalar(40, 40, 200));  // a red page, BGR
  const Image sealed = Image::seal(page);
  page.setTo(cv::Scalar(0, 0, 0));
  ASSERT_EQ(sealed.pixels().size(), cv::Size(200, 300));
  EXPECT_EQ(sealed.pixels().at<cv::Vec3b>(10, 10), cv::Vec3b(40, 40, 200));
  EXPECT_EQ(sealed.size_bytes(), 300u * 200u * 3u);
  const Image copy = sealed;  // copies share the pixels
  EXPECT_EQ(copy.pixels().data, sealed.pixels().data);
}

//! A stage that converts colours in place into the pixels it was handed dies at the write (the red-seal-turns-blue defect).
TEST(ImageDeathTest, WritingIntoSealedPixelsFaults) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const Image sealed = Image::seal(cv::Mat(64, 64, CV_8UC3, cv::Scalar(40, 40, 200)));
  EXPECT_DEATH(
      {
        cv::Mat pixels = sealed.pixels();  // a header copy shares the pixels
        cv::cvtColor(pixels, pixels, cv::COLOR_BGR2RGB);
      },
      "");
  EXPECT_EQ(sealed.pixels().at<cv::Vec3b>(0, 0), cv::Vec3b(40, 40, 200));  // unchanged
}

//! A new image made from sealed pixels is free to change: the safe way for a stage to alter a page.
TEST(Image, NewImagesFromSealedPixelsAreWritable) {
  const Image sealed = Image::seal(cv::Mat(64, 64, CV_8UC1, cv::Scalar(200)));
  cv::Mat changed;
  cv::threshold(sealed.pixels(), changed, 100, 255, cv::THRESH_BINARY_INV);
  EXPECT_EQ(changed.at<uchar>(0, 0), 0);
  EXPECT_EQ(sealed.pixels().at<uchar>(0, 0), 200);
}

//! A page a stage made and handed on alone is sealed where it lies: no second copy of the page is ever held, and it is as read-only as a copy.
TEST(ImageDeathTest, APageHandedOnAloneIsSealedInPlace) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Image::map_large_buffers();
  cv::Mat made(1200, 1000, CV_8UC3, cv::Scalar(40, 40, 200));  // 3.6 MB, as a stage makes it
  const uchar* const where = made.data;
  const Image sealed = Image::seal(std::move(made));
  EXPECT_EQ(sealed.pixels().data, where);
  EXPECT_DEATH(
      {
        cv::Mat pixels = sealed.pixels();
        pixels.setTo(cv::Scalar(0, 0, 0));
      },
      "");
  EXPECT_EQ(sealed.pixels().at<cv::Vec3b>(500, 500), cv::Vec3b(40, 40, 200));
}

//! Pixels another header still shares, a region of a larger image, or a small buffer are copied, so no one else's writable view is sealed or can change them.
TEST(Image, SharedOrPartialPixelsAreCopiedWhenSealed) {
  Image::map_large_buffers();
  cv::Mat made(1200, 1000, CV_8UC1, cv::Scalar(90));
  cv::Mat other_view = made;
  const Image shared = Image::seal(std::move(made));
  EXPECT_NE(shared.pixels().data, other_view.data);
  other_view.setTo(cv::Scalar(0));  // still writable, and does not reach the sealed copy
  EXPECT_EQ(shared.pixels().at<uchar>(600, 500), 90);

  cv::Mat whole(1200, 1000, CV_8UC1, cv::Scalar(30));
  const Image region = Image::seal(cv::Mat(whole, cv::Rect(100, 100, 500, 500)));
  EXPECT_NE(region.pixels().data, whole.data + 100 * whole.step + 100);
  EXPECT_TRUE(region.pixels().isContinuous());

  cv::Mat small(10, 10, CV_8UC1, cv::Scalar(7));
  const uchar* const small_data = small.data;
  const Image tiny = Image::seal(std::move(small));
  EXPECT_NE(tiny.pixels().data, small_data);
  EXPECT_EQ(tiny.pixels().at<uchar>(5, 5), 7);
}

//! Measurements round-trip through JSON with numbers and texts kept apart, and print without noise.
TEST(Measurements, RoundTripAndFormat) {
  Measurements m;
  m.set("skew_deg", -1.25);
  m.set("colour_mode", std::string("colour"));
  m.set("width_px", 2480.0);
  const Measurements back = Measurements::from_json(m.to_json());
  EXPECT_EQ(back.number("skew_deg"), -1.25);
  EXPECT_EQ(back.text("colour_mode"), "colour");
  EXPECT_FALSE(back.number("colour_mode"));
  EXPECT_FALSE(back.has("ink_ratio"));
  EXPECT_EQ(Measurements::format(2480.0), "2480");
  EXPECT_EQ(Measurements::format(-1.25), "-1.25");
  EXPECT_EQ(Measurements::format(0.0000004), "0");
}

}  // namespace
}  // namespace lantai
