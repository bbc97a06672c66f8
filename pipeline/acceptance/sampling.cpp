#include "pipeline/acceptance/sampling.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "pipeline/digest.h"

namespace lantai::acceptance {

int parse_rate(std::string_view text) {
  std::string_view number = text;
  if (number.ends_with('%')) number.remove_suffix(1);
  const auto bad = [&](const std::string& why) {
    return AcceptanceError("sampling rate '" + std::string(text) + "' " + why + " (give a percentage such as 5%)");
  };
  const std::size_t dot = number.find('.');
  const std::string_view whole = number.substr(0, dot);
  const std::string_view decimals = dot == std::string_view::npos ? std::string_view() : number.substr(dot + 1);
  const bool digits_only = std::all_of(whole.begin(), whole.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
                           std::all_of(decimals.begin(), decimals.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (whole.empty() || !digits_only || (dot != std::string_view::npos && decimals.empty()))
    throw bad("is not a number");
  if (decimals.size() > 2) throw bad("has more than two decimals");
  if (whole.size() > 3) throw bad("is more than 100%");
  int percent = 0;
  std::from_chars(whole.data(), whole.data() + whole.size(), percent);
  int hundredths = 0;
  if (!decimals.empty()) {
    std::from_chars(decimals.data(), decimals.data() + decimals.size(), hundredths);
    if (decimals.size() == 1) hundredths *= 10;
  }
  const int rate_bp = percent * 100 + hundredths;
  if (rate_bp <= 0) throw bad("is not above 0");
  if (rate_bp > 10000) throw bad("is more than 100%");
  return rate_bp;
}

std::string format_rate(int rate_bp) {
  std::string text = std::to_string(rate_bp / 100);
  if (int rest = rate_bp % 100; rest != 0) {
    text += "." + std::string(rest < 10 ? "0" : "") + std::to_string(rest);
    if (text.back() == '0') text.pop_back();
  }
  return text + "%";
}

std::size_t sample_size(std::size_t population, int rate_bp) {
  if (population == 0) return 0;
  const std::size_t asked = (population * static_cast<std::size_t>(rate_bp) + 9999) / 10000;
  return std::clamp<std::size_t>(asked, 1, population);
}

std::vector<std::string> draw(const std::vector<std::string>& population, std::uint64_t seed, int rate_bp) {
  std::vector<std::pair<std::string, const std::string*>> ranked;
  ranked.reserve(population.size());
  const std::string prefix = std::to_string(seed) + "\n";
  for (const std::string& ref : population) ranked.emplace_back(hex_digest(DigestAlgorithm::sha256, prefix + ref), &ref);
  std::sort(ranked.begin(), ranked.end());
  ranked.resize(sample_size(population.size(), rate_bp));
  std::set<const std::string*> chosen;
  for (const auto& entry : ranked) chosen.insert(entry.second);
  std::vector<std::string> sample;
  for (const std::string& ref : population)
    if (chosen.count(&ref)) sample.push_back(ref);
  return sample;
}

std::string population_digest(const std::vector<std::string>& population) {
  std::string text;
  for (const std::string& ref : population) text += ref + "\n";
  return hex_digest(DigestAlgorithm::sha256, text);
}

}  // namespace lantai::acceptance
