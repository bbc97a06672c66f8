#include "stages/ingest/natural_order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace lantai::ingest {
namespace {

std::vector<std::string> sorted(std::vector<std::string> names) {
  std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) { return natural_less(a, b); });
  return names;
}

//! Digit runs compare by value: page2 < page10, 第2页 < 第10页, and numbers longer than 64 bits still order.
TEST(NaturalOrder, DigitRunsByValue) {
  EXPECT_EQ(sorted({"page10.jpg", "page2.jpg", "page1.jpg", "page20.jpg"}),
            (std::vector<std::string>{"page1.jpg", "page2.jpg", "page10.jpg", "page20.jpg"}));
  EXPECT_EQ(sorted({"第10页.tif", "第2页.tif", "第1页.tif"}), (std::vector<std::string>{"第1页.tif", "第2页.tif", "第10页.tif"}));
  EXPECT_TRUE(natural_less("x99999999999999999999999", "x100000000000000000000000"));
  EXPECT_TRUE(natural_less("J012-WS·2021-Y-BGS-0002", "J012-WS·2021-Y-BGS-0010"));
  EXPECT_FALSE(natural_less("page10", "page9"));
}

//! Case and leading zeros do not decide order, but they break ties, so the order is total and stable.
TEST(NaturalOrder, TiesBreakByBytes) {
  EXPECT_TRUE(natural_less("Page2", "page10"));
  EXPECT_TRUE(natural_less("page02", "page2") != natural_less("page2", "page02"));
  EXPECT_TRUE(natural_less("A.jpg", "a.jpg") != natural_less("a.jpg", "A.jpg"));
  EXPECT_FALSE(natural_less("same", "same"));
  EXPECT_EQ(sorted({"p2", "p02", "p1", "p002"}), sorted({"p002", "p1", "p02", "p2"}));
  EXPECT_TRUE(natural_less("scan", "scan1"));
}

}  // namespace
}  // namespace lantai::ingest
