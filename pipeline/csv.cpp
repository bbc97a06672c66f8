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

std::vector<std::pair<int, std::vector<std::string>>> parse_csv(std::string_view text) {
  std::vector<std::pair<int, std::vector<std::string>>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, field_started = false;
  int line = 1, row_line = 1;
  auto end_row = [&] {
    row.push_back(std::move(field));
    field.clear();
    bool blank = row.size() == 1 && row[0].empty();
    if (!blank) rows.emplace_back(row_line, std::move(row));
    row.clear();
    field_started = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = field_started = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      field_started = false;
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_row();
      row_line = ++line;
    } else {
      field.push_back(c);
      field_started = true;
    }
  }
  if (!field.empty() || !row.empty()) end_row();
  return rows;
}

}  // namespace lantai
