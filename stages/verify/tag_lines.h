// Reading the text files of a bag: line splitting as RFC 8493 allows (LF, CRLF or CR),
// manifests (§2.1.3, §2.2.1) and label: value tag files (bagit.txt, bag-info.txt §2.2.2).
// Parsing never throws: each problem comes back with its 1-based line number.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/digest.h"

namespace lantai::verify {

struct LineProblem {
  int line = 0;
  std::string reason;
};

// Lines without their terminators; a final line without one counts, a final
// terminator does not start an empty line.
std::vector<std::string_view> split_lines(std::string_view text);

// "md5" → md5 ...; nullopt for an algorithm lantai does not compute.
std::optional<DigestAlgorithm> algorithm_from_name(std::string_view name);

// RFC 8493 §2.1.3: %0D, %0A and %25 (any case) decoded; anything else kept as written.
std::string decode_manifest_path(std::string_view encoded);

// Why a decoded path would leave the bag (absolute, "..", ".", empty part), or empty
// when it stays inside.
std::string escape_reason(const std::string& path);

struct ManifestEntry {
  std::string digest;  // lowercase hex
  int line = 0;
};

struct Manifest {
  std::string file;  // "manifest-sha256.txt"
  DigestAlgorithm algorithm = DigestAlgorithm::sha256;
  std::map<std::string, ManifestEntry> entries;  // by decoded path
  std::vector<LineProblem> problems;             // malformed lines, left out of entries
};

// payload: the paths must lie under data/ (a payload manifest) or outside it (a tag manifest).
Manifest parse_manifest(std::string file, DigestAlgorithm algorithm, std::string_view text, bool payload);

struct TagFields {
  std::vector<std::pair<std::string, std::string>> fields;  // in file order, folded lines joined
  std::vector<LineProblem> problems;
  // The first value of label, if any.
  std::optional<std::string> get(std::string_view label) const;
};

TagFields parse_tag_fields(std::string_view text);

}  // namespace lantai::verify
