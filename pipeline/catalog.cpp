#include "pipeline/catalog.h"

#include <iconv.h>

#include <algorithm>
#include <charconv>

#include "pipeline/csv.h"
#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "pipeline/utf8.h"

namespace lantai {

namespace {

std::string gb18030_to_utf8(const std::filesystem::path& file, std::string_view bytes) {
  iconv_t converter = ::iconv_open("UTF-8", "GB18030");
  if (converter == reinterpret_cast<iconv_t>(-1))
    throw CatalogError(file.string() + ": this system's iconv cannot read GB18030");
  std::string out(bytes.size() * 2 + 16, '\0');
  char* in_ptr = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  char* out_ptr = out.data();
  size_t out_left = out.size();
  size_t result = ::iconv(converter, &in_ptr, &in_left, &out_ptr, &out_left);
  ::iconv_close(converter);
  if (result == static_cast<size_t>(-1))
    throw CatalogError(file.string() + ": neither UTF-8 nor GB18030 text (bad byte at offset " +
                       std::to_string(bytes.size() - in_left) + ")");
  out.resize(out.size() - out_left);
  return out;
}

std::string trim(std::string text) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  text.erase(text.begin(), std::find_if(text.begin(), text.end(), not_space));
  text.erase(std::find_if(text.rbegin(), text.rend(), not_space).base(), text.end());
  return text;
}

}  // namespace

bool is_safe_ref(const std::string& ref) {
  if (ref.empty() || ref.size() > 200 || ref == "." || ref == "..") return false;
  if (ref != trim(ref)) return false;
  for (unsigned char c : ref)
    if (c < 0x20 || c == 0x7F || c == '/' || c == '\\') return false;
  return is_valid_utf8(ref);
}

std::string CatalogRecord::field(const std::vector<std::string>& columns, const std::string& name) const {
  auto it = std::find(columns.begin(), columns.end(), name);
  if (it == columns.end()) return {};
  size_t index = static_cast<size_t>(it - columns.begin());
  return index < values.size() ? values[index] : std::string();
}

const CatalogRecord* Catalog::find(const std::string& ref) const {
  auto it = index.find(ref);
  return it == index.end() ? nullptr : &records[it->second];
}

std::vector<FindingCode> catalog_finding_codes() {
  return {kCatalogEmptyRef, kCatalogBadRef, kCatalogDuplicateRef, kCatalogBadPageCount, kCatalogBadRow};
}

Catalog load_catalog(const std::filesystem::path& file) {
  std::string bytes;
  try {
    bytes = read_file(file);
  } catch (const std::exception& error) {
    throw CatalogError("cannot read catalogue: " + std::string(error.what()));
  }
  return parse_catalog(file, bytes);
}

Catalog parse_catalog(const std::filesystem::path& file, const std::string& bytes) {
  Catalog catalog;
  catalog.file = file;
  catalog.sha256 = hex_digest(DigestAlgorithm::sha256, bytes);
  std::string_view view(bytes);
  if (view.starts_with("\xEF\xBB\xBF")) view.remove_prefix(3);
  std::string text;
  if (is_valid_utf8(view)) {
    catalog.encoding = "UTF-8";
    text = std::string(view);
  } else {
    catalog.encoding = "GB18030";
    text = gb18030_to_utf8(file, view);
  }

  auto rows = parse_csv(text);
  if (rows.empty()) throw CatalogError(file.string() + ": the catalogue is empty; it needs a header row");
  for (auto& column : rows.front().second) catalog.columns.push_back(trim(column));
  auto find_column = [&](const char* name) -> std::optional<size_t> {
    auto it = std::find(catalog.columns.begin(), catalog.columns.end(), name);
    if (it == catalog.columns.end()) return std::nullopt;
    return static_cast<size_t>(it - catalog.columns.begin());
  };
  auto column_index = [&](const char* name) -> size_t {
    if (auto index = find_column(name)) return *index;
    throw CatalogError(file.string() + ": the header has no " + name + " column (required: 档号, 题名)");
  };
  const size_t ref_index = column_index(kRefColumn);
  column_index(kTitleColumn);
  // A photo catalogue (DA/T 50-2014) has no 页数: then no record's count is checked.
  const std::optional<size_t> pages_index = find_column(kPageCountColumn);

  const std::string name = file.filename().string();
  for (size_t r = 1; r < rows.size(); ++r) {
    auto& [line, values] = rows[r];
    const std::string where = name + " row " + std::to_string(line);
    if (values.size() != catalog.columns.size()) {
      catalog.findings.push_back(kCatalogBadRow(
          where + ": " + std::to_string(values.size()) + " fields, header has " +
              std::to_string(catalog.columns.size()),
          std::to_string(values.size()), std::to_string(catalog.columns.size())));
      values.resize(catalog.columns.size());
    }
    CatalogRecord record;
    record.ref = trim(values[ref_index]);
    record.row = line;
    if (record.ref.empty()) {
      catalog.findings.push_back(kCatalogEmptyRef(where + ": 档号 is empty", "row " + std::to_string(line)));
      continue;
    }
    if (!is_safe_ref(record.ref)) {
      catalog.findings.push_back(kCatalogBadRef(
          where + ": 档号 '" + record.ref + "' cannot name a folder (.., /, \\ or control characters)",
          record.ref));
      continue;
    }
    if (catalog.index.count(record.ref)) {
      Finding duplicate = kCatalogDuplicateRef(where + ": 档号 " + record.ref + " already appears in an earlier row", record.ref);
      duplicate.record_ref = record.ref;
      catalog.findings.push_back(std::move(duplicate));
      continue;
    }
    const std::string count_text = pages_index ? trim(values[*pages_index]) : std::string();
    int count = 0;
    auto [end, error] = std::from_chars(count_text.data(), count_text.data() + count_text.size(), count);
    if (!pages_index) {
      // not counted
    } else if (error == std::errc() && end == count_text.data() + count_text.size() && count >= 0) {
      record.page_count = count;
    } else {
      Finding bad_count =
          kCatalogBadPageCount(where + ": 页数 '" + count_text + "' of " + record.ref + " is not a whole number", count_text);
      bad_count.record_ref = record.ref;
      catalog.findings.push_back(std::move(bad_count));
    }
    record.values = std::move(values);
    catalog.index.emplace(record.ref, catalog.records.size());
    catalog.records.push_back(std::move(record));
  }
  return catalog;
}

}  // namespace lantai
