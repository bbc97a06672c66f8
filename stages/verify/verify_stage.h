// The verify stage: a complete BagIt validator (RFC 8493, bags of version 0.97 and 1.0
// from any tool), and with the centre policy the registration centre's technical check
// (技术检测) on top. Every problem is its own finding whose message is one line: the path
// relative to the bag, then the reason; all are reported, not only the first. The codes
// are in verify_codes.h (docs/findings.md explains each).
//
// RFC 8493: bagit.txt exactly as §2.1.1 writes it (no byte-order mark, no space before a
// colon); BagIt-Version 0.97 or 1.0, any other refused as unsupported; tag files read in
// the declared Tag-File-Character-Encoding; payload and tag manifests in md5, sha1,
// sha224, sha256, sha384, sha512 and sm3 (others warned about, not checked); every payload file in every
// payload manifest; paths decoded as §2.1.3 says (1.0 only), "./" tolerated, confined to
// the bag; two files whose names differ only by Unicode normalisation rejected, a manifest
// naming a file in another normalisation than the disk warned about (the file checked
// through its name on disk), names differing only by case warned about;
// fetch.txt parsed and confined to data/ but never fetched; Payload-Oxum when bag-info.txt
// gives it. Tag files no tag manifest lists are allowed (§2.2.1).
//
// Centre policy adds: BagIt 1.0 and UTF-8; MD5 and SHA-256 payload and tag manifests
// (and SM3 when required); no fetch.txt; bag-info.txt with Payload-Oxum; the backup form
// present, in a tag manifest, and agreeing with the bag (backup_form_check.h).
//
// With a scanner (VerifyOptions::virus_scanner) every file of the bag is scanned with
// ClamAV; with a trusted key the SM2 signature must hold and cover every tag file
// (pipeline/bag_signature.h). The 四性 report is built from the findings
// (four_properties.h).
//
// verify_bag never throws for a problem in the bag; it keeps no state and may run on many
// bags from many threads (its hashing runs on oneTBB's pool).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "pipeline/bag_signature.h"
#include "pipeline/finding.h"
#include "pipeline/holdings.h"
#include "pipeline/units.h"
#include "stages/verify/bag_contents.h"
#include "stages/verify/four_properties.h"
#include "stages/verify/verify_options.h"

namespace lantai::verify {

std::vector<Finding> verify_bag(const std::filesystem::path& bag_dir, const VerifyOptions& options = {});

// The figures beside a package file: <batch_id>.tar → <batch_id>.package.json
// (kPackageJsonSuffix, pipeline/holdings.h, the one name deposit and verify share).
std::filesystem::path package_form_beside(const std::filesystem::path& package);

// A package file (the bag as one TAR or ZIP): the bag inside judged by the same rules as
// verify_bag, read with libarchive and nothing unpacked (package_contents.h); findings name
// files as they lie below the package's top folder. With the centre policy, the package
// file's name, size and digests must also match package.json (options.package_form, or
// <package>.package.json beside it), taken in the same read as the entries. The virus
// scan, when asked for, scans every entry as a file of its own (package_contents.h).
std::vector<Finding> verify_package(const std::filesystem::path& package, const VerifyOptions& options = {});

// verify_package's findings with what the 四性 report reads of the package: the bag
// inside as it was read (null when none could be), and the package file's digests from
// that same read beside what package.json states.
struct PackageCheck {
  std::vector<Finding> findings;
  std::unique_ptr<BagContents> contents;
  PackageFileDigests digests;
};
PackageCheck check_package(const std::filesystem::path& package, const VerifyOptions& options = {});

class VerifyStage final : public BagStage {
 public:
  StageInfo describe() const override;
  void setup(ProfileSection& section, const StageContext& context) override;
  // The findings of verify_bag(bag.dir) with the centre policy, SM3 manifests required when
  // bag.sm3_manifests and the signature checked with the run's own key, then the same of
  // verify_package(bag.package) when the bag has a package file, each of its findings
  // starting with the package's name: lantai's self-check (自检). Writes its 四性 report (four_properties.h) to WORK/reports/.
  Outcome process(const Bag& bag) const override;

 private:
  std::filesystem::path work_dir_;
  const VirusScanner* virus_scanner_ = nullptr;  // scanned the inputs and the bag before it was sealed
  std::optional<Sm2Key> signing_key_;            // the run's --sign-key, whose public half checks the signature
};

}  // namespace lantai::verify
