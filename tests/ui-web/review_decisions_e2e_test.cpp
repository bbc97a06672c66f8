// Decisions made through the API alone are applied by the next `lantai run` on the same
// WORK: only the pages they touch are processed again, the records they free are
// deposited, and the bag carries the decisions as its audit trail.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "pipeline/files.h"
#include "pipeline/runtime/ledger.h"
#include "tests/e2e/e2e_support.h"
#include "tests/ui-web/review_fixture.h"

namespace lantai::review::testing {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

std::string page_with(Ledger& ledger, const std::string& code) {
  for (const ItemRow& row : ledger.items())
    for (const Finding& f : row.findings)
      if (f.code == code && f.stands()) return row.item.item_id;
  return {};
}

std::map<std::string, std::string> record_status(const fs::path& work) {
  std::map<std::string, std::string> status;
  for (const auto& row : e2e::read_csv(work / "reports" / "records.csv")) status[row.at("record")] = row.at("status");
  return status;
}

//! Accept a blank page, a repeated page and a short record, turn one page by hand; the rerun redoes just those pages and deposits the three records with the decisions in the bag.
TEST(ReviewDecisionsEndToEnd, RunAppliesDecisionsAndDepositsFreedRecords) {
  const fs::path root = fs::path(LANTAI_REVIEW_DIR) / ("api-" + std::to_string(::getpid()));
  copy_sample_work(root);
  const fs::path work = root / "work";
  const auto before = record_status(work);

  std::string blank_page, duplicate_page, turned_page, short_record, blank_record, duplicate_record;
  {
    RunningServer server(work);
    Ledger& ledger = server.service().ledger();
    blank_page = page_with(ledger, "qc.blank");
    duplicate_page = page_with(ledger, "qc.duplicate");
    ASSERT_FALSE(blank_page.empty());
    ASSERT_FALSE(duplicate_page.empty());
    for (const RecordRow& row : ledger.records()) {
      if (std::count(row.reasons.begin(), row.reasons.end(), "link.missing_page")) short_record = row.ref;
      if (row.deposited && turned_page.empty()) turned_page = ledger.record_items(row.ref).back().item_id;
    }
    ASSERT_FALSE(short_record.empty());
    ASSERT_FALSE(turned_page.empty());
    for (const ItemRow& row : ledger.items()) {
      if (row.item.item_id == blank_page) blank_record = row.record_ref;
      if (row.item.item_id == duplicate_page) duplicate_record = row.record_ref;
    }
    EXPECT_EQ(before.at(blank_record), "withheld");
    EXPECT_EQ(before.at(duplicate_record), "withheld");
    EXPECT_EQ(before.at(short_record), "withheld");

    auto client = server.client();
    const LoggedIn session = log_in(client, kSupervisor);
    const httplib::Headers headers{{"Cookie", session.cookie}, {"X-CSRF-Token", session.csrf}};
    auto decide = [&](const std::string& path, const json& body) {
      auto response = client.Post(path.c_str(), headers, body.dump(), "application/json");
      ASSERT_TRUE(response);
      ASSERT_EQ(response->status, 200) << path << ": " << response->body;
    };
    decide("/api/items/" + encode_segment(blank_page) + "/decision",
           {{"action", "accept"}, {"code", "qc.blank"}, {"reason", "blank back of a leaf, kept as in the original"}});
    decide("/api/items/" + encode_segment(duplicate_page) + "/decision",
           {{"action", "accept"}, {"code", "qc.duplicate"}, {"reason", "the original repeats this page"}});
    decide("/api/records/" + encode_segment(short_record) + "/decision",
           {{"action", "record_accept"}, {"reason", "the missing page is missing in the original too"}});
    decide("/api/items/" + encode_segment(turned_page) + "/decision",
           {{"action", "rotate"}, {"rotation_deg", 180}, {"reason", "upside down"}});
  }

  std::vector<std::string> args = e2e::run_args(work);
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--in") args[i + 1] = (root / "lot" / "scans").string();
    if (args[i] == "--catalog") args[i + 1] = (root / "lot" / "catalogue.csv").string();
  }
  const e2e::CommandResult run = e2e::run_command(args);
  ASSERT_EQ(run.exit_code, 0) << run.output;

  const auto after = record_status(work);
  EXPECT_EQ(after.at(blank_record), "deposited");
  EXPECT_EQ(after.at(duplicate_record), "deposited");
  EXPECT_EQ(after.at(short_record), "deposited");
  for (const auto& [ref, status] : before) {
    if (status == "deposited") {
      EXPECT_EQ(after.at(ref), "deposited") << ref;
    }
  }

  auto ledger = Ledger::open(work);
  // Only the accepted and turned pages ran again: quality on the blank and the turned
  // page, orient (and what follows it) on the turned page alone.
  const auto ran = ledger->stage_runs_in(ledger->last_run());
  EXPECT_EQ(ran.count("orient") ? ran.at("orient") : 0, 1);
  EXPECT_EQ(ran.count("quality") ? ran.at("quality") : 0, 2);
  for (const auto& [stage, count] : ran) EXPECT_LE(count, 2) << stage;
  for (const ItemRow& row : ledger->items()) {
    if (row.item.item_id == turned_page) {
      EXPECT_EQ(row.item.measurements.text("orientation_source"), "manual");
      EXPECT_EQ(row.item.measurements.number("orientation_deg").value_or(-1), 180);
    }
    if (row.item.item_id == blank_page) {
      const auto blank = std::find_if(row.findings.begin(), row.findings.end(),
                                      [](const Finding& f) { return f.code == "qc.blank"; });
      ASSERT_NE(blank, row.findings.end());  // kept, overridden: not deleted
      EXPECT_EQ(blank->severity, Severity::reject);
      EXPECT_NE(blank->overridden_by.find("wang"), std::string::npos) << blank->overridden_by;
    }
  }

  const fs::path bag = e2e::bag_of(work);
  const json trail = json::parse(e2e::slurp(bag / "metadata" / "review-decisions.json"));
  ASSERT_EQ(trail["decisions"].size(), 4u);
  EXPECT_EQ(trail["decisions"][0]["action"], "accept");
  EXPECT_EQ(trail["decisions"][0]["code"], "qc.blank");
  EXPECT_EQ(trail["decisions"][0]["by"], kSupervisor);
  EXPECT_EQ(trail["decisions"][0]["item"], blank_page);
  EXPECT_EQ(trail["decisions"][0]["before"]["severity"], "reject");
  EXPECT_EQ(trail["decisions"][3]["after"]["orient.rotation_deg"], 180);
  EXPECT_NE(e2e::slurp(bag / "tagmanifest-sha256.txt").find("metadata/review-decisions.json"), std::string::npos);
  const e2e::CommandResult verify = e2e::run_command({e2e::lantai_bin().string(), "verify", bag.string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  fs::remove_all(root);
}

//! A rescan asked in review withholds the page's record until a replacement file is in the lot; the run after it redoes that page alone and deposits the record again. A record sent back stays withheld.
TEST(ReviewDecisionsEndToEnd, RescanWaitsForTheReplacementFile) {
  const fs::path root = fs::path(LANTAI_REVIEW_DIR) / ("rescan-" + std::to_string(::getpid()));
  copy_sample_work(root);
  const fs::path work = root / "work";
  std::vector<std::string> args = e2e::run_args(work);
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--in") args[i + 1] = (root / "lot" / "scans").string();
    if (args[i] == "--catalog") args[i + 1] = (root / "lot" / "catalogue.csv").string();
  }

  std::string page, record, sent_back;
  {
    RunningServer server(work);
    for (const RecordRow& row : server.service().ledger().records()) {
      if (!row.deposited) continue;
      if (record.empty()) {
        record = row.ref;
        page = server.service().ledger().record_items(row.ref).front().item_id;
      } else if (sent_back.empty()) {
        sent_back = row.ref;
      }
    }
    ASSERT_FALSE(sent_back.empty());
    auto client = server.client();
    const LoggedIn session = log_in(client, kInspector);
    const httplib::Headers headers{{"Cookie", session.cookie}, {"X-CSRF-Token", session.csrf}};
    auto rescan = client.Post(("/api/items/" + encode_segment(page) + "/decision").c_str(), headers,
                              json{{"action", "rescan"}, {"reason", "seal cut off at the edge"}}.dump(), "application/json");
    ASSERT_EQ(rescan->status, 200) << rescan->body;
    auto back = client.Post(("/api/records/" + encode_segment(sent_back) + "/decision").c_str(), headers,
                            json{{"action", "send_back"}, {"reason", "pages out of order"}}.dump(), "application/json");
    ASSERT_EQ(back->status, 200) << back->body;
  }

  e2e::CommandResult run = e2e::run_command(args);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  auto status = record_status(work);
  EXPECT_EQ(status.at(record), "withheld");
  EXPECT_EQ(status.at(sent_back), "withheld");
  for (const auto& row : e2e::read_csv(work / "reports" / "records.csv")) {
    if (row.at("record") == record) {
      EXPECT_EQ(row.at("reasons"), "review.awaiting_rescan");
    } else if (row.at("record") == sent_back) {
      EXPECT_EQ(row.at("reasons"), "review.sent_back");
    }
  }

  // The replacement: the same scan written again (a new modification time).
  const fs::path file = root / "lot" / "scans" / utf8_path(split_item_id(page).first);
  const std::string bytes = e2e::slurp(file);
  fs::remove(file);
  std::ofstream(file, std::ios::binary) << bytes;
  run = e2e::run_command(args);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  status = record_status(work);
  EXPECT_EQ(status.at(record), "deposited");
  EXPECT_EQ(status.at(sent_back), "withheld");
  auto ledger = Ledger::open(work);
  const auto ran = ledger->stage_runs_in(ledger->last_run());
  EXPECT_EQ(ran.count("decode") ? ran.at("decode") : 0, 1);
  for (const auto& [stage, count] : ran) EXPECT_LE(count, 1) << stage;
  fs::remove_all(root);
}

}  // namespace
}  // namespace lantai::review::testing
