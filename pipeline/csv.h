// Writing CSV per RFC 4180: one writer for the reports, the deposit's catalogue and the
// sample lot's catalogue. (Reading is the catalogue's business: catalog.h.)
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lantai {

// One field, quoted when it holds a comma, quote or line break.
std::string csv_field(const std::string& text);

// One row ending in line_end. A row of one empty field is written as "" so that readers,
// which skip blank lines, still see the row.
std::string csv_line(const std::vector<std::string>& fields, std::string_view line_end = "\n");

}  // namespace lantai
