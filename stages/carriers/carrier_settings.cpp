#include "stages/carriers/carrier_settings.h"

namespace lantai::carriers {

CarrierSettings read_carrier_settings(ProfileSection& section) {
  CarrierSettings settings;
  settings.encoding = section.get(kEncoding);
  settings.reserve_percent = section.get(kReservePercent);
  settings.year_column = section.get(kYearColumn);
  settings.class_column = section.get(kClassColumn);
  if (settings.year_column.empty()) section.fail(kYearColumn.name, "a column name is needed");
  if (settings.class_column.empty()) section.fail(kClassColumn.name, "a column name is needed");
  return settings;
}

CarrierSettings load_carrier_settings(const std::string& profile_file) {
  if (profile_file.empty()) return {};
  Profile profile = Profile::load(profile_file);
  ProfileSection section = profile.section(kCarriersSection);
  CarrierSettings settings = read_carrier_settings(section);
  section.finish();
  return settings;
}

}  // namespace lantai::carriers
