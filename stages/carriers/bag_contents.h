// What the carriers are made from: a deposit bag (stages/deposit/deposit_stage.h) read as
// its manifests describe it. Its payload is data/catalogue/目录.csv and, per record,
// data/entity/<档号>/…; any other payload file travels with the first carrier.
//
// The bag is trusted only as far as it can be checked: every manifest path is confined to
// data/ (no empty, "." or ".." part, no control character, no link on the way), and each
// file's size is read from the disk without following links. Digests are the manifests';
// the writer checks every file against them as it copies it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipeline/catalog.h"

namespace lantai::carriers {

// A bag that cannot be made into carriers: the message names the file and the reason.
class CarrierError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BagFile {
  std::string path;  // '/'-separated UTF-8, relative to the bag (data/…)
  std::uint64_t size = 0;
  std::string md5, sha256;  // lowercase hex, from the bag's manifests
};

struct BagRecord {
  std::string ref;               // 档号
  const CatalogRecord* row = nullptr;  // its catalogue row; null when the catalogue lacks it
  std::vector<BagFile> files;    // data/entity/<档号>/…, in path order
  std::uint64_t bytes() const;
};

// Its records point into its catalogue: moved, never copied.
struct BagContents {
  BagContents() = default;
  BagContents(const BagContents&) = delete;
  BagContents& operator=(const BagContents&) = delete;
  BagContents(BagContents&&) = default;
  BagContents& operator=(BagContents&&) = default;

  std::filesystem::path dir;
  std::string batch_id;  // External-Identifier, or the folder's name
  std::string fonds;     // 全宗号
  std::string unit;      // 单位名称
  Catalog catalog;       // data/catalogue/目录.csv
  BagFile catalogue_file;
  std::vector<BagRecord> records;  // catalogue order; records without a row after, by 档号
  std::vector<BagFile> other_files;  // payload files outside entity/ and the catalogue
  std::uint64_t payload_bytes = 0;
  std::size_t payload_files = 0;

  const BagRecord* find(const std::string& ref) const;
};

inline constexpr const char* kCatalogueFile = "data/catalogue/目录.csv";
inline constexpr const char* kEntityFolder = "data/entity/";

// Throws CarrierError naming the file when the bag cannot be read or a path is unsafe.
BagContents read_bag(const std::filesystem::path& bag_dir);

// Manifest lines ("<hex> <path>", RFC 8493 percent-encoding of CR, LF and %) as path →
// digest. Throws CarrierError naming the file and line. Used for the carriers' own
// manifests too, which share the format.
std::vector<std::pair<std::string, std::string>> parse_manifest(const std::string& text, const std::string& file);

// The lines of a text, without their LF or CRLF ends.
std::vector<std::string> text_lines(const std::string& text);

// A '/'-separated relative path whose every part may name a file: not empty, not "." or
// "..", no backslash or control character, valid UTF-8.
bool is_safe_relative_path(const std::string& path);

}  // namespace lantai::carriers
