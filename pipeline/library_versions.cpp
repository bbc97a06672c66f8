#include "pipeline/library_versions.h"

#include <cstdio>
#include <cstring>

#include <jpeglib.h>
#include <openjpeg.h>
#include <opencv2/core/utility.hpp>
#include <tiffio.h>

// A macro's value as a string literal.
#define LANTAI_STRINGIFY(x) #x
#define LANTAI_STRINGIFY_VALUE(x) LANTAI_STRINGIFY(x)

namespace lantai {

std::string opencv_library() { return "OpenCV " + cv::getVersionString(); }

std::string libtiff_library() {
  // "LIBTIFF, Version 4.5.0\nCopyright …": the number after "Version ".
  const char* text = TIFFGetVersion();
  const char* at = std::strstr(text, "Version ");
  if (!at) return "libtiff";
  at += std::strlen("Version ");
  return "libtiff " + std::string(at, std::strcspn(at, "\n "));
}

std::string libjpeg_turbo_library() {
#ifdef LIBJPEG_TURBO_VERSION
  return "libjpeg-turbo " LANTAI_STRINGIFY_VALUE(LIBJPEG_TURBO_VERSION);
#else
  return "libjpeg " LANTAI_STRINGIFY_VALUE(JPEG_LIB_VERSION);
#endif
}

std::string openjpeg_library() { return std::string("OpenJPEG ") + opj_version(); }

}  // namespace lantai
