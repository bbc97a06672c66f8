// The ledger: SQLite (WAL) in WORK, the one source of truth for a batch's progress.
//
// Each item stage's result is stored per item with the dependency key it was made under
// (its stage's version and settings, the Manual values it used, and the key of the stage
// before it), so a rerun redoes exactly what changed. Outputs are written (atomically)
// before the row that names them is committed, so after a crash a rerun redoes exactly
// what has no row. The runtime's sink is the only writer while items run; every method
// is thread-safe (one connection behind a mutex).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipeline/finding.h"
#include "pipeline/review.h"
#include "pipeline/stage.h"
#include "pipeline/units.h"

struct sqlite3;

namespace lantai {

class LedgerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What identifies a batch: the batch id is derived from the rest (see BatchRun).
struct BatchIdentity {
  std::string batch_id;
  std::string fonds_code;
  std::string unit_name;
  std::string catalog_sha256;
  std::string profile_name;
  std::string profile_sha256;
  // Where the lot and its catalogue were read from, for the review server (absolute).
  std::string input_root;
  std::string catalog_file;
};

enum class FindingScope { item, record, batch };
std::string_view to_string(FindingScope scope);

// A finding as stored, with what it is about.
struct StoredFinding {
  FindingScope scope = FindingScope::item;
  std::string stage;
  std::string item_id;     // empty unless about one item
  std::string record_ref;  // empty unless about one record
  Finding finding;
};

// The original an item was read from, as it was when the item was processed.
struct SourceState {
  std::uint64_t size_bytes = 0;
  std::int64_t mtime_ns = 0;
  bool operator==(const SourceState&) const = default;
};

// One item stage's stored result for one item.
struct StageRun {
  std::string stage;
  int position = 0;  // in the item's chain
  std::string version;          // the stage's, as it ran
  std::string settings_digest;  // of its id, version and effective settings
  std::string dependency_key;   // settings, Manual values and the stage before it
  Measurements measurements;
  bool rejected = false;
  std::vector<StageOutput> outputs;
  int run_number = 0;  // which `lantai run` made it
};

// What the ledger holds of an item, for planning a rerun.
struct StoredItem {
  SourceState source;
  std::map<std::string, StageRun> runs;  // by stage id
};

// One item's results from the stages run on it this time, from start_position on.
struct ItemResult {
  ItemRef ref;
  std::string item_id;
  SourceState source;
  int start_position = 0;
  std::vector<StageRun> runs;
  std::vector<std::pair<std::string, std::vector<Finding>>> findings;  // stage → its findings
};

// One item as reports and record stages see it, with every finding on it.
struct ItemRow {
  RecordItem item;
  std::string record_ref;
  std::vector<Finding> findings;  // item-stage and record-stage findings on this item
};

// A record's fate in this batch: the link report's row.
struct RecordRow {
  std::string ref;                    // 档号
  std::string title;                  // 题名
  std::optional<int> catalog_pages;   // 页数 in the catalogue
  int items_found = 0;                // items in its folder
  bool in_catalog = false;
  bool has_folder = false;
  bool deposited = false;
  std::vector<std::string> reasons;   // reject codes on the record or its items
};

// A value a person set in review: it stands instead of the stage's own (Manual).
struct ManualValue {
  std::string item_id, stage, name, value;
  std::string set_by, reason, set_at;
};

// A deposit bag this WORK made, as verify left it.
struct DepositRow {
  std::string batch_id, bag_path, package_digest, made_at;
  bool verified = false;
};

// Acceptance sampling (DA/T 31-2017 12.3), as pipeline/acceptance/ draws and judges it.
// Samples and checks are append-only: the ledger refuses to change or delete them.
struct StoredSample {
  int number = 0;                  // 1, 2, ... in the order drawn
  std::uint64_t seed = 0;
  int rate_bp = 0;                 // asked rate in hundredths of a percent: 500 = 5%
  std::string record_unit;         // 件 or 卷: what one record is
  int population = 0;              // records ready for deposit when drawn
  std::string population_sha256;   // of their 档号, one a line in catalogue order
  std::string drawn_by, drawn_at;
  std::vector<std::string> refs;   // the sampled records, in catalogue order
};

// One inspector's verdict on one check item of one sampled record.
struct SampleCheck {
  long long id = 0;  // assigned by the ledger, increasing
  int sample = 0;
  std::string record_ref, item;  // 档号, check item code
  bool passed = false;
  std::string note, checked_by, checked_at;
};

// A sign-off of a sample's verdict (签发): who, when, the verdict signed, and the last
// check it covered (a later check leaves the sign-off standing for what it saw only).
struct SampleSignOff {
  long long id = 0;
  int sample = 0;
  std::string verdict;  // "pass" or "fail", as judged when signed
  long long last_check_id = 0;
  std::string signed_by, note, signed_at;
};

// A report written for a sample (WORK/reports/…), the deposit carries it.
struct AcceptanceReportFile {
  int sample = 0;
  StageOutput output;
};

// A review account: who may decide, and the slow salted hash of their password.
struct ReviewUser {
  std::string name;
  std::string role;           // inspector | supervisor
  std::string password_hash;  // "scrypt$N$r$p$salt$hash", see ui-web/password.h
  std::string created_at;
  std::string disabled_at;    // when the account was disabled (UTC); empty: it may log in
};

class Transaction;

class Ledger {
 public:
  static std::unique_ptr<Ledger> open(const std::filesystem::path& work_dir);  // throws LedgerError
  // Another WORK's ledger, to read only (a shard's, for lantai merge); throws LedgerError
  // when WORK has none or it is of another schema.
  static std::unique_ptr<Ledger> open_read_only(const std::filesystem::path& work_dir);
  ~Ledger();

  std::optional<BatchIdentity> identity() const;
  void set_identity(const BatchIdentity& identity);
  int begin_run();  // the number of this `lantai run` on this WORK: 1, 2, ...
  int last_run() const;  // the number of the latest run; 0 before the first

  std::map<std::string, StoredItem> stored_items() const;  // by item id
  // Drops every item (and its results) whose id is not in keep: files gone from the lot.
  void remove_items_except(const std::set<std::string>& keep);
  // The item stages' outputs for the items of these records, as stored.
  std::vector<StageOutput> item_outputs(const std::set<std::string>& record_refs) const;
  // The items of these records, with their stage runs, outputs and item findings, copied
  // from the ledger of another WORK (a shard's) in place of what this one holds of them.
  // The outputs themselves must be in this WORK already.
  void import_items(const std::filesystem::path& other_work_dir, const std::set<std::string>& record_refs);
  // One transaction: the item, its stage runs from result.start_position on (replacing
  // those stored), their outputs and findings.
  void record_item(const ItemResult& result);

  // Manual values: an append-only history; the latest value per item, stage and name counts.
  void set_manual_value(const ManualValue& value);
  std::map<std::string, std::map<std::string, std::string, std::less<>>> manual_values() const;  // item → "stage.name" → value
  std::vector<ManualValue> manual_history() const;

  // Replaces every finding and output earlier runs stored under these stages for this
  // record; outputs: stage → what it wrote for the record (its searchable PDF).
  void replace_record_findings(const std::string& record_ref, const std::vector<std::string>& stages,
                               const std::vector<StoredFinding>& findings,
                               const std::vector<std::pair<std::string, StageOutput>>& outputs = {});
  std::vector<StageOutput> record_outputs(const std::string& record_ref) const;  // the record stages' outputs
  // What a batch stage wrote (the deposit: its bag, package file, package.json), replaced
  // on every run of that stage.
  void replace_batch_outputs(const std::string& stage, const std::vector<StageOutput>& outputs);
  std::vector<StageOutput> batch_outputs(const std::string& stage) const;
  // Replaces the batch-scope findings of one stage (catalog, ingest, deposit, verify).
  void replace_batch_findings(const std::string& stage, const std::vector<StoredFinding>& findings);

  std::vector<ItemRow> items() const;                                  // every item, by record then seq
  std::vector<ItemRow> items(const std::string& record_ref) const;     // one record's, by seq
  std::vector<RecordItem> record_items(const std::string& ref) const;  // one record's items
  std::vector<StoredFinding> findings() const;                         // everything, in a stable order
  // Stage id → how many items it ran on in that run.
  std::map<std::string, long long> stage_runs_in(int run_number) const;

  void replace_records(const std::vector<RecordRow>& records);
  std::vector<RecordRow> records() const;

  // Review accounts. add_review_user throws LedgerError when the name is taken.
  void add_review_user(const ReviewUser& user);
  std::optional<ReviewUser> review_user(const std::string& name) const;
  std::vector<ReviewUser> review_users() const;
  // Sets the account's role, password hash and disabled_at (by name); false when there is
  // no such account. Accounts are never deleted: the decisions name them.
  bool change_review_user(const ReviewUser& user);

  // The review's audit trail: append-only (the table refuses UPDATE and DELETE). Appends
  // the decision and, in the same transaction, the Manual values it sets, made from the
  // decision once it has its id (set_by, reason and set_at are the decision's); returns
  // the decision with its id and time.
  using ManualValuesOf = std::function<std::vector<ManualValue>(const ReviewDecision&)>;
  ReviewDecision append_review_decision(ReviewDecision decision, const ManualValuesOf& manual_values = {});
  std::vector<ReviewDecision> review_decisions() const;  // oldest first

  void record_deposit(const std::string& batch_id, const std::string& bag_path,
                      const std::string& package_digest, bool verified);
  std::vector<std::string> deposit_paths() const;  // every bag this WORK made, WORK-relative
  std::optional<DepositRow> latest_deposit() const;

  // Values the batch keeps beside its identity (the profile's acceptance settings).
  void set_batch_value(const std::string& key, const std::string& value);
  std::optional<std::string> batch_value(const std::string& key) const;

  // Acceptance sampling: append-only samples and checks; reports replaced per sample.
  int add_sample(const StoredSample& sample);  // returns its number
  std::vector<StoredSample> samples() const;   // in the order drawn
  long long add_sample_check(const SampleCheck& check);  // returns its id; checked_at set when empty
  std::vector<SampleCheck> sample_checks(int sample) const;  // oldest first
  long long add_sample_sign_off(const SampleSignOff& sign_off);  // returns its id; signed_at set when empty
  std::vector<SampleSignOff> sample_sign_offs(int sample) const;  // oldest first
  void replace_acceptance_reports(int sample, const std::vector<StageOutput>& reports);
  std::vector<AcceptanceReportFile> acceptance_reports() const;  // by sample, then kind

 private:
  friend class Transaction;
  explicit Ledger(sqlite3* db);
  void exec(const char* sql) const;
  void insert_finding(const StoredFinding& stored) const;

  sqlite3* db_;
  mutable std::mutex mutex_;
};

}  // namespace lantai
