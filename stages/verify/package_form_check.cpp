#include "stages/verify/package_form_check.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "pipeline/files.h"
#include "pipeline/registration.h"
#include "stages/verify/verify_codes.h"

namespace lantai::verify {
namespace fs = std::filesystem;

namespace {

constexpr std::uintmax_t kMaxPackageFormBytes = 1 << 20;

}  // namespace

std::optional<PackageForm> read_package_form(const fs::path& form_file, std::vector<Finding>& findings) {
  const std::string name = form_file.filename().string();
  auto fail = [&](const std::string& reason) {
    findings.push_back(kPackageMismatch(name + ": " + reason));
    return std::nullopt;
  };
  std::error_code error;
  if (!fs::is_regular_file(form_file, error))
    return fail("missing; the centre compares the package's MD5 with it (give it with --package-form)");
  if (fs::file_size(form_file, error) > kMaxPackageFormBytes) return fail("larger than 1 MiB; not a package.json");
  std::string text;
  try {
    text = read_file(form_file);
  } catch (const std::exception&) {
    return fail("cannot be read");
  }
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return fail("not a JSON object");
  PackageForm form;
  form.path = form_file;
  if (json.contains("file") && json["file"].is_string()) form.file = json["file"].get<std::string>();
  if (json.contains("size_bytes") && json["size_bytes"].is_number_unsigned())
    form.size_bytes = json["size_bytes"].get<std::uint64_t>();
  if (!json.contains("digests") || !json["digests"].is_array()) return fail("has no digests");
  for (const auto& entry : json["digests"]) {
    if (!entry.is_object() || !entry.contains("algorithm") || !entry["algorithm"].is_string() ||
        !entry.contains("value") || !entry["value"].is_string()) {
      fail("a digests entry is not {algorithm, value}");
      continue;
    }
    const std::string algorithm_name = entry["algorithm"].get<std::string>();
    const auto algorithm = algorithm_from_form_name(algorithm_name);
    if (!algorithm) {
      fail("digest algorithm '" + algorithm_name + "' is not MD5, SHA-256 or SM3");
      continue;
    }
    std::string value = entry["value"].get<std::string>();
    for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    form.digests.emplace_back(*algorithm, std::move(value));
  }
  if (std::none_of(form.digests.begin(), form.digests.end(),
                   [](const auto& digest) { return digest.first == DigestAlgorithm::md5; }))
    fail("has no MD5, the digest the centre compares");
  return form;
}

std::vector<DigestAlgorithm> package_algorithms(const PackageForm* form) {
  std::vector<DigestAlgorithm> algorithms{DigestAlgorithm::md5, DigestAlgorithm::sha256};
  if (form)
    for (const auto& [algorithm, value] : form->digests)
      if (std::find(algorithms.begin(), algorithms.end(), algorithm) == algorithms.end())
        algorithms.push_back(algorithm);
  return algorithms;
}

void check_package_form(const PackageForm& form, const fs::path& package, std::uint64_t bytes,
                        const std::vector<std::pair<DigestAlgorithm, std::string>>& digests,
                        std::vector<Finding>& findings) {
  const std::string name = form.path.filename().string();
  auto fail = [&](const std::string& reason, std::string found = {}, std::string stated = {}) {
    findings.push_back(kPackageMismatch(name + ": " + reason, std::move(found), std::move(stated)));
  };
  const std::string package_name = package.filename().string();
  if (form.file != package_name) fail("names the file '" + form.file + "', not " + package_name, package_name, form.file);
  if (!form.size_bytes)
    fail("states no size_bytes");
  else if (*form.size_bytes != bytes)
    fail("size_bytes is " + std::to_string(*form.size_bytes) + ", " + package_name + " holds " + std::to_string(bytes),
         std::to_string(bytes), std::to_string(*form.size_bytes));
  if (digests.empty()) {
    fail(package_name + " could not be read whole, so its digests were not taken");
    return;
  }
  for (const auto& [algorithm, stated] : form.digests) {
    const auto found = std::find_if(digests.begin(), digests.end(), [&](const auto& d) { return d.first == algorithm; });
    if (found == digests.end()) continue;  // every stated algorithm is taken (package_algorithms)
    if (found->second != stated)
      fail(std::string(form_algorithm_name(algorithm)) + " is " + stated + ", " + package_name + " gives " +
               found->second,
           found->second, stated);
  }
}

}  // namespace lantai::verify
