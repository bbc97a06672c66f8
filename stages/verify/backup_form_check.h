// Checks forms/backup-form.json (written by the deposit stage, see
// stages/deposit/backup_form.h for its keys and the package-digest definition) against
// the bag it travels in: the payload digests (the form's package_digests keys) recomputed
// from manifest-sha256.txt (the package file's own digest is checked against
// package.json beside it, package_contents.h), the
// payload's file count, bytes and data volume, the record and page counts, and the
// identity fields bag-info.txt also carries. Each disagreement is one verify.form_mismatch.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/finding.h"
#include "stages/verify/tag_lines.h"

namespace lantai::verify {

inline constexpr const char* kBackupFormPath = "forms/backup-form.json";
inline constexpr const char* kPayloadDigestOf = "manifest-sha256.txt";

struct BagFacts {
  std::function<bool(const std::string& path)> is_folder;  // a folder of the bag, e.g. data/entity/<档号>
  std::string signature_key_sm3;  // the key bag-signature-sm2.txt names; empty when unsigned
  const TagFields* bag_info = nullptr;          // null when bag-info.txt is absent
  const std::string* sha256_manifest = nullptr;  // bytes of manifest-sha256.txt, null when absent
  std::uint64_t payload_octets = 0;              // as found under data/
  std::uint64_t payload_streams = 0;
};

std::vector<Finding> check_backup_form(std::string_view form_text, const BagFacts& facts);

}  // namespace lantai::verify
