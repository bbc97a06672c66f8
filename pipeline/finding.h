// Findings: observations about a page, record or batch. Findings are data, not
// exceptions: a stage returns them and the runner records them in the ledger.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lantai {

enum class Severity { info, warn, reject };

std::string_view to_string(Severity severity);
Severity severity_from_string(std::string_view text);  // throws std::invalid_argument

struct Finding {
  std::string code;       // stable code listed in finding_codes.cpp, e.g. "qc.blank"
  Severity severity = Severity::info;
  std::string value;      // what was measured, as text ("150" dpi, "0.0001" ink ratio)
  std::string threshold;  // what it was held against ("200"); empty when not a measure
  std::string message;    // one line for a person, naming the file and the reason
  std::string item_id;    // set when a record or batch stage reports on one page
};

// A finding with the severity registered for its code. Asserts the code is registered.
Finding make_finding(std::string_view code, std::string message, std::string value = {},
                     std::string threshold = {});

// Every finding code, its default severity and its meaning, in one place.
struct FindingCode {
  std::string_view code;
  Severity severity;
  std::string_view meaning;
};
const std::vector<FindingCode>& all_finding_codes();

bool any_reject(const std::vector<Finding>& findings);

}  // namespace lantai
