// Numbers and times as lantai writes them in findings, reports, logs and forms.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lantai {

// value with exactly `decimals` digits after the point: fixed(0.5, 3) == "0.500".
std::string fixed(double value, int decimals);

// value with at most max_decimals digits after the point and no trailing zeros:
// trimmed(300.0, 2) == "300", trimmed(299.725, 2) == "299.73", trimmed(-0.0001, 2) == "0".
std::string trimmed(double value, int max_decimals);

// seconds as hours, minutes and whole seconds, for a recording's length: "1:02:03".
std::string hours_minutes_seconds(double seconds);

// text on one line, for messages and tag files: line breaks and tabs become spaces.
std::string one_line(std::string text);

// ASCII letters in lower case; other bytes (UTF-8 included) as they are.
std::string ascii_lower(std::string text);

// A profile's list "avi, mxf": the entries between commas, trimmed, empty ones dropped.
std::vector<std::string> split_list(std::string_view text);
// The other way, for messages: "avi, mxf".
std::string join_list(const std::vector<std::string>& list);

enum class TimeZone { utc, local };

// The current time through strftime, e.g. now_text("%Y-%m-%d", TimeZone::local).
std::string now_text(const char* strftime_format, TimeZone zone);

}  // namespace lantai
