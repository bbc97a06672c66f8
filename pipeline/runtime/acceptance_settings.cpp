#include "pipeline/runtime/acceptance_settings.h"

#include <cmath>

#include "pipeline/runtime/ledger.h"

namespace lantai {

namespace {

int basis_points(double percent) { return static_cast<int>(std::lround(percent * 100)); }

int stored_int(const Ledger& ledger, const char* key, int fallback) {
  const auto value = ledger.batch_value(key);
  try {
    return value ? std::stoi(*value) : fallback;
  } catch (const std::exception&) {
    throw LedgerError(std::string("ledger: batch value ") + key + " is not a number: '" + *value + "'");
  }
}

}  // namespace

AcceptanceSettings read_acceptance_settings(ProfileSection& section) {
  AcceptanceSettings settings;
  settings.record_unit = section.get(kRecordUnit);
  settings.min_sample_bp = basis_points(section.get(kMinSamplePercent));
  settings.min_pass_bp = basis_points(section.get(kMinPassPercent));
  return settings;
}

void store_acceptance_settings(Ledger& ledger, const AcceptanceSettings& settings) {
  ledger.set_batch_value("acceptance.record_unit", settings.record_unit);
  ledger.set_batch_value("acceptance.min_sample_bp", std::to_string(settings.min_sample_bp));
  ledger.set_batch_value("acceptance.min_pass_bp", std::to_string(settings.min_pass_bp));
}

AcceptanceSettings stored_acceptance_settings(const Ledger& ledger) {
  AcceptanceSettings settings;
  settings.record_unit = ledger.batch_value("acceptance.record_unit").value_or(settings.record_unit);
  settings.min_sample_bp = stored_int(ledger, "acceptance.min_sample_bp", settings.min_sample_bp);
  settings.min_pass_bp = stored_int(ledger, "acceptance.min_pass_bp", settings.min_pass_bp);
  return settings;
}

}  // namespace lantai
