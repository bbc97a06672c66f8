// Drawing an acceptance sample (抽检, DA/T 31-2017 12.3): at least the asked share of the
// records, at least one, reproducible from a seed by anyone.
//
// Each record's place in the draw is the SHA-256 of "<seed>\n<档号>"; the sample is the
// records with the lowest digests. So the same seed over the same records gives the same
// sample on any machine and with any library (an auditor can redo it with sha256sum), and
// a record added to the lot does not reshuffle the others.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lantai::acceptance {

// A request acceptance cannot carry out; the message says why and what to do.
class AcceptanceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "5%", "5", "12.5%" → hundredths of a percent (500, 500, 1250), at most two decimals,
// above 0 and at most 100%. Throws AcceptanceError naming the text.
int parse_rate(std::string_view text);
std::string format_rate(int rate_bp);  // 500 → "5%", 1250 → "12.5%"

// How many of population records a rate asks: rounded up, at least one, at most all.
std::size_t sample_size(std::size_t population, int rate_bp);

// The sampled 档号, in the population's order.
std::vector<std::string> draw(const std::vector<std::string>& population, std::uint64_t seed, int rate_bp);

// SHA-256 of the 档号, one a line: names the population a sample was drawn from.
std::string population_digest(const std::vector<std::string>& population);

}  // namespace lantai::acceptance
