#include "stages/ingest/tiff_frames.h"

#include <climits>
#include <cstring>

#include <tiffio.h>

namespace lantai::ingest {

namespace {

int note_error(TIFF*, void* user_data, const char*, const char*, va_list) {
  *static_cast<bool*>(user_data) = true;
  return 1;  // handled: libtiff must not print to stderr
}

// libtiff 4.5 stops the walk at a directory linking back to an earlier one with only a
// warning; the chain is broken all the same.
int note_loop(TIFF*, void* user_data, const char*, const char* format, va_list) {
  if (std::strstr(format, "IFD loop")) *static_cast<bool*>(user_data) = true;
  return 1;
}

// Directories hold tag arrays, not pixels: a request near this is a damaged file.
constexpr tmsize_t kMaxAllocBytes = 256 << 20;

}  // namespace

TiffFrames count_tiff_frames(const std::filesystem::path& path) {
  bool failed = false;
  TIFFOpenOptions* options = TIFFOpenOptionsAlloc();
  if (!options) return {};
  TIFFOpenOptionsSetErrorHandlerExtR(options, note_error, &failed);
  TIFFOpenOptionsSetWarningHandlerExtR(options, note_loop, &failed);
  TIFFOpenOptionsSetMaxSingleMemAlloc(options, kMaxAllocBytes);
  TIFF* tif = TIFFOpenExt(path.c_str(), "rm", options);  // "m": no memory map, as in decode
  TIFFOpenOptionsFree(options);
  if (!tif) return {};
  failed = false;  // only errors met while walking the chain count
  const tdir_t count = TIFFNumberOfDirectories(tif);
  TIFFClose(tif);
  return {count > static_cast<tdir_t>(INT_MAX) ? INT_MAX : static_cast<int>(count), failed};
}

}  // namespace lantai::ingest
