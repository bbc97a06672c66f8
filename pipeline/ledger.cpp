#include "pipeline/ledger.h"

#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "pipeline/format.h"

namespace lantai {

namespace {

constexpr const char* kSchema = R"sql(
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA busy_timeout = 10000;
CREATE TABLE IF NOT EXISTS batch (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pages (
  id TEXT PRIMARY KEY, rel_path TEXT NOT NULL, frame INTEGER NOT NULL,
  record_ref TEXT NOT NULL, seq INTEGER NOT NULL, facts TEXT NOT NULL, done_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outputs (
  page_id TEXT NOT NULL, stage TEXT NOT NULL, kind TEXT NOT NULL, path TEXT NOT NULL,
  sha256 TEXT NOT NULL, size_bytes INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS outputs_page ON outputs (page_id);
CREATE TABLE IF NOT EXISTS findings (
  id INTEGER PRIMARY KEY, scope TEXT NOT NULL, stage TEXT NOT NULL, item_id TEXT NOT NULL,
  record_ref TEXT NOT NULL, code TEXT NOT NULL, severity TEXT NOT NULL, value TEXT NOT NULL,
  threshold TEXT NOT NULL, message TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS findings_item ON findings (item_id);
CREATE INDEX IF NOT EXISTS findings_record ON findings (record_ref, stage);
CREATE INDEX IF NOT EXISTS pages_record ON pages (record_ref);
CREATE TABLE IF NOT EXISTS records (
  ref TEXT PRIMARY KEY, position INTEGER NOT NULL, title TEXT NOT NULL, catalog_pages INTEGER,
  pages_found INTEGER NOT NULL, in_catalog INTEGER NOT NULL, has_folder INTEGER NOT NULL,
  deposited INTEGER NOT NULL, reasons TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deposits (
  batch_id TEXT PRIMARY KEY, bag_path TEXT NOT NULL, package_digest TEXT NOT NULL,
  verified INTEGER NOT NULL, made_at TEXT NOT NULL);
)sql";

std::string now_utc() { return now_text("%Y-%m-%dT%H:%M:%SZ", TimeZone::utc); }

// A prepared statement that finalizes itself; bind() and text() are 1- and 0-based as SQLite's.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
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

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

nlohmann::json facts_to_json(const PageFacts& facts) {
  nlohmann::json json = {{"width_px", facts.width_px},
                         {"height_px", facts.height_px},
                         {"colour_mode", std::string(to_string(facts.colour_mode))},
                         {"skew_confidence", facts.skew_confidence},
                         {"fingerprint", facts.fingerprint}};
  if (facts.resolution_dpi) json["resolution_dpi"] = *facts.resolution_dpi;
  if (facts.skew_deg) json["skew_deg"] = *facts.skew_deg;
  if (facts.ink_ratio) json["ink_ratio"] = *facts.ink_ratio;
  if (facts.ocr_chars) json["ocr_chars"] = *facts.ocr_chars;
  if (facts.ocr_confidence) json["ocr_confidence"] = *facts.ocr_confidence;
  return json;
}

PageFacts facts_from_json(const std::string& text) {
  nlohmann::json json = nlohmann::json::parse(text);
  PageFacts facts;
  facts.width_px = json.value("width_px", 0);
  facts.height_px = json.value("height_px", 0);
  std::string mode = json.value("colour_mode", "unknown");
  for (ColourMode m : {ColourMode::bilevel, ColourMode::grey, ColourMode::colour})
    if (to_string(m) == mode) facts.colour_mode = m;
  facts.skew_confidence = json.value("skew_confidence", 0.0);
  facts.fingerprint = json.value("fingerprint", "");
  if (json.contains("resolution_dpi")) facts.resolution_dpi = json["resolution_dpi"].get<double>();
  if (json.contains("skew_deg")) facts.skew_deg = json["skew_deg"].get<double>();
  if (json.contains("ink_ratio")) facts.ink_ratio = json["ink_ratio"].get<double>();
  if (json.contains("ocr_chars")) facts.ocr_chars = json["ocr_chars"].get<int>();
  if (json.contains("ocr_confidence")) facts.ocr_confidence = json["ocr_confidence"].get<double>();
  return facts;
}

FindingScope scope_from_string(const std::string& text) {
  if (text == "record") return FindingScope::record;
  if (text == "batch") return FindingScope::batch;
  return FindingScope::item;
}

}  // namespace

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
  ledger->exec(kSchema);
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
  return BatchIdentity{values["batch_id"],       values["fonds_code"],     values["unit_name"],
                       values["input_root"],     values["catalog_file"],   values["catalog_sha256"],
                       values["profile_name"],   values["profile_sha256"]};
}

void Ledger::set_identity(const BatchIdentity& identity) {
  std::lock_guard lock(mutex_);
  exec("BEGIN IMMEDIATE");
  Statement insert(db_, "INSERT OR REPLACE INTO batch (key, value) VALUES (?, ?)");
  for (const auto& [key, value] : std::vector<std::pair<const char*, const std::string*>>{
           {"batch_id", &identity.batch_id},         {"fonds_code", &identity.fonds_code},
           {"unit_name", &identity.unit_name},       {"input_root", &identity.input_root},
           {"catalog_file", &identity.catalog_file}, {"catalog_sha256", &identity.catalog_sha256},
           {"profile_name", &identity.profile_name}, {"profile_sha256", &identity.profile_sha256}})
    insert.bind(1, std::string(key)).bind(2, *value).run();
  exec("COMMIT");
}

std::set<std::string> Ledger::done_page_ids() const {
  std::lock_guard lock(mutex_);
  Statement query(db_, "SELECT id FROM pages");
  std::set<std::string> ids;
  while (query.step()) ids.insert(query.text(0));
  return ids;
}

void Ledger::forget_page(const std::string& page_id) {
  std::lock_guard lock(mutex_);
  exec("BEGIN IMMEDIATE");
  try {
    for (const char* sql : {"DELETE FROM pages WHERE id = ?", "DELETE FROM outputs WHERE page_id = ?",
                            "DELETE FROM findings WHERE item_id = ? AND scope = 'item'"}) {
      Statement statement(db_, sql);
      statement.bind(1, page_id).run();
    }
    exec("COMMIT");
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
}

void Ledger::insert_finding(const StoredFinding& stored) const {
  Statement insert(db_,
                   "INSERT INTO findings (scope, stage, item_id, record_ref, code, severity, value, "
                   "threshold, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const Finding& f = stored.finding;
  insert.bind(1, std::string(to_string(stored.scope)))
      .bind(2, stored.stage)
      .bind(3, stored.item_id.empty() ? f.item_id : stored.item_id)
      .bind(4, stored.record_ref)
      .bind(5, f.code)
      .bind(6, std::string(to_string(f.severity)))
      .bind(7, f.value)
      .bind(8, f.threshold)
      .bind(9, f.message)
      .run();
}

void Ledger::record_page(const Page& page, const std::vector<std::pair<std::string, Outcome>>& outcomes) {
  std::lock_guard lock(mutex_);
  exec("BEGIN IMMEDIATE");
  try {
    // A page redone after a crash had no row; clear strays all the same so a page is stored once.
    Statement clear_outputs(db_, "DELETE FROM outputs WHERE page_id = ?");
    clear_outputs.bind(1, page.id).run();
    Statement clear_findings(db_, "DELETE FROM findings WHERE item_id = ? AND scope = 'item'");
    clear_findings.bind(1, page.id).run();
    Statement insert(db_,
                     "INSERT OR REPLACE INTO pages (id, rel_path, frame, record_ref, seq, facts, done_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, page.id)
        .bind(2, page.rel_path)
        .bind(3, page.frame)
        .bind(4, page.record_ref)
        .bind(5, page.seq)
        .bind(6, facts_to_json(page.facts).dump())
        .bind(7, now_utc())
        .run();
    Statement output(db_,
                     "INSERT INTO outputs (page_id, stage, kind, path, sha256, size_bytes) VALUES (?, ?, ?, ?, ?, ?)");
    for (const auto& [stage, outcome] : outcomes) {
      for (const auto& out : outcome.outputs)
        output.bind(1, page.id).bind(2, stage).bind(3, out.kind).bind(4, out.path).bind(5, out.sha256)
            .bind(6, static_cast<long long>(out.size_bytes)).run();
      for (const auto& finding : outcome.findings)
        insert_finding({FindingScope::item, stage, page.id, page.record_ref, finding});
    }
    exec("COMMIT");
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
}

void Ledger::replace_record_findings(const std::string& record_ref, const std::vector<std::string>& stages,
                                     const std::vector<StoredFinding>& findings) {
  std::lock_guard lock(mutex_);
  exec("BEGIN IMMEDIATE");
  try {
    Statement clear(db_, "DELETE FROM findings WHERE record_ref = ? AND stage = ? AND scope != 'item'");
    for (const auto& stage : stages) clear.bind(1, record_ref).bind(2, stage).run();
    for (const auto& finding : findings) insert_finding(finding);
    exec("COMMIT");
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
}

void Ledger::replace_batch_findings(const std::string& stage, const std::vector<StoredFinding>& findings) {
  std::lock_guard lock(mutex_);
  exec("BEGIN IMMEDIATE");
  try {
    Statement clear(db_, "DELETE FROM findings WHERE stage = ? AND scope != 'item'");
    clear.bind(1, stage).run();
    for (const auto& finding : findings) insert_finding(finding);
    exec("COMMIT");
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
}

namespace {

// Loads pages matching an optional record filter, with outputs and findings.
std::vector<PageRow> load_pages(sqlite3* db, const std::string* record_ref) {
  std::string sql = "SELECT id, rel_path, frame, record_ref, seq, facts FROM pages";
  if (record_ref) sql += " WHERE record_ref = ?";
  sql += " ORDER BY record_ref, seq";
  Statement query(db, sql.c_str());
  if (record_ref) query.bind(1, *record_ref);
  std::vector<PageRow> rows;
  std::map<std::string, size_t> index;
  while (query.step()) {
    PageRow row;
    row.page.item_id = query.text(0);
    row.page.rel_path = query.text(1);
    row.page.frame = static_cast<int>(query.integer(2));
    row.record_ref = query.text(3);
    row.page.seq = static_cast<int>(query.integer(4));
    row.page.facts = facts_from_json(query.text(5));
    index[row.page.item_id] = rows.size();
    rows.push_back(std::move(row));
  }
  // With a record filter, read only that record's rows: record stages call this once per
  // record, and a whole-table read each time would grow with the square of the batch.
  const std::string of_record = record_ref ? " IN (SELECT id FROM pages WHERE record_ref = ?)" : " != ''";
  Statement outputs(db, ("SELECT page_id, kind, path, sha256, size_bytes FROM outputs WHERE page_id" + of_record +
                         " ORDER BY rowid").c_str());
  if (record_ref) outputs.bind(1, *record_ref);
  while (outputs.step()) {
    auto it = index.find(outputs.text(0));
    if (it == index.end()) continue;
    rows[it->second].page.outputs.push_back(
        {outputs.text(1), outputs.text(2), outputs.text(3), static_cast<std::uint64_t>(outputs.integer(4))});
  }
  Statement findings(db, ("SELECT item_id, scope, code, severity, value, threshold, message FROM findings "
                          "WHERE item_id" + of_record + " ORDER BY id").c_str());
  if (record_ref) findings.bind(1, *record_ref);
  while (findings.step()) {
    auto it = index.find(findings.text(0));
    if (it == index.end()) continue;
    PageRow& row = rows[it->second];
    Finding finding{findings.text(2), severity_from_string(findings.text(3)), findings.text(4),
                    findings.text(5), findings.text(6), findings.text(0)};
    if (findings.text(1) == "item") {
      row.page.finding_codes.push_back(finding.code);
      if (finding.severity == Severity::reject) row.page.rejected = true;
    }
    row.findings.push_back(std::move(finding));
  }
  return rows;
}

}  // namespace

std::vector<PageRow> Ledger::pages() const {
  std::lock_guard lock(mutex_);
  return load_pages(db_, nullptr);
}

std::vector<RecordPage> Ledger::record_pages(const std::string& ref) const {
  std::lock_guard lock(mutex_);
  std::vector<RecordPage> pages;
  for (auto& row : load_pages(db_, &ref)) pages.push_back(std::move(row.page));
  return pages;
}

std::vector<StoredFinding> Ledger::findings() const {
  std::lock_guard lock(mutex_);
  Statement query(db_,
                  "SELECT scope, stage, item_id, record_ref, code, severity, value, threshold, message "
                  "FROM findings ORDER BY CASE scope WHEN 'batch' THEN 0 WHEN 'record' THEN 1 ELSE 2 END, "
                  "record_ref, item_id, id");
  std::vector<StoredFinding> all;
  while (query.step())
    all.push_back({scope_from_string(query.text(0)), query.text(1), query.text(2), query.text(3),
                   Finding{query.text(4), severity_from_string(query.text(5)), query.text(6), query.text(7),
                           query.text(8), query.text(2)}});
  return all;
}

void Ledger::replace_records(const std::vector<RecordRow>& records) {
  std::lock_guard lock(mutex_);
  exec("BEGIN IMMEDIATE");
  try {
    exec("DELETE FROM records");
    Statement insert(db_,
                     "INSERT INTO records (ref, position, title, catalog_pages, pages_found, in_catalog, "
                     "has_folder, deposited, reasons) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    long long position = 0;
    for (const RecordRow& row : records) {
      std::string reasons;
      for (const auto& code : row.reasons) reasons += (reasons.empty() ? "" : ";") + code;
      insert.bind(1, row.ref).bind(2, position++).bind(3, row.title);
      if (row.catalog_pages) insert.bind(4, static_cast<long long>(*row.catalog_pages));
      else insert.bind_null(4);
      insert.bind(5, static_cast<long long>(row.pages_found)).bind(6, row.in_catalog ? 1LL : 0LL)
          .bind(7, row.has_folder ? 1LL : 0LL).bind(8, row.deposited ? 1LL : 0LL).bind(9, reasons).run();
    }
    exec("COMMIT");
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
}

std::vector<RecordRow> Ledger::records() const {
  std::lock_guard lock(mutex_);
  Statement query(db_,
                  "SELECT ref, title, catalog_pages, pages_found, in_catalog, has_folder, deposited, reasons "
                  "FROM records ORDER BY position");
  std::vector<RecordRow> rows;
  while (query.step()) {
    RecordRow row;
    row.ref = query.text(0);
    row.title = query.text(1);
    if (!query.is_null(2)) row.catalog_pages = static_cast<int>(query.integer(2));
    row.pages_found = static_cast<int>(query.integer(3));
    row.in_catalog = query.integer(4) != 0;
    row.has_folder = query.integer(5) != 0;
    row.deposited = query.integer(6) != 0;
    std::string reasons = query.text(7);
    for (size_t start = 0; start < reasons.size();) {
      size_t end = reasons.find(';', start);
      if (end == std::string::npos) end = reasons.size();
      row.reasons.push_back(reasons.substr(start, end - start));
      start = end + 1;
    }
    rows.push_back(std::move(row));
  }
  return rows;
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

}  // namespace lantai
