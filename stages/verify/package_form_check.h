// <package>.package.json, the figures the deposit writes beside the package file
// (stages/deposit/package_file.h: file, size_bytes, digests named as the forms name them),
// checked against the package file's own bytes: the registration centre's MD5 check
// (DA/T 70-2018 1-14) on the file it received. Each disagreement is one
// verify.package_mismatch naming package.json.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/digest.h"
#include "pipeline/finding.h"

namespace lantai::verify {

struct PackageForm {
  std::filesystem::path path;  // where it was read
  std::string file;            // the package file it names
  std::optional<std::uint64_t> size_bytes;
  std::vector<std::pair<DigestAlgorithm, std::string>> digests;  // lowercase hex
};

// Reads package.json; a missing, oversized or malformed one is a finding and nullopt.
std::optional<PackageForm> read_package_form(const std::filesystem::path& form_file, std::vector<Finding>& findings);

// The digests to take of the package: MD5 and SHA-256 always, and any other the form states.
std::vector<DigestAlgorithm> package_algorithms(const PackageForm* form);

// The package's name, size and digests (as hash() took them; empty when it could not be
// read whole) against the form.
void check_package_form(const PackageForm& form, const std::filesystem::path& package, std::uint64_t bytes,
                        const std::vector<std::pair<DigestAlgorithm, std::string>>& digests,
                        std::vector<Finding>& findings);

}  // namespace lantai::verify
