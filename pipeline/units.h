// The units of work of the lot, record, batch and bag stages. (Item, the unit of the
// item stages, is in item.h.)
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/catalog.h"
#include "pipeline/item.h"
#include "pipeline/review.h"
#include "pipeline/stage.h"

namespace lantai {

// One item found at ingest: an input file, or one frame of it.
struct ItemRef {
  std::string rel_path;  // relative to --in, '/'-separated
  int frame = 0;
  std::string record_ref;
  int seq = 0;
  ItemKind kind = ItemKind::page;
  // A page scanned in parts (0007a.tif, 0007b.tif …): every part's path, in order, the
  // first being rel_path. Empty for an item of one file.
  std::vector<std::string> parts;
  // The files the item is made of: its parts, or its one file.
  std::vector<std::string> files() const { return parts.empty() ? std::vector<std::string>{rel_path} : parts; }
};

// Ingest's unit: the input lot. Ingest fills items from the folders under input_root.
struct Lot {
  std::filesystem::path input_root;
  // The catalogue, read-only, so ingest can tell a record's kind (照片 or 文书) from its
  // row; null when the batch has none.
  const Catalog* catalog = nullptr;
  std::vector<ItemRef> items;        // in record order, then natural file order, then frame
  std::vector<std::string> folders;  // record folders found, sorted
};

// An item as record and batch stages see it: facts and outputs from the ledger, no pixels.
struct RecordItem {
  std::string item_id;
  ItemKind kind = ItemKind::page;
  std::string rel_path;
  int frame = 0;
  int seq = 0;
  std::string processed_at;  // when its item stages last finished it (UTC, as the ledger has it)
  Measurements measurements;
  std::vector<std::string> finding_codes;  // from the item stages
  bool rejected = false;
  std::vector<StageOutput> outputs;
};

// Items counted by kind, as the registration forms count them: pages (页), photos (张) and
// recordings (件, with their length). A page is never a photo's or a recording's unit.
struct ItemCounts {
  std::int64_t pages = 0, photos = 0, recordings = 0;
  double recording_seconds = 0;  // as decoded

  void add(ItemKind kind, double seconds = 0) {
    if (kind == ItemKind::page) ++pages;
    if (kind == ItemKind::photo) ++photos;
    if (kind == ItemKind::av) {
      ++recordings;
      recording_seconds += seconds;
    }
  }
  void add(const ItemCounts& other) {
    pages += other.pages;
    photos += other.photos;
    recordings += other.recordings;
    recording_seconds += other.recording_seconds;
  }
  std::int64_t total() const { return pages + photos + recordings; }
};

// The name under which the av stage records the length a recording decodes to; the
// deposit adds them up for the forms.
inline constexpr const char* kDecodedSecondsMeasurement = "decoded_s";

// A record stage's unit: one 档号, its catalogue entry (if any) and its items.
struct RecordWork {
  std::string ref;
  std::optional<CatalogRecord> entry;  // absent: a folder with no catalogue row
  bool has_folder = false;
  std::vector<RecordItem> items;  // in seq order
  std::filesystem::path work_dir;
  // The whole catalogue, read-only, for checks across rows (件号 continuity) and its
  // header (to read the entry's fields by name); null when the batch has none.
  const Catalog* catalog = nullptr;
};

// The batch as the deposit stage sees it: accepted records with their outputs.
struct DepositRecord {
  CatalogRecord entry;
  std::vector<RecordItem> items;     // all accepted, in seq order
  std::vector<StageOutput> outputs;  // what the record stages wrote for the whole record (its searchable PDF)
};

// One stage as it ran: what it is and every setting it used, with where each came from.
struct StageRecord {
  StageInfo info;
  std::vector<EffectiveValue> settings;
};

struct BatchWork {
  std::string batch_id;
  std::string fonds_code;  // 全宗号
  std::string unit_name;   // 单位名称
  std::string profile_name;
  std::string profile_sha256;
  std::vector<std::string> catalog_columns;  // in the order the catalogue had them
  std::vector<DepositRecord> records;        // accepted records, in catalogue order (for the
                                             // catalogue draft: every folder, its entry drafted)
  std::vector<std::string> catalogue_refs;    // every 档号 of the catalogue, deposited or not
  std::vector<StageRecord> processing;       // the stages and settings that made the items
  // The acceptance reports written for this WORK (验收报告, 整改意见书: WORK/reports/…, as
  // the ledger recorded them), carried in the bag's metadata/acceptance/.
  std::vector<StageOutput> acceptance_reports;
  std::int64_t items_in = 0;
  ItemCounts quarantined;  // items quarantined, by kind
  std::int64_t records_withheld = 0;
  std::filesystem::path work_dir;
  std::vector<ReviewDecision> review_decisions;  // the whole audit trail of this WORK, oldest first
};

// verify's unit: a finished bag on disk.
struct Bag {
  std::filesystem::path dir;
  // Its maker was asked for SM3 manifests (the profile's deposit.sm3_manifest): the
  // self-check then requires them.
  bool sm3_manifests = false;
  // The package file made from it (the bag as one .tar or .zip, its package.json beside
  // it); empty when there is none.
  std::filesystem::path package;
  // The earlier deposit it continues (an increment made with --continues); empty: none.
  std::filesystem::path continues;
};

using IngestStage = Stage<Lot>;
using RecordStage = Stage<const RecordWork>;
using BatchStage = Stage<const BatchWork>;
using BagStage = Stage<const Bag>;

}  // namespace lantai
