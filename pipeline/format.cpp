#include "pipeline/format.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace lantai {

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    item.remove_prefix(std::min(item.size(), item.find_first_not_of(" \t")));
    const std::size_t last = item.find_last_not_of(" \t");
    item = last == std::string_view::npos ? std::string_view() : item.substr(0, last + 1);
    if (!item.empty()) items.emplace_back(item);
  }
  return items;
}

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string now_text(const char* strftime_format, TimeZone zone) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  // The _r forms: the plain ones share one buffer between threads.
  if (zone == TimeZone::utc) gmtime_r(&now, &tm);
  else localtime_r(&now, &tm);
  char text[64];
  std::strftime(text, sizeof text, strftime_format, &tm);
  return text;
}

std::string trimmed(double value, int max_decimals) {
  std::string text = fixed(value, max_decimals);
  if (text.find('.') != std::string::npos) {
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
  }
  return text == "-0" ? "0" : text;
}

std::string join_list(const std::vector<std::string>& list) {
  std::string text;
  for (const std::string& item : list) text += (text.empty() ? "" : ", ") + item;
  return text;
}

std::string hours_minutes_seconds(double seconds) {
  const auto whole = static_cast<long long>(std::max(0.0, seconds) + 0.5);
  char text[48];
  std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", whole / 3600, whole / 60 % 60, whole % 60);
  return text;
}

std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return text;
}

std::string ascii_lower(std::string text) {
  for (char& c : text)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return text;
}

}  // namespace lantai
