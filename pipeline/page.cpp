#include "pipeline/page.h"

#include <cstdio>

namespace lantai {

std::string_view to_string(ColourMode mode) {
  switch (mode) {
    case ColourMode::unknown: return "unknown";
    case ColourMode::bilevel: return "bilevel";
    case ColourMode::grey: return "grey";
    case ColourMode::colour: return "colour";
  }
  return "unknown";
}

std::string Page::serial() const {
  char text[16];
  std::snprintf(text, sizeof text, "%04d", seq);
  return text;
}

std::string Page::make_id(const std::string& rel_path, int frame) {
  return rel_path + "#" + std::to_string(frame);
}

}  // namespace lantai
