// The ledger keeps each item's stage runs once, with their dependency keys, measurements,
// outputs and findings, across reopenings; Manual values keep their whole history.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <filesystem>

#include "pipeline/runtime/ledger.h"

namespace lantai {
namespace {

constexpr FindingCode kBlank{"qc.blank", Severity::reject, "blank"};
constexpr FindingCode kNote{"test.note", Severity::info, "a note"};
constexpr FindingCode kDuplicate{"qc.duplicate", Severity::reject, "dup"};
constexpr FindingCode kMissingPage{"link.missing_page", Severity::reject, "short"};

std::filesystem::path fresh_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("lantai-ledger-" + name);
  std::filesystem::remove_all(dir);
  return dir;
}

StageRun run_of(const std::string& stage, int position, const std::string& key, bool rejected = false) {
  StageRun run;
  run.stage = stage;
  run.position = position;
  run.version = "1";
  run.settings_digest = "s-" + stage;
  run.dependency_key = key;
  run.rejected = rejected;
  run.run_number = 1;
  return run;
}

ItemResult item_result(const std::string& rel_path, int seq, int start = 0) {
  ItemResult result;
  result.ref = {rel_path, 0, rel_path.substr(0, rel_path.find('/')), seq, ItemKind::page};
  result.item_id = Item::make_id(rel_path, 0);
  result.source = {1234, 99};
  result.start_position = start;
  return result;
}

//! A recorded item survives reopening with its stage runs, keys, measurements, outputs and findings.
TEST(Ledger, RecordsItemsDurably) {
  auto dir = fresh_dir("items");
  {
    auto ledger = Ledger::open(dir);
    ItemResult first = item_result("A/0001.jpg", 1);
    first.runs.push_back(run_of("decode", 0, "k0"));
    first.runs.back().measurements.set("width_px", 2480.0);
    first.runs.push_back(run_of("quality", 1, "k1", true));
    first.runs.back().outputs.push_back({"derivative", "derivatives/A/0001.jpg", "ff", 12, OutputRole::entity});
    first.findings.push_back({"quality", {kBlank("A/0001.jpg: blank")}});
    ledger->record_item(first);
    ItemResult second = item_result("A/0002.jpg", 2);
    second.runs.push_back(run_of("decode", 0, "k0b"));
    ledger->record_item(second);
  }
  auto ledger = Ledger::open(dir);
  auto stored = ledger->stored_items();
  ASSERT_EQ(stored.size(), 2u);
  const StoredItem& first = stored.at("A/0001.jpg#0");
  EXPECT_EQ(first.source, (SourceState{1234, 99}));
  EXPECT_EQ(first.runs.at("decode").dependency_key, "k0");
  EXPECT_EQ(first.runs.at("decode").version, "1");
  EXPECT_EQ(first.runs.at("decode").settings_digest, "s-decode");
  EXPECT_TRUE(first.runs.at("quality").rejected);
  ASSERT_EQ(first.runs.at("quality").outputs.size(), 1u);
  EXPECT_EQ(first.runs.at("quality").outputs[0].role, OutputRole::entity);

  auto items = ledger->record_items("A");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_TRUE(items[0].rejected);
  EXPECT_FALSE(items[1].rejected);
  EXPECT_EQ(items[0].finding_codes, std::vector<std::string>{"qc.blank"});
  EXPECT_EQ(items[0].measurements.number("width_px"), 2480.0);
}

//! Recording from a later stage on replaces those stages' runs, outputs and findings and keeps the earlier ones.
TEST(Ledger, RecordingFromAStageReplacesOnlyFromThere) {
  auto ledger = Ledger::open(fresh_dir("again"));
  ItemResult whole = item_result("A/0001.jpg", 1);
  whole.runs = {run_of("decode", 0, "k0"), run_of("ocr", 1, "k1")};
  whole.runs[1].outputs.push_back({"ocr_text", "ocr/A/0001.txt", "aa", 3, OutputRole::extra});
  whole.findings = {{"decode", {kNote("decoded")}}, {"ocr", {kNote("read")}}};
  ledger->record_item(whole);

  ItemResult redo = item_result("A/0001.jpg", 1, 1);
  redo.runs = {run_of("ocr", 1, "k1-new")};
  redo.runs[0].outputs.push_back({"ocr_text", "ocr/A/0001.txt", "bb", 4, OutputRole::extra});
  redo.findings = {{"ocr", {kNote("read again")}}};
  ledger->record_item(redo);

  auto stored = ledger->stored_items().at("A/0001.jpg#0");
  EXPECT_EQ(stored.runs.at("decode").dependency_key, "k0");
  EXPECT_EQ(stored.runs.at("ocr").dependency_key, "k1-new");
  ASSERT_EQ(stored.runs.at("ocr").outputs.size(), 1u);
  EXPECT_EQ(stored.runs.at("ocr").outputs[0].sha256, "bb");
  auto rows = ledger->items();
  ASSERT_EQ(rows.size(), 1u);
  std::vector<std::string> messages;
  for (const Finding& finding : rows[0].findings) messages.push_back(finding.message);
  EXPECT_EQ(messages, (std::vector<std::string>{"decoded", "read again"}));
}

//! Items no longer in the lot are dropped with everything recorded of them.
TEST(Ledger, RemovesItemsGoneFromTheLot) {
  auto ledger = Ledger::open(fresh_dir("gone"));
  for (const char* path : {"A/0001.jpg", "A/0002.jpg"}) {
    ItemResult result = item_result(path, 1);
    result.runs = {run_of("decode", 0, "k")};
    result.findings = {{"decode", {kNote("x")}}};
    ledger->record_item(result);
  }
  ledger->remove_items_except({"A/0002.jpg#0"});
  ASSERT_EQ(ledger->items().size(), 1u);
  EXPECT_EQ(ledger->items()[0].item.item_id, "A/0002.jpg#0");
  EXPECT_EQ(ledger->findings().size(), 1u);
}

//! The latest Manual value counts, an empty one sets the value back to Auto, and the whole history stays.
TEST(Ledger, ManualValuesKeepTheirHistory) {
  auto ledger = Ledger::open(fresh_dir("manual"));
  ledger->set_manual_value({"A/0001.jpg#0", "deskew", "skew_deg", "1.5", "li", "tilted", ""});
  ledger->set_manual_value({"A/0001.jpg#0", "deskew", "skew_deg", "2.0", "wang", "re-measured", ""});
  ledger->set_manual_value({"A/0002.jpg#0", "deskew", "skew_deg", "0.5", "li", "", ""});
  ledger->set_manual_value({"A/0002.jpg#0", "deskew", "skew_deg", "", "li", "back to auto", ""});
  auto values = ledger->manual_values();
  ASSERT_EQ(values.size(), 1u);
  EXPECT_EQ(values.at("A/0001.jpg#0").at("deskew.skew_deg"), "2.0");
  auto history = ledger->manual_history();
  ASSERT_EQ(history.size(), 4u);
  EXPECT_EQ(history[0].set_by, "li");
  EXPECT_EQ(history[1].reason, "re-measured");
  EXPECT_FALSE(history[1].set_at.empty());
}

//! Record findings are replaced per record and stage; one about an item joins that item's findings.
TEST(Ledger, ReplacesRecordFindings) {
  auto ledger = Ledger::open(fresh_dir("records"));
  ledger->record_item(item_result("A/0001.jpg", 1));
  Finding duplicate = kDuplicate("dup");
  duplicate.item_id = "A/0001.jpg#0";
  StoredFinding on_item{FindingScope::record, "duplicates", "A/0001.jpg#0", "A", duplicate};
  StoredFinding on_record{FindingScope::record, "link", "", "A", kMissingPage("short")};
  ledger->replace_record_findings("A", {"link", "duplicates"}, {on_item, on_record});
  ledger->replace_record_findings("A", {"link", "duplicates"}, {on_item, on_record});
  EXPECT_EQ(ledger->findings().size(), 2u);
  auto rows = ledger->items();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(any_reject(rows[0].findings));
  EXPECT_FALSE(rows[0].item.rejected);  // item stages found nothing wrong
  ledger->replace_record_findings("A", {"link", "duplicates"}, {});
  EXPECT_TRUE(ledger->findings().empty());
}

//! A record stage's outputs are stored per record and replaced with its findings; other records keep theirs.
TEST(Ledger, ReplacesRecordOutputs) {
  auto ledger = Ledger::open(fresh_dir("record-outputs"));
  const StageOutput pdf{"searchable_pdf", "pdf/A.pdf", std::string(64, 'a'), 1234, OutputRole::extra};
  ledger->replace_record_findings("A", {"link", "searchable_pdf"}, {}, {{"searchable_pdf", pdf}});
  ledger->replace_record_findings("B", {"link", "searchable_pdf"}, {}, {{"searchable_pdf", {"searchable_pdf", "pdf/B.pdf", std::string(64, 'b'), 5, OutputRole::extra}}});
  ledger->replace_record_findings("A", {"link", "searchable_pdf"}, {}, {{"searchable_pdf", pdf}});
  auto outputs = ledger->record_outputs("A");
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(outputs[0].kind, "searchable_pdf");
  EXPECT_EQ(outputs[0].path, "pdf/A.pdf");
  EXPECT_EQ(outputs[0].sha256, std::string(64, 'a'));
  EXPECT_EQ(outputs[0].size_bytes, 1234u);
  EXPECT_EQ(outputs[0].role, OutputRole::extra);
  ledger->replace_record_findings("A", {"link", "searchable_pdf"}, {});
  EXPECT_TRUE(ledger->record_outputs("A").empty());
  EXPECT_EQ(ledger->record_outputs("B").size(), 1u);
}

//! The identity is stored once and read back; runs are numbered.
TEST(Ledger, StoresIdentityAndCountsRuns) {
  auto dir = fresh_dir("identity");
  Ledger::open(dir)->set_identity({"J012-1", "J012", "单位", "", "p", "sha"});
  auto ledger = Ledger::open(dir);
  auto identity = ledger->identity();
  ASSERT_TRUE(identity);
  EXPECT_EQ(identity->batch_id, "J012-1");
  EXPECT_EQ(identity->unit_name, "单位");
  EXPECT_EQ(ledger->last_run(), 0);
  EXPECT_EQ(ledger->begin_run(), 1);
  EXPECT_EQ(ledger->begin_run(), 2);
  EXPECT_EQ(ledger->last_run(), 2);
}

//! A ledger of another schema version is refused with a message naming the file, never misread.
TEST(Ledger, RefusesAnotherSchema) {
  auto dir = fresh_dir("schema");
  std::filesystem::create_directories(dir);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "ledger.sqlite").c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "CREATE TABLE pages (id TEXT)", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  try {
    Ledger::open(dir);
    FAIL() << "an old ledger was opened";
  } catch (const LedgerError& error) {
    EXPECT_NE(std::string(error.what()).find("ledger.sqlite"), std::string::npos) << error.what();
  }
}

//! A ledger of schema 4 (review accounts that could not be disabled) keeps its accounts, which can then be disabled, given a new role or password.
TEST(Ledger, UpgradesReviewAccountsAndChangesThem) {
  auto dir = fresh_dir("accounts");
  Ledger::open(dir)->add_review_user({"li", "inspector", "scrypt$old", ""});
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "ledger.sqlite").c_str(), &db), SQLITE_OK);
  for (const char* sql : {"ALTER TABLE review_users DROP COLUMN disabled_at", "PRAGMA user_version = 4"})
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sql;
  sqlite3_close(db);
  auto ledger = Ledger::open(dir);
  auto user = ledger->review_user("li");
  ASSERT_TRUE(user);
  EXPECT_EQ(user->disabled_at, "");
  user->role = "supervisor";
  user->password_hash = "scrypt$new";
  user->disabled_at = "2026-11-30T10:00:00Z";
  EXPECT_TRUE(ledger->change_review_user(*user));
  const auto changed = ledger->review_user("li");
  EXPECT_EQ(changed->role, "supervisor");
  EXPECT_EQ(changed->password_hash, "scrypt$new");
  EXPECT_EQ(changed->disabled_at, "2026-11-30T10:00:00Z");
  EXPECT_EQ(changed->created_at, user->created_at);
  EXPECT_FALSE(ledger->change_review_user({"nobody", "inspector", "x", "", ""}));
  EXPECT_EQ(ledger->review_users().size(), 1u);
}

//! A ledger of schema 2 (before acceptance sampling and review) opens, keeps its rows and gains the new tables; one of a newer schema is refused.
TEST(Ledger, UpgradesAnOlderSchemaAndRefusesANewerOne) {
  auto dir = fresh_dir("upgrade");
  {
    auto ledger = Ledger::open(dir);
    ledger->set_identity({"J012-abc", "J012", "示例市档案馆", "", "p", "s"});
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "ledger.sqlite").c_str(), &db), SQLITE_OK);
  for (const char* sql : {"DROP TABLE samples", "DROP TABLE sample_records", "DROP TABLE sample_checks",
                          "DROP TABLE sample_sign_offs", "DROP TABLE acceptance_reports", "DROP TABLE review_users",
                          "DROP TABLE review_decisions", "DROP TRIGGER manual_values_kept",
                          "ALTER TABLE findings DROP COLUMN overridden_by", "PRAGMA user_version = 2"})
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sql;
  sqlite3_close(db);
  {
    auto ledger = Ledger::open(dir);
    EXPECT_EQ(ledger->identity()->batch_id, "J012-abc");
    StoredSample sample;
    sample.seed = 7;
    sample.rate_bp = 500;
    sample.refs = {"J012-WS·2021-Y-BGS-0001"};
    EXPECT_EQ(ledger->add_sample(sample), 1);
    EXPECT_EQ(ledger->samples().at(0).refs, sample.refs);
  }
  ASSERT_EQ(sqlite3_open((dir / "ledger.sqlite").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  EXPECT_THROW(Ledger::open(dir), LedgerError);
}

//! Review decisions are appended with their Manual values in one go, read back in order, and the
//! ledger refuses to change or delete one; an overridden finding is stored as found, with who overrode it.
TEST(Ledger, ReviewDecisionsAreAppendOnly) {
  auto dir = fresh_dir("review");
  {
    auto ledger = Ledger::open(dir);
    ledger->add_review_user({"wang", "supervisor", "scrypt$x", ""});
    EXPECT_THROW(ledger->add_review_user({"wang", "inspector", "scrypt$y", ""}), LedgerError);
    ASSERT_TRUE(ledger->review_user("wang"));
    EXPECT_EQ(ledger->review_user("wang")->role, "supervisor");
    EXPECT_FALSE(ledger->review_user("li"));

    ReviewDecision accept;
    accept.by = "wang";
    accept.role = "supervisor";
    accept.action = ReviewAction::accept;
    accept.item_id = "R1/0002.png#0";
    accept.record_ref = "R1";
    accept.code = "qc.blank";
    accept.reason = "blank back of a leaf";
    accept.before = R"({"severity":"reject"})";
    accept.after = R"({"overridden":true})";
    const ReviewDecision made = ledger->append_review_decision(accept, [](const ReviewDecision& d) {
      return std::vector<ManualValue>{{"R1/0002.png#0", "quality", "accept.qc.blank", "decision " + std::to_string(d.id)}};
    });
    EXPECT_EQ(made.id, 1);
    EXPECT_FALSE(made.at.empty());
    ReviewDecision rotate = accept;
    rotate.action = ReviewAction::rotate;
    rotate.code.clear();
    EXPECT_EQ(ledger->append_review_decision(rotate).id, 2);

    const auto trail = ledger->review_decisions();
    ASSERT_EQ(trail.size(), 2u);
    EXPECT_EQ(trail[0].action, ReviewAction::accept);
    EXPECT_EQ(trail[0].reason, "blank back of a leaf");
    EXPECT_EQ(trail[1].action, ReviewAction::rotate);
    EXPECT_EQ(ledger->manual_values().at("R1/0002.png#0").at("quality.accept.qc.blank"), "decision 1");
    EXPECT_EQ(ledger->manual_history().front().set_by, "wang");

    Finding overridden = kBlank("blank", "0.0001", "0.002");
    overridden.overridden_by = "review decision 1 (wang): blank back of a leaf";
    ItemResult result = item_result("R1/0002.png", 2);
    result.runs.push_back(run_of("quality", 0, "k"));
    result.findings.push_back({"quality", {overridden}});
    ledger->record_item(result);
    const auto rows = ledger->items();
    ASSERT_EQ(rows.size(), 1u);
    ASSERT_EQ(rows[0].findings.size(), 1u);
    EXPECT_EQ(rows[0].findings[0].severity, Severity::reject);
    EXPECT_EQ(rows[0].findings[0].overridden_by, overridden.overridden_by);
    EXPECT_FALSE(rows[0].item.rejected);
    EXPECT_FALSE(any_reject(rows[0].findings));
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "ledger.sqlite").c_str(), &db), SQLITE_OK);
  for (const char* sql : {"UPDATE review_decisions SET reason = 'changed'", "DELETE FROM review_decisions",
                          "UPDATE manual_values SET value = '0'"})
    EXPECT_NE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sql;
  sqlite3_close(db);
  EXPECT_EQ(Ledger::open(dir)->review_decisions().size(), 2u);
}

//! A ledger of schema 3 (before recordings' digests) is upgraded in place: its outputs table gains md5 and sm3, empty for the outputs it held.
TEST(Ledger, UpgradesSchemaThreeInPlace) {
  auto dir = fresh_dir("upgrade-outputs");
  { Ledger::open(dir); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "ledger.sqlite").c_str(), &db), SQLITE_OK);
  for (const char* sql : {"ALTER TABLE outputs DROP COLUMN md5", "ALTER TABLE outputs DROP COLUMN sm3",
                          "INSERT INTO outputs (item_id, stage, kind, role, path, sha256, size_bytes) "
                          "VALUES ('a/0001.wav#0', 'av', 'av_file', 'entity', 'av/a/0001.wav', 'ab', 3)",
                          "PRAGMA user_version = 3"})
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sql;
  sqlite3_close(db);
  { Ledger::open(dir); }
  ASSERT_EQ(sqlite3_open((dir / "ledger.sqlite").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* query = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT md5, sm3 FROM outputs", -1, &query, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  ASSERT_EQ(sqlite3_step(query), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(query, 0)), "");
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(query, 1)), "");
  sqlite3_finalize(query);
  sqlite3_close(db);
}

//! Columns are added by what a ledger lacks, not by the version it claims: one that says 4 but
//! lacks the outputs' md5 and sm3 gains them.
TEST(Ledger, UpgradesByTheColumnsALedgerLacks) {
  auto dir = fresh_dir("upgrade-by-columns");
  { Ledger::open(dir); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "ledger.sqlite").c_str(), &db), SQLITE_OK);
  for (const char* sql : {"ALTER TABLE outputs DROP COLUMN md5", "ALTER TABLE outputs DROP COLUMN sm3",
                          "PRAGMA user_version = 4"})
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sql;
  sqlite3_close(db);
  { Ledger::open(dir); }
  ASSERT_EQ(sqlite3_open((dir / "ledger.sqlite").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* query = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, "SELECT md5, sm3 FROM outputs", -1, &query, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_finalize(query);
  sqlite3_close(db);
}

//! A ledger of schema 2 (before review) is upgraded in place: its findings kept, none overridden, review tables added.
TEST(Ledger, UpgradesSchemaTwoInPlace) {
  auto dir = fresh_dir("upgrade-findings");
  std::filesystem::create_directories(dir);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "ledger.sqlite").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE findings (id INTEGER PRIMARY KEY, scope TEXT NOT NULL, stage TEXT NOT NULL, "
                         "item_id TEXT NOT NULL, record_ref TEXT NOT NULL, code TEXT NOT NULL, severity TEXT NOT NULL, "
                         "value TEXT NOT NULL, threshold TEXT NOT NULL, message TEXT NOT NULL);"
                         "INSERT INTO findings VALUES (1, 'record', 'link', '', 'R1', 'link.missing_page', 'reject', "
                         "'2', '3', 'short');"
                         "PRAGMA user_version = 2;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto ledger = Ledger::open(dir);
  const auto findings = ledger->findings();
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].finding.code, "link.missing_page");
  EXPECT_TRUE(findings[0].finding.stands());
  EXPECT_TRUE(ledger->review_decisions().empty());
  ledger->add_review_user({"wang", "supervisor", "scrypt$x", ""});
  EXPECT_TRUE(ledger->review_user("wang"));
}

}  // namespace
}  // namespace lantai
