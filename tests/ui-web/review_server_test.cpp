// The review server over HTTP on the sample lot's WORK: every endpoint, who may call it
// (session, CSRF, role), the login limiter, bad ids, and requests that try to reach files
// outside WORK.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include <unistd.h>

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "pipeline/files.h"
#include "tests/ui-web/review_fixture.h"

namespace lantai::review::testing {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

// ctest runs each test in a process of its own, maybe two at once: a copy for each.
fs::path work_root() { return fs::path(LANTAI_REVIEW_DIR) / ("http-" + std::to_string(::getpid())); }

class ReviewServerTest : public ::testing::Test {
 protected:
  // A WORK that cannot be copied fails every test (never skips it): SetUp reports why.
  static void SetUpTestSuite() {
    try {
      copy_sample_work(work_root());
      server_ = new RunningServer(work_root() / "work");
    } catch (const std::exception& error) {
      setup_error_ = error.what();
    }
  }
  void SetUp() override { ASSERT_NE(server_, nullptr) << setup_error_; }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    fs::remove_all(work_root());
  }

  static httplib::Headers headers_of(const LoggedIn& session, bool with_csrf = true) {
    httplib::Headers headers{{"Cookie", session.cookie}};
    if (with_csrf) headers.emplace("X-CSRF-Token", session.csrf);
    return headers;
  }
  static json get_json(const LoggedIn& session, const std::string& path, int expected = 200) {
    auto response = server_->client().Get(path.c_str(), headers_of(session));
    EXPECT_TRUE(response);
    if (!response) return {};
    EXPECT_EQ(response->status, expected) << path << ": " << response->body;
    return json::parse(response->body, nullptr, false);
  }
  static httplib::Result post(const std::string& path, const json& body, const httplib::Headers& headers) {
    return server_->client().Post(path.c_str(), headers, body.dump(), "application/json");
  }
  // The ids of pages with a standing reject finding, from the ledger.
  static std::vector<ItemRow> quarantined() {
    std::vector<ItemRow> rows;
    for (ItemRow& row : server_->service().ledger().items())
      if (any_reject(row.findings)) rows.push_back(std::move(row));
    return rows;
  }
  static std::string page_with(const std::string& code) {
    for (const ItemRow& row : server_->service().ledger().items())
      for (const Finding& f : row.findings)
        if (f.code == code && f.stands()) return row.item.item_id;
    return {};
  }

  static RunningServer* server_;
  static inline std::string setup_error_;
};
RunningServer* ReviewServerTest::server_ = nullptr;

//! The page and its assets are served from the binary; every other path is 404, never a file.
TEST_F(ReviewServerTest, ServesThePageFromTheBinary) {
  auto client = server_->client();
  auto page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("质检审核"), std::string::npos);
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(page->get_header_value("X-Frame-Options"), "DENY");
  for (const char* asset : {"/assets/review.js", "/assets/review.css"}) {
    auto response = client.Get(asset);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200) << asset;
    EXPECT_GT(response->body.size(), 1000u) << asset;
  }
  EXPECT_EQ(client.Get("/assets/nothing.js")->status, 404);
}

//! Requests that climb out with .., encoded %2e%2e or %2f, absolute paths or doubled slashes get nothing from disk.
TEST_F(ReviewServerTest, PathTraversalReachesNoFile) {
  const LoggedIn session = log_in(server_->client(), kSupervisor);
  const std::string cookie = "Cookie: " + session.cookie + "\r\n";
  const std::string ledger_magic = "SQLite format 3";
  for (const std::string& target : std::vector<std::string>{"/../ledger.sqlite", "/assets/../ledger.sqlite", "/assets/..%2f..%2fledger.sqlite", "/%2e%2e/%2e%2e/etc/passwd",
        "/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/etc/passwd", "//etc/passwd", "/ledger.sqlite",
        "/work/ledger.sqlite", "/api/items/..%2F..%2F..%2Fetc%2Fpasswd%230",
        "/api/items/%2Fetc%2Fpasswd%230", "/api/items/..%2Fledger.sqlite%230/image/original",
        "/api/items/%2e%2e%2f%2e%2e%2fetc%2fpasswd%230/image/processed?w=800",
        "/api/items/..%2F..%2F..%2Fetc%2Fpasswd%230/image/original", "/api/records/..",
        "/api/records/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/api/records/..%2F..%2Fetc%2Fpasswd",
        "/api/queue?record=../../etc/passwd&code=../../ledger.sqlite"}) {
    for (const std::string& headers : {std::string(), cookie}) {
      const RawResponse response = raw_get(server_->port(), target, headers);
      EXPECT_GT(response.status, 0) << target;
      EXPECT_EQ(response.body.find("root:"), std::string::npos) << target;
      EXPECT_EQ(response.body.find(ledger_magic), std::string::npos) << target;
      if (target.rfind("/api/queue", 0) == 0 && !headers.empty()) {
        EXPECT_EQ(response.status, 200) << target;  // filters that match nothing
        EXPECT_EQ(json::parse(response.body)["items"].size(), 0u) << target;
      } else {
        EXPECT_TRUE(response.status == 404 || response.status == 400 || response.status == 401)
            << target << " gave " << response.status;
      }
    }
  }
}

//! A derivative in WORK replaced by a symlink to a file outside WORK is not served.
TEST_F(ReviewServerTest, SymlinkOutOfWorkIsNotFollowed) {
  const LoggedIn session = log_in(server_->client(), kSupervisor);
  const auto rows = server_->service().ledger().items();
  const ItemRow& last = rows.back();
  std::string derivative;
  for (const StageOutput& output : last.item.outputs)
    if (output.kind == "derivative") derivative = output.path;
  ASSERT_FALSE(derivative.empty());
  const fs::path outside = work_root() / "outside.jpg";
  fs::copy_file(work_root() / "work" / utf8_path(derivative), outside, fs::copy_options::overwrite_existing);
  const fs::path inside = work_root() / "work" / utf8_path(derivative);
  fs::remove(inside);
  fs::create_symlink(outside, inside);
  auto response = server_->client().Get(
      ("/api/items/" + encode_segment(last.item.item_id) + "/image/processed?w=321").c_str(), headers_of(session));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404) << response->body;
  fs::remove(inside);
  fs::copy_file(outside, inside);
}

//! Without a session every API call is 401, and the Host must be the loopback name the server was asked for.
TEST_F(ReviewServerTest, UnauthenticatedCallsGet401) {
  auto client = server_->client();
  const std::string id = encode_segment(quarantined().front().item.item_id);
  for (const std::string& path : std::vector<std::string>{"/api/queue", "/api/session", "/api/decisions", "/api/items/" + id,
                                                         "/api/items/" + id + "/image/original", "/api/records/x"}) {
    auto response = client.Get(path.c_str());
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 401) << path;
  }
  auto decision = client.Post(("/api/items/" + id + "/decision").c_str(), R"({"action":"rotate","rotation_deg":90})",
                              "application/json");
  EXPECT_EQ(decision->status, 401);
  auto forged = client.Get("/api/queue", {{"Cookie", "lantai_review=0000000000000000000000000000000000000000000000000000000000000000"}});
  EXPECT_EQ(forged->status, 401);
  EXPECT_EQ(raw_request(server_->port(), "GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n").status, 400);
  EXPECT_EQ(raw_request(server_->port(), "GET / HTTP/1.1\r\nHost: localhost:" + std::to_string(server_->port()) +
                                             "\r\nConnection: close\r\n\r\n").status, 200);
}

//! Login: a wrong password or unknown name is 401; the right one sets an HttpOnly SameSite=Strict cookie and gives a CSRF token; logout ends the session.
TEST_F(ReviewServerTest, LoginAndLogout) {
  auto client = server_->client();
  EXPECT_EQ(client.Post("/api/login", R"({"name":"wang","password":"wrong-password-1"})", "application/json")->status, 401);
  EXPECT_EQ(client.Post("/api/login", R"({"name":"nobody","password":"correct-horse-42"})", "application/json")->status, 401);
  EXPECT_EQ(client.Post("/api/login", R"({"name":"wang"})", "application/json")->status, 400);
  EXPECT_EQ(client.Post("/api/login", "name=wang&password=correct-horse-42", "application/x-www-form-urlencoded")->status, 415);
  const LoggedIn session = log_in(client, kSupervisor);
  EXPECT_NE(session.set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(session.set_cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(session.csrf.size(), 64u);
  const json who = get_json(session, "/api/session");
  EXPECT_EQ(who["user"], kSupervisor);
  EXPECT_EQ(who["role"], "supervisor");
  EXPECT_EQ(who["batch"]["fonds_code"], "J012");
  EXPECT_EQ(post("/api/logout", json::object(), headers_of(session, false))->status, 403);  // a change: CSRF
  EXPECT_EQ(post("/api/logout", json::object(), headers_of(session))->status, 200);
  EXPECT_EQ(server_->client().Get("/api/queue", headers_of(session))->status, 401);
}

//! After 5 failed logins for a name, even the right password waits (429, Retry-After); other names are not held.
TEST_F(ReviewServerTest, LoginAttemptsAreLimitedPerUser) {
  server_->service().ledger().add_review_user({"zhao", "inspector", server_->service().ledger().review_user(kInspector)->password_hash, ""});
  auto client = server_->client();
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(client.Post("/api/login", R"({"name":"zhao","password":"not-the-password"})", "application/json")->status, 401);
  auto held = client.Post("/api/login", R"({"name":"zhao","password":"correct-horse-42"})", "application/json");
  EXPECT_EQ(held->status, 429);
  EXPECT_GT(std::stoi(held->get_header_value("Retry-After")), 0);
  EXPECT_NO_THROW(log_in(client, kInspector));
}

//! Failed logins are also limited per address, whatever the names tried.
TEST_F(ReviewServerTest, LoginAttemptsAreLimitedPerAddress) {
  ServerLimits strict;
  strict.max_login_failures_per_address = 3;
  RunningServer second(work_root() / "work", strict);
  auto client = second.client();
  for (const char* name : {"a1", "a2", "a3"})
    EXPECT_EQ(client.Post("/api/login", json{{"name", name}, {"password", "x-password-1"}}.dump(), "application/json")->status, 401);
  EXPECT_EQ(client.Post("/api/login", R"({"name":"wang","password":"correct-horse-42"})", "application/json")->status, 429);
}

//! A change without the session's CSRF token, or with another's, is 403 and records nothing.
TEST_F(ReviewServerTest, ChangesWithoutCsrfGet403) {
  const LoggedIn session = log_in(server_->client(), kSupervisor);
  const LoggedIn other = log_in(server_->client(), kInspector);
  const std::string path = "/api/items/" + encode_segment(quarantined().front().item.item_id) + "/decision";
  const std::size_t before = server_->service().ledger().review_decisions().size();
  const json body = {{"action", "rotate"}, {"rotation_deg", 90}, {"reason", "turned"}};
  EXPECT_EQ(post(path, body, headers_of(session, false))->status, 403);
  EXPECT_EQ(post(path, body, {{"Cookie", session.cookie}, {"X-CSRF-Token", other.csrf}})->status, 403);
  EXPECT_EQ(post(path, body, {{"Cookie", session.cookie}, {"X-CSRF-Token", ""}})->status, 403);
  EXPECT_EQ(post("/api/records/x/decision", json{{"action", "send_back"}, {"reason", "x"}}, headers_of(session, false))->status, 403);
  EXPECT_EQ(server_->service().ledger().review_decisions().size(), before);
}

//! The queue lists every quarantined page and every withheld record, with counts; filters narrow it.
TEST_F(ReviewServerTest, QueueListsEveryRejectedPageAndWithheldRecord) {
  const LoggedIn session = log_in(server_->client(), kInspector);
  const json queue = get_json(session, "/api/queue");
  std::set<std::string> listed;
  for (const json& item : queue["items"]) listed.insert(item["id"].get<std::string>());
  const auto rejected = quarantined();
  ASSERT_FALSE(rejected.empty());
  for (const ItemRow& row : rejected) EXPECT_TRUE(listed.count(row.item.item_id)) << row.item.item_id;
  EXPECT_EQ(queue["counts"]["quarantined"], rejected.size());
  EXPECT_GE(queue["counts"]["records_withheld"].get<int>(), 5);  // the sample lot's planted faults

  const json records = get_json(session, "/api/queue?queue=records");
  std::set<std::string> withheld;
  for (const json& record : records["records"]) withheld.insert(record["ref"].get<std::string>());
  for (const RecordRow& row : server_->service().ledger().records())
    EXPECT_EQ(withheld.count(row.ref), row.deposited ? 0u : 1u) << row.ref;

  const json blank = get_json(session, "/api/queue?code=qc.blank");
  ASSERT_GE(blank["items"].size(), 1u);
  for (const json& item : blank["items"]) {
    const auto reasons = item["reasons"].get<std::vector<std::string>>();
    EXPECT_NE(std::find(reasons.begin(), reasons.end(), "qc.blank"), reasons.end());
  }
  const std::string ref = rejected.front().record_ref;
  for (const json& item : get_json(session, "/api/queue?record=" + encode_segment(ref))["items"])
    EXPECT_EQ(item["record"], ref);
  EXPECT_EQ(server_->client().Get("/api/queue?queue=everything", headers_of(session))->status, 400);
  EXPECT_EQ(server_->client().Get("/api/queue?order=random", headers_of(session))->status, 400);
}

//! The deviation ordering covers every page and puts the furthest from the batch first, naming the measurement.
TEST_F(ReviewServerTest, DeviationOrderingOverEveryPage) {
  const LoggedIn session = log_in(server_->client(), kInspector);
  const json all = get_json(session, "/api/queue?queue=all&order=deviation");
  EXPECT_EQ(all["items"].size(), server_->service().ledger().items().size());
  double previous = 1e300;
  for (const json& item : all["items"]) {
    const double score = item["deviation"]["score"];
    EXPECT_LE(score, previous);
    previous = score;
  }
  EXPECT_GT(all["items"][0]["deviation"]["score"].get<double>(), 2.0);
  EXPECT_FALSE(all["items"][0]["deviation"]["measure"].get<std::string>().empty());
  // Numbers that name a setting are never what makes a page odd: the lot's turned page and
  // its 150-dpi page stand out by what was measured on them, not by their turn or dpi.
  for (const json& item : all["items"])
    for (const char* category : {"orientation_deg", "resolution_dpi", "bits_per_sample", "ocr_dpi", "stitch_parts"})
      EXPECT_NE(item["deviation"]["measure"], category) << item["id"];
}

//! One page: findings with value and threshold, OCR text, catalogue entry, the record's other pages; unknown ids 404.
TEST_F(ReviewServerTest, ItemDetail) {
  const LoggedIn session = log_in(server_->client(), kInspector);
  const std::string id = page_with("qc.resolution.low");
  ASSERT_FALSE(id.empty());
  const json item = get_json(session, "/api/items/" + encode_segment(id));
  EXPECT_EQ(item["id"], id);
  EXPECT_EQ(item["status"], "quarantined");
  const auto finding = std::find_if(item["findings"].begin(), item["findings"].end(),
                                    [](const json& f) { return f["code"] == "qc.resolution.low"; });
  ASSERT_NE(finding, item["findings"].end());
  EXPECT_FALSE((*finding)["value"].get<std::string>().empty());
  EXPECT_FALSE((*finding)["threshold"].get<std::string>().empty());
  EXPECT_FALSE((*finding)["meaning"].get<std::string>().empty());
  ASSERT_TRUE(item["catalogue"].is_object());
  EXPECT_EQ(item["catalogue"]["ref"], item["record"]);
  EXPECT_GE(item["record_pages"].size(), 1u);
  EXPECT_TRUE(item["images"]["original"].get<bool>());
  const json clean = get_json(session, "/api/items/" + encode_segment(server_->service().ledger().items().front().item.item_id));
  EXPECT_FALSE(clean["ocr_text"].get<std::string>().empty());
  // OCR text that is not UTF-8 (a file damaged since) is shown with U+FFFD rather than failing the page.
  const ItemRow first = server_->service().ledger().items().front();
  for (const StageOutput& output : first.item.outputs)
    if (output.kind == "ocr_text") std::ofstream(work_root() / "work" / utf8_path(output.path), std::ios::binary) << "\xff\xfe OCR";
  const json damaged = get_json(session, "/api/items/" + encode_segment(first.item.item_id));
  EXPECT_NE(damaged["ocr_text"].get<std::string>().find("\xEF\xBF\xBD"), std::string::npos);
  get_json(session, "/api/items/" + encode_segment("NO-SUCH/0001.png#0"), 404);
  get_json(session, "/api/items/" + encode_segment(id.substr(0, id.size() - 1) + "7"), 404);
  const std::string ref = item["record"];
  const json record = get_json(session, "/api/records/" + encode_segment(ref));
  EXPECT_EQ(record["ref"], ref);
  get_json(session, "/api/records/NO-SUCH-REF", 404);
}

//! Images come as reduced JPEGs at the served widths, made once into WORK/review/cache; a missing image is 404.
TEST_F(ReviewServerTest, ReducedImages) {
  const LoggedIn session = log_in(server_->client(), kInspector);
  const std::string id = server_->service().ledger().items().front().item.item_id;
  for (const char* variant : {"original", "processed"}) {
    const std::string path = "/api/items/" + encode_segment(id) + "/image/" + variant + "?w=700";
    auto response = server_->client().Get(path.c_str(), headers_of(session));
    ASSERT_TRUE(response);
    ASSERT_EQ(response->status, 200) << path << response->body;
    EXPECT_EQ(response->get_header_value("Content-Type"), "image/jpeg");
    const cv::Mat image = cv::imdecode(cv::Mat(1, static_cast<int>(response->body.size()), CV_8U, response->body.data()),
                                       cv::IMREAD_COLOR);
    ASSERT_FALSE(image.empty());
    EXPECT_EQ(image.cols, 800);  // 700 asked: the next width served
  }
  EXPECT_TRUE(fs::exists(work_root() / "work" / "review" / "cache"));
  EXPECT_EQ(server_->client().Get(("/api/items/" + encode_segment(id) + "/image/original?w=abc").c_str(),
                                  headers_of(session))->status, 400);
  EXPECT_EQ(server_->client().Get(("/api/items/" + encode_segment(id) + "/image/thumbnail").c_str(),
                                  headers_of(session))->status, 404);
  // A file the decode stage refused is never decoded by the server either.
  const std::string truncated = page_with("decode.truncated");
  ASSERT_FALSE(truncated.empty());
  for (const char* variant : {"processed", "original"})
    EXPECT_EQ(server_->client().Get(("/api/items/" + encode_segment(truncated) + "/image/" + variant).c_str(),
                                    headers_of(session))->status, 404) << variant;
  EXPECT_FALSE(get_json(session, "/api/items/" + encode_segment(truncated))["images"]["original"].get<bool>());
}

//! Full resolution in tiles: the grid is the original's size, a level-0 tile is its pixels 1:1, the top level fits one tile; hostile parameters get 400.
TEST_F(ReviewServerTest, FullResolutionTiles) {
  const LoggedIn session = log_in(server_->client(), kInspector);
  const ItemRow row = server_->service().ledger().items().front();
  const std::string base = "/api/items/" + encode_segment(row.item.item_id);
  const json grid = get_json(session, base + "/tiles/original");
  ASSERT_TRUE(grid.is_object());
  const int width = grid["width"], height = grid["height"], levels = grid["levels"];
  EXPECT_EQ(width, row.item.measurements.number("width_px").value_or(-1));
  EXPECT_EQ(height, row.item.measurements.number("height_px").value_or(-1));
  EXPECT_EQ(grid["tile"], 512);
  ASSERT_GE(levels, 3);  // a 300-dpi page is over 2048 px tall
  EXPECT_LE(std::max(width, height), 512 << (levels - 1));
  EXPECT_GT(std::max(width, height), 512 << (levels - 2));

  auto tile = [&](const std::string& query) {
    auto response = server_->client().Get((base + "/tile/original?" + query).c_str(), headers_of(session));
    if (!response || response->status != 200) return cv::Mat();
    return cv::imdecode(cv::Mat(1, static_cast<int>(response->body.size()), CV_8U, response->body.data()),
                        cv::IMREAD_COLOR);
  };
  const auto identity = server_->service().ledger().identity();
  ASSERT_TRUE(identity);
  const cv::Mat original = cv::imread((identity->input_root / utf8_path(row.item.rel_path)).string(), cv::IMREAD_COLOR);
  ASSERT_EQ(original.cols, width);
  const int x = 1, y = 2;  // a tile inside the page, at 1:1
  const cv::Mat one_to_one = tile("z=0&x=" + std::to_string(x) + "&y=" + std::to_string(y));
  ASSERT_EQ(one_to_one.size(), cv::Size(512, 512));
  cv::Mat difference;
  cv::absdiff(one_to_one, original(cv::Rect(x * 512, y * 512, 512, 512)), difference);
  EXPECT_LT(cv::mean(difference)[0], 4.0);  // the same pixels, through JPEG
  const int last_x = (width - 1) / 512, last_y = (height - 1) / 512;
  EXPECT_EQ(tile("z=0&x=" + std::to_string(last_x) + "&y=" + std::to_string(last_y)).size(),
            cv::Size(width - last_x * 512, height - last_y * 512));
  const cv::Mat whole = tile("z=" + std::to_string(levels - 1) + "&x=0&y=0");
  ASSERT_FALSE(whole.empty());
  EXPECT_LE(std::max(whole.cols, whole.rows), 512);
  EXPECT_NEAR(static_cast<double>(whole.cols) / whole.rows, static_cast<double>(width) / height, 0.01);

  for (const std::string& query : {std::string("z=-1&x=0&y=0"), std::string("z=99999&x=0&y=0"), std::string("z=0&x=abc&y=0"),
                                   std::string("z=0&x=1e3&y=0"), std::string("z=0&x=0"), std::string("z=0&x=0&y=9999"),
                                   std::string("z=0&x=99999999999999999999&y=0"), "z=" + std::to_string(levels) + "&x=0&y=0",
                                   "z=0&x=" + std::to_string(last_x + 1) + "&y=0", std::string("z=0&x=%00&y=0")}) {
    auto response = server_->client().Get((base + "/tile/original?" + query).c_str(), headers_of(session));
    ASSERT_TRUE(response) << query;
    EXPECT_EQ(response->status, 400) << query << ": " << response->body;
  }
  EXPECT_EQ(server_->client().Get((base + "/tile/thumbnail?z=0&x=0&y=0").c_str(), headers_of(session))->status, 404);
  const std::string truncated = page_with("decode.truncated");
  EXPECT_EQ(server_->client().Get(("/api/items/" + encode_segment(truncated) + "/tiles/original").c_str(),
                                  headers_of(session))->status, 404);
  EXPECT_EQ(raw_get(server_->port(), base + "/tile/original?z=0&x=0&y=0").status, 401);
}

//! Decisions: bad bodies are 400, an absent finding 409, roles enforced (403), and each one kept with who, why, before and after.
TEST_F(ReviewServerTest, DecisionsAreCheckedAndRecorded) {
  const LoggedIn inspector = log_in(server_->client(), kInspector);
  const LoggedIn supervisor = log_in(server_->client(), kSupervisor);
  const std::string id = page_with("qc.resolution.low");
  const std::string path = "/api/items/" + encode_segment(id) + "/decision";
  EXPECT_EQ(post(path, json{{"action", "rotate"}, {"rotation_deg", 45}}, headers_of(inspector))->status, 400);
  EXPECT_EQ(post(path, json{{"action", "explode"}}, headers_of(inspector))->status, 400);
  EXPECT_EQ(post(path, json::array(), headers_of(inspector))->status, 400);
  EXPECT_EQ(server_->client().Post(path.c_str(), headers_of(inspector), "{not json", "application/json")->status, 400);
  EXPECT_EQ(post(path, json{{"action", "skew"}, {"skew_deg", 91}}, headers_of(inspector))->status, 400);
  EXPECT_EQ(post(path, json{{"action", "crop"}, {"crop_box", {1, 2, 0, 4}}}, headers_of(inspector))->status, 400);
  EXPECT_EQ(post(path, json{{"action", "accept"}, {"code", "qc.blank"}, {"reason", "x"}}, headers_of(inspector))->status, 409);
  EXPECT_EQ(post(path, json{{"action", "accept"}, {"code", "qc.resolution.low"}}, headers_of(inspector))->status, 400);
  EXPECT_EQ(post(path, json{{"action", "record_accept"}, {"reason", "x"}}, headers_of(supervisor))->status, 400);
  EXPECT_EQ(post(path, json{{"action", "accept"}, {"reason", std::string(3000, 'x')}, {"code", "qc.resolution.low"}},
                 headers_of(inspector))->status, 400);
  // Every decision says why: a correction without a reason is refused and records nothing.
  const std::size_t recorded = server_->service().ledger().review_decisions().size();
  for (const json& correction : {json{{"action", "rotate"}, {"rotation_deg", 90}},
                                 json{{"action", "skew"}, {"skew_deg", 1.5}, {"reason", "  "}},
                                 json{{"action", "crop"}, {"crop_box", {10, 10, 500, 700}}, {"reason", nullptr}}}) {
    auto refused = post(path, correction, headers_of(inspector));
    EXPECT_EQ(refused->status, 400) << correction.dump();
    EXPECT_NE(refused->body.find("reason"), std::string::npos) << refused->body;
  }
  EXPECT_EQ(server_->service().ledger().review_decisions().size(), recorded);
  auto too_large = server_->client().Post(path.c_str(), headers_of(inspector), std::string(70000, ' '), "application/json");
  EXPECT_EQ(too_large->status, 413);

  auto rotated = post(path, json{{"action", "rotate"}, {"rotation_deg", 90}, {"reason", "turned"}}, headers_of(inspector));
  ASSERT_EQ(rotated->status, 200) << rotated->body;
  EXPECT_EQ(server_->service().ledger().manual_values().at(id).at("orient.rotation_deg"), "90");

  auto accepted = post(path, json{{"action", "accept"}, {"code", "qc.resolution.low"}, {"reason", "archive copy"}},
                       headers_of(inspector));
  ASSERT_EQ(accepted->status, 200) << accepted->body;
  const json acceptance = json::parse(accepted->body);
  EXPECT_FALSE(acceptance["effective"].get<bool>());
  const long long number = acceptance["decision"]["id"];
  EXPECT_EQ(server_->service().ledger().manual_values().at(id).count("quality.accept.qc.resolution.low"), 0u);
  const json sign = {{"action", "sign_off"}, {"decision", number}, {"reason", "agreed"}};
  EXPECT_EQ(post(path, sign, headers_of(inspector))->status, 403);
  auto signed_off = post(path, sign, headers_of(supervisor));
  ASSERT_EQ(signed_off->status, 200) << signed_off->body;
  EXPECT_EQ(post(path, sign, headers_of(supervisor))->status, 409);  // signed already
  const std::string override = server_->service().ledger().manual_values().at(id).at("quality.accept.qc.resolution.low");
  EXPECT_NE(override.find("li"), std::string::npos) << override;
  EXPECT_NE(override.find("wang"), std::string::npos) << override;

  const std::string ref = json::parse(rotated->body)["decision"]["record"];
  const std::string record_path = "/api/records/" + encode_segment(ref) + "/decision";
  EXPECT_EQ(post(record_path, json{{"action", "record_accept"}, {"reason", "as is"}}, headers_of(inspector))->status, 403);
  EXPECT_EQ(post(record_path, json{{"action", "send_back"}}, headers_of(inspector))->status, 400);
  EXPECT_EQ(post(record_path, json{{"action", "send_back"}, {"reason", "rescan page 3"}}, headers_of(inspector))->status, 200);

  const json trail = get_json(inspector, "/api/decisions")["decisions"];
  ASSERT_GE(trail.size(), 4u);
  const json& last = trail.back();
  EXPECT_EQ(last["action"], "send_back");
  EXPECT_EQ(last["by"], kInspector);
  EXPECT_EQ(last["reason"], "rescan page 3");
  EXPECT_FALSE(last["at"].get<std::string>().empty());
  const json& rotation = trail[trail.size() - 4];
  EXPECT_EQ(rotation["action"], "rotate");
  EXPECT_EQ(rotation["after"]["orient.rotation_deg"], 90);
  EXPECT_TRUE(rotation["before"].contains("measured_deg"));
}

}  // namespace
}  // namespace lantai::review::testing
