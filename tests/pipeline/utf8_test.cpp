// UTF-8 checking and decoding, strict about what is not UTF-8.
#include <gtest/gtest.h>

#include "pipeline/utf8.h"

namespace lantai {
namespace {

//! Valid text passes; overlongs, surrogates, truncated sequences and GBK bytes do not.
TEST(Utf8, ValidatesStrictly) {
  EXPECT_TRUE(is_valid_utf8("J012-WS·2021-Y-BGS-0001 档案 𠀀"));
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xE6\xA1"));          // cut short
  EXPECT_FALSE(is_valid_utf8("\xB5\xB5\xB0\xB8"));  // 档案 in GBK
}

//! Decoding gives the code points, and an invalid byte becomes U+FFFD without stalling.
TEST(Utf8, DecodesAndRecovers) {
  EXPECT_EQ(to_code_points("a档𠀀"), (std::u32string{U'a', U'\u6863', U'\U00020000'}));
  EXPECT_EQ(to_code_points("a\xFF" "b"), (std::u32string{U'a', U'\uFFFD', U'b'}));
  std::size_t at = 0;
  EXPECT_EQ(next_code_point("·x", at), U'\u00B7');
  EXPECT_EQ(at, 2u);
}

//! Code points go back to the same UTF-8 they came from, in every sequence length.
TEST(Utf8, CodePointsRoundTrip) {
  const std::string text = "A\u00e9\u6863\u3007\U00020000";  // 1, 2, 3, 3 and 4 bytes
  EXPECT_EQ(to_utf8(to_code_points(text)), text);
  EXPECT_EQ(to_utf8(U"档号"), "档号");
}

//! Edit distance counts the edits between code-point strings, or to the closest substring.
TEST(Utf8, EditDistance) {
  EXPECT_EQ(edit_distance(U"档号", U"档号"), 0u);
  EXPECT_EQ(edit_distance(U"临档发", U"临档文件"), 2u);
  EXPECT_EQ(edit_distance(U"", U"abc"), 3u);
  EXPECT_EQ(edit_distance(U"档案局", U"临江市档案局文件", true), 0u);
  EXPECT_EQ(edit_distance(U"档案局", U"临江市档案局文件"), 5u);
}

}  // namespace
}  // namespace lantai
