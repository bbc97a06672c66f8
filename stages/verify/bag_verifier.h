// The checks behind verify_bag (verify_stage.h), in the order they run: the bag
// declaration, the payload folder, the manifests, the payload files, Payload-Oxum, the
// tag files, the backup form. One verifier per bag and call; not shared between threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pipeline/finding.h"
#include "stages/verify/tag_lines.h"
#include "stages/verify/verify_codes.h"

namespace lantai::verify {

class BagVerifier {
 public:
  explicit BagVerifier(std::filesystem::path bag_dir);
  std::vector<Finding> run();

 private:
  void check_declaration();
  void scan_payload_folder();
  void read_manifests();
  void check_listed_files(const std::vector<Manifest>& manifests, bool payload);
  void check_unlisted_files();
  void check_oxum();
  void check_form();

  // The bytes of a tag file (a regular file outside data/), read once; null when absent
  // or unreadable.
  const std::string* tag_bytes(const std::string& rel_path);
  std::filesystem::path path_of(const std::string& rel_path) const;
  void report(const FindingCode& code, std::string message, std::string value = {}, std::string threshold = {});

  std::filesystem::path dir_;
  std::vector<Finding> findings_;
  std::map<std::string, std::optional<std::string>> tag_cache_;
  std::map<std::string, std::uint64_t> payload_files_;  // rel path → size, regular files under data/
  std::set<std::string> irregular_files_;             // links and special files, already reported
  std::vector<Manifest> payload_manifests_;
  std::vector<Manifest> tag_manifests_;
  std::optional<TagFields> bag_info_;
};

}  // namespace lantai::verify
