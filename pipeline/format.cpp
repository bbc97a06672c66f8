#include "pipeline/format.h"

#include <cstdio>
#include <ctime>

namespace lantai {

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

}  // namespace lantai
