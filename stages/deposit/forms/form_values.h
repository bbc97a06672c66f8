// The values a form template names by key: the batch's fields, and the lists its tables
// run over (one FormRow per entry). A value keeps its text as printed and, for a figure,
// the number, so a spreadsheet holds numbers as numbers with the same digits.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lantai::deposit::forms {

struct FormValue {
  std::string text;
  std::optional<double> number;  // a figure: written as a number to a spreadsheet
  int decimals = 0;              // of the number as printed

  static FormValue of(std::string text) { return {std::move(text)}; }
  static FormValue count(std::uint64_t n) { return {std::to_string(n), static_cast<double>(n), 0}; }
  // A decimal already printed with its places ("0.042", pipeline/registration.h data_volume_gb).
  static FormValue decimal(std::string text);
};

using FormRow = std::map<std::string, FormValue, std::less<>>;

struct FormValues {
  FormRow fields;
  std::map<std::string, std::vector<FormRow>, std::less<>> tables;

  // The value a template names; an empty key gives a blank. A key that names nothing is a
  // mistake in a template (the tests render every one): std::logic_error naming it.
  const FormValue& field(std::string_view key) const;
  const std::vector<FormRow>& table(std::string_view key) const;
};

const FormValue& value_in(const FormRow& row, std::string_view key);

}  // namespace lantai::deposit::forms
