#include "pipeline/holdings.h"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "pipeline/catalog.h"
#include "pipeline/csv.h"
#include "pipeline/files.h"
#include "pipeline/registration.h"

namespace lantai {
namespace fs = std::filesystem;

namespace {

constexpr const char* kEntityPrefix = "data/entity/";
constexpr const char* kCataloguePath = "data/catalogue/目录.csv";

// RFC 8493 §2.1.3: only %0D, %0A and %25 are encoded in a manifest path.
std::string decode_manifest_path(std::string_view path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    const std::string_view rest = path.substr(i);
    if (rest.starts_with("%0D") || rest.starts_with("%0d")) { out += '\r'; i += 2; }
    else if (rest.starts_with("%0A") || rest.starts_with("%0a")) { out += '\n'; i += 2; }
    else if (rest.starts_with("%25")) { out += '%'; i += 2; }
    else out += path[i];
  }
  return out;
}

// bag-info.txt as label → values (a label may repeat); continuation lines joined.
std::multimap<std::string, std::string> read_bag_info(const fs::path& file) {
  std::multimap<std::string, std::string> fields;
  const std::string text = read_file(file);
  std::string label, value;
  auto flush = [&] {
    if (!label.empty()) fields.emplace(label, value);
    label.clear();
  };
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    start = end + 1;
    if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
      value += ' ' + line.substr(line.find_first_not_of(" \t"));
      continue;
    }
    flush();
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    label = line.substr(0, colon);
    value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
  }
  flush();
  return fields;
}

std::string one_field(const std::multimap<std::string, std::string>& fields, const std::string& label) {
  const auto found = fields.find(label);
  return found == fields.end() ? std::string() : found->second;
}

// Rows of one of the deposit's tag tables (holdings.csv, changes.csv) as column → value.
std::vector<std::map<std::string, std::string>> read_table(const fs::path& file,
                                                           const std::vector<std::string>& needed) {
  const auto rows = parse_csv(read_file(file));
  if (rows.empty()) throw std::runtime_error(file.string() + ": empty, not even a header");
  const std::vector<std::string>& header = rows.front().second;
  for (const std::string& column : needed)
    if (std::find(header.begin(), header.end(), column) == header.end())
      throw std::runtime_error(file.string() + ": no column " + column);
  std::vector<std::map<std::string, std::string>> table;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& [line, values] = rows[r];
    if (values.size() != header.size())
      throw std::runtime_error(file.string() + " line " + std::to_string(line) + ": " +
                               std::to_string(values.size()) + " fields, the header has " +
                               std::to_string(header.size()));
    std::map<std::string, std::string> row;
    for (size_t c = 0; c < header.size(); ++c) row[header[c]] = values[c];
    table.push_back(std::move(row));
  }
  return table;
}

// The digests package.json gives of the package file beside the bag (stages/deposit/package_file.h).
std::vector<std::pair<DigestAlgorithm, std::string>> package_file_digests(const fs::path& file) {
  const nlohmann::json json = nlohmann::json::parse(read_file(file), nullptr, false);
  std::vector<std::pair<DigestAlgorithm, std::string>> digests;
  if (json.is_object() && json.contains("digests") && json["digests"].is_array())
    for (const auto& entry : json["digests"]) {
      if (!entry.is_object() || !entry.contains("algorithm") || !entry.contains("value") ||
          !entry["algorithm"].is_string() || !entry["value"].is_string())
        continue;
      if (auto algorithm = algorithm_from_form_name(entry["algorithm"].get<std::string>()))
        digests.emplace_back(*algorithm, entry["value"].get<std::string>());
    }
  if (digests.empty()) throw std::runtime_error(file.string() + ": no package digests in it");
  return digests;
}

}  // namespace

std::string record_fingerprint(const std::map<std::string, std::string>& catalogue_row,
                               const std::map<std::string, std::string>& files) {
  std::string text;
  for (const auto& [column, value] : catalogue_row)
    if (column != kRefColumn) text += column + "=" + value + "\n";
  for (const auto& [name, sha256] : files) text += "file=" + name + " " + sha256 + "\n";
  return hex_digest(DigestAlgorithm::sha256, text);
}

const char* to_string(Change change) {
  switch (change) {
    case Change::added: return "added";
    case Change::changed: return "changed";
    case Change::withdrawn: return "withdrawn";
  }
  return "?";
}

std::string holdings_csv(const Holdings& holdings) {
  std::string csv = csv_line({kRefColumn, "fingerprint", "batch"});
  for (const auto& [ref, holding] : holdings) csv += csv_line({ref, holding.fingerprint, holding.batch_id});
  return csv;
}

std::string changes_csv(const Changes& changes) {
  std::string csv = csv_line({kRefColumn, "change"});
  for (const auto& [ref, change] : changes) csv += csv_line({ref, to_string(change)});
  return csv;
}

DepositBag read_deposit(const fs::path& bag_dir) {
  DepositBag bag;
  bag.dir = bag_dir;
  const fs::path info_file = bag_dir / "bag-info.txt";
  if (!fs::is_regular_file(info_file))
    throw std::runtime_error(bag_dir.string() + " is not a deposit bag: it has no bag-info.txt");
  const auto info = read_bag_info(info_file);
  bag.batch_id = one_field(info, "External-Identifier");
  if (bag.batch_id.empty()) throw std::runtime_error(info_file.string() + " names no batch (External-Identifier)");
  bag.incremental = one_field(info, kDepositTypeLabel) == "incremental";
  bag.continues_batch = one_field(info, kContinuesBatchLabel);
  if (const std::string sequence = one_field(info, kDepositSequenceLabel); !sequence.empty()) {
    auto [end, error] = std::from_chars(sequence.data(), sequence.data() + sequence.size(), bag.sequence);
    if (error != std::errc() || end != sequence.data() + sequence.size() || bag.sequence < 1)
      throw std::runtime_error(info_file.string() + ": Deposit-Sequence '" + sequence + "' is not a number from 1");
  }
  for (DigestAlgorithm algorithm : {DigestAlgorithm::md5, DigestAlgorithm::sha256, DigestAlgorithm::sm3}) {
    const std::string value =
        one_field(info, kContinuesPackageLabel + std::string(form_algorithm_name(algorithm)));
    if (!value.empty()) bag.continues_package.emplace_back(algorithm, value);
  }

  const std::string manifest = read_file(bag_dir / "manifest-sha256.txt");
  const fs::path package_json = bag_dir.string() + kPackageJsonSuffix;
  if (fs::exists(package_json)) {
    bag.package_digests = package_file_digests(package_json);
    bag.package_digests_of = "package file";
  } else {
    bag.package_digests = {{DigestAlgorithm::md5, hex_digest(DigestAlgorithm::md5, manifest)},
                           {DigestAlgorithm::sha256, hex_digest(DigestAlgorithm::sha256, manifest)}};
    if (fs::exists(bag_dir / "manifest-sm3.txt"))
      bag.package_digests.emplace_back(DigestAlgorithm::sm3, hex_digest(DigestAlgorithm::sm3, manifest));
    bag.package_digests_of = "manifest-sha256.txt";
  }

  // Files by record, from the manifest: data/entity/<档号>/<name>.
  std::map<std::string, std::map<std::string, std::string>> files;
  size_t start = 0;
  while (start < manifest.size()) {
    size_t end = manifest.find('\n', start);
    if (end == std::string::npos) end = manifest.size();
    const std::string_view line(manifest.data() + start, end - start);
    start = end + 1;
    const size_t space = line.find(' ');
    if (space == std::string_view::npos) continue;
    std::string path = decode_manifest_path(line.substr(line.find_first_not_of(" *", space)));
    if (!path.starts_with(kEntityPrefix)) continue;
    path.erase(0, std::string_view(kEntityPrefix).size());
    const size_t slash = path.find('/');
    if (slash == std::string::npos) continue;
    files[path.substr(0, slash)][path.substr(slash + 1)] = std::string(line.substr(0, space));
  }

  const Catalog catalogue = load_catalog(bag_dir / utf8_path(kCataloguePath));
  for (const CatalogRecord& record : catalogue.records) {
    std::map<std::string, std::string> row;
    for (const std::string& column : catalogue.columns) row[column] = record.field(catalogue.columns, column);
    bag.own_records[record.ref] = record_fingerprint(row, files[record.ref]);
  }

  const fs::path holdings_file = bag_dir / kHoldingsPath;
  bag.holdings_written = fs::exists(holdings_file);
  if (bag.holdings_written) {
    for (auto& row : read_table(holdings_file, {kRefColumn, "fingerprint", "batch"}))
      bag.holdings[row[kRefColumn]] = {row["fingerprint"], row["batch"]};
  } else if (bag.incremental) {
    throw std::runtime_error(holdings_file.string() + " is missing: an incremental deposit must list its holdings");
  } else {
    for (const auto& [ref, fingerprint] : bag.own_records) bag.holdings[ref] = {fingerprint, bag.batch_id};
  }
  if (fs::exists(bag_dir / kChangesPath)) {
    for (auto& row : read_table(bag_dir / kChangesPath, {kRefColumn, "change"})) {
      const std::string& change = row["change"];
      if (change == "added") bag.changes[row[kRefColumn]] = Change::added;
      else if (change == "changed") bag.changes[row[kRefColumn]] = Change::changed;
      else if (change == "withdrawn") bag.changes[row[kRefColumn]] = Change::withdrawn;
      else throw std::runtime_error((bag_dir / kChangesPath).string() + ": unknown change '" + change + "' for " +
                                    row[kRefColumn]);
    }
  }
  return bag;
}

}  // namespace lantai
