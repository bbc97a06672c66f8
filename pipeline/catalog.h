// The catalogue (目录): a CSV exported by an archive system, UTF-8 (with or without
// BOM) or GB18030, detected. Bad rows become catalog.* findings; only a file that
// cannot be a catalogue at all (unreadable, no 档号/题名 header) is an error. 页数 is read
// when the header has it (then every row must give a whole number: for a photo record, its
// image files); a catalogue without it (photos, DA/T 50-2014) has no counts to check.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipeline/finding.h"

namespace lantai {

inline constexpr const char* kRefColumn = "档号";
inline constexpr const char* kTitleColumn = "题名";
inline constexpr const char* kPageCountColumn = "页数";

struct CatalogRecord {
  std::string ref;                             // 档号
  std::optional<int> page_count;               // 页数, absent when not a number or no 页数 column
  std::vector<std::string> values;             // every column, as in the file (UTF-8)
  int row = 0;                                 // 1-based line of the data row (header = row 1)
  std::string field(const std::vector<std::string>& columns, const std::string& name) const;
};

// The catalogue's findings, declared here since the core reads the catalogue.
inline constexpr FindingCode kCatalogEmptyRef{"catalog.empty_ref", Severity::reject,
                                              "a catalogue row has no 档号; the row is left out"};
inline constexpr FindingCode kCatalogBadRef{
    "catalog.bad_ref", Severity::reject,
    "a 档号 that cannot name a folder safely (.., /, \\, control characters); the row is left out"};
inline constexpr FindingCode kCatalogDuplicateRef{"catalog.duplicate_ref", Severity::reject,
                                                  "two catalogue rows share one 档号; the record is withheld"};
inline constexpr FindingCode kCatalogBadPageCount{"catalog.bad_page_count", Severity::reject,
                                                  "页数 is not a whole number; the record is withheld"};
inline constexpr FindingCode kCatalogBadRow{"catalog.bad_row", Severity::warn,
                                            "a catalogue row has a different number of fields than the header"};
std::vector<FindingCode> catalog_finding_codes();

struct Catalog {
  std::filesystem::path file;
  std::string encoding;              // "UTF-8" or "GB18030"
  std::string sha256;                // of the file's bytes
  std::vector<std::string> columns;  // header, UTF-8
  std::vector<CatalogRecord> records;  // usable rows, unique 档号, file order
  std::vector<Finding> findings;     // record_ref set when about one usable 档号
  std::map<std::string, size_t> index;  // 档号 → position in records
  const CatalogRecord* find(const std::string& ref) const;
};

class CatalogError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

Catalog load_catalog(const std::filesystem::path& file);  // throws CatalogError
// The same from the catalogue's bytes (read from a package, say); file names it in messages.
Catalog parse_catalog(const std::filesystem::path& file, const std::string& bytes);

// True when a 档号 can safely name one folder below WORK: not empty, not "." or "..",
// no '/', '\\', control characters or leading/trailing spaces, valid UTF-8, ≤ 200 bytes.
bool is_safe_ref(const std::string& ref);

}  // namespace lantai
