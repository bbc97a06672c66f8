// What `lantai carriers check` can find, on one carrier or across the carriers of a bag.
// Every one is a reject: a carrier is delivered clean or not at all.
#pragma once

#include <vector>

#include "pipeline/finding.h"

namespace lantai::carriers {

inline constexpr FindingCode kCarrierMalformed{
    "carriers.malformed", Severity::reject,
    "the carrier cannot be read as one: no manifests or 说明文件.TXT, a bad manifest line, an unreadable image"};
inline constexpr FindingCode kCarrierMissingFile{"carriers.missing_file", Severity::reject,
                                                 "a file the carrier's manifest lists is not on it"};
inline constexpr FindingCode kCarrierExtraFile{"carriers.extra_file", Severity::reject,
                                               "a file on the carrier is in none of its manifests"};
inline constexpr FindingCode kCarrierChanged{"carriers.checksum_mismatch", Severity::reject,
                                             "a file's digest differs from the carrier's manifest"};
inline constexpr FindingCode kCarrierManifestChanged{
    "carriers.manifest_mismatch", Severity::reject,
    "a manifest's digest differs from what the carrier's 说明文件.TXT states"};
inline constexpr FindingCode kBagFileMissing{"carriers.bag_file_missing", Severity::reject,
                                             "a payload file of the bag is on none of the carriers"};
inline constexpr FindingCode kBagFileTwice{"carriers.bag_file_twice", Severity::reject,
                                           "a payload file of the bag is on more than one carrier"};
inline constexpr FindingCode kBagFileDiffers{"carriers.bag_file_differs", Severity::reject,
                                             "a carrier's copy of a bag file has another digest than the bag's manifest"};
inline constexpr FindingCode kCatalogueRow{
    "carriers.catalogue_row", Severity::reject,
    "a row of the bag's catalogue is on no carrier, on several, or differs there"};

inline std::vector<FindingCode> carrier_finding_codes() {
  return {kCarrierMalformed, kCarrierMissingFile, kCarrierExtraFile, kCarrierChanged, kCarrierManifestChanged,
          kBagFileMissing,   kBagFileTwice,       kBagFileDiffers,   kCatalogueRow};
}

}  // namespace lantai::carriers
