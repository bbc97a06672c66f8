// TIFF through libtiff, for the images lantai writes itself (derivatives, in memory; the
// record's multi-page TIFF, to a file) and reads back (reload, the searchable PDF): baseline tags, X/YResolution in
// inches when known, no DateTime or Software tag, so the same pixels and settings give
// the same bytes. libtiff's messages are captured per handle (TIFFOpenOptions), never
// printed. The decode stage reads the scans that arrive; this reads back what lantai wrote.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <opencv2/core.hpp>

namespace lantai {

enum class TiffCompression { lzw, deflate, g4 };

// image: 8-bit grey or BGR. LZW and Deflate keep the samples (with the horizontal
// predictor); G4 (CCITT T.6) stores one bit a pixel, white where the grey value is 128 or
// more, so give it a page already made black and white (0/255). One strip per page.
// Throws std::runtime_error naming libtiff's reason.
std::string encode_tiff(const cv::Mat& image, TiffCompression compression, std::optional<double> resolution_dpi);

// A multi-page TIFF (one per record, DA/T 31-2017 allows it beside single pages), written
// page by page to a file descriptor the caller owns (an OutputFile's), so a record of
// hundreds of pages never sits in memory. Each page as encode_tiff writes one, with
// NewSubfileType "page" and PageNumber (n of count). big: BigTIFF (64-bit offsets), for a
// file that may pass 4 GB. Throws std::runtime_error naming libtiff's reason.
class TiffPagesWriter {
 public:
  TiffPagesWriter(int fd, int page_count, bool big);
  ~TiffPagesWriter();
  TiffPagesWriter(const TiffPagesWriter&) = delete;
  TiffPagesWriter& operator=(const TiffPagesWriter&) = delete;

  void add(const cv::Mat& image, TiffCompression compression, std::optional<double> resolution_dpi);
  void finish();  // after the last page: the file is complete

 private:
  struct State;
  std::unique_ptr<State> state_;
  int page_count_;
};

struct TiffPage {
  cv::Mat image;                       // CV_8UC1 (1-bit as 0/255) or CV_8UC3 BGR
  int bits_per_sample = 8;             // 1 for a bilevel page
  std::optional<double> x_dpi, y_dpi;  // from X/YResolution and ResolutionUnit
};

// The first page of a TIFF written by encode_tiff (8-bit grey or RGB, or 1-bit). Throws
// std::runtime_error naming the reason for anything else or damaged bytes.
TiffPage decode_tiff(std::string_view bytes);

// The CCITT G4 (T.6) data of a one-strip G4 TIFF as encode_tiff writes it (white is zero,
// bits in their natural order), as it is stored: what a PDF shows with CCITTFaxDecode
// (K −1). nullopt for any other TIFF.
std::optional<std::string> g4_strip(std::string_view bytes);

}  // namespace lantai
