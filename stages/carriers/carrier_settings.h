// The carriers' settings, from the profile's `carriers` section: how the carrier's own
// files are encoded, how much of a disc is kept back, and which catalogue columns name
// the 年度 and 分类 folders the entity data is filed in.
#pragma once

#include <string>

#include "pipeline/profile.h"

namespace lantai::carriers {

inline constexpr const char* kCarriersSection = "carriers";

inline const ChoiceParam kEncoding{
    "encoding", {"UTF-8", "GB18030"}, "UTF-8",
    "the encoding of each carrier's 文件目录.XML (declared in its XML declaration) and 说明文件.TXT"};
inline constexpr NumberParam kReservePercent{
    "reserve_percent", "%", 0, 50, 2,
    "share of a carrier's capacity kept free for the file system's own structures, beyond the per-file "
    "allowance the plan counts"};
inline const TextParam kYearColumn{
    "year_column", "日期",
    "the catalogue column whose first four digits name a record's 年度 folder (a 年度 column, or 日期 as YYYYMMDD)"};
inline const TextParam kClassColumn{
    "class_column", "保管期限", "the catalogue column that names a record's 分类 folder below its 年度"};

struct CarrierSettings {
  std::string encoding = "UTF-8";
  double reserve_percent = 2;
  std::string year_column = "日期";
  std::string class_column = "保管期限";
};

// Reads the section; a bad value throws ProfileError naming the file and key.
CarrierSettings read_carrier_settings(ProfileSection& section);

// The settings of a profile file (its carriers section; the rest of the file is not
// checked here), or the defaults for an empty path.
CarrierSettings load_carrier_settings(const std::string& profile_file);

}  // namespace lantai::carriers
