// Holdings: what the registration centre holds of a batch's records after a deposit, so
// that a later deposit can carry only what is new or changed (an incremental deposit) and
// the centre can check that it continues the deposit it names. Shared by deposit, which
// writes them, and verify, which checks the chain.
//
// A record's fingerprint is the SHA-256 of its catalogue row and its files as a bag holds
// them, one line each, in byte order:
//   "column=value\n"          every catalogue column but 档号
//   "file=<name> <sha256>\n"  every file below data/entity/<档号>/
// so it changes when a catalogue field, a file's bytes or a file's name changes, and not
// when only the processing metadata does.
//
// Every deposit carries metadata/holdings.csv (档号, fingerprint, batch: the batch whose
// deposit holds the record's current version), and an incremental one
// metadata/changes.csv (档号, change: added | changed | withdrawn). bag-info.txt names the
// kind (Deposit-Type: full | incremental), the deposit's place in its chain
// (Deposit-Sequence: 1 for a full deposit, one more for each increment) and, for an
// increment, the deposit it continues: Continues-Batch and its package digest, one
// Continues-Package-<algorithm> line each.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/digest.h"

namespace lantai {

inline constexpr const char* kHoldingsPath = "metadata/holdings.csv";
inline constexpr const char* kChangesPath = "metadata/changes.csv";
inline constexpr const char* kDepositTypeLabel = "Deposit-Type";
inline constexpr const char* kDepositSequenceLabel = "Deposit-Sequence";
inline constexpr const char* kContinuesBatchLabel = "Continues-Batch";
inline constexpr const char* kContinuesPackageLabel = "Continues-Package-";  // + MD5, SHA-256, SM3
inline constexpr const char* kPackageJsonSuffix = ".package.json";  // beside the bag (package_file.h)

// Catalogue row (column → value, 档号 left out) and files (name → sha256).
std::string record_fingerprint(const std::map<std::string, std::string>& catalogue_row,
                               const std::map<std::string, std::string>& files);

struct Holding {
  std::string fingerprint;
  std::string batch_id;  // the batch whose deposit holds this version
};
using Holdings = std::map<std::string, Holding>;  // by 档号

enum class Change { added, changed, withdrawn };
const char* to_string(Change change);
using Changes = std::map<std::string, Change>;  // by 档号

std::string holdings_csv(const Holdings& holdings);
std::string changes_csv(const Changes& changes);

// One deposit bag as a later deposit, or the centre, sees it. read_deposit reads the tag
// files and the manifest, never the payload's bytes: the earlier deposit was verified when
// it was made, and its manifest is the record of what it holds.
struct DepositBag {
  std::filesystem::path dir;
  std::string batch_id;         // bag-info External-Identifier
  bool incremental = false;     // Deposit-Type: incremental
  int sequence = 1;             // Deposit-Sequence; 1 when absent (a bag made before it was written)
  std::string continues_batch;  // Continues-Batch, for an increment
  std::vector<std::pair<DigestAlgorithm, std::string>> continues_package;  // Continues-Package-*
  // The package digest the forms printed for this deposit: the package file's, as
  // <bag>.package.json beside the bag gives them (lantai verify --policy centre of the
  // package proves them); for a bag made without a package file, the payload digest
  // (of manifest-sha256.txt, under MD5, SHA-256, and SM3 with SM3 manifests), recomputed.
  std::vector<std::pair<DigestAlgorithm, std::string>> package_digests;
  std::string package_digests_of;  // "package file" or "manifest-sha256.txt"
  std::map<std::string, std::string> own_records;  // 档号 → fingerprint, of the records in its payload
  Holdings holdings;  // metadata/holdings.csv; a bag made before holdings were written: its own records
  bool holdings_written = false;
  Changes changes;  // metadata/changes.csv
};

// Throws std::runtime_error naming the file and the reason when the bag cannot be read
// as a deposit (no bag-info External-Identifier, an unreadable manifest or catalogue, a
// malformed holdings or changes file).
DepositBag read_deposit(const std::filesystem::path& bag_dir);

}  // namespace lantai
