// The units of work of the record and batch stages. (Page, the item unit, is in page.h.)
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/catalog.h"
#include "pipeline/page.h"
#include "pipeline/stage.h"

namespace lantai {

// One input file or TIFF frame found at ingest.
struct PageRef {
  std::string rel_path;  // relative to --in, '/'-separated
  int frame = 0;
  std::string record_ref;
  int seq = 0;
};

// Ingest's unit: the input lot. Ingest fills pages from the folders under input_root.
struct Lot {
  std::filesystem::path input_root;
  std::vector<PageRef> pages;       // in record order, then natural file order, then frame
  std::vector<std::string> folders;  // record folders found, sorted
};

// A page as record stages see it: facts and outputs from the ledger, no pixels.
struct RecordPage {
  std::string item_id;
  std::string rel_path;
  int frame = 0;
  int seq = 0;
  PageFacts facts;
  std::vector<std::string> finding_codes;  // from the item stages
  bool rejected = false;
  std::vector<StageOutput> outputs;
};

// A record stage's unit: one 档号, its catalogue entry (if any) and its pages.
struct RecordWork {
  std::string ref;
  std::optional<CatalogRecord> entry;  // absent: a folder with no catalogue row
  bool has_folder = false;
  std::vector<RecordPage> pages;  // in seq order
  std::filesystem::path work_dir;
};

// The batch as the deposit stage sees it: accepted records with their outputs.
struct DepositRecord {
  CatalogRecord entry;
  std::vector<RecordPage> pages;  // all accepted, in seq order
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
  std::vector<DepositRecord> records;        // accepted records, in catalogue order
  std::vector<StageRecord> processing;       // the stages and settings that made the pages
  std::int64_t pages_in = 0;
  std::int64_t pages_quarantined = 0;
  std::int64_t records_withheld = 0;
  std::filesystem::path work_dir;
  std::filesystem::path bag_dir;  // set by the deposit stage: WORK/deposit/<batch_id>
};

// verify's unit: a finished bag on disk.
struct Bag {
  std::filesystem::path dir;
};

using IngestStage = Stage<Lot>;
using PageStage = Stage<Page>;
using RecordStage = Stage<RecordWork>;
using BatchStage = Stage<BatchWork>;
using BagStage = Stage<Bag>;

}  // namespace lantai
