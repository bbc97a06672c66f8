// A workbook read back as a spreadsheet program reads it: the ZIP opened with libarchive,
// its parts parsed with libxml2 (sheets by name through the workbook's relationships,
// shared strings resolved, cell styles to their borders), so tests check what a reader
// of the XLSX finds, not what the writer meant.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lantai::testing {

struct XlsxCell {
  std::string text;              // a string cell's text, or a number's digits as stored
  std::optional<double> number;  // set for a number cell
  std::string number_format;     // the format code of a number cell ("0.000"); empty: General
  bool bordered = false;
};

struct XlsxSheet {
  std::string name;
  std::map<std::string, XlsxCell> cells;  // by reference: "A1"
  std::string paper_size;                 // pageSetup paperSize ("9": A4)
  bool fit_to_page = false;
  std::string fit_to_width, fit_to_height;
  std::string print_titles;  // the rows repeated on every printed page ("'名'!$5:$5")
  std::string footer;
  int merged_ranges = 0;
};

// Throws std::runtime_error when the file is not a readable workbook.
std::vector<XlsxSheet> read_xlsx(const std::filesystem::path& file);

// The first filled cell right of the cell that says label, in its row (a form's value
// beside its label); null when there is none.
const XlsxCell* cell_right_of(const XlsxSheet& sheet, const std::string& label);

}  // namespace lantai::testing
