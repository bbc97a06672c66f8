#include "pipeline/finding.h"

#include <algorithm>
#include <stdexcept>

namespace lantai {

std::string_view to_string(Severity severity) {
  switch (severity) {
    case Severity::info: return "info";
    case Severity::warn: return "warn";
    case Severity::reject: return "reject";
  }
  return "info";
}

Severity severity_from_string(std::string_view text) {
  if (text == "info") return Severity::info;
  if (text == "warn") return Severity::warn;
  if (text == "reject") return Severity::reject;
  throw std::invalid_argument("unknown severity '" + std::string(text) + "'");
}

Finding FindingCode::operator()(std::string message, std::string value, std::string threshold) const {
  return Finding{std::string(code), severity, std::move(value), std::move(threshold), std::move(message), {}, {}};
}

bool any_reject(const std::vector<Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(),
                     [](const Finding& f) { return f.severity == Severity::reject && f.stands(); });
}

}  // namespace lantai
