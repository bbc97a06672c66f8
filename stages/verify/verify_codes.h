// The verify stage's finding codes: what a BagIt validator (RFC 8493) and the registration
// centre's technical check can find in a bag. Rejects make the bag invalid; warnings are
// printed and recorded but do not.
#pragma once

#include <vector>

#include "pipeline/finding.h"

namespace lantai::verify {

inline constexpr FindingCode kMalformed{"verify.malformed", Severity::reject, "the bag's structure breaks RFC 8493"};
inline constexpr FindingCode kUnsupportedVersion{"verify.unsupported_version", Severity::reject,
                                                 "the bag declares a BagIt-Version lantai does not validate"};
inline constexpr FindingCode kBadEncoding{"verify.bad_encoding", Severity::reject,
                                          "a tag file is not valid in the declared Tag-File-Character-Encoding"};
inline constexpr FindingCode kPathEscape{"verify.path_escape", Severity::reject,
                                         "a path in a manifest or fetch.txt leaves the bag"};
inline constexpr FindingCode kMissingFile{"verify.missing_file", Severity::reject,
                                          "a file named in a manifest is not in the bag"};
inline constexpr FindingCode kFetchRequired{"verify.fetch_required", Severity::reject,
                                            "a file is only in fetch.txt; the bag needs fetching, which lantai never does"};
inline constexpr FindingCode kFetchOutsidePayload{"verify.fetch_outside_payload", Severity::reject,
                                                  "a fetch.txt entry names a file outside data/"};
inline constexpr FindingCode kUnlistedFile{"verify.unlisted_file", Severity::reject, "a payload file is in no manifest"};
inline constexpr FindingCode kNormalisationTwins{
    "verify.normalisation_twins", Severity::reject,
    "two files in data/ have names that differ only by Unicode normalisation (NFC/NFD)"};
inline constexpr FindingCode kNormalisationMismatch{
    "verify.normalisation_mismatch", Severity::warn,
    "a manifest names a file in another Unicode normalisation than the disk, or lists it twice under two; the file "
    "was checked through its name on disk"};
inline constexpr FindingCode kChecksumMismatch{"verify.checksum_mismatch", Severity::reject,
                                               "a file's digest differs from its manifest"};
inline constexpr FindingCode kOxumMismatch{"verify.oxum_mismatch", Severity::reject,
                                           "Payload-Oxum differs from the payload's bytes and files"};
inline constexpr FindingCode kPolicy{"verify.policy", Severity::reject,
                                     "the bag is valid BagIt but breaks a deposit rule of the centre policy"};
inline constexpr FindingCode kFormMismatch{"verify.form_mismatch", Severity::reject,
                                           "the backup form's figures differ from the bag"};
inline constexpr FindingCode kHoldingsMismatch{
    "verify.holdings_mismatch", Severity::reject,
    "metadata/holdings.csv or changes.csv disagrees with the records the deposit carries"};
inline constexpr FindingCode kChainBroken{
    "verify.chain_broken", Severity::reject,
    "an incremental deposit does not continue the earlier deposit it was checked against"};
inline constexpr FindingCode kVirusFound{"verify.virus_found", Severity::reject,
                                         "ClamAV found a virus signature in a file of the bag"};
inline constexpr FindingCode kNotVirusScanned{
    "verify.not_virus_scanned", Severity::reject,
    "a file of the bag could not be scanned whole for viruses (beyond the scan limits, or unreadable)"};
inline constexpr FindingCode kSignature{
    "verify.signature", Severity::reject,
    "the bag's SM2 signature is missing, made with another key, or does not cover the tag files as they are"};
inline constexpr FindingCode kSignatureUnchecked{
    "verify.signature_unchecked", Severity::warn,
    "the bag is signed (bag-signature-sm2.txt) but no --trust key was given, so the signature was not checked"};
inline constexpr FindingCode kPackageUnsafe{
    "verify.package_unsafe", Severity::reject,
    "an entry of a package file (TAR/ZIP) lies outside its top folder, is absolute, climbs with '..', is a link or "
    "special file, is given twice, or is beyond the limits lantai reads; it was left out and nothing was written"};
inline constexpr FindingCode kPackageMismatch{
    "verify.package_mismatch", Severity::reject,
    "the package file's name, size or MD5/SHA-256/SM3 differ from its package.json, or package.json is missing or "
    "unreadable (centre policy)"};
inline constexpr FindingCode kDuplicateEntry{"verify.duplicate_entry", Severity::warn,
                                             "a manifest lists the same file twice with the same digest"};
inline constexpr FindingCode kMd5sumPrefix{"verify.md5sum_prefix", Severity::warn,
                                           "a manifest line has md5sum's binary-mode '*' before the path"};
inline constexpr FindingCode kCaseTwins{"verify.case_twins", Severity::warn,
                                        "two names differ only in letter case; they collide on many file systems"};
inline constexpr FindingCode kUncheckedManifest{"verify.unchecked_manifest", Severity::warn,
                                                "a manifest in an algorithm lantai does not compute was not checked"};

inline std::vector<FindingCode> verify_finding_codes() {
  return {kMalformed,       kUnsupportedVersion, kBadEncoding,        kPathEscape,       kMissingFile,
          kFetchRequired,   kFetchOutsidePayload, kUnlistedFile,      kNormalisationTwins, kNormalisationMismatch, kChecksumMismatch,
          kOxumMismatch,    kPolicy,             kFormMismatch,       kHoldingsMismatch, kChainBroken,      kVirusFound,
          kNotVirusScanned, kSignature,          kSignatureUnchecked, kPackageUnsafe,    kPackageMismatch,  kDuplicateEntry,
          kMd5sumPrefix,
          kCaseTwins,       kUncheckedManifest};
}

}  // namespace lantai::verify
