// The registration forms (登记备份表格) every deposit hands in with its package, printable
// (PDF, A4) and as a workbook (XLSX, one sheet a form):
//
//   备份情况表        电子文件和数字档案备份情况表: the batch, its figures, the package digest
//   备份情况表续表     its 续表: one row per carrier or package with its 唯一性认证信息
//                    (each digest with its algorithm named; the signing key's fingerprint)
//   备份载体目录       the carrier catalogue
//   登记明细表        one row per record: 档号, 题名, 责任者, 日期, 页数, 保管期限, 密级
//   移交接收检验表     档案备份数据移交、接收检验表: the unit's part filled, the centre's blank
//
// Each form's layout is a template (templates/, form_template.h); pdf_renderer.h and
// xlsx_renderer.h draw any template. RegistrationForms is everything the forms say, filled
// by the deposit stage from the ledger's batch and the finished bag.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/digest.h"
#include "pipeline/units.h"
#include "stages/deposit/forms/form_template.h"
#include "stages/deposit/forms/form_values.h"

namespace lantai::deposit::forms {

using DigestList = std::vector<std::pair<DigestAlgorithm, std::string>>;  // hex, lowercase

// The package handed to the centre: its file name, size and digests (唯一性认证信息).
struct PackageFile {
  std::string name;
  std::uint64_t size_bytes = 0;
  std::uint64_t file_count = 0;  // files it holds
  DigestList digests;
  // What the digests are taken of when it is not the package file itself (a bag folder:
  // its manifest-sha256.txt); empty: of the file.
  std::string digests_of;
};

// The package encrypted whole for the journey (外层加密, outside the package as DA/T 70
// 3-8 asks), when it is: its file, cipher, size and digests after encryption.
struct SealedPackage {
  std::string name;    // empty: not sealed
  std::string cipher;  // "SM4-GCM", "AES-256-GCM"
  std::uint64_t size_bytes = 0;
  DigestList digests;
};

// A carrier (载体): a disc, a tape, or the package itself when it is transferred online.
struct Carrier {
  std::string number;  // 载体编号 (the package's file name when online)
  std::string type;    // 载体类型: 在线传输, 光盘 (CD-R/DVD-R/BD-R), 磁带 …
  std::string content; // 存储内容: which records it holds
  std::uint64_t size_bytes = 0;
  std::uint64_t file_count = 0;
  DigestList digests;
  std::string signature_key_sm3;  // the SM2 signing key's fingerprint; empty: not signed
  std::string made_on;            // YYYY-MM-DD
};

struct RecordEntry {
  std::string ref;             // 档号
  std::string title;           // 题名
  std::string creator;         // 责任者
  std::string date;            // 日期
  ItemCounts items;            // deposited: 页数 for pages, photos and recordings apart
  std::string retention;       // 保管期限
  std::string classification;  // 密级
};

struct RegistrationForms {
  std::string fonds_code;  // 全宗号
  std::string unit_name;   // 单位名称
  std::string batch_id;
  std::string date;  // YYYY-MM-DD, the package's
  std::string profile_name;
  std::int64_t record_count = 0;
  ItemCounts items;        // deposited, by kind
  ItemCounts quarantined;  // quarantined, by kind
  std::int64_t withheld_record_count = 0;
  std::uint64_t payload_file_count = 0;
  std::uint64_t payload_bytes = 0;
  std::string virus_scan;  // the engine that scanned the package; empty: not scanned
  std::string signature_key_sm3;  // the SM2 key that signs the package; empty: not signed
  PackageFile package;
  SealedPackage sealed;
  // An incremental deposit: its place in the chain, the deposit it continues with that
  // deposit's package digests, and what changed; continues_batch empty for a full one.
  int sequence = 1;
  std::string continues_batch;
  DigestList continues_package_digests;
  std::int64_t added_record_count = 0;
  std::int64_t changed_record_count = 0;
  std::vector<std::string> withdrawn_refs;
  std::vector<Carrier> carriers;  // the package itself when it goes online
  std::vector<RecordEntry> records;
};

// The package as the one carrier of an online transfer.
Carrier online_carrier(const RegistrationForms& forms);

// The forms in the order they are handed in.
const std::vector<const FormTemplate*>& registration_form_templates();

// Every value the templates name, from the forms' figures (the one place that maps them).
FormValues form_values(const RegistrationForms& forms);

inline constexpr const char* kWorkbookName = "登记备份表格.xlsx";

struct FormFile {
  std::string name;  // file name inside the folder
  std::string sha256;
  std::uint64_t size_bytes = 0;
};

// Writes every form as <name>.pdf and all of them as one workbook (kWorkbookName) into
// dir, which is replaced whole: built beside it as <dir>.partial and renamed into place,
// so dir never holds a mix of two runs' forms. Throws std::runtime_error naming the file
// that could not be written.
std::vector<FormFile> write_registration_forms(const RegistrationForms& forms, const std::filesystem::path& dir);

}  // namespace lantai::deposit::forms
