#include "pipeline/runtime/stage_guard.h"

#include <algorithm>

namespace lantai {

Outcome StageGuard::failed(const StageInfo& info, std::string_view unit_name, std::string_view why) {
  Outcome outcome;
  outcome.add(kInternalException(std::string(unit_name) + ": stage " + info.id + " failed: " + std::string(why)));
  return outcome;
}

void StageGuard::apply_overrides(std::vector<Finding>& findings) const {
  for (Finding& finding : findings) {
    auto it = overrides_.find(finding.code);
    if (it != overrides_.end()) finding.severity = it->second;
  }
}

void StageGuard::settle(const StageInfo& info, Outcome& outcome, std::string_view unit_name) const {
  // A code or output kind the stage did not declare is a bug in the stage: the unit is
  // quarantined with a finding that says so, rather than reported under an unknown name.
  std::vector<Finding> undeclared;
  for (const Finding& finding : outcome.findings) {
    const bool declared = finding.code == kInternalException.code ||
                          std::any_of(info.findings.begin(), info.findings.end(),
                                      [&](const FindingCode& code) { return code.code == finding.code; });
    if (!declared)
      undeclared.push_back(kInternalException(std::string(unit_name) + ": stage " + info.id +
                                              " reported the undeclared finding code " + finding.code));
  }
  for (StageOutput& output : outcome.outputs) {
    auto it = std::find_if(info.outputs.begin(), info.outputs.end(),
                           [&](const OutputInfo& declared) { return declared.kind == output.kind; });
    if (it == info.outputs.end())
      undeclared.push_back(kInternalException(std::string(unit_name) + ": stage " + info.id +
                                              " wrote the undeclared output kind " + output.kind));
    else
      output.role = it->role;
  }
  for (Finding& finding : undeclared) outcome.add(std::move(finding));
  apply_overrides(outcome.findings);
}

}  // namespace lantai
