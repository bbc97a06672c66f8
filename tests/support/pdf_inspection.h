// What poppler's own tools read from a PDF: its text (pdftotext) and its fonts (pdffonts),
// so tests check a document as a reader's viewer and printer would see it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace lantai::testing {

// The text of every page in the order it was drawn (pdftotext -raw): a table cell's text
// stays together however it wraps.
std::string pdf_text(const std::filesystem::path& pdf);

struct PdfFont {
  std::string name;  // with its subset tag: ABCDEF+NotoSerifCJKsc-Regular
  std::string type;  // "CID Type 0C", "TrueType" ...
  bool embedded = false;
};
std::vector<PdfFont> pdf_fonts(const std::filesystem::path& pdf);

}  // namespace lantai::testing
