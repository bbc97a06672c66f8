// Comparing what OCR read with what a catalogue says: both normalised the same way, then
// held against each other by edit distance, never by exact equality (OCR gets about one
// character in ten wrong on a typical 文书 page).
#pragma once

#include <string>
#include <string_view>

namespace lantai::cataloguing {

// Code points without spaces and punctuation of either width, full-width digits and
// Latin letters as ASCII, Latin letters upper-case, 〇 as itself: "关于 启用（V3.2）" →
// "关于启用V32".
std::u32string normalise(std::string_view utf8);

// 1 − Levenshtein distance / length of the longer, on normalised text: 1 for equal, 0
// for nothing in common; two empty strings are equal.
double similarity(std::u32string_view a, std::u32string_view b);

// How well needle occurs somewhere in haystack: 1 − the least edit distance between
// needle and any substring of haystack, over needle's length. For names read from a
// longer line (临江市档案局 within 临江市档案局办公室).
double partial_similarity(std::u32string_view needle, std::u32string_view haystack);

}  // namespace lantai::cataloguing
