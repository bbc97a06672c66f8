// Natural order for file and folder names, as a person numbering pages expects:
// "page2" < "page10" < "Page11". Runs of ASCII digits compare by value, other bytes one by
// one with ASCII letters folded to lower case, so UTF-8 names (第2页 < 第10页) order by code
// point between the digit runs. Names equal under that rule ("p01"/"p1", "A"/"a") fall
// back to plain byte order, so the order is total and the same on every machine.
#pragma once

#include <string_view>

namespace lantai::ingest {

bool natural_less(std::string_view a, std::string_view b);

}  // namespace lantai::ingest
