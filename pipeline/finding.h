// Findings: observations about an item, record or batch. Findings are data, not
// exceptions: a stage returns them and the runtime records them in the ledger.
//
// Every code is declared once, by the stage that reports it (its FindingCode constants,
// listed in its StageInfo), or here in the core for the few the core itself reports.
// The registry of all codes is built from those declarations (StageSequence::finding_codes),
// and docs/findings.md lists every one of them (a test keeps the two in step).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lantai {

enum class Severity { info, warn, reject };

std::string_view to_string(Severity severity);
Severity severity_from_string(std::string_view text);  // throws std::invalid_argument

struct Finding {
  std::string code;       // a declared code, e.g. "qc.blank"
  Severity severity = Severity::info;
  std::string value;      // what was measured, as text ("150" dpi, "0.0001" ink ratio)
  std::string threshold;  // what it was held against ("200"); empty when not a measure
  std::string message;    // one line for a person, naming the file and the reason
  std::string item_id;    // set when a lot, record or batch stage reports on one item
  std::string record_ref; // set when a lot or batch stage reports on one record
  // Set when a person accepted the finding in review ("decision 12 by wang: reason"): it
  // is kept and reported as it was found, but no longer quarantines or withholds.
  std::string overridden_by;
  bool stands() const { return overridden_by.empty(); }
};

// A code as its stage declares it: the default severity (a profile may change it) and
// what it means, for docs/findings.md and the reports.
struct FindingCode {
  std::string_view code;
  Severity severity;
  std::string_view meaning;

  // A finding of this code with its default severity.
  Finding operator()(std::string message, std::string value = {}, std::string threshold = {}) const;
};

// Reported by the runtime itself when a stage fails unexpectedly on a unit.
inline constexpr FindingCode kInternalException{
    "internal.exception", Severity::reject, "a stage failed unexpectedly on this unit; see the message"};

// A reject finding that stands (not overridden in review).
bool any_reject(const std::vector<Finding>& findings);

}  // namespace lantai
