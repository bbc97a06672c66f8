#include "pipeline/csv.h"

namespace lantai {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string csv_line(const std::vector<std::string>& fields, std::string_view line_end) {
  std::string line;
  if (fields.size() == 1 && fields[0].empty()) {
    line = "\"\"";
  } else {
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i) line += ',';
      line += csv_field(fields[i]);
    }
  }
  return line.append(line_end);
}

}  // namespace lantai
