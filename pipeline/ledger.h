// The ledger: SQLite (WAL) in WORK, the one source of truth for a batch's progress.
//
// A page counts as done only once its row is committed, and its outputs are written
// (atomically) before that, so after a crash a rerun redoes exactly the pages with no
// row. All methods are thread-safe (one connection behind a mutex); the runner's sink
// is the only writer of page results.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipeline/finding.h"
#include "pipeline/page.h"
#include "pipeline/stage.h"
#include "pipeline/units.h"

struct sqlite3;

namespace lantai {

class LedgerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What identifies a batch; a rerun must present the same identity.
struct BatchIdentity {
  std::string batch_id;
  std::string fonds_code;
  std::string unit_name;
  std::string input_root;
  std::string catalog_file;
  std::string catalog_sha256;
  std::string profile_name;
  std::string profile_sha256;
};

enum class FindingScope { item, record, batch };
std::string_view to_string(FindingScope scope);

// A finding as stored, with what it is about.
struct StoredFinding {
  FindingScope scope = FindingScope::item;
  std::string stage;
  std::string item_id;     // empty unless about one page or file
  std::string record_ref;  // empty unless about one record
  Finding finding;
};

// One page as stored: identity, facts, outputs and every finding on it.
struct PageRow {
  RecordPage page;
  std::string record_ref;
  std::vector<Finding> findings;  // item-stage and record-stage findings on this page
};

// A record's fate in this batch: the link report's row.
struct RecordRow {
  std::string ref;                    // 档号
  std::string title;                  // 题名
  std::optional<int> catalog_pages;   // 页数 in the catalogue
  int pages_found = 0;                // pages in its folder
  bool in_catalog = false;
  bool has_folder = false;
  bool deposited = false;
  std::vector<std::string> reasons;   // reject codes on the record or its pages
};

class Ledger {
 public:
  static std::unique_ptr<Ledger> open(const std::filesystem::path& work_dir);  // throws LedgerError
  ~Ledger();

  std::optional<BatchIdentity> identity() const;
  void set_identity(const BatchIdentity& identity);

  std::set<std::string> done_page_ids() const;

  // Drops a page's row, outputs and item findings, so the next run processes it again.
  void forget_page(const std::string& page_id);

  // One transaction: the page, its facts, its outputs and its item-stage findings.
  void record_page(const Page& page, const std::vector<std::pair<std::string, Outcome>>& outcomes);

  // Replaces every finding earlier runs stored under these stages for this record
  // (record findings are recomputed on every run).
  void replace_record_findings(const std::string& record_ref, const std::vector<std::string>& stages,
                               const std::vector<StoredFinding>& findings);
  // Replaces the batch-scope findings of one stage (catalog, ingest, deposit, verify).
  void replace_batch_findings(const std::string& stage, const std::vector<StoredFinding>& findings);

  std::vector<PageRow> pages() const;                            // all done pages, by record then seq
  std::vector<RecordPage> record_pages(const std::string& ref) const;  // done pages of one record
  std::vector<StoredFinding> findings() const;                   // everything, in a stable order

  // Replaces the records table with this run's assessment.
  void replace_records(const std::vector<RecordRow>& records);
  std::vector<RecordRow> records() const;

  void record_deposit(const std::string& batch_id, const std::string& bag_path,
                      const std::string& package_digest, bool verified);

 private:
  explicit Ledger(sqlite3* db);
  void exec(const char* sql) const;
  void insert_finding(const StoredFinding& stored) const;

  sqlite3* db_;
  mutable std::mutex mutex_;
};

}  // namespace lantai
