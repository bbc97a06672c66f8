// A small synthetic WORK for the deposit and verify tests: three records with Chinese
// 档号, JPEG-named derivatives and Chinese OCR texts written under a temp folder, and the
// BatchWork that describes them (sha256s as the ledger would hold them). The same
// arguments always give the same bytes, so two WORKs can be compared.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "pipeline/profile.h"
#include "pipeline/units.h"

namespace lantai::test_support {

namespace fs = std::filesystem;


// A fresh folder under the system temp folder, removed with its contents at the end.
class TempDir {
 public:
  explicit TempDir(const std::string& label) {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("lantai-" + label + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

inline void write_bytes(const fs::path& file, const std::string& bytes) {
  fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline const char* kRef1 = "J012-WS·2021-Y-BGS-0001";
inline const char* kRef2 = "J012-WS·2021-Y-BGS-0002";
inline const char* kRef3 = "J012-WS·2021-D30-BGS-0003";

inline const std::vector<std::string> kColumns = {"档号", "题名", "责任者", "日期", "页数", "备注"};

struct RecordSpec {
  std::vector<std::string> values;  // in kColumns order
  int pages = 0;
  int page_without_ocr = 0;  // 1-based page whose OCR failed (no text), 0 for none
};

inline std::vector<RecordSpec> record_specs() {
  return {
      {{kRef1, "关于做好2021年档案工作的通知", "办公室", "20210315", "2", "含附件,共两页"}, 2, 0},
      {{kRef2, "年度工作总结", "办公室", "20211230", "1", "领导批示\"同意\""}, 1, 0},
      {{kRef3, "会议纪要（第三次）", "综合科", "20210708", "3", ""}, 3, 2},
  };
}

// Not a real JPEG, but named and framed like one: the deposit copies bytes, it does not decode.
inline std::string fake_jpeg(const std::string& ref, int seq) {
  std::string bytes = "\xFF\xD8\xFF\xE0";
  bytes += "JFIF synthetic page " + ref + " #" + std::to_string(seq) + " ";
  for (int i = 0; i < 200 + seq * 37; ++i) bytes.push_back(static_cast<char>((i * 31 + seq) & 0xFF));
  bytes += "\xFF\xD9";
  return bytes;
}

inline std::string ocr_text(const std::string& ref, const std::string& title, int seq) {
  return "档号：" + ref + "\n题名：" + title + "\n第" + std::to_string(seq) + "页 各单位：请认真贯彻执行。\n";
}

// role as the runtime sets it from the writing stage's declaration.
inline StageOutput write_work_file(const fs::path& work_dir, const std::string& rel_path, const std::string& bytes,
                                   const std::string& kind, OutputRole role) {
  write_bytes(work_dir / utf8_path(rel_path), bytes);
  return {kind, rel_path, hex_digest(DigestAlgorithm::sha256, bytes), bytes.size(), role};
}

// The bag a deposit made, as the runtime finds it: the output whose role is the package.
inline fs::path bag_dir_of(const BatchWork& batch, const Outcome& outcome) {
  for (const StageOutput& output : outcome.outputs)
    if (output.role == OutputRole::package || output.kind == "bag") return batch.work_dir / utf8_path(output.path);
  return {};
}

inline std::string serial(int seq) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d", seq);
  return text;
}

// Writes derivatives and OCR texts under work_dir and returns the batch as the runner
// would hand it to the deposit stage.
inline BatchWork make_synthetic_work(const fs::path& work_dir) {
  BatchWork batch;
  batch.batch_id = "J012-2021-批次01";
  batch.fonds_code = "J012";
  batch.unit_name = "某某市档案馆";
  batch.profile_name = "da-t31-2017-paper";
  batch.profile_sha256 = hex_digest(DigestAlgorithm::sha256, "profile: da-t31-2017-paper\n");
  batch.catalog_columns = kColumns;
  batch.work_dir = work_dir;
  int row = 2;
  for (const RecordSpec& spec : record_specs()) {
    DepositRecord record;
    record.entry.ref = spec.values[0];
    record.entry.page_count = spec.pages;
    record.entry.values = spec.values;
    record.entry.row = row++;
    for (int seq = 1; seq <= spec.pages; ++seq) {
      RecordItem page;
      page.rel_path = record.entry.ref + "/" + serial(seq) + ".tif";
      page.item_id = page.rel_path + "#0";
      page.seq = seq;
      page.outputs.push_back(write_work_file(work_dir, "derivatives/" + record.entry.ref + "/" + serial(seq) + ".jpg",
                                             fake_jpeg(record.entry.ref, seq), "derivative", OutputRole::entity));
      if (seq != spec.page_without_ocr)
        page.outputs.push_back(write_work_file(work_dir, "ocr/" + record.entry.ref + "/" + serial(seq) + ".txt",
                                               ocr_text(record.entry.ref, spec.values[1], seq), "ocr_text",
                                               OutputRole::extra));
      record.items.push_back(std::move(page));
    }
    batch.records.push_back(std::move(record));
  }
  batch.items_in = 7;
  batch.quarantined.pages = 1;
  batch.records_withheld = 1;
  return batch;
}

// A profile file with the given YAML text below its name, loaded as lantai loads profiles.
inline Profile load_profile(const fs::path& dir, const std::string& sections) {
  const fs::path file = dir / "profile.yaml";
  write_bytes(file, "profile: test-profile\n" + sections);
  return Profile::load(file);
}

}  // namespace lantai::test_support
