// CSV per RFC 4180: one writer for the reports, the deposit's catalogue and the sample
// lot's catalogue; one reader for the catalogue (catalog.h) and the deposit's tag tables.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lantai {

// One field, quoted when it holds a comma, quote or line break.
std::string csv_field(const std::string& text);

// One row ending in line_end. A row of one empty field is written as "" so that readers,
// which skip blank lines, still see the row.
std::string csv_line(const std::vector<std::string>& fields, std::string_view line_end = "\n");

// Rows of UTF-8 text with the line each starts on (1-based); quoted fields may hold
// commas, doubled quotes and line breaks; blank lines are skipped.
std::vector<std::pair<int, std::vector<std::string>>> parse_csv(std::string_view text);

}  // namespace lantai
