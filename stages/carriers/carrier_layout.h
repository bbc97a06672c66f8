// What one carrier holds, file by file, before anything is written: the same layout is
// written as a folder or as an ISO image, and read back by the check.
//
//   说明文件.TXT          what is on the carrier and how to check it (Chinese, English beside),
//                        with the digests of the two manifests
//   文件目录.XML          one entry per record: 顺序号, 档号, 责任者, 题名, 日期, 密级,
//                        电子档案名称 (its files), 备注; declares its encoding
//   catalogue/目录.csv    the catalogue data (目录数据) of its records, the bag's columns
//   entity/<年度>/<分类>/<档号>/…   the records' entity data (实体数据)
//   other/…              the bag's other payload files (first carrier only)
//   manifest-md5.txt     "<digest>  <path>" for every file above but 说明文件.TXT,
//   manifest-sha256.txt  as md5sum -c and sha256sum -c read them
//
// 说明文件.TXT names the manifests' digests, the manifests name every other file's: the
// one file outside the manifests is checked through what it states.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "stages/carriers/bag_contents.h"
#include "stages/carriers/carrier_plan.h"
#include "stages/carriers/carrier_settings.h"

namespace lantai::carriers {

inline constexpr const char* kNoticeFile = "说明文件.TXT";
inline constexpr const char* kListFile = "文件目录.XML";
inline constexpr const char* kCarrierCatalogueFile = "catalogue/目录.csv";
inline constexpr const char* kMd5Manifest = "manifest-md5.txt";
inline constexpr const char* kSha256Manifest = "manifest-sha256.txt";

struct CarrierFile {
  std::string path;                // on the carrier, '/'-separated UTF-8
  std::filesystem::path source;    // the bag file it is copied from; empty for a file made here
  std::string bytes;               // a made file's bytes
  std::uint64_t size = 0;
  std::string md5, sha256;         // what the copy must hash to
};

struct CarrierLayout {
  PlannedCarrier carrier;
  int count = 0;                   // carriers in the plan
  std::vector<CarrierFile> files;  // made files first, then the bag's, every path unique
  std::uint64_t total_bytes() const;
};

// Throws CarrierError when the plan names a record the bag does not hold.
CarrierLayout lay_out_carrier(const CarrierPlan& plan, const PlannedCarrier& carrier, const BagContents& bag,
                              const CarrierSettings& settings);

// 文件目录.XML of these records, written by libxml2 in the given encoding (UTF-8 or
// GB18030), which its declaration names.
struct ListEntry {
  std::string ref, creator, title, date, classification, remarks;
  std::vector<std::string> files;  // paths on the carrier
};
std::string list_xml(const std::vector<ListEntry>& entries, const BagContents& bag, const PlannedCarrier& carrier,
                     int count, const std::string& encoding);

// The digests 说明文件.TXT states, as "MD5 (name) = hex" and "SHA256 (name) = hex" lines
// (the BSD form md5sum --tag writes): name → {algorithm → hex}.
std::vector<std::tuple<std::string, std::string, std::string>> stated_digests(const std::string& notice);

}  // namespace lantai::carriers
