#include "stages/ingest/natural_order.h"

#include <cstddef>

namespace lantai::ingest {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

unsigned char fold(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte >= 'A' && byte <= 'Z' ? static_cast<unsigned char>(byte - 'A' + 'a') : byte;
}

// The end of the digit run starting at `at`.
std::size_t digits_end(std::string_view text, std::size_t at) {
  while (at < text.size() && is_digit(text[at])) ++at;
  return at;
}

// <0, 0, >0 like strcmp, under the natural rule alone.
int compare_natural(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (is_digit(a[i]) && is_digit(b[j])) {
      const std::size_t i_end = digits_end(a, i), j_end = digits_end(b, j);
      // Compare by value without parsing (runs may exceed any integer type): drop leading
      // zeros, then the longer run is larger, and equal lengths compare digit by digit.
      while (i + 1 < i_end && a[i] == '0') ++i;
      while (j + 1 < j_end && b[j] == '0') ++j;
      const std::string_view x = a.substr(i, i_end - i), y = b.substr(j, j_end - j);
      if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
      if (const int c = x.compare(y); c != 0) return c;
      i = i_end;
      j = j_end;
      continue;
    }
    const unsigned char x = fold(a[i]), y = fold(b[j]);
    if (x != y) return x < y ? -1 : 1;
    ++i;
    ++j;
  }
  if (i < a.size()) return 1;
  if (j < b.size()) return -1;
  return 0;
}

}  // namespace

bool natural_less(std::string_view a, std::string_view b) {
  const int c = compare_natural(a, b);
  return c != 0 ? c < 0 : a < b;
}

}  // namespace lantai::ingest
