// The profile's `acceptance` section (DA/T 31-2017 12.3): what one record of the lot is
// and the rates acceptance sampling holds it to. The runtime reads it with the other
// sections when a batch is set up, so a bad value stops the run before anything is
// written, and keeps the effective values in the ledger: `lantai sample WORK` then needs
// no profile, and judges by the settings the batch was made under.
#pragma once

#include <string>

#include "pipeline/profile.h"

namespace lantai {

class Ledger;

inline const ChoiceParam kRecordUnit{
    "record_unit", {"件", "卷"}, "件",
    "what one catalogue record of this lot is, and so what acceptance samples and counts: 件 (item-level "
    "filing) or 卷 (a volume, 案卷)"};
inline constexpr NumberParam kMinSamplePercent{
    "min_sample_percent", "%", 5, 100, 5,
    "the least share of records an acceptance sample may draw (DA/T 31-2017: at least 5% of 件 or 卷; a "
    "profile may ask more, never less)"};
inline constexpr NumberParam kMinPassPercent{
    "min_pass_percent", "%", 95, 100, 95,
    "the least share of sampled records that must pass each inspected item other than catalogue entry ↔ "
    "images, which must pass on every one (DA/T 31-2017: 95%; a profile may ask more, never less)"};
inline constexpr const char* kAcceptanceSection = "acceptance";

struct AcceptanceSettings {
  std::string record_unit = kRecordUnit.default_value;
  int min_sample_bp = 500;  // hundredths of a percent, exact: 500 = 5%
  int min_pass_bp = 9500;
};

// Reads the section's keys (the caller finishes it). Throws ProfileError.
AcceptanceSettings read_acceptance_settings(ProfileSection& section);
// Kept in the ledger's batch values; a WORK made before they were kept reads the defaults.
void store_acceptance_settings(Ledger& ledger, const AcceptanceSettings& settings);
AcceptanceSettings stored_acceptance_settings(const Ledger& ledger);

}  // namespace lantai
