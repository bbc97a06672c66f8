#include "stages/carriers/bag_contents.h"

#include <algorithm>
#include <map>
#include <set>

#include "pipeline/files.h"
#include "pipeline/utf8.h"

namespace lantai::carriers {
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kMaxTagFileBytes = 256ull << 20;

std::string decode_manifest_path(const std::string& text) {
  std::string path;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const std::string code = text.substr(i + 1, 2);
      if (code == "0A" || code == "0a") path += '\n';
      else if (code == "0D" || code == "0d") path += '\r';
      else if (code == "25") path += '%';
      else {
        path += '%';
        continue;
      }
      i += 2;
      continue;
    }
    path += text[i];
  }
  return path;
}

std::string read_tag_file(const fs::path& bag, const std::string& name) {
  const fs::path file = bag / name;
  std::error_code error;
  const fs::file_status status = fs::symlink_status(file, error);
  if (!fs::is_regular_file(status))
    throw CarrierError((bag / name).string() + ": " + (fs::exists(status) ? "not a plain file" : "missing") +
                       "; is this a deposit bag (lantai run's WORK/deposit/<batch-id>)?");
  if (fs::file_size(file, error) > kMaxTagFileBytes)
    throw CarrierError(file.string() + ": larger than " + std::to_string(kMaxTagFileBytes >> 20) + " MiB");
  return read_file(file);
}

std::map<std::string, std::string> read_bag_info(const std::string& text) {
  std::map<std::string, std::string> fields;
  for (const std::string& line : text_lines(text)) {
    const std::size_t colon = line.find(": ");
    if (colon != std::string::npos) fields.emplace(line.substr(0, colon), line.substr(colon + 2));
  }
  return fields;
}

// True when no part of rel (below bag) is a link.
bool plain_path(const fs::path& bag, const std::string& rel) {
  fs::path at = bag;
  for (const auto& part : utf8_path(rel)) {
    at /= part;
    std::error_code error;
    if (fs::is_symlink(fs::symlink_status(at, error))) return false;
  }
  return true;
}

}  // namespace

std::uint64_t BagRecord::bytes() const {
  std::uint64_t sum = 0;
  for (const BagFile& file : files) sum += file.size;
  return sum;
}

const BagRecord* BagContents::find(const std::string& ref) const {
  for (const BagRecord& record : records)
    if (record.ref == ref) return &record;
  return nullptr;
}

std::vector<std::string> text_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(at, end - at));
    if (!lines.back().empty() && lines.back().back() == '\r') lines.back().pop_back();
    at = end + 1;
  }
  return lines;
}

bool is_safe_relative_path(const std::string& path) {
  if (path.empty() || !is_valid_utf8(path)) return false;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == ".." || part.size() > 255) return false;
    for (unsigned char c : part)
      if (c < 0x20 || c == 0x7f || c == '\\') return false;
    start = end + 1;
  }
  return true;
}

std::vector<std::pair<std::string, std::string>> parse_manifest(const std::string& text, const std::string& file) {
  std::vector<std::pair<std::string, std::string>> entries;
  int line_number = 0;
  for (const std::string& line : text_lines(text)) {
    ++line_number;
    if (line.empty()) continue;
    const std::size_t space = line.find_first_of(" \t");
    const std::size_t path_start = space == std::string::npos ? space : line.find_first_not_of(" \t*", space);
    if (space == std::string::npos || path_start == std::string::npos)
      throw CarrierError(file + ": line " + std::to_string(line_number) + ": not '<digest> <path>'");
    std::string digest = line.substr(0, space);
    std::transform(digest.begin(), digest.end(), digest.begin(),
                   [](char c) { return c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c; });
    entries.emplace_back(decode_manifest_path(line.substr(path_start)), std::move(digest));
  }
  return entries;
}

BagContents read_bag(const fs::path& bag_dir) {
  BagContents bag;
  bag.dir = bag_dir;
  std::error_code error;
  if (!fs::is_directory(bag_dir, error)) throw CarrierError(bag_dir.string() + ": not a folder; give a deposit bag");
  const auto info = read_bag_info(read_tag_file(bag_dir, "bag-info.txt"));
  const auto field = [&](const char* name) {
    auto found = info.find(name);
    return found == info.end() ? std::string() : found->second;
  };
  bag.batch_id = field("External-Identifier");
  if (bag.batch_id.empty()) {
    fs::path folder = fs::absolute(bag_dir).lexically_normal();
    if (folder.filename().empty()) folder = folder.parent_path();  // given with a trailing '/'
    const std::u8string name = folder.filename().u8string();
    bag.batch_id.assign(name.begin(), name.end());
  }
  if (!is_safe_ref(bag.batch_id))
    throw CarrierError(bag_dir.string() + "/bag-info.txt: External-Identifier '" + bag.batch_id +
                       "' cannot name a carrier folder");
  bag.fonds = field("全宗号");
  bag.unit = field("单位名称");

  std::map<std::string, BagFile> files;  // by path, byte order
  for (const auto& [name, member] : {std::pair{"manifest-md5.txt", &BagFile::md5},
                                     std::pair{"manifest-sha256.txt", &BagFile::sha256}}) {
    for (auto& [path, digest] : parse_manifest(read_tag_file(bag_dir, name), (bag_dir / name).string())) {
      if (path.rfind("data/", 0) != 0 || !is_safe_relative_path(path) || !plain_path(bag_dir, path))
        throw CarrierError((bag_dir / name).string() + ": '" + path +
                           "' is not a plain path below data/; the bag is refused (run lantai verify on it)");
      BagFile& file = files[path];
      file.path = path;
      file.*member = digest;
    }
  }
  for (auto& [path, file] : files) {
    if (file.md5.size() != 32 || file.sha256.size() != 64)
      throw CarrierError(bag_dir.string() + ": " + path + " is not in both manifest-md5.txt and manifest-sha256.txt");
    const fs::path on_disk = bag_dir / utf8_path(path);
    const fs::file_status status = fs::symlink_status(on_disk, error);
    if (!fs::is_regular_file(status))
      throw CarrierError(on_disk.string() + ": " + (fs::exists(status) ? "not a plain file" : "missing") +
                         " though the bag's manifests list it (run lantai verify on the bag)");
    file.size = fs::file_size(on_disk);
    bag.payload_bytes += file.size;
  }
  bag.payload_files = files.size();

  auto catalogue = files.find(kCatalogueFile);
  if (catalogue == files.end())
    throw CarrierError(bag_dir.string() + ": no " + kCatalogueFile + " in the manifests; carriers are filed by it");
  bag.catalogue_file = catalogue->second;
  try {
    bag.catalog = load_catalog(bag_dir / utf8_path(kCatalogueFile));
  } catch (const CatalogError& failure) {
    throw CarrierError(failure.what());
  }

  std::map<std::string, std::vector<BagFile>> by_ref;
  const std::string entity = kEntityFolder;
  for (auto& [path, file] : files) {
    if (path == kCatalogueFile) continue;
    if (path.rfind(entity, 0) != 0) {
      bag.other_files.push_back(file);
      continue;
    }
    const std::size_t slash = path.find('/', entity.size());
    if (slash == std::string::npos) {
      bag.other_files.push_back(file);  // a file directly in entity/, of no record
      continue;
    }
    by_ref[path.substr(entity.size(), slash - entity.size())].push_back(file);
  }
  std::set<std::string> placed;
  for (const CatalogRecord& row : bag.catalog.records) {
    // A row without entity files still travels: its catalogue data is on a carrier too.
    auto found = by_ref.find(row.ref);
    bag.records.push_back({row.ref, &row, found == by_ref.end() ? std::vector<BagFile>{} : std::move(found->second)});
    placed.insert(row.ref);
  }
  for (auto& [ref, record_files] : by_ref)
    if (!placed.count(ref)) {
      if (!is_safe_ref(ref)) throw CarrierError(bag_dir.string() + ": entity folder '" + ref + "' cannot name a folder");
      bag.records.push_back({ref, nullptr, std::move(record_files)});
    }
  return bag;
}

}  // namespace lantai::carriers
