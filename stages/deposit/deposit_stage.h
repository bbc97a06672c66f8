// The deposit stage: packs the accepted records of a batch into one BagIt 1.0 bag
// (RFC 8493) for registration and backup (登记备份), at WORK/deposit/<batch_id>:
//
//   bagit.txt                       BagIt-Version 1.0, UTF-8 tag files
//   bag-info.txt                    Payload-Oxum, 全宗号, 单位名称, counts, profile
//   data/catalogue/目录.csv          catalogue data (目录数据) of the deposited records
//   data/entity/<档号>/0001.jpg      entity data (实体数据): each item's entity output ...
//   data/entity/<档号>/0001.txt      ... and its extras (OCR text), named as in WORK
//                                    (output roles as the stages declare them)
//   data/entity/<档号>/<档号>.pdf     the record stages' outputs of those roles (the
//                                    searchable PDF, an extra)
//   manifest-md5.txt                payload manifests, sorted by path (byte order)
//   manifest-sha256.txt
//   manifest-sm3.txt                only with deposit.sm3_manifest: true
//   forms/backup-form.json          电子文件和数字档案备份情况表, machine-readable (backup_form.h)
//   metadata/processing-history.json  the stages, versions and settings that made the pages,
//                                    and the kinds of their outputs this bag carries
//   metadata/holdings.csv             every record the centre holds after this deposit, with
//                                    its fingerprint and the deposit holding it (holdings.h)
//   metadata/changes.csv              an incremental deposit's records: added, changed,
//                                    withdrawn
//   metadata/acceptance/              the acceptance reports written before the deposit
//                                    (验收报告 acceptance-<n>.json/.pdf, 整改意见书
//                                    corrective-action-<n>.json/.pdf), as written
//   tagmanifest-md5.txt             tag manifests over every tag file above
//   tagmanifest-sha256.txt          (and tagmanifest-sm3.txt with SM3)
//   bag-signature-sm2.txt           with --sign-key: SM2 over the tag manifests, listed in
//                                    none (pipeline/bag_signature.h)
//
// Beside the bag, once it is in place, the registration package as one file
// (package_file.h):
//
//   WORK/deposit/<batch_id>.tar     the bag as one deterministic archive (deposit.package:
//                                   tar, or zip → <batch_id>.zip); its MD5 is the package
//                                   digest (唯一性认证信息) the centre recomputes
//   WORK/deposit/<batch_id>.package.json  its name, size, GB, MD5/SHA-256 (/SM3), 全宗号,
//                                   单位名称, Payload-Oxum and counts: what the forms print
//
// and the registration forms (登记备份表格, forms/registration_forms.h) at
// WORK/deposit/<batch_id>-forms/, each named by its form, for the unit to print, sign and
// stamp, their figures the bag's and the package file's; the folder is replaced whole on
// a rerun:
//
//   备份情况表.pdf  备份情况表续表.pdf  备份载体目录.pdf  登记明细表.pdf  移交接收检验表.pdf
//   登记备份表格.xlsx                  the same forms, one sheet each
//
// Payload digest, inside the bag on forms/backup-form.json (its package_digests keys, kept
// for the centre's readers): the MD5, SHA-256 (and SM3) of manifest-sha256.txt, which
// fixes every payload file. It is not the package file's digest: the package holds the
// form, so the form cannot hold the package's digest. See backup_form.h.
//
// Before it is sealed (tag manifests written, moved into place) every file of the bag is
// scanned with the run's ClamAV engine; a finding leaves no bag (deposit.virus_found).
//
// Crash safety: the bag is built in WORK/deposit/<batch_id>.partial (removed first when a
// crash left one) and renamed into place only when every file is written and synced, so a
// kill at any moment never leaves a half bag under the final name. An earlier bag under
// the final name is replaced (moved aside to <batch_id>.replaced, then removed). The
// package file is written after the bag is in place, through <batch_id>.tar.partial, and
// package.json after it; a package of the other format left by an earlier run is removed.
//
// Incremental deposits (--continues EARLIER_BAG, pipeline/holdings.h): the bag holds only
// the records whose fingerprint differs from the earlier deposit's holdings or that it
// does not hold; records it holds that the catalogue no longer lists are withdrawn. The
// bag is named <batch_id>-<n>, n its place in the chain, so that it never replaces the
// deposit it continues. With nothing to carry no bag is made (deposit.nothing_new).
//
// Determinism: the payload (data/ and the payload manifests) depends only on the
// BatchWork and the profile; only tag files carry the day (Bagging-Date). The package
// file depends only on the bag's bytes (its entries dated by Bagging-Date).
//
// process() throws std::runtime_error, ending the batch, when WORK is damaged (an output
// whose bytes no longer match the sha256 the ledger recorded, a missing output) or the
// deposit folder cannot be written: damaged data is never deposited.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "pipeline/bag_signature.h"
#include "pipeline/holdings.h"
#include "pipeline/sealed_package.h"
#include "pipeline/profile.h"
#include "pipeline/registration.h"
#include "pipeline/units.h"
#include "pipeline/virus_scanner.h"
#include "stages/deposit/package_file.h"

namespace lantai::deposit {

// The finished bag is scanned for viruses before it is sealed (its tag manifests written
// and the bag moved into place): a payload or tag file that ClamAV flags, or cannot scan
// whole, leaves no bag.
inline constexpr FindingCode kBagVirusFound{
    "deposit.virus_found", Severity::reject,
    "ClamAV found a virus signature in a file of the finished bag before it was sealed; no bag was made"};
inline constexpr FindingCode kBagNotScanned{
    "deposit.not_virus_scanned", Severity::reject,
    "a file of the finished bag could not be scanned whole for viruses (beyond the profile's clamav limits, or "
    "unreadable); no bag was made"};

// An incremental deposit (--continues) with nothing to carry: every record is as the
// earlier deposit holds it and none was withdrawn from the catalogue.
inline constexpr FindingCode kNothingNew{
    "deposit.nothing_new", Severity::reject,
    "no record was added, changed or withdrawn since the deposit this one continues; no bag was made"};

inline constexpr FlagParam kSm3Manifest{
    kSm3ManifestSetting, false,
    "also write manifest-sm3.txt and tagmanifest-sm3.txt and give the SM3 package digest "
    "(GB/T 32905), beside MD5 and SHA-256, which are always written"};
inline const ChoiceParam kPackage{
    "package", {"tar", "zip"}, "tar",
    "the registration package written beside the bag: tar (POSIX pax, <batch id>.tar) or zip (stored, UTF-8 "
    "names, <batch id>.zip); either holds the bag under <batch id>/, byte for byte the same for the same bag"};
inline constexpr FlagParam kIncludeExtras{
    "include_extras", true,
    "deposit each item's extra outputs (its OCR text, 0001.txt) beside its entity file, and each "
    "record's (its searchable PDF); false: images only"};

class DepositStage final : public BatchStage {
 public:
  StageInfo describe() const override;
  void setup(ProfileSection& section, const StageContext& context) override;
  // Builds the bag and its package file and returns their outputs: kind "bag" (path
  // "deposit/<deposit id>", sha256 = the SHA-256 payload digest, size_bytes = payload
  // octets), "backup_form" (the form file inside the bag), "package" (the package file,
  // its sha256 and size), "package_json" (the figures beside it), "bag_signature" when
  // signed, and one "registration_form" per file of WORK/deposit/<deposit id>-forms/.
  // Called once per batch; safe to call from any thread (keeps no state).
  Outcome process(const BatchWork& batch) const override;

 private:
  bool deposited(OutputRole role) const;  // entity always, extra with include_extras
  // The files the bag holds of a record, by name, with the sha256 the ledger recorded.
  std::map<std::string, std::string> deposited_files(const DepositRecord& record) const;

  std::vector<Finding> scan_for_viruses(const std::filesystem::path& bag_dir) const;

  const VirusScanner* scanner_ = nullptr;  // the run's; null: not scanned (--no-virus-scan)
  std::optional<DepositBag> earlier_;      // --continues: the deposit this one continues
  std::optional<Sm2Key> signing_key_;      // --sign-key
  std::optional<SealKey> seal_key_;        // --seal-key: the package file sealed with it
  bool sm3_manifest_ = kSm3Manifest.default_value;
  bool include_extras_ = kIncludeExtras.default_value;
  PackageFormat package_format_ = PackageFormat::tar;
};

}  // namespace lantai::deposit
