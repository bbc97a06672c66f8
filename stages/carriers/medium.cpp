#include "stages/carriers/medium.h"

#include <cmath>
#include <stdexcept>

namespace lantai::carriers {

Medium parse_medium(const std::string& text) {
  if (text == "cd") return {text, kCdCapacity};
  if (text == "dvd") return {text, kDvdCapacity};
  if (text == "bd") return {text, kBdCapacity};
  if (text == "hdd") return {text, 0};
  const auto bad = [&] {
    return std::invalid_argument("medium '" + text +
                                 "': give cd, dvd, bd, hdd or a size such as 200M or 4.7G (K, M, G, T: powers of 1000)");
  };
  std::size_t digits = 0;
  while (digits < text.size() && ((text[digits] >= '0' && text[digits] <= '9') || text[digits] == '.')) ++digits;
  if (digits == 0 || digits > 20) throw bad();
  double multiplier = 1;
  const std::string unit = text.substr(digits);
  if (unit == "K" || unit == "k") multiplier = 1e3;
  else if (unit == "M" || unit == "m") multiplier = 1e6;
  else if (unit == "G" || unit == "g") multiplier = 1e9;
  else if (unit == "T" || unit == "t") multiplier = 1e12;
  else if (!unit.empty()) throw bad();
  double number = 0;
  try {
    std::size_t used = 0;
    number = std::stod(text.substr(0, digits), &used);
    if (used != digits) throw bad();
  } catch (const std::logic_error&) {
    throw bad();
  }
  const double bytes = std::floor(number * multiplier);
  // Below 64 KiB not even the file system's own structures fit.
  if (!(bytes >= 65536 && bytes < 1e18)) throw bad();
  return {text, static_cast<std::uint64_t>(bytes)};
}

}  // namespace lantai::carriers
