// The acceptance sample (DA/T 31-2017 12.3) over HTTP on a copy of the sample lot's WORK:
// the sample as the page sees it, checks recorded with the session's user, the judgement
// as checks arrive, a supervisor's sign-off, the reports written and downloaded only as
// the ledger recorded them, and who may do what.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "pipeline/acceptance/acceptance.h"
#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "tests/ui-web/review_fixture.h"

namespace lantai::review::testing {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::uint64_t kSeed = 20261130;

class ReviewSampleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(LANTAI_REVIEW_DIR) / ("sample-" + std::to_string(::getpid()));
    copy_sample_work(root_);
    server_ = std::make_unique<RunningServer>(work());
    inspector_ = log_in(server_->client(), kInspector);
    supervisor_ = log_in(server_->client(), kSupervisor);
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(root_);
  }

  fs::path work() const { return root_ / "work"; }
  Ledger& ledger() { return server_->service().ledger(); }
  // Drawn as on the command line, every record ready for deposit (the sample lot has few).
  StoredSample draw(std::uint64_t seed = kSeed) {
    acceptance::Acceptance acceptance(ledger(), work());
    return acceptance.draw({seed, 10000, "张三"}).sample;
  }

  static httplib::Headers headers_of(const LoggedIn& session, bool with_csrf = true) {
    httplib::Headers headers{{"Cookie", session.cookie}};
    if (with_csrf) headers.emplace("X-CSRF-Token", session.csrf);
    return headers;
  }
  json get_json(const LoggedIn& session, const std::string& path, int expected = 200) {
    auto response = server_->client().Get(path.c_str(), headers_of(session));
    EXPECT_TRUE(response);
    if (!response) return {};
    EXPECT_EQ(response->status, expected) << path << ": " << response->body;
    return json::parse(response->body, nullptr, false);
  }
  // Posts and returns {status, parsed body}.
  std::pair<int, json> post(const std::string& path, const json& body, const httplib::Headers& headers) {
    auto response = server_->client().Post(path.c_str(), headers, body.dump(), "application/json");
    if (!response) return {0, {}};
    return {response->status, json::parse(response->body, nullptr, false)};
  }
  static std::string verdict_path(const std::string& ref) { return "/api/sample/" + encode_segment(ref) + "/verdict"; }
  std::pair<int, json> check(const LoggedIn& who, const std::string& ref, const std::string& item, bool passed,
                             const std::string& note = "") {
    return post(verdict_path(ref), {{"item", item}, {"passed", passed}, {"note", note}}, headers_of(who));
  }
  static const json& tally(const json& sample, const std::string& item) {
    for (const json& each : sample["judgement"]["tallies"])
      if (each["item"] == item) return each;
    static const json none;
    return none;
  }

  fs::path root_;
  std::unique_ptr<RunningServer> server_;
  LoggedIn inspector_, supervisor_;
};

//! Before any draw, GET /api/sample is 404 with a message naming lantai sample; the other calls say the same.
TEST_F(ReviewSampleTest, NoSampleDrawnIs404WithAMessage) {
  const json answer = get_json(inspector_, "/api/sample", 404);
  EXPECT_NE(answer["error"].get<std::string>().find("lantai sample"), std::string::npos) << answer;
  EXPECT_EQ(check(inspector_, "J012-WS·2021-Y-BGS-0001", "inspector.entry_images", true).first, 404);
  EXPECT_EQ(post("/api/sample/report", json::object(), headers_of(inspector_)).first, 404);
  EXPECT_EQ(post("/api/sample/sign-off", json::object(), headers_of(supervisor_)).first, 404);
  EXPECT_TRUE(ledger().samples().empty()) << "the server never draws";
}

//! Every sample endpoint needs a session (401), every change the session's CSRF token (403), and nothing is recorded without them.
TEST_F(ReviewSampleTest, SessionAndCsrfRequired) {
  const StoredSample sample = draw();
  const std::string path = verdict_path(sample.refs.front());
  const json body = {{"item", "inspector.entry_images"}, {"passed", true}};
  auto client = server_->client();
  for (const char* get : {"/api/sample", "/api/sample?sample=1", "/api/sample/reports/acceptance-1.pdf"})
    EXPECT_EQ(client.Get(get)->status, 401) << get;
  for (const std::string& change : {path, std::string("/api/sample/sign-off"), std::string("/api/sample/report")}) {
    EXPECT_EQ(client.Post(change.c_str(), body.dump(), "application/json")->status, 401) << change;
    EXPECT_EQ(post(change, body, headers_of(supervisor_, false)).first, 403) << change;
    EXPECT_EQ(post(change, body, {{"Cookie", supervisor_.cookie}, {"X-CSRF-Token", inspector_.csrf}}).first, 403) << change;
  }
  EXPECT_TRUE(ledger().sample_checks(sample.number).empty());
  EXPECT_TRUE(ledger().sample_sign_offs(sample.number).empty());
  EXPECT_TRUE(ledger().acceptance_reports().empty());
}

//! GET /api/sample: the sample as drawn, its records with 档号, 题名 and pages, the check items and a pending judgement.
TEST_F(ReviewSampleTest, SampleAsDrawn) {
  const StoredSample sample = draw();
  const json answer = get_json(inspector_, "/api/sample");
  EXPECT_EQ(answer["sample"]["number"], 1);
  EXPECT_EQ(answer["sample"]["seed"], std::to_string(kSeed));
  EXPECT_EQ(answer["sample"]["rate"], "100%");
  EXPECT_EQ(answer["sample"]["drawn_by"], "张三");
  ASSERT_EQ(answer["records"].size(), sample.refs.size());
  for (std::size_t i = 0; i < sample.refs.size(); ++i) {
    const json& record = answer["records"][i];
    EXPECT_EQ(record["ref"], sample.refs[i]);
    EXPECT_FALSE(record["title"].get<std::string>().empty());
    EXPECT_GT(record["pages"].get<int>(), 0);
    EXPECT_TRUE(record["checks"].empty());
    EXPECT_EQ(record["result"], "pending");
  }
  int inspector_items = 0;
  for (const json& item : answer["items"]) inspector_items += item["method"] == "inspector";
  EXPECT_EQ(inspector_items, 4);
  EXPECT_EQ(tally(answer, "inspector.entry_images")["required"], "100%");
  EXPECT_EQ(tally(answer, "inspector.image_quality")["required"], "95%");
  EXPECT_EQ(tally(answer, "inspector.image_quality")["checked"], 0);
  EXPECT_TRUE(tally(answer, "inspector.image_quality")["met"].is_null());
  EXPECT_FALSE(answer["judgement"]["pending"].empty()) << "checks are missing";
  // The sample lot withholds records for planted faults: a machine item fails the lot.
  EXPECT_EQ(answer["judgement"]["verdict"], "fail");
  EXPECT_TRUE(std::any_of(answer["judgement"]["tallies"].begin(), answer["judgement"]["tallies"].end(),
                          [](const json& t) { return t["method"] == "machine" && t["met"] == false; }));
  EXPECT_FALSE(answer["signed_off"].get<bool>());

  draw(kSeed + 1);
  EXPECT_EQ(get_json(inspector_, "/api/sample")["sample"]["number"], 2) << "the latest";
  EXPECT_EQ(get_json(inspector_, "/api/sample?sample=1")["sample"]["seed"], std::to_string(kSeed));
  EXPECT_EQ(get_json(inspector_, "/api/sample")["samples"], json({1, 2}));
  EXPECT_NE(get_json(inspector_, "/api/sample?sample=9", 404)["error"].get<std::string>().find("no sample 9"),
            std::string::npos);
  get_json(inspector_, "/api/sample?sample=abc", 400);
  get_json(inspector_, "/api/sample?sample=-1", 400);
}

//! Checks are recorded in the ledger with the session's user, and the judgement follows them: tallies, defects, a changed mind.
TEST_F(ReviewSampleTest, ChecksRecordedWithTheSessionUserAndJudged) {
  const StoredSample sample = draw();
  const std::string ref = sample.refs.front();

  auto [status, answer] = check(inspector_, ref, "inspector.entry_images", true, "页序与目录一致");
  ASSERT_EQ(status, 200) << answer;
  EXPECT_EQ(answer["check"]["by"], kInspector);
  EXPECT_EQ(tally(answer, "inspector.entry_images")["checked"], 1);
  EXPECT_EQ(tally(answer, "inspector.entry_images")["passed"], 1);
  EXPECT_EQ(answer["records"][0]["checks"]["inspector.entry_images"]["passed"], true);
  const std::size_t defects_before = answer["judgement"]["defects"].size();
  const std::size_t pending_before = answer["judgement"]["pending"].size();

  std::tie(status, answer) = check(inspector_, ref, "inspector.image_quality", false, "第2页右侧裁切");
  ASSERT_EQ(status, 200) << answer;
  EXPECT_EQ(tally(answer, "inspector.image_quality")["failed"], 1);
  EXPECT_EQ(answer["records"][0]["result"], "fail");
  ASSERT_EQ(answer["judgement"]["defects"].size(), defects_before + 1);
  const json& defect = answer["judgement"]["defects"].back();
  EXPECT_EQ(defect["item"], "inspector.image_quality");
  EXPECT_EQ(defect["record"], ref);
  EXPECT_EQ(defect["problem"], "第2页右侧裁切");
  EXPECT_EQ(defect["source"], kInspector);
  EXPECT_LE(answer["judgement"]["pending"].size(), pending_before);

  // The catalogue entry ↔ images must pass on every sampled record: one fail decides the item.
  std::tie(status, answer) = check(supervisor_, ref, "inspector.entry_images", false, "第3页属另一件");
  ASSERT_EQ(status, 200) << answer;
  EXPECT_EQ(tally(answer, "inspector.entry_images")["met"], false);
  EXPECT_EQ(answer["check"]["by"], kSupervisor);

  // A changed mind: the newer check counts, the earlier stays on record.
  std::tie(status, answer) = check(inspector_, ref, "inspector.image_quality", true, "复核：裁切为原件如此");
  ASSERT_EQ(status, 200) << answer;
  EXPECT_EQ(tally(answer, "inspector.image_quality")["failed"], 0);
  EXPECT_EQ(answer["records"][0]["checks_on_record"], 4);

  const std::vector<SampleCheck> stored = ledger().sample_checks(sample.number);
  ASSERT_EQ(stored.size(), 4u);
  EXPECT_EQ(stored[0].checked_by, kInspector);
  EXPECT_EQ(stored[0].record_ref, ref);
  EXPECT_TRUE(stored[0].passed);
  EXPECT_EQ(stored[1].note, "第2页右侧裁切");
  EXPECT_FALSE(stored[1].passed);
  EXPECT_EQ(stored[2].checked_by, kSupervisor);
  EXPECT_FALSE(stored[0].checked_at.empty());
}

//! A bad 档号, item or body is refused with a message and records nothing: 404 for a record not sampled, 400 for the rest.
TEST_F(ReviewSampleTest, BadChecksAreRefused) {
  const StoredSample sample = draw();
  const std::string ref = sample.refs.front();
  auto expect = [&](std::pair<int, json> answer, int status, const std::string& words) {
    EXPECT_EQ(answer.first, status) << answer.second;
    EXPECT_NE(answer.second["error"].get<std::string>().find(words), std::string::npos) << answer.second;
  };
  expect(check(inspector_, "J012-WS·2021-Y-BGS-9999", "inspector.entry_images", true), 404, "not in sample 1");
  std::string withheld;
  for (const RecordRow& row : ledger().records())
    if (!row.deposited) withheld = row.ref;
  ASSERT_FALSE(withheld.empty());
  expect(check(inspector_, withheld, "inspector.entry_images", true), 404, "not in sample");
  expect(check(inspector_, ref, "inspector.nothing", true), 400, "unknown check item");
  expect(check(inspector_, ref, "machine.linking", true), 400, "checked by lantai");
  expect(check(inspector_, ref, "inspector.image_quality", false), 400, "note");
  expect(check(inspector_, ref, "inspector.image_quality", false, "   "), 400, "note");
  expect(check(inspector_, ref, "inspector.image_quality", false, std::string(4001, 'x')), 400, "longer than");
  expect(post(verdict_path(ref), {{"item", "inspector.image_quality"}, {"passed", "yes"}}, headers_of(inspector_)), 400,
         "passed");
  expect(post(verdict_path(ref), {{"passed", true}}, headers_of(inspector_)), 400, "item");
  expect(post(verdict_path(ref), {{"item", "inspector.image_quality"}, {"passed", true}, {"note", 7}},
              headers_of(inspector_)), 400, "note");
  expect(post(verdict_path(ref), {{"item", "inspector.image_quality"}, {"passed", true}, {"sample", 7}},
              headers_of(inspector_)), 404, "no sample 7");
  expect(post(verdict_path(ref), json::array(), headers_of(inspector_)), 400, "send");
  auto not_json = server_->client().Post(verdict_path(ref).c_str(), headers_of(inspector_), "{item", "application/json");
  EXPECT_EQ(not_json->status, 400);
  EXPECT_EQ(server_->client().Get(verdict_path(ref).c_str(), headers_of(inspector_))->status, 404);
  EXPECT_TRUE(ledger().sample_checks(sample.number).empty());
}

//! Only a supervisor signs off (403 for an inspector); a standing sign-off is not signed twice (409); a later check asks for a new one.
TEST_F(ReviewSampleTest, OnlyASupervisorSignsOff) {
  const StoredSample sample = draw();
  auto [status, answer] = post("/api/sample/sign-off", {{"note", "同意"}}, headers_of(inspector_));
  EXPECT_EQ(status, 403);
  EXPECT_NE(answer["error"].get<std::string>().find("supervisor"), std::string::npos);
  EXPECT_TRUE(ledger().sample_sign_offs(sample.number).empty());

  std::tie(status, answer) = post("/api/sample/sign-off", {{"note", "不合格，退回整改"}}, headers_of(supervisor_));
  ASSERT_EQ(status, 200) << answer;
  EXPECT_EQ(answer["sign_off"]["by"], kSupervisor);
  EXPECT_EQ(answer["sign_off"]["verdict"], "fail");
  EXPECT_TRUE(answer["signed_off"].get<bool>());
  ASSERT_EQ(ledger().sample_sign_offs(sample.number).size(), 1u);
  EXPECT_EQ(ledger().sample_sign_offs(sample.number)[0].signed_by, kSupervisor);
  EXPECT_EQ(ledger().sample_sign_offs(sample.number)[0].note, "不合格，退回整改");

  std::tie(status, answer) = post("/api/sample/sign-off", json::object(), headers_of(supervisor_));
  EXPECT_EQ(status, 409) << answer;
  EXPECT_NE(answer["error"].get<std::string>().find("already signed off"), std::string::npos);

  ASSERT_EQ(check(inspector_, sample.refs.front(), "inspector.image_processing", true).first, 200);
  const json after = get_json(inspector_, "/api/sample");
  EXPECT_FALSE(after["signed_off"].get<bool>());
  EXPECT_FALSE(after["sign_offs"][0]["stands"].get<bool>());
  EXPECT_EQ(post("/api/sample/sign-off", json::object(), headers_of(supervisor_)).first, 200);
  EXPECT_EQ(post("/api/sample/sign-off", {{"note", 5}}, headers_of(supervisor_)).first, 400);
}

//! POST /api/sample/report writes 验收报告 and 整改意见书 to WORK/reports; each downloads as recorded, byte for byte.
TEST_F(ReviewSampleTest, ReportsWrittenAndDownloaded) {
  const StoredSample sample = draw();
  ASSERT_EQ(check(inspector_, sample.refs.front(), "inspector.image_quality", false, "第1页模糊").first, 200);
  auto [status, answer] = post("/api/sample/report", json::object(), headers_of(inspector_));
  ASSERT_EQ(status, 200) << answer;
  EXPECT_EQ(answer["written"], json({"reports/acceptance-1.json", "reports/acceptance-1.pdf",
                                     "reports/corrective-action-1.json", "reports/corrective-action-1.pdf"}));
  ASSERT_EQ(answer["reports"].size(), 4u);
  for (const json& report : answer["reports"]) {
    auto file = server_->client().Get(report["url"].get<std::string>().c_str(), headers_of(inspector_));
    ASSERT_TRUE(file);
    ASSERT_EQ(file->status, 200) << report;
    EXPECT_EQ(file->body, read_file(work() / utf8_path(report["path"].get<std::string>()))) << report;
    EXPECT_EQ(hex_digest(DigestAlgorithm::sha256, file->body), report["sha256"]);
    EXPECT_NE(file->get_header_value("Content-Disposition").find(report["name"].get<std::string>()), std::string::npos);
    const bool pdf = report["name"].get<std::string>().ends_with(".pdf");
    EXPECT_EQ(file->body.rfind(pdf ? "%PDF-" : "{", 0), 0u) << report["name"];
    EXPECT_EQ(file->get_header_value("Content-Type").rfind(pdf ? "application/pdf" : "application/json", 0), 0u);
  }
  const json json_report = json::parse(read_file(work() / "reports/acceptance-1.json"));
  EXPECT_EQ(json_report["checks"][0]["checked_by"], kInspector);

  // A report changed since it was written is not served as if it were the one recorded.
  std::ofstream(work() / "reports/acceptance-1.json", std::ios::app) << " ";
  auto changed = server_->client().Get("/api/sample/reports/acceptance-1.json", headers_of(inspector_));
  EXPECT_EQ(changed->status, 409) << changed->body;
}

//! The download serves only files the ledger recorded for the sample: traversal, other files in WORK, another sample's report and symlinks out get nothing.
TEST_F(ReviewSampleTest, ReportDownloadTakesNoPathFromTheRequest) {
  draw();
  ASSERT_EQ(post("/api/sample/report", json::object(), headers_of(inspector_)).first, 200);
  draw(kSeed + 1);  // sample 2, no reports yet
  const std::string cookie = "Cookie: " + inspector_.cookie + "\r\n";
  for (const std::string& target : std::vector<std::string>{
           "/api/sample/reports/..%2Fledger.sqlite", "/api/sample/reports/..%2F..%2F..%2Fetc%2Fpasswd",
           "/api/sample/reports/%2e%2e%2fledger.sqlite", "/api/sample/reports/../../ledger.sqlite",
           "/api/sample/reports/%2Fetc%2Fpasswd", "/api/sample/reports/ledger.sqlite",
           "/api/sample/reports/records.csv", "/api/sample/reports/acceptance-1.pdf",
           "/api/sample/reports/acceptance-1.pdf?sample=2", "/api/sample/reports/acceptance-1.pdf?sample=..%2F1",
           "/api/sample/reports/reports%2Facceptance-1.pdf?sample=1", "/api/sample/reports/acceptance-1.pdf%00.txt?sample=1",
           "/api/sample/reports/?sample=1", "/api/sample/reports/.?sample=1"}) {
    const RawResponse response = raw_get(server_->port(), target, cookie);
    EXPECT_TRUE(response.status == 404 || response.status == 400) << target << " gave " << response.status;
    EXPECT_EQ(response.body.find("SQLite format 3"), std::string::npos) << target;
    EXPECT_EQ(response.body.find("root:"), std::string::npos) << target;
    EXPECT_EQ(response.body.find("%PDF-"), std::string::npos) << target;
  }
  EXPECT_EQ(raw_get(server_->port(), "/api/sample/reports/acceptance-1.pdf?sample=1", cookie).status, 200);

  // The recorded file replaced by a symlink to a copy outside WORK: not followed.
  const fs::path inside = work() / "reports/acceptance-1.pdf";
  const fs::path outside = root_ / "outside.pdf";
  fs::copy_file(inside, outside);
  fs::remove(inside);
  fs::create_symlink(outside, inside);
  EXPECT_EQ(raw_get(server_->port(), "/api/sample/reports/acceptance-1.pdf?sample=1", cookie).status, 404);
}

}  // namespace
}  // namespace lantai::review::testing
