#include "pipeline/runtime/ledger.h"

#include <sqlite3.h>

#include "pipeline/format.h"

namespace lantai {

namespace {

constexpr int kSchemaVersion = 5;
// Older ledgers are brought up in place: kSchema itself adds new tables, and the columns
// later versions added to existing tables are added here. 3: a finding overridden in
// review. 4: an output's md5 and sm3, taken in the same read as its sha256 (recordings).
// 5: a review account may be disabled.
constexpr int kOldestUpgradable = 2;
struct AddedColumn {
  int version;  // the schema that added it
  const char* table;
  const char* column;
  const char* declaration;
};
constexpr AddedColumn kAddedColumns[] = {
    {3, "findings", "overridden_by", "TEXT NOT NULL DEFAULT ''"},
    {4, "outputs", "md5", "TEXT NOT NULL DEFAULT ''"},
    {4, "outputs", "sm3", "TEXT NOT NULL DEFAULT ''"},
    {5, "review_users", "disabled_at", "TEXT NOT NULL DEFAULT ''"},
};

constexpr const char* kSchema = R"sql(
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA busy_timeout = 10000;
CREATE TABLE IF NOT EXISTS batch (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (number INTEGER PRIMARY KEY, started_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, rel_path TEXT NOT NULL, frame INTEGER NOT NULL,
  record_ref TEXT NOT NULL, seq INTEGER NOT NULL, source_size INTEGER NOT NULL,
  source_mtime_ns INTEGER NOT NULL, done_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS items_record ON items (record_ref);
CREATE TABLE IF NOT EXISTS stage_runs (
  item_id TEXT NOT NULL, stage TEXT NOT NULL, position INTEGER NOT NULL, version TEXT NOT NULL,
  settings_digest TEXT NOT NULL, dependency_key TEXT NOT NULL,
  measurements TEXT NOT NULL, rejected INTEGER NOT NULL, run_number INTEGER NOT NULL, ran_at TEXT NOT NULL,
  PRIMARY KEY (item_id, stage));
CREATE TABLE IF NOT EXISTS outputs (
  item_id TEXT NOT NULL, stage TEXT NOT NULL, kind TEXT NOT NULL, role TEXT NOT NULL, path TEXT NOT NULL,
  sha256 TEXT NOT NULL, size_bytes INTEGER NOT NULL, md5 TEXT NOT NULL DEFAULT '', sm3 TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS outputs_item ON outputs (item_id, stage);
CREATE TABLE IF NOT EXISTS record_outputs (
  record_ref TEXT NOT NULL, stage TEXT NOT NULL, kind TEXT NOT NULL, role TEXT NOT NULL, path TEXT NOT NULL,
  sha256 TEXT NOT NULL, size_bytes INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS record_outputs_record ON record_outputs (record_ref, stage);
CREATE TABLE IF NOT EXISTS batch_outputs (
  stage TEXT NOT NULL, kind TEXT NOT NULL, role TEXT NOT NULL, path TEXT NOT NULL,
  sha256 TEXT NOT NULL, size_bytes INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS findings (
  id INTEGER PRIMARY KEY, scope TEXT NOT NULL, stage TEXT NOT NULL, item_id TEXT NOT NULL,
  record_ref TEXT NOT NULL, code TEXT NOT NULL, severity TEXT NOT NULL, value TEXT NOT NULL,
  threshold TEXT NOT NULL, message TEXT NOT NULL, overridden_by TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS findings_item ON findings (item_id, stage);
CREATE INDEX IF NOT EXISTS findings_record ON findings (record_ref, stage);
CREATE TABLE IF NOT EXISTS manual_values (
  id INTEGER PRIMARY KEY, item_id TEXT NOT NULL, stage TEXT NOT NULL, name TEXT NOT NULL,
  value TEXT NOT NULL, set_by TEXT NOT NULL, reason TEXT NOT NULL, set_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
  ref TEXT PRIMARY KEY, position INTEGER NOT NULL, title TEXT NOT NULL, catalog_pages INTEGER,
  items_found INTEGER NOT NULL, in_catalog INTEGER NOT NULL, has_folder INTEGER NOT NULL,
  deposited INTEGER NOT NULL, reasons TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS review_users (
  name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL, created_at TEXT NOT NULL,
  disabled_at TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS review_decisions (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, by TEXT NOT NULL, role TEXT NOT NULL,
  action TEXT NOT NULL, item_id TEXT NOT NULL, record_ref TEXT NOT NULL, code TEXT NOT NULL,
  reason TEXT NOT NULL, before TEXT NOT NULL, after TEXT NOT NULL, signs INTEGER NOT NULL);
CREATE TRIGGER IF NOT EXISTS review_decisions_kept BEFORE UPDATE ON review_decisions
  BEGIN SELECT RAISE(ABORT, 'review decisions are never changed; append a new one'); END;
CREATE TRIGGER IF NOT EXISTS review_decisions_not_deleted BEFORE DELETE ON review_decisions
  BEGIN SELECT RAISE(ABORT, 'review decisions are never deleted'); END;
CREATE TRIGGER IF NOT EXISTS manual_values_kept BEFORE UPDATE ON manual_values
  BEGIN SELECT RAISE(ABORT, 'manual values are never changed; set a new one'); END;
CREATE TABLE IF NOT EXISTS deposits (
  batch_id TEXT PRIMARY KEY, bag_path TEXT NOT NULL, package_digest TEXT NOT NULL,
  verified INTEGER NOT NULL, made_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS samples (
  number INTEGER PRIMARY KEY, seed TEXT NOT NULL, rate_bp INTEGER NOT NULL, record_unit TEXT NOT NULL,
  population INTEGER NOT NULL, population_sha256 TEXT NOT NULL, drawn_by TEXT NOT NULL, drawn_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sample_records (
  sample INTEGER NOT NULL REFERENCES samples (number), position INTEGER NOT NULL, record_ref TEXT NOT NULL,
  PRIMARY KEY (sample, position));
CREATE TABLE IF NOT EXISTS sample_checks (
  id INTEGER PRIMARY KEY, sample INTEGER NOT NULL REFERENCES samples (number), record_ref TEXT NOT NULL,
  item TEXT NOT NULL, passed INTEGER NOT NULL, note TEXT NOT NULL, checked_by TEXT NOT NULL,
  checked_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sample_sign_offs (
  id INTEGER PRIMARY KEY, sample INTEGER NOT NULL REFERENCES samples (number), verdict TEXT NOT NULL,
  last_check_id INTEGER NOT NULL, signed_by TEXT NOT NULL, note TEXT NOT NULL, signed_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS acceptance_reports (
  sample INTEGER NOT NULL, kind TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL,
  size_bytes INTEGER NOT NULL, PRIMARY KEY (sample, kind));
-- What an inspector put on record stays as it was: an audit trail.
CREATE TRIGGER IF NOT EXISTS samples_append_only BEFORE UPDATE ON samples
  BEGIN SELECT RAISE(ABORT, 'acceptance samples are append-only'); END;
CREATE TRIGGER IF NOT EXISTS samples_kept BEFORE DELETE ON samples
  BEGIN SELECT RAISE(ABORT, 'acceptance samples are append-only'); END;
CREATE TRIGGER IF NOT EXISTS sample_records_append_only BEFORE UPDATE ON sample_records
  BEGIN SELECT RAISE(ABORT, 'acceptance samples are append-only'); END;
CREATE TRIGGER IF NOT EXISTS sample_records_kept BEFORE DELETE ON sample_records
  BEGIN SELECT RAISE(ABORT, 'acceptance samples are append-only'); END;
CREATE TRIGGER IF NOT EXISTS sample_checks_append_only BEFORE UPDATE ON sample_checks
  BEGIN SELECT RAISE(ABORT, 'acceptance checks are append-only'); END;
CREATE TRIGGER IF NOT EXISTS sample_checks_kept BEFORE DELETE ON sample_checks
  BEGIN SELECT RAISE(ABORT, 'acceptance checks are append-only'); END;
CREATE TRIGGER IF NOT EXISTS sample_sign_offs_append_only BEFORE UPDATE ON sample_sign_offs
  BEGIN SELECT RAISE(ABORT, 'acceptance sign-offs are append-only'); END;
CREATE TRIGGER IF NOT EXISTS sample_sign_offs_kept BEFORE DELETE ON sample_sign_offs
  BEGIN SELECT RAISE(ABORT, 'acceptance sign-offs are append-only'); END;
)sql";

std::string now_utc() { return now_text("%Y-%m-%dT%H:%M:%SZ", TimeZone::utc); }

// A prepared statement that finalizes itself; bind() and text() are 1- and 0-based as SQLite's.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK)
      throw LedgerError(std::string("ledger: cannot prepare query: ") + sqlite3_errmsg(db));
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, const std::string& value) {
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int index, long long value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  Statement& bind_null(int index) {
    sqlite3_bind_null(stmt_, index);
    return *this;
  }
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  bool step() {
    int result = sqlite3_step(stmt_);
    if (result == SQLITE_ROW) return true;
    if (result == SQLITE_DONE) return false;
    throw LedgerError(std::string("ledger: ") + sqlite3_errmsg(db_));
  }
  void run() {
    step();
    sqlite3_reset(stmt_);
  }
  std::string text(int column) const {
    auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return data ? std::string(data, static_cast<size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
  }
  long long integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  void reset() { sqlite3_reset(stmt_); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

FindingScope scope_from_string(const std::string& text) {
  if (text == "record") return FindingScope::record;
  if (text == "batch") return FindingScope::batch;
  return FindingScope::item;
}

std::string_view to_string(OutputRole role) {
  switch (role) {
    case OutputRole::entity: return "entity";
    case OutputRole::extra: return "extra";
    case OutputRole::work: return "work";
    case OutputRole::package: return "package";
  }
  return "work";
}

OutputRole role_from_string(const std::string& text) {
  for (OutputRole role : {OutputRole::entity, OutputRole::extra, OutputRole::package})
    if (to_string(role) == text) return role;
  return OutputRole::work;
}

StageOutput output_from(const Statement& row, int first) {
  return {row.text(first), row.text(first + 2), row.text(first + 3),
          static_cast<std::uint64_t>(row.integer(first + 4)), role_from_string(row.text(first + 1))};
}

// An item output row: output_from's columns, then md5 and sm3.
StageOutput item_output_from(const Statement& row, int first) {
  StageOutput output = output_from(row, first);
  output.md5 = row.text(first + 5);
  output.sm3 = row.text(first + 6);
  return output;
}

std::string join(const std::vector<std::string>& parts) {
  std::string text;
  for (const auto& part : parts) text += (text.empty() ? "" : ";") + part;
  return text;
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find(';', start);
    if (end == std::string::npos) end = text.size();
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

}  // namespace

// BEGIN IMMEDIATE on construction, ROLLBACK unless commit() was called; the caller holds
// the ledger's mutex throughout.
class Transaction {
 public:
  explicit Transaction(const Ledger& ledger) : ledger_(ledger) { ledger_.exec("BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (!committed_) sqlite3_exec(ledger_.db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    ledger_.exec("COMMIT");
    committed_ = true;
  }

 private:
  const Ledger& ledger_;
  bool committed_ = false;
};

std::string_view to_string(FindingScope scope) {
  switch (scope) {
    case FindingScope::item: return "item";
    case FindingScope::record: return "record";
    case FindingScope::batch: return "batch";
  }
  return "item";
}

Ledger::Ledger(sqlite3* db) : db_(db) {}
Ledger::~Ledger() { sqlite3_close(db_); }

std::unique_ptr<Ledger> Ledger::open(const std::filesystem::path& work_dir) {
  std::error_code error;
  std::filesystem::create_directories(work_dir, error);
  const auto file = work_dir / "ledger.sqlite";
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw LedgerError("cannot open ledger " + file.string() + ": " + why);
  }
  std::unique_ptr<Ledger> ledger(new Ledger(db));
  {
    Statement version(db, "PRAGMA user_version");
    version.step();
    const long long found = version.integer(0);
    Statement tables(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'");
    tables.step();
    if (tables.integer(0) > 0 && found >= kOldestUpgradable && found < kSchemaVersion)
      for (const AddedColumn& added : kAddedColumns) {
        // Each column is added if missing, whatever version the ledger says it is: a
        // column is the proof. A table the old ledger lacks is made whole by kSchema below.
        const auto count = [&](const char* sql) {
          Statement query(db, sql);
          query.bind(1, std::string(added.table)).bind(2, std::string(added.column));
          query.step();
          return query.integer(0);
        };
        const bool table_exists =
            count("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1 AND ?2 IS NOT NULL") > 0;
        if (table_exists && count("SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2") == 0)
          ledger->exec(("ALTER TABLE " + std::string(added.table) + " ADD COLUMN " + added.column + " " +
                        added.declaration)
                           .c_str());
      }
    else if (tables.integer(0) > 0 && found != kSchemaVersion)
      throw LedgerError(file.string() + " was made by another version of lantai (ledger schema " +
                        std::to_string(found) + ", this one reads " + std::to_string(kSchemaVersion) +
                        "); use a new --out");
  }
  ledger->exec(kSchema);
  ledger->exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
  return ledger;
}

std::unique_ptr<Ledger> Ledger::open_read_only(const std::filesystem::path& work_dir) {
  const auto file = work_dir / "ledger.sqlite";
  if (!std::filesystem::is_regular_file(file)) throw LedgerError(work_dir.string() + " holds no ledger.sqlite");
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw LedgerError("cannot open ledger " + file.string() + ": " + why);
  }
  std::unique_ptr<Ledger> ledger(new Ledger(db));
  Statement version(db, "PRAGMA user_version");
  version.step();
  if (version.integer(0) != kSchemaVersion)
    throw LedgerError(file.string() + " was made by another version of lantai (ledger schema " +
                      std::to_string(version.integer(0)) + ", this one reads " + std::to_string(kSchemaVersion) + ")");
  return ledger;
}

void Ledger::exec(const char* sql) const {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string why = message ? message : "unknown error";
    sqlite3_free(message);
    throw LedgerError("ledger: " + why);
  }
}

std::optional<BatchIdentity> Ledger::identity() const {
  std::lock_guard lock(mutex_);
  Statement query(db_, "SELECT key, value FROM batch");
  std::map<std::string, std::string> values;
  while (query.step()) values[query.text(0)] = query.text(1);
  if (values.empty()) return std::nullopt;
  return BatchIdentity{values["batch_id"],       values["fonds_code"],   values["unit_name"],
                       values["catalog_sha256"], values["profile_name"], values["profile_sha256"],
                       values["input_root"],     values["catalog_file"]};
}

void Ledger::set_identity(const BatchIdentity& identity) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*this);
  Statement insert(db_, "INSERT OR REPLACE INTO batch (key, value) VALUES (?, ?)");
  for (const auto& [key, value] : std::vector<std::pair<const char*, const std::string*>>{
           {"batch_id", &identity.batch_id},         {"fonds_code", &identity.fonds_code},
           {"unit_name", &identity.unit_name},       {"catalog_sha256", &identity.catalog_sha256},
           {"profile_name", &identity.profile_name}, {"profile_sha256", &identity.profile_sha256},
           {"input_root", &identity.input_root},     {"catalog_file", &identity.catalog_file}})
    insert.bind(1, std::string(key)).bind(2, *value).run();
  transaction.commit();
}

int Ledger::begin_run() {
  std::lock_guard lock(mutex_);
  Statement insert(db_, "INSERT INTO runs (started_at) VALUES (?)");
  insert.bind(1, now_utc()).run();
  return static_cast<int>(sqlite3_last_insert_rowid(db_));
}

int Ledger::last_run() const {
  std::lock_guard lock(mutex_);
  Statement query(db_, "SELECT coalesce(max(number), 0) FROM runs");
  query.step();
  return static_cast<int>(query.integer(0));
}

std::map<std::string, StoredItem> Ledger::stored_items() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, StoredItem> items;
  Statement query(db_, "SELECT id, source_size, source_mtime_ns FROM items");
  while (query.step())
    items[query.text(0)].source = {static_cast<std::uint64_t>(query.integer(1)), query.integer(2)};
  Statement runs(db_,
                 "SELECT item_id, stage, position, version, settings_digest, dependency_key, measurements, rejected, "
                 "run_number FROM stage_runs");
  while (runs.step()) {
    auto it = items.find(runs.text(0));
    if (it == items.end()) continue;
    StageRun run{runs.text(1),   static_cast<int>(runs.integer(2)),    runs.text(3),
                 runs.text(4),   runs.text(5),
                 Measurements::from_json(runs.text(6)), runs.integer(7) != 0, {}, static_cast<int>(runs.integer(8))};
    it->second.runs.emplace(run.stage, std::move(run));
  }
  Statement outputs(db_, "SELECT item_id, stage, kind, role, path, sha256, size_bytes, md5, sm3 FROM outputs ORDER BY rowid");
  while (outputs.step()) {
    auto it = items.find(outputs.text(0));
    if (it == items.end()) continue;
    auto run = it->second.runs.find(outputs.text(1));
    if (run != it->second.runs.end()) run->second.outputs.push_back(item_output_from(outputs, 2));
  }
  return items;
}

void Ledger::remove_items_except(const std::set<std::string>& keep) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> gone;
  {
    Statement query(db_, "SELECT id FROM items");
    while (query.step())
      if (!keep.count(query.text(0))) gone.push_back(query.text(0));
  }
  if (gone.empty()) return;
  Transaction transaction(*this);
  for (const char* sql : {"DELETE FROM items WHERE id = ?", "DELETE FROM stage_runs WHERE item_id = ?",
                          "DELETE FROM outputs WHERE item_id = ?",
                          "DELETE FROM findings WHERE item_id = ? AND scope = 'item'"}) {
    Statement statement(db_, sql);
    for (const auto& id : gone) statement.bind(1, id).run();
  }
  transaction.commit();
}

std::vector<StageOutput> Ledger::item_outputs(const std::set<std::string>& record_refs) const {
  std::lock_guard lock(mutex_);
  std::vector<StageOutput> outputs;
  Statement query(db_,
                  "SELECT o.kind, o.role, o.path, o.sha256, o.size_bytes, o.md5, o.sm3 FROM outputs o JOIN items i ON i.id = o.item_id "
                  "WHERE i.record_ref = ? ORDER BY o.rowid");
  for (const std::string& ref : record_refs) {
    query.bind(1, ref);
    while (query.step()) outputs.push_back(item_output_from(query, 0));
    query.reset();
  }
  return outputs;
}

void Ledger::import_items(const std::filesystem::path& other_work_dir, const std::set<std::string>& record_refs) {
  std::lock_guard lock(mutex_);
  Statement attach(db_, "ATTACH DATABASE ? AS other");
  attach.bind(1, (other_work_dir / "ledger.sqlite").string()).run();
  try {
    exec("CREATE TEMP TABLE IF NOT EXISTS imported_records (ref TEXT PRIMARY KEY); DELETE FROM imported_records");
    Statement insert(db_, "INSERT OR IGNORE INTO imported_records (ref) VALUES (?)");
    for (const std::string& ref : record_refs) insert.bind(1, ref).run();
    Transaction transaction(*this);
    exec(R"sql(
      CREATE TEMP TABLE IF NOT EXISTS replaced_items (id TEXT PRIMARY KEY); DELETE FROM replaced_items;
      INSERT OR IGNORE INTO replaced_items SELECT id FROM main.items WHERE record_ref IN temp.imported_records
        UNION SELECT id FROM other.items WHERE record_ref IN temp.imported_records;
      DELETE FROM main.stage_runs WHERE item_id IN temp.replaced_items;
      DELETE FROM main.outputs WHERE item_id IN temp.replaced_items;
      DELETE FROM main.findings WHERE scope = 'item' AND item_id IN temp.replaced_items;
      DELETE FROM main.items WHERE id IN temp.replaced_items;
      INSERT INTO main.items (id, kind, rel_path, frame, record_ref, seq, source_size, source_mtime_ns, done_at)
        SELECT id, kind, rel_path, frame, record_ref, seq, source_size, source_mtime_ns, done_at
        FROM other.items WHERE record_ref IN temp.imported_records;
      INSERT INTO main.stage_runs (item_id, stage, position, version, settings_digest, dependency_key,
                                   measurements, rejected, run_number, ran_at)
        SELECT item_id, stage, position, version, settings_digest, dependency_key, measurements, rejected,
               run_number, ran_at
        FROM other.stage_runs WHERE item_id IN (SELECT id FROM other.items WHERE record_ref IN temp.imported_records);
      INSERT INTO main.outputs (item_id, stage, kind, role, path, sha256, size_bytes, md5, sm3)
        SELECT item_id, stage, kind, role, path, sha256, size_bytes, md5, sm3 FROM other.outputs
        WHERE item_id IN (SELECT id FROM other.items WHERE record_ref IN temp.imported_records) ORDER BY rowid;
      INSERT INTO main.findings (scope, stage, item_id, record_ref, code, severity, value, threshold, message,
                                 overridden_by)
        SELECT scope, stage, item_id, record_ref, code, severity, value, threshold, message, overridden_by
        FROM other.findings WHERE scope = 'item'
          AND item_id IN (SELECT id FROM other.items WHERE record_ref IN temp.imported_records) ORDER BY id;
    )sql");
    transaction.commit();
  } catch (...) {
    sqlite3_exec(db_, "DETACH DATABASE other", nullptr, nullptr, nullptr);
    throw;
  }
  exec("DETACH DATABASE other");
}

void Ledger::insert_finding(const StoredFinding& stored) const {
  Statement insert(db_,
                   "INSERT INTO findings (scope, stage, item_id, record_ref, code, severity, value, "
                   "threshold, message, overridden_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const Finding& f = stored.finding;
  insert.bind(1, std::string(to_string(stored.scope)))
      .bind(2, stored.stage)
      .bind(3, stored.item_id.empty() ? f.item_id : stored.item_id)
      .bind(4, stored.record_ref.empty() ? f.record_ref : stored.record_ref)
      .bind(5, f.code)
      .bind(6, std::string(to_string(f.severity)))
      .bind(7, f.value)
      .bind(8, f.threshold)
      .bind(9, f.message)
      .bind(10, f.overridden_by)
      .run();
}

void Ledger::record_item(const ItemResult& result) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*this);
  const std::string& id = result.item_id;
  // The stages from start_position on are replaced, including those a reject now skips.
  std::set<std::string> replaced;
  {
    Statement stale(db_, "SELECT stage FROM stage_runs WHERE item_id = ? AND position >= ?");
    stale.bind(1, id).bind(2, static_cast<long long>(result.start_position));
    while (stale.step()) replaced.insert(stale.text(0));
  }
  for (const StageRun& run : result.runs) replaced.insert(run.stage);
  for (const char* sql : {"DELETE FROM stage_runs WHERE item_id = ? AND stage = ?",
                          "DELETE FROM outputs WHERE item_id = ? AND stage = ?",
                          "DELETE FROM findings WHERE item_id = ? AND stage = ? AND scope = 'item'"}) {
    Statement statement(db_, sql);
    for (const auto& stage : replaced) statement.bind(1, id).bind(2, stage).run();
  }

  const ItemRef& ref = result.ref;
  Statement item(db_,
                 "INSERT OR REPLACE INTO items (id, kind, rel_path, frame, record_ref, seq, source_size, "
                 "source_mtime_ns, done_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  item.bind(1, id).bind(2, std::string(to_string(ref.kind))).bind(3, ref.rel_path).bind(4, ref.frame)
      .bind(5, ref.record_ref).bind(6, ref.seq).bind(7, static_cast<long long>(result.source.size_bytes))
      .bind(8, static_cast<long long>(result.source.mtime_ns)).bind(9, now_utc()).run();
  Statement run_row(db_,
                    "INSERT INTO stage_runs (item_id, stage, position, version, settings_digest, dependency_key, "
                    "measurements, rejected, run_number, ran_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  Statement output(db_,
                   "INSERT INTO outputs (item_id, stage, kind, role, path, sha256, size_bytes, md5, sm3) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const StageRun& run : result.runs) {
    run_row.bind(1, id).bind(2, run.stage).bind(3, run.position).bind(4, run.version).bind(5, run.settings_digest)
        .bind(6, run.dependency_key).bind(7, run.measurements.to_json()).bind(8, run.rejected ? 1LL : 0LL)
        .bind(9, run.run_number).bind(10, now_utc()).run();
    for (const StageOutput& out : run.outputs)
      output.bind(1, id).bind(2, run.stage).bind(3, out.kind).bind(4, std::string(to_string(out.role)))
          .bind(5, out.path).bind(6, out.sha256).bind(7, static_cast<long long>(out.size_bytes))
          .bind(8, out.md5).bind(9, out.sm3).run();
  }
  for (const auto& [stage, findings] : result.findings)
    for (const Finding& finding : findings) insert_finding({FindingScope::item, stage, id, ref.record_ref, finding});
  transaction.commit();
}

void Ledger::set_manual_value(const ManualValue& value) {
  std::lock_guard lock(mutex_);
  Statement insert(db_,
                   "INSERT INTO manual_values (item_id, stage, name, value, set_by, reason, set_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, value.item_id).bind(2, value.stage).bind(3, value.name).bind(4, value.value).bind(5, value.set_by)
      .bind(6, value.reason).bind(7, value.set_at.empty() ? now_utc() : value.set_at).run();
}

std::map<std::string, std::map<std::string, std::string, std::less<>>> Ledger::manual_values() const {
  std::map<std::string, std::map<std::string, std::string, std::less<>>> values;
  for (const ManualValue& value : manual_history()) {  // oldest first: the latest wins
    auto& of_item = values[value.item_id];
    const std::string key = value.stage + "." + value.name;
    if (value.value.empty()) of_item.erase(key);  // set back to Auto
    else of_item[key] = value.value;
  }
  for (auto it = values.begin(); it != values.end();) it = it->second.empty() ? values.erase(it) : std::next(it);
  return values;
}

std::vector<ManualValue> Ledger::manual_history() const {
  std::lock_guard lock(mutex_);
  Statement query(db_, "SELECT item_id, stage, name, value, set_by, reason, set_at FROM manual_values ORDER BY id");
  std::vector<ManualValue> history;
  while (query.step())
    history.push_back({query.text(0), query.text(1), query.text(2), query.text(3), query.text(4), query.text(5),
                       query.text(6)});
  return history;
}

void Ledger::replace_record_findings(const std::string& record_ref, const std::vector<std::string>& stages,
                                     const std::vector<StoredFinding>& findings,
                                     const std::vector<std::pair<std::string, StageOutput>>& outputs) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*this);
  Statement clear(db_, "DELETE FROM findings WHERE record_ref = ? AND stage = ? AND scope != 'item'");
  Statement clear_outputs(db_, "DELETE FROM record_outputs WHERE record_ref = ? AND stage = ?");
  for (const auto& stage : stages) {
    clear.bind(1, record_ref).bind(2, stage).run();
    clear_outputs.bind(1, record_ref).bind(2, stage).run();
  }
  for (const auto& finding : findings) insert_finding(finding);
  Statement insert(db_,
                   "INSERT INTO record_outputs (record_ref, stage, kind, role, path, sha256, size_bytes) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)");
  for (const auto& [stage, out] : outputs)
    insert.bind(1, record_ref).bind(2, stage).bind(3, out.kind).bind(4, std::string(to_string(out.role)))
        .bind(5, out.path).bind(6, out.sha256).bind(7, static_cast<long long>(out.size_bytes)).run();
  transaction.commit();
}

std::vector<StageOutput> Ledger::record_outputs(const std::string& record_ref) const {
  std::lock_guard lock(mutex_);
  Statement query(db_,
                  "SELECT kind, role, path, sha256, size_bytes FROM record_outputs WHERE record_ref = ? ORDER BY rowid");
  query.bind(1, record_ref);
  std::vector<StageOutput> outputs;
  while (query.step()) outputs.push_back(output_from(query, 0));
  return outputs;
}

void Ledger::replace_batch_outputs(const std::string& stage, const std::vector<StageOutput>& outputs) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*this);
  Statement clear(db_, "DELETE FROM batch_outputs WHERE stage = ?");
  clear.bind(1, stage).run();
  for (const StageOutput& output : outputs) {
    Statement insert(db_,
                     "INSERT INTO batch_outputs (stage, kind, role, path, sha256, size_bytes) VALUES (?, ?, ?, ?, ?, ?)");
    insert.bind(1, stage).bind(2, output.kind).bind(3, std::string(to_string(output.role))).bind(4, output.path)
        .bind(5, output.sha256).bind(6, static_cast<long long>(output.size_bytes)).run();
  }
  transaction.commit();
}

std::vector<StageOutput> Ledger::batch_outputs(const std::string& stage) const {
  std::lock_guard lock(mutex_);
  Statement query(db_, "SELECT kind, role, path, sha256, size_bytes FROM batch_outputs WHERE stage = ? ORDER BY rowid");
  query.bind(1, stage);
  std::vector<StageOutput> outputs;
  while (query.step()) outputs.push_back(output_from(query, 0));
  return outputs;
}

void Ledger::replace_batch_findings(const std::string& stage, const std::vector<StoredFinding>& findings) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*this);
  Statement clear(db_, "DELETE FROM findings WHERE stage = ? AND scope != 'item'");
  clear.bind(1, stage).run();
  for (const auto& finding : findings) insert_finding(finding);
  transaction.commit();
}

namespace {

// Loads items matching an optional record filter, with measurements, outputs and findings.
std::vector<ItemRow> load_items(sqlite3* db, const std::string* record_ref) {
  std::string sql = "SELECT id, kind, rel_path, frame, record_ref, seq, done_at FROM items";
  if (record_ref) sql += " WHERE record_ref = ?";
  sql += " ORDER BY record_ref, seq";
  Statement query(db, sql);
  if (record_ref) query.bind(1, *record_ref);
  std::vector<ItemRow> rows;
  std::map<std::string, size_t> index;
  while (query.step()) {
    ItemRow row;
    row.item.item_id = query.text(0);
    row.item.kind = item_kind_from_string(query.text(1)).value_or(ItemKind::page);
    row.item.rel_path = query.text(2);
    row.item.frame = static_cast<int>(query.integer(3));
    row.record_ref = query.text(4);
    row.item.seq = static_cast<int>(query.integer(5));
    row.item.processed_at = query.text(6);
    index[row.item.item_id] = rows.size();
    rows.push_back(std::move(row));
  }
  // With a record filter, read only that record's rows: record stages call this once per
  // record, and a whole-table read each time would grow with the square of the batch.
  const std::string of_record = record_ref ? " IN (SELECT id FROM items WHERE record_ref = ?)" : " != ''";
  auto each = [&](const std::string& select, auto&& take) {
    Statement rows_of(db, select + " WHERE item_id" + of_record);
    if (record_ref) rows_of.bind(1, *record_ref);
    while (rows_of.step()) {
      auto it = index.find(rows_of.text(0));
      if (it != index.end()) take(rows[it->second], rows_of);
    }
  };
  each("SELECT item_id, measurements FROM stage_runs", [](ItemRow& row, const Statement& s) {
    row.item.measurements.merge(Measurements::from_json(s.text(1)));
  });
  each("SELECT item_id, kind, role, path, sha256, size_bytes, md5, sm3 FROM outputs",
       [](ItemRow& row, const Statement& s) { row.item.outputs.push_back(item_output_from(s, 1)); });
  each("SELECT item_id, scope, code, severity, value, threshold, message, record_ref, overridden_by FROM findings",
       [](ItemRow& row, const Statement& s) {
         Finding finding{s.text(2), severity_from_string(s.text(3)), s.text(4), s.text(5), s.text(6), s.text(0),
                         s.text(7), s.text(8)};
         if (s.text(1) == "item") {
           row.item.finding_codes.push_back(finding.code);
           if (finding.severity == Severity::reject && finding.stands()) row.item.rejected = true;
         }
         row.findings.push_back(std::move(finding));
       });
  return rows;
}

}  // namespace

std::vector<ItemRow> Ledger::items() const {
  std::lock_guard lock(mutex_);
  return load_items(db_, nullptr);
}

std::vector<ItemRow> Ledger::items(const std::string& record_ref) const {
  std::lock_guard lock(mutex_);
  return load_items(db_, &record_ref);
}

std::vector<RecordItem> Ledger::record_items(const std::string& ref) const {
  std::lock_guard lock(mutex_);
  std::vector<RecordItem> items;
  for (auto& row : load_items(db_, &ref)) items.push_back(std::move(row.item));
  return items;
}

std::vector<StoredFinding> Ledger::findings() const {
  std::lock_guard lock(mutex_);
  Statement query(db_,
                  "SELECT scope, stage, item_id, record_ref, code, severity, value, threshold, message, overridden_by "
                  "FROM findings ORDER BY CASE scope WHEN 'batch' THEN 0 WHEN 'record' THEN 1 ELSE 2 END, "
                  "record_ref, item_id, id");
  std::vector<StoredFinding> all;
  while (query.step())
    all.push_back({scope_from_string(query.text(0)), query.text(1), query.text(2), query.text(3),
                   Finding{query.text(4), severity_from_string(query.text(5)), query.text(6), query.text(7),
                           query.text(8), query.text(2), query.text(3), query.text(9)}});
  return all;
}

std::map<std::string, long long> Ledger::stage_runs_in(int run_number) const {
  std::lock_guard lock(mutex_);
  Statement query(db_, "SELECT stage, count(*) FROM stage_runs WHERE run_number = ? GROUP BY stage");
  query.bind(1, static_cast<long long>(run_number));
  std::map<std::string, long long> counts;
  while (query.step()) counts[query.text(0)] = query.integer(1);
  return counts;
}

void Ledger::replace_records(const std::vector<RecordRow>& records) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*this);
  exec("DELETE FROM records");
  Statement insert(db_,
                   "INSERT INTO records (ref, position, title, catalog_pages, items_found, in_catalog, "
                   "has_folder, deposited, reasons) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  long long position = 0;
  for (const RecordRow& row : records) {
    insert.bind(1, row.ref).bind(2, position++).bind(3, row.title);
    if (row.catalog_pages) insert.bind(4, static_cast<long long>(*row.catalog_pages));
    else insert.bind_null(4);
    insert.bind(5, static_cast<long long>(row.items_found)).bind(6, row.in_catalog ? 1LL : 0LL)
        .bind(7, row.has_folder ? 1LL : 0LL).bind(8, row.deposited ? 1LL : 0LL).bind(9, join(row.reasons)).run();
  }
  transaction.commit();
}

std::vector<RecordRow> Ledger::records() const {
  std::lock_guard lock(mutex_);
  Statement query(db_,
                  "SELECT ref, title, catalog_pages, items_found, in_catalog, has_folder, deposited, reasons "
                  "FROM records ORDER BY position");
  std::vector<RecordRow> rows;
  while (query.step()) {
    RecordRow row;
    row.ref = query.text(0);
    row.title = query.text(1);
    if (!query.is_null(2)) row.catalog_pages = static_cast<int>(query.integer(2));
    row.items_found = static_cast<int>(query.integer(3));
    row.in_catalog = query.integer(4) != 0;
    row.has_folder = query.integer(5) != 0;
    row.deposited = query.integer(6) != 0;
    row.reasons = split(query.text(7));
    rows.push_back(std::move(row));
  }
  return rows;
}

void Ledger::add_review_user(const ReviewUser& user) {
  std::lock_guard lock(mutex_);
  Statement insert(db_, "INSERT INTO review_users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)");
  insert.bind(1, user.name).bind(2, user.role).bind(3, user.password_hash).bind(4, now_utc());
  try {
    insert.run();
  } catch (const LedgerError&) {
    throw LedgerError("a review user named '" + user.name + "' already exists");
  }
}

std::vector<ReviewUser> Ledger::review_users() const {
  std::lock_guard lock(mutex_);
  Statement query(db_, "SELECT name, role, password_hash, created_at, disabled_at FROM review_users ORDER BY name");
  std::vector<ReviewUser> users;
  while (query.step()) users.push_back({query.text(0), query.text(1), query.text(2), query.text(3), query.text(4)});
  return users;
}

bool Ledger::change_review_user(const ReviewUser& user) {
  std::lock_guard lock(mutex_);
  Statement update(db_, "UPDATE review_users SET role = ?, password_hash = ?, disabled_at = ? WHERE name = ?");
  update.bind(1, user.role).bind(2, user.password_hash).bind(3, user.disabled_at).bind(4, user.name).run();
  return sqlite3_changes(db_) > 0;
}

std::optional<ReviewUser> Ledger::review_user(const std::string& name) const {
  for (ReviewUser& user : review_users())
    if (user.name == name) return std::move(user);
  return std::nullopt;
}

ReviewDecision Ledger::append_review_decision(ReviewDecision decision, const ManualValuesOf& manual_values) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*this);
  decision.at = now_utc();
  Statement insert(db_,
                   "INSERT INTO review_decisions (at, by, role, action, item_id, record_ref, code, reason, before, "
                   "after, signs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, decision.at).bind(2, decision.by).bind(3, decision.role)
      .bind(4, std::string(to_string(decision.action))).bind(5, decision.item_id).bind(6, decision.record_ref)
      .bind(7, decision.code).bind(8, decision.reason).bind(9, decision.before).bind(10, decision.after)
      .bind(11, decision.signs).run();
  decision.id = sqlite3_last_insert_rowid(db_);
  Statement value_row(db_,
                      "INSERT INTO manual_values (item_id, stage, name, value, set_by, reason, set_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  for (const ManualValue& value : manual_values ? manual_values(decision) : std::vector<ManualValue>{})
    value_row.bind(1, value.item_id).bind(2, value.stage).bind(3, value.name).bind(4, value.value)
        .bind(5, decision.by).bind(6, "review decision " + std::to_string(decision.id) + ": " + decision.reason)
        .bind(7, decision.at).run();
  transaction.commit();
  return decision;
}

std::vector<ReviewDecision> Ledger::review_decisions() const {
  std::lock_guard lock(mutex_);
  Statement query(db_,
                  "SELECT id, at, by, role, action, item_id, record_ref, code, reason, before, after, signs "
                  "FROM review_decisions ORDER BY id");
  std::vector<ReviewDecision> decisions;
  while (query.step()) {
    ReviewDecision d;
    d.id = query.integer(0);
    d.at = query.text(1);
    d.by = query.text(2);
    d.role = query.text(3);
    review_action_from_string(query.text(4), d.action);
    d.item_id = query.text(5);
    d.record_ref = query.text(6);
    d.code = query.text(7);
    d.reason = query.text(8);
    d.before = query.text(9);
    d.after = query.text(10);
    d.signs = query.integer(11);
    decisions.push_back(std::move(d));
  }
  return decisions;
}

void Ledger::record_deposit(const std::string& batch_id, const std::string& bag_path,
                            const std::string& package_digest, bool verified) {
  std::lock_guard lock(mutex_);
  Statement insert(db_,
                   "INSERT OR REPLACE INTO deposits (batch_id, bag_path, package_digest, verified, made_at) "
                   "VALUES (?, ?, ?, ?, ?)");
  insert.bind(1, batch_id).bind(2, bag_path).bind(3, package_digest).bind(4, verified ? 1LL : 0LL)
      .bind(5, now_utc()).run();
}

std::vector<std::string> Ledger::deposit_paths() const {
  std::lock_guard lock(mutex_);
  Statement query(db_, "SELECT bag_path FROM deposits ORDER BY made_at");
  std::vector<std::string> paths;
  while (query.step()) paths.push_back(query.text(0));
  return paths;
}

std::optional<DepositRow> Ledger::latest_deposit() const {
  std::lock_guard lock(mutex_);
  Statement query(db_,
                  "SELECT batch_id, bag_path, package_digest, made_at, verified FROM deposits "
                  "ORDER BY made_at DESC, rowid DESC LIMIT 1");
  if (!query.step()) return std::nullopt;
  return DepositRow{query.text(0), query.text(1), query.text(2), query.text(3), query.integer(4) != 0};
}

void Ledger::set_batch_value(const std::string& key, const std::string& value) {
  std::lock_guard lock(mutex_);
  Statement insert(db_, "INSERT OR REPLACE INTO batch (key, value) VALUES (?, ?)");
  insert.bind(1, key).bind(2, value).run();
}

std::optional<std::string> Ledger::batch_value(const std::string& key) const {
  std::lock_guard lock(mutex_);
  Statement query(db_, "SELECT value FROM batch WHERE key = ?");
  query.bind(1, key);
  if (!query.step()) return std::nullopt;
  return query.text(0);
}

int Ledger::add_sample(const StoredSample& sample) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*this);
  Statement insert(db_,
                   "INSERT INTO samples (seed, rate_bp, record_unit, population, population_sha256, drawn_by, "
                   "drawn_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, std::to_string(sample.seed)).bind(2, static_cast<long long>(sample.rate_bp))
      .bind(3, sample.record_unit).bind(4, static_cast<long long>(sample.population))
      .bind(5, sample.population_sha256).bind(6, sample.drawn_by)
      .bind(7, sample.drawn_at.empty() ? now_utc() : sample.drawn_at).run();
  const auto number = static_cast<int>(sqlite3_last_insert_rowid(db_));
  Statement record(db_, "INSERT INTO sample_records (sample, position, record_ref) VALUES (?, ?, ?)");
  long long position = 0;
  for (const std::string& ref : sample.refs)
    record.bind(1, static_cast<long long>(number)).bind(2, position++).bind(3, ref).run();
  transaction.commit();
  return number;
}

std::vector<StoredSample> Ledger::samples() const {
  std::lock_guard lock(mutex_);
  Statement query(db_,
                  "SELECT number, seed, rate_bp, record_unit, population, population_sha256, drawn_by, drawn_at "
                  "FROM samples ORDER BY number");
  std::vector<StoredSample> samples;
  std::map<int, std::size_t> index;
  while (query.step()) {
    StoredSample sample;
    sample.number = static_cast<int>(query.integer(0));
    sample.seed = std::stoull(query.text(1));
    sample.rate_bp = static_cast<int>(query.integer(2));
    sample.record_unit = query.text(3);
    sample.population = static_cast<int>(query.integer(4));
    sample.population_sha256 = query.text(5);
    sample.drawn_by = query.text(6);
    sample.drawn_at = query.text(7);
    index[sample.number] = samples.size();
    samples.push_back(std::move(sample));
  }
  Statement records(db_, "SELECT sample, record_ref FROM sample_records ORDER BY sample, position");
  while (records.step())
    if (auto it = index.find(static_cast<int>(records.integer(0))); it != index.end())
      samples[it->second].refs.push_back(records.text(1));
  return samples;
}

long long Ledger::add_sample_check(const SampleCheck& check) {
  std::lock_guard lock(mutex_);
  Statement insert(db_,
                   "INSERT INTO sample_checks (sample, record_ref, item, passed, note, checked_by, checked_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, static_cast<long long>(check.sample)).bind(2, check.record_ref).bind(3, check.item)
      .bind(4, check.passed ? 1LL : 0LL).bind(5, check.note).bind(6, check.checked_by)
      .bind(7, check.checked_at.empty() ? now_utc() : check.checked_at).run();
  return sqlite3_last_insert_rowid(db_);
}

std::vector<SampleCheck> Ledger::sample_checks(int sample) const {
  std::lock_guard lock(mutex_);
  Statement query(db_,
                  "SELECT id, sample, record_ref, item, passed, note, checked_by, checked_at FROM sample_checks "
                  "WHERE sample = ? ORDER BY id");
  query.bind(1, static_cast<long long>(sample));
  std::vector<SampleCheck> checks;
  while (query.step())
    checks.push_back({query.integer(0), static_cast<int>(query.integer(1)), query.text(2), query.text(3),
                      query.integer(4) != 0, query.text(5), query.text(6), query.text(7)});
  return checks;
}

long long Ledger::add_sample_sign_off(const SampleSignOff& sign_off) {
  std::lock_guard lock(mutex_);
  Statement insert(db_,
                   "INSERT INTO sample_sign_offs (sample, verdict, last_check_id, signed_by, note, signed_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)");
  insert.bind(1, static_cast<long long>(sign_off.sample)).bind(2, sign_off.verdict).bind(3, sign_off.last_check_id)
      .bind(4, sign_off.signed_by).bind(5, sign_off.note)
      .bind(6, sign_off.signed_at.empty() ? now_utc() : sign_off.signed_at).run();
  return sqlite3_last_insert_rowid(db_);
}

std::vector<SampleSignOff> Ledger::sample_sign_offs(int sample) const {
  std::lock_guard lock(mutex_);
  Statement query(db_,
                  "SELECT id, sample, verdict, last_check_id, signed_by, note, signed_at FROM sample_sign_offs "
                  "WHERE sample = ? ORDER BY id");
  query.bind(1, static_cast<long long>(sample));
  std::vector<SampleSignOff> sign_offs;
  while (query.step())
    sign_offs.push_back({query.integer(0), static_cast<int>(query.integer(1)), query.text(2), query.integer(3),
                         query.text(4), query.text(5), query.text(6)});
  return sign_offs;
}

void Ledger::replace_acceptance_reports(int sample, const std::vector<StageOutput>& reports) {
  std::lock_guard lock(mutex_);
  Transaction transaction(*this);
  Statement clear(db_, "DELETE FROM acceptance_reports WHERE sample = ?");
  clear.bind(1, static_cast<long long>(sample)).run();
  Statement insert(db_,
                   "INSERT INTO acceptance_reports (sample, kind, path, sha256, size_bytes) VALUES (?, ?, ?, ?, ?)");
  for (const StageOutput& report : reports)
    insert.bind(1, static_cast<long long>(sample)).bind(2, report.kind).bind(3, report.path).bind(4, report.sha256)
        .bind(5, static_cast<long long>(report.size_bytes)).run();
  transaction.commit();
}

std::vector<AcceptanceReportFile> Ledger::acceptance_reports() const {
  std::lock_guard lock(mutex_);
  Statement query(db_, "SELECT sample, kind, path, sha256, size_bytes FROM acceptance_reports ORDER BY sample, kind");
  std::vector<AcceptanceReportFile> reports;
  while (query.step())
    reports.push_back({static_cast<int>(query.integer(0)),
                       {query.text(1), query.text(2), query.text(3), static_cast<std::uint64_t>(query.integer(4)),
                        OutputRole::work}});
  return reports;
}

}  // namespace lantai
