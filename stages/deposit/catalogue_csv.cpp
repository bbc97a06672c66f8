#include "stages/deposit/catalogue_csv.h"

namespace lantai::deposit {

namespace {

void append_field(std::string& out, const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) {
    out += field;
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void append_row(std::string& out, const std::vector<std::string>& fields) {
  // A lone empty field would be a blank line, which readers skip: quote it.
  if (fields.size() == 1 && fields[0].empty()) {
    out += "\"\"\r\n";
    return;
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_field(out, fields[i]);
  }
  out += "\r\n";
}

}  // namespace

std::string catalogue_csv(const std::vector<std::string>& columns,
                          const std::vector<std::vector<std::string>>& rows) {
  std::string out;
  append_row(out, columns);
  for (const auto& row : rows) append_row(out, row);
  return out;
}

}  // namespace lantai::deposit
