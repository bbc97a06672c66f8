// Which records go on which carrier. Records are packed in catalogue order, each whole
// (all files of one 档号 on one carrier), a new carrier begun when the next record does
// not fit: every carrier then holds a run of consecutive 档号, which is how clerks file
// and find them (a record is on the carrier whose label range holds its 档号). First fit
// by size would fill discs a little better but scatter the 档号.
//
// What a record takes on a carrier is counted, not guessed at the end: each file rounded
// up to 2048-byte sectors, plus an allowance per file (directory records in the ISO 9660,
// Joliet and Rock Ridge trees, two manifest lines) and per record (its folder, its
// 文件目录.XML entry and catalogue row). Each carrier keeps back the profile's
// reserve_percent and 1 MiB for the image's system area, descriptors, path tables and the
// carrier's own files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "stages/carriers/bag_contents.h"
#include "stages/carriers/carrier_settings.h"
#include "stages/carriers/medium.h"

namespace lantai::carriers {

inline constexpr std::uint64_t kSectorBytes = 2048;
inline constexpr std::uint64_t kCarrierOverheadBytes = 1 << 20;

struct PlannedCarrier {
  int number = 0;                  // 1-based
  std::string label;               // <batch>-01: on the disc label and the forms
  std::string volume_id;           // ISO 9660 volume id, ending in the number: …_01OF03
  std::vector<std::string> refs;   // 档号, catalogue order
  std::size_t files = 0;           // payload files from the bag
  std::uint64_t payload_bytes = 0;
  std::uint64_t estimated_bytes = 0;  // with sectors and allowances, as counted against capacity
};

struct CarrierPlan {
  std::filesystem::path bag;
  std::string batch_id;
  Medium medium;
  std::uint64_t usable_bytes = 0;  // per carrier; 0: unlimited
  std::vector<PlannedCarrier> carriers;
  int count() const { return static_cast<int>(carriers.size()); }
};

// Throws CarrierError naming a record larger than one carrier.
CarrierPlan plan_carriers(const BagContents& bag, const Medium& medium, const CarrierSettings& settings);

// Throws CarrierError unless the plan was made for this bag as it is: the same batch, and
// every record of the bag on exactly one of its carriers.
void check_plan_fits_bag(const CarrierPlan& plan, const BagContents& bag);

std::string plan_json(const CarrierPlan& plan);
// Throws CarrierError naming the file when it is not a plan.
CarrierPlan read_plan(const std::filesystem::path& file);

// The plan as a table, one line per carrier, for the terminal.
std::string plan_table(const CarrierPlan& plan);

// Where a record's files are filed on its carrier: entity/<年度>/<分类>/<档号>, the 年度 the
// first four digits of settings.year_column when they are a year, the 分类 the value of
// settings.class_column when it can name a folder; 未知年度 and 未分类 otherwise.
std::string record_folder(const BagRecord& record, const Catalog& catalog, const CarrierSettings& settings);
// A payload file's path on its carrier (record_folder and the rest of its bag path).
std::string carrier_path(const std::string& record_folder, const std::string& ref, const BagFile& file);
// A payload file outside entity/ and the catalogue: other/<its path below data/>.
std::string other_carrier_path(const BagFile& file);

}  // namespace lantai::carriers
