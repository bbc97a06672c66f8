// A carrier medium and its capacity: the write-once discs the registration centre takes
// (CD-R, DVD±R, BD-R), a disk taken as one carrier, or a size given in bytes.
#pragma once

#include <cstdint>
#include <string>

namespace lantai::carriers {

struct Medium {
  std::string name;                 // as given: "cd", "dvd", "bd", "hdd", "200M"
  std::uint64_t capacity_bytes = 0;  // 0: unlimited (hdd: the whole batch on one carrier)
  bool unlimited() const { return capacity_bytes == 0; }
};

// The usable capacities of recordable discs, in bytes.
inline constexpr std::uint64_t kCdCapacity = 737'280'000;         // CD-R 80 min, 360,000 sectors of 2048 bytes
inline constexpr std::uint64_t kDvdCapacity = 4'700'000'000;       // DVD±R single layer
inline constexpr std::uint64_t kBdCapacity = 25'025'314'816;       // BD-R single layer, 12,219,392 sectors

// "cd", "dvd", "bd", "hdd", or a size: digits with an optional K, M, G or T (powers of
// 1000, as disc capacities are sold), e.g. 200M, 4.7G. Throws std::invalid_argument.
Medium parse_medium(const std::string& text);

}  // namespace lantai::carriers
