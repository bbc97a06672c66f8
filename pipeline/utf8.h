// UTF-8, strictly: file names, 档号 and OCR text are UTF-8 everywhere inside lantai.
#pragma once

#include <clocale>
#include <cstddef>
#include <string>
#include <string_view>

namespace lantai {

// Length of the valid UTF-8 sequence at text[at], or 0 when it is not one (overlongs,
// surrogates and values past U+10FFFF are invalid).
std::size_t utf8_sequence_length(std::string_view text, std::size_t at);

bool is_valid_utf8(std::string_view text);

// The code point at text[at]; advances at past it. An invalid byte gives U+FFFD and
// advances by one, so every caller makes progress.
char32_t next_code_point(std::string_view text, std::size_t& at);

std::u32string to_code_points(std::string_view text);

// Code points back to UTF-8.
std::string to_utf8(std::u32string_view text);

// Levenshtein distance between code-point strings: the edits that turn a into b, or,
// with b_substring, into b's closest substring.
std::size_t edit_distance(std::u32string_view a, std::u32string_view b, bool b_substring = false);

// For its lifetime, the calling thread's character type is C.UTF-8 (uselocale), whatever
// the process locale: libraries that convert file names through the locale (libarchive's
// TAR and ZIP names) then read and write UTF-8, the same bytes on every machine. Other
// threads are untouched. Throws std::runtime_error when C.UTF-8 is missing.
class ScopedUtf8Locale {
 public:
  ScopedUtf8Locale();
  ~ScopedUtf8Locale();
  ScopedUtf8Locale(const ScopedUtf8Locale&) = delete;
  ScopedUtf8Locale& operator=(const ScopedUtf8Locale&) = delete;

 private:
  locale_t utf8_;
  locale_t previous_;
};

}  // namespace lantai
