#include "stages/verify/bag_verifier.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <system_error>

#include "pipeline/bag_signature.h"
#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "pipeline/utf8.h"
#include "pipeline/virus_scanner.h"
#include "stages/verify/backup_form_check.h"

namespace lantai::verify {

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

// NFC of a UTF-8 name; the name itself when it is not UTF-8 (it then has no twins).
std::string nfc(const std::string& name) {
  if (!is_valid_utf8(name)) return name;
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* normalizer = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return name;
  icu::UnicodeString normalized = normalizer->normalize(icu::UnicodeString::fromUTF8(name), status);
  if (U_FAILURE(status)) return name;
  std::string out;
  normalized.toUTF8String(out);
  return out;
}

std::string case_folded(const std::string& name) {
  if (!is_valid_utf8(name)) return lowercase(name);
  std::string out;
  icu::UnicodeString::fromUTF8(name).foldCase().toUTF8String(out);
  return out;
}

}  // namespace

BagVerifier::BagVerifier(BagContents& contents, VerifyOptions options)
    : contents_(contents), options_(std::move(options)) {}

std::vector<Finding> BagVerifier::run() {
  if (!check_declaration()) return std::move(findings_);
  read_fetch();
  scan_payload_folder();
  check_payload_names();
  read_manifests();
  check_completeness();
  check_oxum();
  if (!options_.fast) check_digests();
  if (options_.virus_scanner) scan_for_viruses();
  check_signature();
  if (options_.policy == Policy::centre) {
    check_centre_policy();
    check_form();
  }
  return std::move(findings_);
}

void BagVerifier::report(const FindingCode& code, std::string message, std::string value, std::string threshold) {
  findings_.push_back(code(std::move(message), std::move(value), std::move(threshold)));
}

void BagVerifier::report_lines(const std::string& file, const std::vector<LineProblem>& problems) {
  for (const LineProblem& problem : problems)
    report(problem.code,
           file + ": " + (problem.line > 0 ? "line " + std::to_string(problem.line) + ": " : "") + problem.reason);
}

bool BagVerifier::exists(const std::string& rel_path) const {
  return contents_.type(rel_path) != EntryType::absent;
}

std::optional<std::string> BagVerifier::tag_raw(const std::string& rel_path, bool report_absent) {
  const EntryType type = contents_.type(rel_path);
  if (type == EntryType::absent) {
    if (report_absent) report(kMissingFile, rel_path + ": missing");
    return std::nullopt;
  }
  if (type != EntryType::file) {
    report(kMalformed, rel_path + ": a link or special file; a bag holds plain files only");
    return std::nullopt;
  }
  const std::uint64_t size = contents_.size(rel_path);
  if (size > kMaxTagFileBytes) {
    report(kMalformed, rel_path + ": " + std::to_string(size) + " bytes; lantai reads tag files up to " +
                           std::to_string(kMaxTagFileBytes >> 20) + " MiB",
           std::to_string(size), std::to_string(kMaxTagFileBytes));
    return std::nullopt;
  }
  try {
    return contents_.read(rel_path);
  } catch (const std::exception&) {
    report(kMissingFile, rel_path + ": cannot be read");
    return std::nullopt;
  }
}

std::optional<std::string> BagVerifier::tag_text(const std::string& rel_path, bool report_absent) {
  auto bytes = tag_raw(rel_path, report_absent);
  if (!bytes) return std::nullopt;
  DecodedText text = decode_tag_text(*bytes, encoding_);
  if (!text.utf8) {
    report(kBadEncoding, rel_path + ": " + text.problem + " (Tag-File-Character-Encoding: " + encoding_ + ")");
    return std::nullopt;
  }
  return std::move(text.utf8);
}

bool BagVerifier::check_declaration() {
  if (!exists("bagit.txt")) {
    report(kMalformed, "bagit.txt: missing; every bag starts with its bag declaration");
    return true;  // read on as a 1.0 bag to name what else is wrong
  }
  auto bytes = tag_raw("bagit.txt", true);
  if (!bytes) return true;
  Declaration declaration = parse_declaration(bytes->substr(0, 4096));
  report_lines("bagit.txt", declaration.problems);
  if (declaration.version) {
    if (*declaration.version != "1.0" && *declaration.version != "0.97") {
      report(kUnsupportedVersion,
             "bagit.txt: unsupported BagIt-Version '" + declaration.version->substr(0, 100) +
                 "'; lantai validates 0.97 and 1.0 and reads no other version",
             declaration.version->substr(0, 100), "0.97 or 1.0");
      return false;
    }
    version_ = *declaration.version;
  }
  if (declaration.encoding) {
    if (!known_encoding(*declaration.encoding)) {
      report(kBadEncoding, "bagit.txt: Tag-File-Character-Encoding '" + declaration.encoding->substr(0, 100) +
                               "' is not an encoding lantai can read; the tag files were not read");
      return false;
    }
    encoding_ = *declaration.encoding;
  }
  return true;
}

void BagVerifier::read_fetch() {
  if (!exists("fetch.txt")) return;
  auto text = tag_text("fetch.txt", false);
  if (!text) return;
  FetchList fetch = parse_fetch(*text, version_ != "0.97");
  report_lines("fetch.txt", fetch.problems);
  fetch_ = std::move(fetch.entries);
}

void BagVerifier::scan_payload_folder() {
  if (contents_.type("data") != EntryType::folder) {
    report(kMalformed, "data/: missing; the payload folder is required");
    return;
  }
  std::string problem;
  for (const ContentEntry& entry : contents_.list("data", true, problem)) {
    if (entry.type == EntryType::folder) continue;
    if (entry.type != EntryType::file) {
      report(kMalformed, entry.path + ": a link or special file; a bag holds plain files only");
      irregular_files_.insert(entry.path);
      continue;
    }
    payload_files_[entry.path] = entry.size;
  }
  if (!problem.empty()) report(kMalformed, "data/: cannot be listed completely: " + problem);
}

void BagVerifier::check_payload_names() {
  std::map<std::string, std::vector<std::string>> by_nfc;
  for (const auto& [path, size] : payload_files_) by_nfc[nfc(path)].push_back(path);
  std::map<std::string, std::vector<std::string>> by_case;
  for (const auto& [normal, names] : by_nfc) {
    payload_by_nfc_[normal] = names.front();
    by_case[case_folded(normal)].push_back(names.front());
    if (names.size() < 2) continue;
    std::string list;
    for (const std::string& name : names) list += (list.empty() ? "'" : ", '") + name + "'";
    report(kNormalisationTwins, names.front() + ": " + std::to_string(names.size()) +
                                    " names differ only by Unicode normalisation (" + list +
                                    "); they are one name on many file systems");
  }
  for (const auto& [folded, names] : by_case) {
    if (names.size() < 2) continue;
    std::string list;
    for (const std::string& name : names) list += (list.empty() ? "'" : ", '") + name + "'";
    report(kCaseTwins, names.front() + ": names differ only in letter case (" + list +
                           "); they collide on case-insensitive file systems");
  }
}

void BagVerifier::read_manifests() {
  std::vector<std::string> names;
  std::string problem;
  for (const ContentEntry& entry : contents_.list("", false, problem)) names.push_back(entry.path);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    const bool payload = name.starts_with("manifest-");
    const bool tag = name.starts_with("tagmanifest-");
    if ((!payload && !tag) || !name.ends_with(".txt")) continue;
    const size_t prefix = payload ? 9 : 12;
    const std::string algorithm_name = name.substr(prefix, name.size() - prefix - 4);
    auto algorithm = algorithm_from_name(algorithm_name);
    if (!algorithm) {
      report(kUncheckedManifest, name + ": '" + algorithm_name +
                                     "' is not an algorithm lantai computes (md5, sha1, sha224, sha256, sha384, sha512, sm3); "
                                     "this manifest was not checked");
      continue;
    }
    auto text = tag_text(name, true);
    if (!text) continue;
    if (name == kPayloadDigestOf) sha256_manifest_bytes_ = tag_raw(name, false);
    Manifest manifest = parse_manifest(name, *algorithm, *text, {payload, version_ != "0.97"});
    report_lines(name, manifest.problems);
    // Names one manifest lists twice under two normalisations.
    std::map<std::string, std::string> seen;
    for (const auto& [path, entry] : manifest.entries) {
      auto [it, inserted] = seen.try_emplace(nfc(path), path);
      if (!inserted)
        report(kNormalisationMismatch, name + ": line " + std::to_string(entry.line) + ": '" + path + "' and '" +
                                           it->second + "' are one name listed twice in two Unicode normalisations");
    }
    (payload ? payload_manifests_ : tag_manifests_).push_back(std::move(manifest));
  }
  if (payload_manifests_.empty())
    report(kMalformed, "manifest-<algorithm>.txt: no payload manifest lantai can check; a bag needs at least one");
}

void BagVerifier::check_completeness() {
  std::set<std::string> fetchable;
  if (fetch_)
    for (const FetchEntry& entry : *fetch_) fetchable.insert(entry.path);

  std::map<std::string, std::vector<const Manifest*>> listed;
  for (const Manifest& manifest : payload_manifests_)
    for (const auto& entry : manifest.entries) listed[entry.first].push_back(&manifest);
  for (const auto& [path, listing] : listed) {
    if (payload_files_.count(path) || irregular_files_.count(path)) continue;
    // The file is there under another normalisation (macOS writes NFD, most tools NFC):
    // checked through its name on disk; a warning, since many file systems treat the two
    // as one name. Listed under both names, it was reported once when the manifest was read.
    if (auto twin = payload_by_nfc_.find(nfc(path)); twin != payload_by_nfc_.end()) {
      matched_by_nfc_.insert(twin->second);
      read_through_[path] = twin->second;
      if (!listed.count(twin->second))
        report(kNormalisationMismatch, path + ": listed in " + join_names(listing) + ", but the file in data/ is '" +
                                           twin->second +
                                           "', the same name in another Unicode normalisation; checked through it");
      continue;
    }
    if (fetchable.count(path))
      report(kFetchRequired, path + ": listed in fetch.txt and " + join_names(listing) +
                                 " but not in the bag; the bag needs fetching, which lantai never does");
    else
      report(kMissingFile, path + ": listed in " + join_names(listing) + " but not in the bag");
  }
  if (fetch_)
    for (const FetchEntry& entry : *fetch_)
      if (!listed.count(entry.path))
        report(kMalformed, "fetch.txt: line " + std::to_string(entry.line) + ": '" + entry.path +
                               "' is in no payload manifest; every fetched file must be listed");

  if (payload_manifests_.empty()) return;  // already malformed; every file would be noise
  for (const auto& [path, size] : payload_files_) {
    if (matched_by_nfc_.count(path)) continue;
    std::vector<const Manifest*> missing_from;
    for (const Manifest& manifest : payload_manifests_)
      if (!manifest.entries.count(path)) missing_from.push_back(&manifest);
    if (!missing_from.empty())
      report(kUnlistedFile, path + ": in data/ but not listed in " + join_names(missing_from));
  }

  // Tag files a tag manifest lists must be there.
  std::map<std::string, std::vector<const Manifest*>> tag_listed;
  for (const Manifest& manifest : tag_manifests_)
    for (const auto& entry : manifest.entries) tag_listed[entry.first].push_back(&manifest);
  for (const auto& [path, listing] : tag_listed) {
    if (!exists(path))
      report(kMissingFile, path + ": listed in " + join_names(listing) + " but not in the bag");
  }
}

void BagVerifier::check_oxum() {
  if (!exists("bag-info.txt")) return;  // optional in RFC 8493
  auto text = tag_text("bag-info.txt", false);
  if (!text) return;
  bag_info_ = parse_tag_fields(*text);
  report_lines("bag-info.txt", bag_info_->problems);
  auto declared = bag_info_->get("Payload-Oxum");
  if (!declared) return;
  const size_t dot = declared->find('.');
  if (dot == std::string::npos || dot > 19 || declared->size() - dot > 20 ||
      !is_digits(std::string_view(*declared).substr(0, dot)) ||
      !is_digits(std::string_view(*declared).substr(dot + 1))) {
    report(kMalformed, "bag-info.txt: Payload-Oxum '" + declared->substr(0, 100) + "' is not octets.streams");
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

void BagVerifier::check_digests() {
  std::vector<HashJob> jobs;
  auto add_jobs = [&](const std::vector<Manifest>& manifests, bool payload) {
    std::map<std::string, std::vector<const Manifest*>> listed;
    for (const Manifest& manifest : manifests)
      for (const auto& entry : manifest.entries) listed[entry.first].push_back(&manifest);
    for (auto& [path, listing] : listed) {
      std::uint64_t size = 0;
      std::string read_as = path;
      if (payload) {
        if (auto alias = read_through_.find(path); alias != read_through_.end()) read_as = alias->second;
        auto it = payload_files_.find(read_as);
        if (it == payload_files_.end()) continue;  // missing: reported already
        size = it->second;
      } else {
        const EntryType type = contents_.type(path);
        if (type == EntryType::absent) continue;  // missing: reported already
        if (type != EntryType::file) {
          report(kMalformed, path + ": a link or special file; a bag holds plain files only");
          continue;
        }
        size = contents_.size(path);
      }
      HashJob job;
      job.path = read_as;
      if (read_as != path) job.listed_as = path;
      job.size = size;
      job.listing = listing;
      for (const Manifest* manifest : listing)
        if (std::find(job.algorithms.begin(), job.algorithms.end(), manifest->algorithm) == job.algorithms.end())
          job.algorithms.push_back(manifest->algorithm);
      jobs.push_back(std::move(job));
    }
  };
  add_jobs(payload_manifests_, true);
  add_jobs(tag_manifests_, false);

  std::uint64_t total = 0;
  for (const HashJob& job : jobs) total += job.size;
  // Largest first, so one big file does not start last and run alone.
  std::vector<HashJob*> order;
  for (HashJob& job : jobs) order.push_back(&job);
  std::stable_sort(order.begin(), order.end(), [](const HashJob* a, const HashJob* b) { return a->size > b->size; });

  std::atomic<std::uint64_t> done{0};
  std::atomic<std::uint64_t> last_reported{0};
  std::mutex progress_mutex;
  auto advanced = [&](std::uint64_t bytes) {
    const std::uint64_t now = done += bytes;
    if (!options_.progress || now - last_reported.load() < (16u << 20)) return;
    std::lock_guard lock(progress_mutex);
    if (now - last_reported.load() < (16u << 20)) return;
    last_reported = now;
    options_.progress(now, total);
  };
  contents_.hash(order, advanced);
  if (options_.progress) options_.progress(done.load(), total);

  for (const HashJob& job : jobs) {
    if (!job.error.empty()) {
      report(kMissingFile, job.path + ": listed in " + join_names(job.listing) + " but cannot be read: " + job.error);
      continue;
    }
    const std::string& listed = job.listed_as.empty() ? job.path : job.listed_as;
    for (const Manifest* manifest : job.listing) {
      const size_t index = static_cast<size_t>(
          std::find(job.algorithms.begin(), job.algorithms.end(), manifest->algorithm) - job.algorithms.begin());
      const std::string& expected = manifest->entries.at(listed).digest;
      if (job.found[index] != expected)
        report(kChecksumMismatch,
               listed + ": " + std::string(to_string(manifest->algorithm)) + " digest differs from " +
                   manifest->file,
               job.found[index], expected);
    }
  }
}

// Every plain file in the bag, payload and tag files alike, links not followed (they are
// reported as malformed already), in parallel.
void BagVerifier::scan_for_viruses() {
  std::string problem;
  auto flagged = contents_.scan(*options_.virus_scanner, problem);
  if (!problem.empty()) report(kNotVirusScanned, "(the bag): cannot be listed completely for the virus scan: " + problem);
  std::sort(flagged.begin(), flagged.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [rel, result] : flagged) {
    if (result.verdict == VirusScanResult::Verdict::infected)
      report(kVirusFound, rel + ": infected with " + result.signature + " (ClamAV)", result.signature);
    else
      report(kNotVirusScanned, rel + ": not scanned for viruses: " + result.reason, result.reason);
  }
}

// With a trusted key: the signature holds, signs every tag manifest as it is, and the tag
// manifests list every other tag file, so no tag file can change unseen.
void BagVerifier::check_signature() {
  const bool signed_bag = exists(kBagSignaturePath);
  if (!options_.trusted_key) {
    if (signed_bag)
      report(kSignatureUnchecked, std::string(kBagSignaturePath) + ": the bag is signed; give the signer's public key "
                                                                  "with --trust to check it");
    return;
  }
  // Top-level files no larger than a tag file may be, read whole (as tag files are).
  auto plain_bytes = [this](const std::string& name) -> std::optional<std::string> {
    if (contents_.type(name) != EntryType::file || contents_.size(name) > kMaxTagFileBytes) return std::nullopt;
    try {
      return contents_.read(name);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  };
  SignedBag bag;
  std::string problem;
  std::vector<ContentEntry> top = contents_.list("", false, problem);
  for (const ContentEntry& entry : top)
    if (entry.path.starts_with("tagmanifest-") && entry.path.ends_with(".txt")) bag.tag_manifests.push_back(entry.path);
  std::sort(bag.tag_manifests.begin(), bag.tag_manifests.end());
  bag.sm3_of = [&](const std::string& name) -> std::optional<std::string> {
    auto bytes = plain_bytes(name);
    if (!bytes) return std::nullopt;
    return hex_digest(DigestAlgorithm::sm3, *bytes);
  };
  bag.signature_text = plain_bytes(kBagSignaturePath);
  for (std::string& problem : check_bag_signature(bag, *options_.trusted_key)) report(kSignature, std::move(problem));
  if (!signed_bag) return;
  std::set<std::string> listed;
  for (const Manifest& manifest : tag_manifests_)
    for (const auto& entry : manifest.entries) listed.insert(entry.first);
  // Every tag file: the top's files, and everything in its folders but data/.
  std::vector<ContentEntry> tag_files;
  for (const ContentEntry& entry : top) {
    if (entry.type != EntryType::folder) tag_files.push_back(entry);
    else if (entry.path != "data")
      for (ContentEntry& inner : contents_.list(entry.path, true, problem))
        if (inner.type != EntryType::folder) tag_files.push_back(std::move(inner));
  }
  std::sort(tag_files.begin(), tag_files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  for (const ContentEntry& entry : tag_files) {
    const std::string& rel = entry.path;
    if (rel == kBagSignaturePath ||
        (rel.find('/') == std::string::npos && rel.starts_with("tagmanifest-") && rel.ends_with(".txt")))
      continue;
    if (!listed.count(rel))
      report(kSignature, rel + ": a tag file no tag manifest lists, so the signature does not cover it");
  }
}

void BagVerifier::check_centre_policy() {
  if (version_ != "1.0")
    report(kPolicy, "bagit.txt: BagIt-Version is '" + version_ + "'; the centre accepts 1.0", version_, "1.0");
  if (lowercase(encoding_) != "utf-8")
    report(kPolicy, "bagit.txt: Tag-File-Character-Encoding is '" + encoding_ + "'; the centre accepts UTF-8",
           encoding_, "UTF-8");
  auto has = [](const std::vector<Manifest>& manifests, DigestAlgorithm algorithm) {
    return std::any_of(manifests.begin(), manifests.end(),
                       [&](const Manifest& m) { return m.algorithm == algorithm; });
  };
  std::vector<DigestAlgorithm> required{DigestAlgorithm::md5, DigestAlgorithm::sha256};
  if (options_.require_sm3) required.push_back(DigestAlgorithm::sm3);
  for (DigestAlgorithm algorithm : required) {
    const std::string name(to_string(algorithm));
    if (!has(payload_manifests_, algorithm))
      report(kPolicy, "manifest-" + name + ".txt: missing; the centre asks for " + name + " manifests");
    if (!has(tag_manifests_, algorithm))
      report(kPolicy, "tagmanifest-" + name + ".txt: missing; the centre asks for " + name + " manifests");
  }
  if (exists("fetch.txt"))
    report(kPolicy, "fetch.txt: present; a deposit carries all its files and no fetch.txt");
  if (!bag_info_)
    report(kPolicy, "bag-info.txt: missing; the centre reads the deposit's identity and Payload-Oxum from it");
  else if (!bag_info_->get("Payload-Oxum"))
    report(kPolicy, "bag-info.txt: no Payload-Oxum; the centre compares it with the payload");
  if (!exists(kBackupFormPath))
    report(kPolicy, std::string(kBackupFormPath) + ": missing; a deposit carries its registration form");
  else {
    bool listed = false;
    for (const Manifest& manifest : tag_manifests_) listed = listed || manifest.entries.count(kBackupFormPath);
    if (!listed) report(kPolicy, std::string(kBackupFormPath) + ": in no tag manifest, so a change to it goes unseen");
  }
}

void BagVerifier::check_form() {
  if (!exists(kBackupFormPath)) return;  // reported by the policy
  auto form = tag_raw(kBackupFormPath, false);
  if (!form) return;
  BagFacts facts;
  facts.is_folder = [this](const std::string& path) { return contents_.type(path) == EntryType::folder; };
  if (exists(kBagSignaturePath))
    if (auto signature = tag_raw(kBagSignaturePath, false)) facts.signature_key_sm3 = fingerprint_in_signature(*signature);
  facts.bag_info = bag_info_ ? &*bag_info_ : nullptr;
  facts.sha256_manifest = sha256_manifest_bytes_ ? &*sha256_manifest_bytes_ : nullptr;
  for (const auto& [path, size] : payload_files_) facts.payload_octets += size;
  facts.payload_streams = payload_files_.size();
  for (Finding& finding : check_backup_form(*form, facts)) findings_.push_back(std::move(finding));
}

}  // namespace lantai::verify
