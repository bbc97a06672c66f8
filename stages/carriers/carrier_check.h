// Reads carriers back and checks them: a mounted disc or a folder as written, or an ISO
// image read through libisofs (no mounting). Each file is streamed once through MD5 and
// SHA-256 and held to the carrier's manifests; the manifests are held to the digests its
// 说明文件.TXT states. The problems come back as findings, one per file and problem.
//
// Hostile carriers: in a folder no link is followed and no special file opened; names
// that could not be written (.., control characters) are reported, never opened; the
// manifests and 说明文件.TXT are read only up to kMaxListingBytes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/finding.h"
#include "stages/carriers/bag_contents.h"

namespace lantai::carriers {

inline constexpr std::uint64_t kMaxListingBytes = 256ull << 20;

struct CheckedCarrier {
  std::filesystem::path location;
  std::vector<Finding> findings;
  // What the carrier holds, as read (not as listed): path → {md5, sha256}.
  std::map<std::string, std::pair<std::string, std::string>> digests;
  std::string catalogue;  // the bytes of its catalogue/目录.csv, when present
};

CheckedCarrier check_carrier(const std::filesystem::path& folder_or_iso);

// One file of a carrier (a folder or an image), up to kMaxListingBytes; nullopt when the
// carrier or the file cannot be read.
std::optional<std::string> read_carrier_file(const std::filesystem::path& folder_or_iso, const std::string& path);

// Whether the carriers together reproduce the bag: every payload file of the bag on
// exactly one carrier with the bag's digest, every catalogue row on exactly one carrier
// and the same there. Places files as lay_out_carrier does (entity/<年度>/<分类>/<档号>/…).
std::vector<Finding> check_reproduces_bag(const BagContents& bag, const std::vector<CheckedCarrier>& carriers);

}  // namespace lantai::carriers
