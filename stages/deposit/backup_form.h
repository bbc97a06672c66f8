// forms/backup-form.json: the machine-readable 电子文件和数字档案备份情况表 (backup status
// form) of one deposit bag, a tag file. Keys are stable English snake_case, in a fixed order
// (nlohmann::ordered_json); the Chinese form title and 档号/题名 values are UTF-8.
//
// Payload digest, under the keys package_digest_of and package_digests (kept as they are:
// verify and the centre's readers of earlier bags know them): the digest of the bytes of
// the bag's manifest-sha256.txt, under MD5 always, SHA-256 always, and SM3 when the SM3
// manifest is written. manifest-sha256.txt lists the SHA-256 of every payload file, so
// this one digest covers the whole payload, while staying independent of the tag files
// (bag-info.txt, this form) that carry it. It is not the digest of the package file
// (<batch_id>.tar): that file holds this form, so its digest is written beside it, in
// <batch_id>.package.json (package_file.h), and that is the MD5 the centre recomputes.
//
// Counts: page_count is pages alone; photos (photo_count) and recordings (recording_count,
// recording_duration_s, as decoded) are counted apart, as are the quarantined ones.
//
// Data volume: payload octets in GB, where 1 GB = 10^9 bytes (the unit disc and tape
// carriers are sold in), rounded half up to 3 decimals and written as text ("0.042") so
// the 3 decimals survive any JSON reader.
//
// lantai verify checks the same keys (stages/verify); change both together.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/digest.h"
#include "pipeline/registration.h"
#include "pipeline/units.h"

namespace lantai::deposit {

inline constexpr const char* kBackupFormPath = "forms/backup-form.json";
inline constexpr const char* kBackupFormTitle = "电子文件和数字档案备份情况表";
inline constexpr const char* kPayloadDigestOf = "manifest-sha256.txt";

struct BackupFormRecord {
  std::string ref;    // 档号
  std::string title;  // 题名
  ItemCounts items;   // deposited, by kind
};

struct BackupForm {
  std::string fonds_code;  // 全宗号
  std::string unit_name;   // 单位名称
  std::string batch_id;
  std::string bagging_date;  // YYYY-MM-DD
  std::string profile_name;
  std::string profile_sha256;
  std::int64_t record_count = 0;
  ItemCounts items;        // deposited: pages (页数), photos (张), recordings (件, length)
  ItemCounts quarantined;  // quarantined, by the same kinds
  std::int64_t withheld_record_count = 0;
  std::uint64_t file_count = 0;   // payload files
  std::uint64_t total_bytes = 0;  // payload octets
  std::vector<std::pair<DigestAlgorithm, std::string>> payload_digests;  // of manifest-sha256.txt, hex, lowercase
  std::vector<BackupFormRecord> records;
  // The fingerprint (SM3 of the public key) of the SM2 key that signs the bag; empty when
  // it is not signed. The signature itself is made after the form, so it is not here.
  std::string signature_key_sm3;
  // An incremental deposit (holdings.h): the deposit it continues, with that deposit's
  // package digests, and the records withdrawn since; empty for a full deposit.
  int sequence = 1;  // place in its chain of deposits: 1 for a full one
  std::string continues_batch;
  std::vector<std::pair<DigestAlgorithm, std::string>> continues_package_digests;
  std::int64_t added_record_count = 0;
  std::int64_t changed_record_count = 0;
  std::vector<std::string> withdrawn_refs;
};

// A recording length in seconds to a tenth, as text ("3601.5"), so it reads the same anywhere.
std::string duration_text(double seconds);

// The form's JSON text, 2-space indented, ending in a newline.
std::string backup_form_json(const BackupForm& form);

}  // namespace lantai::deposit
