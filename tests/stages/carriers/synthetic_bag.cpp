#include "tests/stages/carriers/synthetic_bag.h"

#include <cstring>
#include <fstream>
#include <map>
#include <random>

#include "pipeline/csv.h"
#include "pipeline/digest.h"

namespace lantai::carriers::testing {
namespace fs = std::filesystem;

namespace {

fs::path path_of(const fs::path& root, const std::string& rel) { return root / fs::path(std::u8string(rel.begin(), rel.end())); }

void write(const fs::path& file, const std::string& bytes) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << bytes;
}

}  // namespace

std::string file_marker(const std::string& ref, int index) {
  return "LANTAI TEST FILE " + ref + " " + std::to_string(index) + "\n";
}

std::vector<SyntheticRecord> synthetic_records(int count, int files_per_record, std::uint64_t bytes) {
  std::vector<SyntheticRecord> records;
  for (int i = 1; i <= count; ++i) {
    char number[16];
    std::snprintf(number, sizeof number, "%04d", i);
    const std::string year = i % 3 == 0 ? "2020" : "2021";
    const std::string retention = i % 2 == 0 ? "D30" : "Y";
    SyntheticRecord record{"J012-WS\xC2\xB7" + year + "-" + retention + "-BGS-" + number,
                           "关于第" + std::to_string(i) + "批档案<数字化>&\"移交\"的通知", year + "0315", retention,
                           std::vector<std::uint64_t>(static_cast<std::size_t>(files_per_record), bytes)};
    records.push_back(std::move(record));
  }
  return records;
}

fs::path make_synthetic_bag(const fs::path& dir, const std::vector<SyntheticRecord>& records, const std::string& batch_id) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::map<std::string, std::pair<std::string, std::string>> digests;  // path → md5, sha256
  const auto add = [&](const std::string& rel, const std::string& bytes) {
    write(path_of(dir, rel), bytes);
    digests[rel] = {hex_digest(DigestAlgorithm::md5, bytes), hex_digest(DigestAlgorithm::sha256, bytes)};
  };
  std::string csv = csv_line({"档号", "题名", "责任者", "文号", "日期", "页数", "保管期限", "密级", "备注"}, "\r\n");
  std::mt19937_64 random(7);
  for (const SyntheticRecord& record : records) {
    csv += csv_line({record.ref, record.title, "示例市档案局", "示档发〔2021〕1号", record.date,
                     std::to_string(record.file_sizes.size()), record.retention, "公开", "备注, 含逗号"},
                    "\r\n");
    for (std::size_t i = 0; i < record.file_sizes.size(); ++i) {
      std::string bytes = file_marker(record.ref, static_cast<int>(i) + 1);
      const std::size_t size = std::max<std::size_t>(record.file_sizes[i], bytes.size());
      const std::size_t start = bytes.size();
      bytes.resize(size);
      for (std::size_t at = start; at < size; at += 8) {
        const std::uint64_t word = random();
        std::memcpy(bytes.data() + at, &word, std::min<std::size_t>(8, size - at));
      }
      char name[32];
      std::snprintf(name, sizeof name, "%04zu.jpg", i + 1);
      add("data/entity/" + record.ref + "/" + name, bytes);
    }
  }
  add("data/catalogue/目录.csv", csv);
  std::string md5, sha256;
  std::uint64_t octets = 0;
  for (const auto& [path, pair] : digests) {
    md5 += pair.first + "  " + path + "\n";
    sha256 += pair.second + "  " + path + "\n";
    octets += fs::file_size(path_of(dir, path));
  }
  write(dir / "manifest-md5.txt", md5);
  write(dir / "manifest-sha256.txt", sha256);
  write(dir / "bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");
  write(dir / "bag-info.txt", "External-Identifier: " + batch_id + "\nPayload-Oxum: " + std::to_string(octets) + "." +
                                  std::to_string(digests.size()) + "\n全宗号: J012\n单位名称: 示例市档案馆\n");
  return dir;
}

}  // namespace lantai::carriers::testing
