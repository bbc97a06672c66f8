// Reading the text files of a bag: line splitting as RFC 8493 allows (LF, CRLF or CR),
// the bag declaration (bagit.txt §2.1.1), manifests (§2.1.3, §2.2.1), fetch.txt (§2.2.3)
// and label: value tag files (bag-info.txt §2.2.2), and the tag-file character encodings.
// Parsing never throws: each problem comes back with its 1-based line number and the code
// it is reported under. Text handed to these parsers is UTF-8 (decode_tag_text first).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/digest.h"
#include "stages/verify/verify_codes.h"

namespace lantai::verify {

// A manifest, fetch.txt or bag-info line longer than this is an error, not a buffer.
inline constexpr std::size_t kMaxLineBytes = 1 << 20;

struct LineProblem {
  int line = 0;
  std::string reason;
  FindingCode code = kMalformed;  // kMalformed, kPathEscape, or a warning code
};

// Lines without their terminators; a final line without one counts, a final
// terminator does not start an empty line.
std::vector<std::string_view> split_lines(std::string_view text);

// "md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sm3" → the algorithm; nullopt for any other.
std::optional<DigestAlgorithm> algorithm_from_name(std::string_view name);

// RFC 8493 §2.1.3: %0D, %0A and %25 (any case) decoded; anything else kept as written.
// BagIt 0.97 has no percent-encoding: its paths are taken as written.
std::string decode_manifest_path(std::string_view encoded);

// A path as written in a manifest or fetch.txt with its harmless "./" parts removed
// ("./data/a" → "data/a", "data/./a" → "data/a").
std::string without_dot_parts(std::string_view path);

// Why a decoded path would leave the bag or is not a bag path (absolute, "..", "~", a
// drive letter or UNC path, an empty part, a NUL byte), or empty when it stays inside.
std::string escape_reason(const std::string& path);

// Tag-file bytes in the declared Tag-File-Character-Encoding, as UTF-8 (through ICU's
// converters, so any encoding ICU knows). nullopt and the reason when the encoding is
// unknown or the bytes are not valid in it.
struct DecodedText {
  std::optional<std::string> utf8;
  std::string problem;
};
DecodedText decode_tag_text(std::string_view bytes, const std::string& encoding);
bool known_encoding(const std::string& encoding);

struct ManifestEntry {
  std::string digest;  // lowercase hex
  int line = 0;
};

struct Manifest {
  std::string file;  // "manifest-sha256.txt"
  DigestAlgorithm algorithm = DigestAlgorithm::sha256;
  std::map<std::string, ManifestEntry> entries;  // by decoded path
  std::vector<LineProblem> problems;             // malformed lines, left out of entries, and warnings
};

struct ManifestRules {
  bool payload = true;          // the paths must lie under data/ (payload) or outside it (tag manifest)
  bool percent_encoding = true;  // BagIt 1.0: §2.1.3 decoding; 0.97: none
};
Manifest parse_manifest(std::string file, DigestAlgorithm algorithm, std::string_view text, ManifestRules rules);

// fetch.txt (§2.2.3): "url length path" lines; length is digits or "-".
struct FetchEntry {
  std::string url;
  std::optional<unsigned long long> length;
  std::string path;  // decoded, without "./" parts
  int line = 0;
};
struct FetchList {
  std::vector<FetchEntry> entries;
  std::vector<LineProblem> problems;
};
FetchList parse_fetch(std::string_view text, bool percent_encoding);

struct TagFields {
  std::vector<std::pair<std::string, std::string>> fields;  // in file order, folded lines joined
  std::vector<LineProblem> problems;
  // The first value of label, if any.
  std::optional<std::string> get(std::string_view label) const;
};

TagFields parse_tag_fields(std::string_view text);

// bagit.txt, strictly (§2.1.1): exactly "BagIt-Version: M.N" then
// "Tag-File-Character-Encoding: ENCODING", one space after the colon and none before it,
// no byte-order mark, UTF-8.
struct Declaration {
  std::optional<std::string> version;
  std::optional<std::string> encoding;
  std::vector<LineProblem> problems;
};
Declaration parse_declaration(std::string_view bytes);

}  // namespace lantai::verify
