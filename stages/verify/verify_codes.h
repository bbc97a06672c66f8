// The verify stage's finding codes: what the registration centre's technical check can
// find wrong with a bag. Every one is a reject.
#pragma once

#include <vector>

#include "pipeline/finding.h"

namespace lantai::verify {

inline constexpr FindingCode kMalformed{"verify.malformed", Severity::reject, "the bag's structure breaks RFC 8493"};
inline constexpr FindingCode kMissingFile{"verify.missing_file", Severity::reject,
                                          "a file named in a manifest is not in the bag"};
inline constexpr FindingCode kUnlistedFile{"verify.unlisted_file", Severity::reject, "a payload file is in no manifest"};
inline constexpr FindingCode kChecksumMismatch{"verify.checksum_mismatch", Severity::reject,
                                               "a file's digest differs from its manifest"};
inline constexpr FindingCode kOxumMismatch{"verify.oxum_mismatch", Severity::reject,
                                           "Payload-Oxum differs from the payload's bytes and files"};
inline constexpr FindingCode kFormMismatch{"verify.form_mismatch", Severity::reject,
                                           "the backup form's figures differ from the bag"};

inline std::vector<FindingCode> verify_finding_codes() {
  return {kMalformed, kMissingFile, kUnlistedFile, kChecksumMismatch, kOxumMismatch, kFormMismatch};
}

}  // namespace lantai::verify
