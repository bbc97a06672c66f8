#include <gtest/gtest.h>

#include <new>

#include "stages/decode/decoded_image.h"

namespace lantai::decode {
namespace {

//! An allocation failing inside a reader (std::bad_alloc, or OpenCV's out-of-memory error) becomes too_large with a one-line detail, and drops the pixels.
TEST(GuardAllocations, OutOfMemoryBecomesTooLarge) {
  for (int source = 0; source < 2; ++source) {
    DecodedImage image;
    image.width_px = 65535;
    image.height_px = 2000;
    image.image.create(4, 4, CV_8UC1);
    guard_allocations(image, [&] {
      if (source == 0) throw std::bad_alloc();
      CV_Error(cv::Error::StsNoMem, "failed to allocate");
    });
    EXPECT_EQ(image.problem, Problem::too_large) << source;
    EXPECT_EQ(image.detail, "not enough memory to decode it (65535 x 2000 px)");
    EXPECT_TRUE(image.image.empty());
  }
}

//! Any other exception is a programming error and is not swallowed; the first problem already found is kept.
TEST(GuardAllocations, OtherErrorsPassThroughAndFirstProblemStays) {
  DecodedImage image;
  EXPECT_THROW(guard_allocations(image, [] { CV_Error(cv::Error::StsBadArg, "bug"); }), cv::Exception);
  EXPECT_EQ(image.problem, Problem::none);
  image.fail(Problem::truncated, "cut");
  guard_allocations(image, [] { throw std::bad_alloc(); });
  EXPECT_EQ(image.problem, Problem::truncated);
  EXPECT_EQ(image.detail, "cut");
}

//! Found by fuzzing: a library message over several lines (libtiff indents its second line) becomes a one-line detail.
TEST(DecodedImageFail, DetailIsOneLine) {
  DecodedImage image;
  image.fail(Problem::corrupt, "Tag NumberOfInks:\n  Value 1 of NumberOfInks is different\r\n");
  EXPECT_EQ(image.detail, "Tag NumberOfInks: Value 1 of NumberOfInks is different");
}

}  // namespace
}  // namespace lantai::decode
