// The checks behind verify_bag (verify_stage.h), in the order they run: the bag
// declaration, fetch.txt, the payload folder (with its Unicode twins), the manifests,
// completeness, Payload-Oxum, the digests of every listed file (each file read once for
// all its algorithms, files hashed in parallel on oneTBB's pool), a virus scan of every
// file when a scanner is given, then the centre policy and the backup form. One verifier per bag and call; not shared between threads.
// The bag is read through BagContents (bag_contents.h): a folder or a package file are
// judged by these same rules.
//
// Hostile bags: every path is confined to the bag before it is opened; links are never
// followed; a tag file larger than kMaxTagFileBytes is refused rather than read; a line
// longer than kMaxLineBytes is an error. Payload files are streamed, never held whole.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pipeline/finding.h"
#include "stages/verify/bag_contents.h"
#include "stages/verify/tag_lines.h"
#include "stages/verify/verify_codes.h"
#include "stages/verify/verify_options.h"

namespace lantai::verify {


class BagVerifier {
 public:
  // contents outlives the verifier.
  BagVerifier(BagContents& contents, VerifyOptions options);
  std::vector<Finding> run();

 private:
  bool check_declaration();  // false: the bag cannot be read further
  void read_fetch();
  void scan_payload_folder();
  void check_payload_names();
  void read_manifests();
  void check_completeness();
  void check_oxum();
  void check_digests();
  void scan_for_viruses();
  void check_signature();
  void check_centre_policy();
  void check_form();

  // A tag file's text in the declared encoding; nullopt (reported unless quiet) when
  // absent, a link, too large, unreadable or not in the encoding.
  std::optional<std::string> tag_text(const std::string& rel_path, bool report_absent);
  std::optional<std::string> tag_raw(const std::string& rel_path, bool report_absent);
  bool exists(const std::string& rel_path) const;
  void report(const FindingCode& code, std::string message, std::string value = {}, std::string threshold = {});
  void report_lines(const std::string& file, const std::vector<LineProblem>& problems);

  BagContents& contents_;
  VerifyOptions options_;
  std::vector<Finding> findings_;
  std::string version_ = "1.0";
  std::string encoding_ = "UTF-8";
  std::optional<std::vector<FetchEntry>> fetch_;
  std::map<std::string, std::uint64_t> payload_files_;  // rel path → size, regular files under data/
  std::set<std::string> irregular_files_;             // links and special files, already reported
  std::map<std::string, std::string> payload_by_nfc_;  // NFC form → the name on disk
  std::set<std::string> matched_by_nfc_;              // disk names a manifest lists in another normalisation
  std::map<std::string, std::string> read_through_;   // a manifest's name → the same name on disk in another normalisation
  std::vector<Manifest> payload_manifests_;
  std::vector<Manifest> tag_manifests_;
  std::optional<TagFields> bag_info_;
  std::optional<std::string> sha256_manifest_bytes_;
};

}  // namespace lantai::verify
