#include "stages/verify/bag_verifier.h"

#include <algorithm>
#include <system_error>

#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "stages/verify/backup_form_check.h"

namespace lantai::verify {
namespace fs = std::filesystem;

namespace {

std::string join_names(const std::vector<const Manifest*>& manifests) {
  std::string text;
  for (const Manifest* manifest : manifests) {
    if (!text.empty()) text += ", ";
    text += manifest->file;
  }
  return text;
}

bool is_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string lowercase(std::string text) {
  for (char& c : text)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return text;
}

}  // namespace

BagVerifier::BagVerifier(fs::path bag_dir) : dir_(std::move(bag_dir)) {}

std::vector<Finding> BagVerifier::run() {
  std::error_code error;
  if (!fs::is_directory(dir_, error)) {
    report(kMalformed, dir_.string() + ": not a folder; a bag is a folder holding bagit.txt and data/");
    return std::move(findings_);
  }
  check_declaration();
  scan_payload_folder();
  read_manifests();
  check_listed_files(payload_manifests_, true);
  check_unlisted_files();
  check_oxum();
  check_listed_files(tag_manifests_, false);
  check_form();
  return std::move(findings_);
}

void BagVerifier::report(const FindingCode& code, std::string message, std::string value, std::string threshold) {
  findings_.push_back(code(std::move(message), std::move(value), std::move(threshold)));
}

fs::path BagVerifier::path_of(const std::string& rel_path) const {
  return dir_ / fs::path(std::u8string(rel_path.begin(), rel_path.end()));
}

const std::string* BagVerifier::tag_bytes(const std::string& rel_path) {
  auto [it, inserted] = tag_cache_.try_emplace(rel_path);
  if (inserted) {
    std::error_code error;
    if (fs::is_regular_file(fs::symlink_status(path_of(rel_path), error))) {
      try {
        it->second = read_file(path_of(rel_path));
      } catch (const std::exception&) {
        // Unreadable is reported as missing by whoever needs the file.
      }
    }
  }
  return it->second ? &*it->second : nullptr;
}

void BagVerifier::check_declaration() {
  const std::string* text = tag_bytes("bagit.txt");
  if (!text) {
    report(kMalformed, "bagit.txt: missing; every bag starts with its bag declaration");
    return;
  }
  if (text->starts_with("\xEF\xBB\xBF"))
    report(kMalformed, "bagit.txt: starts with a byte-order mark, which RFC 8493 forbids");
  TagFields declaration = parse_tag_fields(*text);
  for (const LineProblem& problem : declaration.problems)
    report(kMalformed, "bagit.txt: line " + std::to_string(problem.line) + ": " + problem.reason);
  const auto& fields = declaration.fields;
  if (fields.size() != 2 || fields[0].first != "BagIt-Version" || fields[1].first != "Tag-File-Character-Encoding")
    report(kMalformed,
           "bagit.txt: must be exactly the lines 'BagIt-Version: 1.0' and 'Tag-File-Character-Encoding: UTF-8'");
  if (auto version = declaration.get("BagIt-Version"); version && *version != "1.0")
    report(kMalformed, "bagit.txt: BagIt-Version is '" + *version + "'; the centre accepts 1.0", *version,
           "1.0");
  if (auto encoding = declaration.get("Tag-File-Character-Encoding"); encoding && lowercase(*encoding) != "utf-8")
    report(kMalformed, "bagit.txt: Tag-File-Character-Encoding is '" + *encoding + "'; tag files must be UTF-8",
           *encoding, "UTF-8");
}

void BagVerifier::scan_payload_folder() {
  const fs::path data = dir_ / "data";
  std::error_code error;
  if (!fs::is_directory(fs::symlink_status(data, error))) {
    report(kMalformed, "data/: missing; the payload folder is required");
    return;
  }
  fs::recursive_directory_iterator it(data, error), end;
  for (; !error && it != end; it.increment(error)) {
    std::error_code entry_error;
    const fs::file_status status = it->symlink_status(entry_error);
    const std::string rel = relative_utf8(it->path(), dir_);
    if (fs::is_directory(status)) continue;
    if (fs::is_symlink(status) || !fs::is_regular_file(status)) {
      report(kMalformed, rel + ": a link or special file; a bag holds plain files only");
      irregular_files_.insert(rel);
      continue;
    }
    payload_files_[rel] = it->file_size(entry_error);
  }
  if (error) report(kMalformed, "data/: cannot be listed completely: " + error.message());
}

void BagVerifier::read_manifests() {
  std::vector<std::string> names;
  std::error_code error;
  for (fs::directory_iterator it(dir_, error), end; !error && it != end; it.increment(error))
    names.push_back(relative_utf8(it->path(), dir_));
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    const bool payload = name.starts_with("manifest-");
    const bool tag = name.starts_with("tagmanifest-");
    if ((!payload && !tag) || !name.ends_with(".txt")) continue;
    const size_t prefix = payload ? 9 : 12;
    auto algorithm = algorithm_from_name(std::string_view(name).substr(prefix, name.size() - prefix - 4));
    if (!algorithm) continue;  // an algorithm lantai does not compute (sha512 ...): not checked
    const std::string* text = tag_bytes(name);
    if (!text) {
      report(kMalformed, name + ": not a readable file");
      continue;
    }
    Manifest manifest = parse_manifest(name, *algorithm, *text, payload);
    for (const LineProblem& problem : manifest.problems)
      report(kMalformed, name + ": line " + std::to_string(problem.line) + ": " + problem.reason);
    (payload ? payload_manifests_ : tag_manifests_).push_back(std::move(manifest));
  }
  const bool has_required = std::any_of(payload_manifests_.begin(), payload_manifests_.end(), [](const Manifest& m) {
    return m.algorithm == DigestAlgorithm::md5 || m.algorithm == DigestAlgorithm::sha256;
  });
  if (!has_required)
    report(kMalformed, "manifest-sha256.txt: missing, and so is manifest-md5.txt; a bag needs one of them");
}

void BagVerifier::check_listed_files(const std::vector<Manifest>& manifests, bool payload) {
  std::map<std::string, std::vector<const Manifest*>> listed;
  for (const Manifest& manifest : manifests)
    for (const auto& entry : manifest.entries) listed[entry.first].push_back(&manifest);

  for (const auto& [path, listing] : listed) {
    if (irregular_files_.count(path)) continue;
    std::vector<DigestAlgorithm> algorithms;
    for (const Manifest* manifest : listing)
      if (std::find(algorithms.begin(), algorithms.end(), manifest->algorithm) == algorithms.end())
        algorithms.push_back(manifest->algorithm);

    std::vector<std::string> found;
    if (payload) {
      if (!payload_files_.count(path)) {
        report(kMissingFile, path + ": listed in " + join_names(listing) + " but not in the bag");
        continue;
      }
      try {
        found = hex_digests_of_file(path_of(path), algorithms);  // one read for every algorithm
      } catch (const std::exception&) {
        report(kMissingFile, path + ": listed in " + join_names(listing) + " but cannot be read");
        continue;
      }
    } else {
      std::error_code error;
      if (fs::is_symlink(fs::symlink_status(path_of(path), error))) {
        report(kMalformed, path + ": a link; a bag holds plain files only");
        continue;
      }
      const std::string* bytes = tag_bytes(path);
      if (!bytes) {
        report(kMissingFile, path + ": listed in " + join_names(listing) + " but not in the bag");
        continue;
      }
      for (DigestAlgorithm algorithm : algorithms) found.push_back(hex_digest(algorithm, *bytes));
    }
    for (const Manifest* manifest : listing) {
      size_t index = static_cast<size_t>(std::find(algorithms.begin(), algorithms.end(), manifest->algorithm) -
                                         algorithms.begin());
      const std::string& expected = manifest->entries.at(path).digest;
      if (found[index] != expected)
        report(kChecksumMismatch,
               path + ": " + std::string(to_string(manifest->algorithm)) + " digest differs from " + manifest->file,
               found[index], expected);
    }
  }
}

void BagVerifier::check_unlisted_files() {
  if (payload_manifests_.empty()) return;  // already malformed; every file would be noise
  for (const auto& [path, size] : payload_files_) {
    std::vector<const Manifest*> missing_from;
    for (const Manifest& manifest : payload_manifests_)
      if (!manifest.entries.count(path)) missing_from.push_back(&manifest);
    if (!missing_from.empty())
      report(kUnlistedFile, path + ": in data/ but not listed in " + join_names(missing_from));
  }
}

void BagVerifier::check_oxum() {
  const std::string* text = tag_bytes("bag-info.txt");
  if (!text) return;  // bag-info.txt is optional in RFC 8493
  bag_info_ = parse_tag_fields(*text);
  for (const LineProblem& problem : bag_info_->problems)
    report(kMalformed, "bag-info.txt: line " + std::to_string(problem.line) + ": " + problem.reason);
  auto declared = bag_info_->get("Payload-Oxum");
  if (!declared) return;
  const size_t dot = declared->find('.');
  if (dot == std::string::npos || !is_digits(std::string_view(*declared).substr(0, dot)) ||
      !is_digits(std::string_view(*declared).substr(dot + 1))) {
    report(kMalformed, "bag-info.txt: Payload-Oxum '" + *declared + "' is not octets.streams");
    return;
  }
  std::uint64_t octets = 0;
  for (const auto& [path, size] : payload_files_) octets += size;
  // Links and special files are already malformed; the figures count plain files.
  const std::string found = std::to_string(octets) + "." + std::to_string(payload_files_.size());
  // Compare as numbers: leading zeros are not a difference.
  auto strip = [](std::string_view digits) {
    while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
    return std::string(digits);
  };
  const std::string normalized = strip(std::string_view(*declared).substr(0, dot)) + "." +
                                 strip(std::string_view(*declared).substr(dot + 1));
  if (normalized != found)
    report(kOxumMismatch,
           "bag-info.txt: Payload-Oxum is " + *declared + ", data/ holds " + found + " (octets.files)", found,
           *declared);
}

void BagVerifier::check_form() {
  const std::string* form = tag_bytes(kBackupFormPath);
  if (!form) return;  // the form is optional in a bag; lantai's deposits always carry it
  BagFacts facts;
  facts.bag_dir = dir_;
  facts.bag_info = bag_info_ ? &*bag_info_ : nullptr;
  facts.sha256_manifest = tag_bytes(kPackageDigestOf);
  for (const auto& [path, size] : payload_files_) facts.payload_octets += size;
  facts.payload_streams = payload_files_.size();
  for (Finding& finding : check_backup_form(*form, facts)) findings_.push_back(std::move(finding));
}

}  // namespace lantai::verify
