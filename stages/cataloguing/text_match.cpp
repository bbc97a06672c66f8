#include "stages/cataloguing/text_match.h"

#include <algorithm>
#include <vector>

#include "pipeline/utf8.h"

namespace lantai::cataloguing {

namespace {

bool is_dropped(char32_t c) {
  if (c <= 0x20 || c == 0x3000 || c == 0xA0) return true;  // spaces of every width
  if (c < 0x80) return !((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));
  // CJK symbols and punctuation (、。〈〉《》「」『』【】〔〕…), but 〇, a numeral in dates.
  if (c >= 0x3001 && c <= 0x303F) return c != 0x3007;
  if (c >= 0xFF01 && c <= 0xFF0F) return true;  // ！＂＃…／
  if (c >= 0xFF1A && c <= 0xFF20) return true;  // ：；＜＝＞？＠
  if (c >= 0xFF3B && c <= 0xFF40) return true;
  if (c >= 0xFF5B && c <= 0xFF65) return true;
  if (c >= 0x2010 && c <= 0x206F) return true;  // dashes, quotes, ·, …
  return c == 0xB7 || c == 0xD7;
}

char32_t fold(char32_t c) {
  if (c >= 0xFF10 && c <= 0xFF19) c = c - 0xFF10 + U'0';
  else if (c >= 0xFF21 && c <= 0xFF3A) c = c - 0xFF21 + U'A';
  else if (c >= 0xFF41 && c <= 0xFF5A) c = c - 0xFF41 + U'a';
  if (c >= U'a' && c <= U'z') c = c - U'a' + U'A';
  return c;
}

}  // namespace

std::u32string normalise(std::string_view utf8) {
  std::u32string out;
  for (char32_t c : to_code_points(utf8))
    if (!is_dropped(c)) out.push_back(fold(c));
  return out;
}

double similarity(std::u32string_view a, std::u32string_view b) {
  const std::size_t longer = std::max(a.size(), b.size());
  if (longer == 0) return 1.0;
  return 1.0 - static_cast<double>(edit_distance(a, b, false)) / static_cast<double>(longer);
}

double partial_similarity(std::u32string_view needle, std::u32string_view haystack) {
  if (needle.empty()) return 1.0;
  return 1.0 - static_cast<double>(edit_distance(needle, haystack, true)) / static_cast<double>(needle.size());
}

}  // namespace lantai::cataloguing
