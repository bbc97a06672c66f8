// JPEG 2000 through OpenJPEG, for the images lantai writes itself (derivatives) and reads
// back (reload, the searchable PDF), plus the JP2 box walk the decode stage shares to find
// a page's size and resolution. The decode stage reads the scans that arrive (hardened
// against damaged files); decode_jp2 here reads back what lantai wrote.
//
// Resolution: JP2 keeps it in the `res ` superbox of the header box (ISO/IEC 15444-1
// I.5.3.7), as capture (`resc`) and display (`resd`) grid points per metre. OpenJPEG 2.5
// neither writes nor reports it, so encode_jp2 inserts a `resc` box and
// parse_jp2_header reads one.
//
// Encoding is deterministic (no dates, no machine names): the same pixels and settings
// give the same bytes. OpenJPEG's messages are captured per call, never printed.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <opencv2/core.hpp>

namespace lantai {

struct Jp2Encoding {
  bool lossless = true;         // reversible 5/3 wavelet: the pixels come back exactly
  double compression_ratio = 20;  // lossy only: irreversible 9/7 at this ratio to 8-bit raw
};

// image: 8-bit grey or BGR. A JP2 file (not a bare codestream), sRGB or greyscale, one
// quality layer, in 1024 px tiles handed to OpenJPEG one at a time (it never holds the
// whole page as 32-bit samples), with a `resc` box when resolution_dpi is given. Throws
// std::runtime_error naming OpenJPEG's reason.
std::string encode_jp2(const cv::Mat& image, const Jp2Encoding& encoding, std::optional<double> resolution_dpi);

// 8-bit grey (CV_8UC1) or BGR (CV_8UC3) from a JP2 file or a bare codestream with 8-bit
// grey or RGB components. Throws std::runtime_error naming the reason.
cv::Mat decode_jp2(std::string_view bytes);

// What the boxes of a JP2 file say before its codestream.
struct Jp2Header {
  int width = 0;  // from the image header box (ihdr)
  int height = 0;
  int components = 0;
  std::optional<double> x_dpi, y_dpi;  // from resc, else resd
  std::string resolution_box;         // "resc" or "resd" when a resolution was found
  std::size_t codestream_at = 0;       // where the codestream (jp2c contents) starts; 0: not in bytes
};

// Walks the top-level boxes of a JP2 file (bytes: its start, at least up to the header
// box) to the header box. nullopt when the bytes are not a JP2 file or the header box is
// missing or malformed; a malformed resolution box only leaves the resolution out.
std::optional<Jp2Header> parse_jp2_header(std::span<const unsigned char> bytes);

}  // namespace lantai
