// The grammar of a 档号: by default DA/T 22-2015 for 件-level filing,
// 全宗号-门类代码·年度-保管期限-机构(问题)代码-件号 (J012-WS·2021-D30-BGS-0001); a profile may
// give a local one as a regular expression (ECMAScript) whose parts are named groups,
// (?<item>…) the 件号 among them. The other named parts together name the series the
// 件号 counts in (fonds, category, year, retention, organ).
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace lantai::cataloguing {

inline constexpr const char* kDefaultRefPattern =
    "(?<fonds>[A-Z0-9]{4})-(?<category>[A-Z]{1,4})\xC2\xB7(?<year>[0-9]{4})-(?<retention>Y|D30|D10|C|D)-"
    "(?<organ>[A-Z0-9]{1,8})-(?<item>[0-9]{4})";

// A 档号 taken apart: its 件号 and where that sits, so other 档号 of its series can be
// recognised by the text around it.
struct RefParts {
  std::string prefix;  // the 档号 before the 件号
  std::string item;    // the 件号's digits as written
  std::string suffix;  // the 档号 after the 件号
  long long number = 0;
};

class RefGrammar {
 public:
  // Throws std::invalid_argument naming what is wrong: not a regular expression, no
  // (?<item>…) group, a group name used twice.
  explicit RefGrammar(const std::string& pattern);

  // The parts when the whole 档号 matches; nullopt when it does not.
  std::optional<RefParts> parse(const std::string& ref) const;

  // The part names in order, item among them.
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::regex regex_;
  std::vector<std::string> names_;
  std::size_t item_group_ = 0;  // 1-based group number of item
};

// A 档号 of the series of parts, with a 件号 of digits only: its number.
std::optional<long long> number_in_series(const RefParts& parts, const std::string& ref);

}  // namespace lantai::cataloguing
