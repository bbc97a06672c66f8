#include "stages/cataloguing/ref_grammar.h"

#include <algorithm>
#include <stdexcept>

namespace lantai::cataloguing {

RefGrammar::RefGrammar(const std::string& pattern) {
  // std::regex knows no named groups: rewrite (?<name>…) as (…) and remember which
  // group number each name got.
  std::string plain;
  std::size_t group = 0;
  bool in_class = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      plain += pattern.substr(i, 2);
      ++i;
      continue;
    }
    if (in_class) {
      in_class = c != ']';
      plain += c;
      continue;
    }
    if (c == '[') in_class = true;
    if (c == '(') {
      if (pattern.compare(i, 3, "(?<") == 0 && i + 3 < pattern.size() && pattern[i + 3] != '=' &&
          pattern[i + 3] != '!') {
        const std::size_t close = pattern.find('>', i + 3);
        if (close == std::string::npos) throw std::invalid_argument("a named group has no closing '>'");
        const std::string name = pattern.substr(i + 3, close - i - 3);
        if (std::find(names_.begin(), names_.end(), name) != names_.end())
          throw std::invalid_argument("the part name " + name + " is used twice");
        names_.push_back(name);
        if (name == "item") item_group_ = group + 1;
        ++group;
        plain += '(';
        i = close;
        continue;
      }
      if (i + 1 >= pattern.size() || pattern[i + 1] != '?') ++group;
    }
    plain += c;
  }
  if (item_group_ == 0) throw std::invalid_argument("it has no (?<item>...) part for the 件号");
  try {
    regex_ = std::regex(plain, std::regex::ECMAScript);
  } catch (const std::regex_error& error) {
    throw std::invalid_argument(std::string("it is not a regular expression: ") + error.what());
  }
}

std::optional<RefParts> RefGrammar::parse(const std::string& ref) const {
  std::smatch match;
  if (!std::regex_match(ref, match, regex_)) return std::nullopt;
  const auto& item = match[static_cast<int>(item_group_)];
  RefParts parts;
  parts.prefix = ref.substr(0, static_cast<std::size_t>(match.position(static_cast<int>(item_group_))));
  parts.item = item.str();
  parts.suffix = ref.substr(parts.prefix.size() + parts.item.size());
  auto number = number_in_series(parts, ref);
  if (!number) return std::nullopt;  // a 件号 of other than digits cannot be counted
  parts.number = *number;
  return parts;
}

std::optional<long long> number_in_series(const RefParts& parts, const std::string& ref) {
  if (ref.size() <= parts.prefix.size() + parts.suffix.size()) return std::nullopt;
  if (ref.compare(0, parts.prefix.size(), parts.prefix) != 0) return std::nullopt;
  if (ref.compare(ref.size() - parts.suffix.size(), parts.suffix.size(), parts.suffix) != 0) return std::nullopt;
  const std::string digits = ref.substr(parts.prefix.size(), ref.size() - parts.prefix.size() - parts.suffix.size());
  if (digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::stoll(digits);
}

}  // namespace lantai::cataloguing
