// Numbers and times as lantai writes them in findings, reports, logs and forms.
#pragma once

#include <string>

namespace lantai {

// value with exactly `decimals` digits after the point: fixed(0.5, 3) == "0.500".
std::string fixed(double value, int decimals);

enum class TimeZone { utc, local };

// The current time through strftime, e.g. now_text("%Y-%m-%d", TimeZone::local).
std::string now_text(const char* strftime_format, TimeZone zone);

}  // namespace lantai
