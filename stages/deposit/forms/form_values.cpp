#include "stages/deposit/forms/form_values.h"

#include <charconv>
#include <stdexcept>

namespace lantai::deposit::forms {

FormValue FormValue::decimal(std::string text) {
  const std::size_t point = text.find('.');
  const int places = point == std::string::npos ? 0 : static_cast<int>(text.size() - point - 1);
  double number = 0;  // from_chars: the same digits whatever the process's locale
  if (std::from_chars(text.data(), text.data() + text.size(), number).ec != std::errc())
    throw std::logic_error("'" + text + "' is not a decimal figure");
  return {std::move(text), number, places};
}

const FormValue& value_in(const FormRow& row, std::string_view key) {
  static const FormValue blank;
  if (key.empty()) return blank;
  const auto found = row.find(key);
  if (found == row.end()) throw std::logic_error("a form template names the value '" + std::string(key) + "', which no form fills");
  return found->second;
}

const FormValue& FormValues::field(std::string_view key) const { return value_in(fields, key); }

const std::vector<FormRow>& FormValues::table(std::string_view key) const {
  const auto found = tables.find(key);
  if (found == tables.end()) throw std::logic_error("a form template names the list '" + std::string(key) + "', which no form fills");
  return found->second;
}

}  // namespace lantai::deposit::forms
