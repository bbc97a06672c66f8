// The verify stage: checks a deposit bag the way the registration centre's technical
// check (技术检测) does, and names each failing file. Every problem is a reject finding
// whose message is one line: the path relative to the bag, then the reason.
//
//   verify.malformed          bagit.txt missing or not "BagIt-Version: 1.0" + UTF-8; no data/;
//                             no manifest-md5.txt or manifest-sha256.txt; a manifest or
//                             bag-info line that does not parse (with its line number); a
//                             manifest path that leaves the bag (.., absolute) or lies on the
//                             wrong side of data/ (payload vs tag manifest); a symbolic link
//                             or special file in the bag
//   verify.missing_file       a file a manifest lists is not in the bag (or cannot be read)
//   verify.checksum_mismatch  a payload or tag file's digest differs from its manifest
//                             (value = digest found, threshold = digest listed)
//   verify.unlisted_file      a file under data/ missing from a payload manifest
//   verify.oxum_mismatch      bag-info.txt's Payload-Oxum differs from data/
//                             (value = found "octets.streams", threshold = declared)
//   verify.form_mismatch      forms/backup-form.json disagrees with the bag (backup_form_check.h)
//
// Manifests for md5, sha256 and sm3 are checked; manifests of other algorithms are
// ignored. Tag files that no tag manifest lists are allowed (RFC 8493 §2.2.1). Each file
// is read once for all the algorithms that list it. verify_bag never throws for a
// problem in the bag; it keeps no state and may run on many bags from many threads.
#pragma once

#include <filesystem>
#include <vector>

#include "pipeline/finding.h"
#include "pipeline/units.h"

namespace lantai::verify {

std::vector<Finding> verify_bag(const std::filesystem::path& bag_dir);

class VerifyStage final : public BagStage {
 public:
  StageInfo describe() const override;
  void setup(ProfileSection& section, const StageContext& context) override;  // no parameters
  Outcome process(const Bag& bag) const override;  // the findings of verify_bag(bag.dir)
};

}  // namespace lantai::verify
