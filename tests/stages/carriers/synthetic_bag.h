// Deposit bags made by code for the carriers' tests and benchmark: the layout the deposit
// stage writes (catalogue, entity folders per 档号, MD5 and SHA-256 manifests, bag-info.txt
// with 全宗号 and 单位名称), filled with seeded random bytes. Each file starts with a line
// naming it, so a test can find its bytes inside an image.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace lantai::carriers::testing {

struct SyntheticRecord {
  std::string ref;       // 档号
  std::string title;     // 题名
  std::string date;      // 日期, YYYYMMDD
  std::string retention; // 保管期限
  std::vector<std::uint64_t> file_sizes;
};

// count records J012-WS·<year>-<retention>-BGS-<n>, files_per_record files of bytes each,
// titles with Chinese and XML's special characters.
std::vector<SyntheticRecord> synthetic_records(int count, int files_per_record, std::uint64_t bytes);

// Writes the bag below dir (made afresh) and returns it. batch_id names it.
std::filesystem::path make_synthetic_bag(const std::filesystem::path& dir, const std::vector<SyntheticRecord>& records,
                                         const std::string& batch_id = "J012-TEST-BATCH");

// The marker line each file of the bag starts with.
std::string file_marker(const std::string& ref, int index);

}  // namespace lantai::carriers::testing
