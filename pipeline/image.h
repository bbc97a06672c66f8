// Image: pixels that no stage can change. DA/T 31-2017 asks that what the paper shows is
// kept (原貌: a red seal stays red); a stage that wrote into pixels it was handed would
// change what every later stage and the deposit see. So the pixels an item carries live
// in memory the operating system marks read-only: a write through any cv::Mat header
// over them faults at once, in tests and in production alike, instead of silently
// altering a deliverable. A stage that changes pixels makes a new cv::Mat and hands it
// on in its Outcome; the runtime seals it.
//
// Copying an Image shares the pixels (cheap); the memory is released with the last copy.
#pragma once

#include <cstdint>

#include <opencv2/core.hpp>

namespace lantai {

class Image {
 public:
  Image() = default;

  // A read-only copy of pixels (any size and type).
  static Image seal(const cv::Mat& pixels);
  // The same, without a copy when the pixels are the only view of a buffer on pages of its
  // own (see map_large_buffers): those pages themselves are made read-only.
  static Image seal(cv::Mat&& pixels);

  // Makes every large cv::Mat buffer in the process (a page, not a small temporary) pages
  // of its own, given back to the system when freed (the last ~96 MB of them kept a moment
  // for reuse: fresh pages cost the kernel's zeroing). Stages' new images can then be sealed
  // where they are, so a page is never held twice while it changes hands. Call once, before
  // any threads start.
  static void map_large_buffers();

  // The pixels, for reading. Writing through this header, or any copy of it, is a bug
  // the operating system stops (SIGSEGV): make a new cv::Mat instead.
  const cv::Mat& pixels() const { return pixels_; }

  bool empty() const { return pixels_.empty(); }
  std::uint64_t size_bytes() const { return pixels_.total() * pixels_.elemSize(); }

 private:
  explicit Image(cv::Mat pixels) : pixels_(std::move(pixels)) {}
  static Image protect(cv::Mat pixels);
  cv::Mat pixels_;
};

}  // namespace lantai
