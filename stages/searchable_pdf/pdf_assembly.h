// Builds a double-layer PDF with libqpdf: page images (JPEG, embedded as they are) with
// text-only PDF pages laid over them, as OCRmyPDF grafts its text layers. Knows nothing
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

struct PdfPage {
  std::string jpeg;                       // the image, embedded unchanged
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
