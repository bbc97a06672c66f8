// Builds a double-layer PDF with libqpdf: page images (JPEG and JPEG 2000 embedded as they
// are, TIFF as its samples) with text-only PDF pages laid over them, as OCRmyPDF grafts its text layers. Knows nothing
// of records or the ledger, so it can be tested on its own.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace lantai::searchable_pdf {

// What a JPEG's frame header says.
struct JpegFrame {
  int width = 0;
  int height = 0;
  int components = 0;  // 1 grey, 3 YCbCr (RGB)
};

// Reads the first SOF marker. Throws std::invalid_argument when the bytes are not a JPEG
// a PDF can show as DeviceGray or DeviceRGB.
JpegFrame read_jpeg_frame(const std::string& jpeg);

// How a page's image goes into the PDF; in every case the PDF shows exactly the pixels
// of the derivative it came from.
enum class ImageCoding {
  dct,  // a JPEG file, embedded unchanged (DCTDecode)
  jpx,  // a JP2 file, embedded unchanged (JPXDecode, which PDF/A-2 allows)
  raw,  // samples row by row (8-bit grey or RGB, or 1-bit grey with 1 = white), Flate-compressed when written
  g4,   // a G4 TIFF's CCITT T.6 strip, embedded unchanged (CCITTFaxDecode, K −1, 0 = black)
};

struct PdfImage {
  ImageCoding coding = ImageCoding::dct;
  std::string data;
  int width = 0;
  int height = 0;
  int components = 0;  // 1 grey, 3 RGB
  int bits = 8;        // per component: 8, or 1 for a bilevel raw image
};

// A derivative's bytes as a PDF image, told from its first bytes: JPEG (its frame header
// read), JP2 (its image header box read), TIFF (decoded to its samples; a 1-bit page stays
// 1 bit, its G4 data embedded as it is). Throws std::invalid_argument when it is none of those or cannot be shown.
PdfImage pdf_image(std::string derivative);

struct PdfPage {
  PdfImage image;
  double resolution_dpi = 300;            // its pixels per inch: page size = pixels / dpi
  std::optional<std::string> text_layer;  // a one-page text-only PDF, scaled onto the page
};

struct PdfIdentity {
  std::string title;     // Info /Title and XMP dc:title
  std::string producer;  // Info /Producer and XMP pdf:Producer
  std::string icc_profile;  // sRGB ICC profile bytes: the PDF/A output intent
};

// The whole PDF (PDF/A-2b as far as its parts allow), the same bytes for the same input:
// no dates, a deterministic /ID. Throws std::runtime_error naming the page on a bad part.
std::string assemble_pdf(const std::vector<PdfPage>& pages, const PdfIdentity& identity);

}  // namespace lantai::searchable_pdf
