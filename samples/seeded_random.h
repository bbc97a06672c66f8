// Random draws for the sample generator that are the same with every standard library:
// std::mt19937's sequence is fixed by the standard, but the std::*_distribution classes
// are not, so the draws are made here from the raw engine output.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>

namespace lantai::samples {

class SeededRandom {
 public:
  explicit SeededRandom(std::uint32_t seed) : engine_(seed) {}

  // A seed for a child stream (one record, one page), so that one more draw in one page
  // does not shift every page after it. splitmix-style mixing of the inputs.
  static std::uint32_t derive(std::uint32_t seed, std::uint32_t a, std::uint32_t b = 0) {
    std::uint64_t x = (std::uint64_t{seed} << 32) ^ (std::uint64_t{a} * 0x9E3779B97F4A7C15ull) ^
                      (std::uint64_t{b} * 0xC2B2AE3D27D4EB4Full);
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 31;
    return static_cast<std::uint32_t>(x);
  }

  double uniform01() { return engine_() / 4294967296.0; }  // [0, 1)
  double uniform(double low, double high) { return low + (high - low) * uniform01(); }
  // Inclusive of both ends; the modulo bias is irrelevant for the small ranges used here.
  int uniform_int(int low, int high) {
    return low + static_cast<int>(engine_() % static_cast<std::uint32_t>(high - low + 1));
  }
  bool chance(double probability) { return uniform01() < probability; }
  // Box-Muller; 1 - u keeps the logarithm away from zero.
  double normal(double mean, double sd) {
    const double u = 1.0 - uniform01();
    const double v = uniform01();
    return mean + sd * std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * std::numbers::pi * v);
  }

 private:
  std::mt19937 engine_;
};

}  // namespace lantai::samples
