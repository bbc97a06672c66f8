// The one way every stage is called, whatever its scope (lot, item, record, batch, bag):
// an exception escaping the stage becomes an internal.exception finding on that unit, so
// the unit is quarantined and the batch goes on; what the stage hands back is held to
// what it declared (finding codes, output kinds); output roles come from the
// declarations; and the profile's severity overrides are applied.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "pipeline/stage.h"

namespace lantai {

class StageGuard {
 public:
  StageGuard() = default;
  // overrides: finding code → the severity this profile gives it (libvips' fail_on: a
  // strict or a lenient delivery).
  explicit StageGuard(std::map<std::string, Severity, std::less<>> overrides) : overrides_(std::move(overrides)) {}

  // unit_name names the unit in messages: a file, a 档号, a bag.
  template <class Unit>
  Outcome call(const Stage<Unit>& stage, const StageInfo& info, Unit& unit, std::string_view unit_name) const {
    Outcome outcome;
    try {
      outcome = stage.process(unit);
    } catch (const std::exception& error) {
      outcome = failed(info, unit_name, error.what());
    } catch (...) {
      outcome = failed(info, unit_name, "an exception of unknown type");
    }
    settle(info, outcome, unit_name);
    return outcome;
  }

  // The severity this batch gives a finding of this code, for findings made outside a
  // stage call (the catalogue's).
  void apply_overrides(std::vector<Finding>& findings) const;

 private:
  static Outcome failed(const StageInfo& info, std::string_view unit_name, std::string_view why);
  void settle(const StageInfo& info, Outcome& outcome, std::string_view unit_name) const;

  std::map<std::string, Severity, std::less<>> overrides_;
};

}  // namespace lantai
