#include "ui-web/review_server.h"

#include <httplib.h>

#include <cstdio>
#include <optional>
#include <stdexcept>

#include "pipeline/runtime/ledger.h"
#include "ui-web/password.h"
#include "ui-web/web_assets.h"

namespace lantai::review {
using nlohmann::json;

namespace {

constexpr const char* kSessionCookie = "lantai_review";
constexpr const char* kCsrfHeader = "X-CSRF-Token";
constexpr std::size_t kMaxNameBytes = 64;
// A hash verified for unknown names too, so a wrong name takes as long as a wrong password.
const std::string& decoy_hash() {
  static const std::string hash = hash_password("no such user, no such password");
  return hash;
}

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  // Text from files (OCR, a catalogue) that is not valid UTF-8 is shown with U+FFFD, not refused.
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json; charset=utf-8");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  send_json(res, status, {{"error", message}});
}

std::string cookie_value(const httplib::Request& req, const std::string& name) {
  const std::string header = req.get_header_value("Cookie");
  for (std::size_t start = 0; start < header.size();) {
    std::size_t end = header.find(';', start);
    if (end == std::string::npos) end = header.size();
    std::string pair = header.substr(start, end - start);
    pair.erase(0, pair.find_first_not_of(' '));
    if (pair.compare(0, name.size() + 1, name + "=") == 0) return pair.substr(name.size() + 1);
    start = end + 1;
  }
  return {};
}

bool is_loopback(const std::string& host) { return host == "127.0.0.1" || host == "::1" || host == "localhost"; }

// Only the names this server answers to on loopback: a page elsewhere that points a name
// of its own at 127.0.0.1 (DNS rebinding) gets nothing.
bool host_allowed(const httplib::Request& req, const std::string& bound_host, int port) {
  if (!is_loopback(bound_host)) return true;
  const std::string host = req.get_header_value("Host");
  const std::string suffix = ":" + std::to_string(port);
  for (const char* name : {"127.0.0.1", "localhost", "[::1]"})
    if (host == std::string(name) + suffix) return true;
  return false;
}

std::string status_text(int status) {
  switch (status) {
    case 400: return "bad request";
    case 404: return "not found";
    case 405: return "method not allowed";
    case 413: return "request too large";
    case 414: return "URI too long";
    default: return "HTTP " + std::to_string(status);
  }
}

json parse_body(const httplib::Request& req) { return json::parse(req.body, nullptr, false); }

// A small whole number parameter (at most 4 digits): nullopt when absent or anything else.
std::optional<int> small_number(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::nullopt;
  const std::string text = req.get_param_value(name);
  if (text.empty() || text.size() > 4 || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoi(text);
}

ImageVariant variant_of(const std::string& name) {
  return name == "original" ? ImageVariant::original : name == "processed" ? ImageVariant::processed : ImageVariant::cleanup;
}

// ?sample=N (absent: 0, the latest); nullopt when it is not a number.
std::optional<int> sample_param(const httplib::Request& req) {
  if (!req.has_param("sample")) return 0;
  const std::string text = req.get_param_value("sample");
  if (text.empty() || text.size() > 6 || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoi(text);
}

}  // namespace

ReviewServer::ReviewServer(ReviewService& service, ServerLimits limits)
    : service_(service),
      samples_(service.ledger(), service.work_dir()),
      limits_(limits),
      per_user_(limits.max_login_failures_per_user, limits.login_window),
      per_address_(limits.max_login_failures_per_address, limits.login_window),
      http_(std::make_unique<httplib::Server>()) {
  decoy_hash();
  http_->set_payload_max_length(limits_.max_body_bytes);
  http_->set_read_timeout(10, 0);
  http_->set_write_timeout(30, 0);
  http_->set_default_headers({
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Cache-Control", "no-store"},
      {"Content-Security-Policy",
       "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"},
  });
  add_routes();
}

ReviewServer::~ReviewServer() = default;

std::optional<ReviewUser> ReviewServer::account_of(const Session& session) const {
  auto account = service_.ledger().review_user(session.user);
  if (!account || !account->disabled_at.empty() || account->password_hash != session.credential) return std::nullopt;
  return account;
}

int ReviewServer::bind(const std::string& host, int port) {
  const int bound = port == 0 ? http_->bind_to_any_port(host) : (http_->bind_to_port(host, port) ? port : -1);
  if (bound <= 0) throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port));
  bound_host_ = host;
  bound_port_ = bound;
  return bound;
}

void ReviewServer::run() { http_->listen_after_bind(); }

void ReviewServer::stop() { http_->stop(); }

void ReviewServer::add_routes() {
  httplib::Server& http = *http_;

  // Every request: the right Host; every /api/ call but login: a session; every change:
  // JSON and the session's CSRF token.
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!host_allowed(req, bound_host_, bound_port_)) {
      send_error(res, 400, "this server answers to 127.0.0.1 and localhost only");
      return httplib::Server::HandlerResponse::Handled;
    }
    const bool change = req.method != "GET" && req.method != "HEAD";
    if (change && req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
      send_error(res, 415, "changes are sent as application/json");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.path.rfind("/api/", 0) != 0 || (req.path == "/api/login" && req.method == "POST"))
      return httplib::Server::HandlerResponse::Unhandled;
    const auto session = sessions_.find(cookie_value(req, kSessionCookie));
    if (!session) {
      send_error(res, 401, "log in first");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (!account_of(*session)) {  // disabled, or its password changed, since the login
      sessions_.close(session->token);
      send_error(res, 401, "the account was disabled or its password changed; log in again");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (change && !same_secret(req.get_header_value(kCsrfHeader), session->csrf)) {
      send_error(res, 403, "missing or wrong CSRF token (" + std::string(kCsrfHeader) + ")");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (req.path.rfind("/api/", 0) == 0) send_error(res, res.status, status_text(res.status));
    else res.set_content(std::to_string(res.status) + " " + status_text(res.status), "text/plain; charset=utf-8");
  });
  http.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr failure) {
    std::string why = "unknown";
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& error) {
      why = error.what();
    } catch (...) {
    }
    std::fprintf(stderr, "lantai review: %s %s failed: %s\n", req.method.c_str(), req.path.c_str(), why.c_str());
    send_error(res, 500, "the server could not answer this request; see its output");
  });

  // Who a request that passed the pre-routing check comes from, in the role the ledger
  // gives the account now (a role changed since the login counts at once).
  auto who = [this](const httplib::Request& req) {
    const auto session = sessions_.find(cookie_value(req, kSessionCookie));
    const auto account = session ? account_of(*session) : std::nullopt;
    return account ? Reviewer{account->name, account->role} : Reviewer{};
  };

  // ── The page ──────────────────────────────────────────────────────────────────────
  for (const WebAsset& asset : web_assets()) {
    const std::string route = asset.path == "/index.html" ? "/" : std::string(asset.path);
    http.Get(route, [&asset](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(asset.bytes), std::string(asset.content_type));
    });
  }

  // ── Sessions ──────────────────────────────────────────────────────────────────────
  http.Post("/api/login", [this](const httplib::Request& req, httplib::Response& res) {
    const json body = parse_body(req);
    if (!body.is_object() || !body.contains("name") || !body["name"].is_string() || !body.contains("password") ||
        !body["password"].is_string())
      return send_error(res, 400, "send {\"name\": ..., \"password\": ...}");
    const std::string name = body["name"].get<std::string>();
    const std::string password = body["password"].get<std::string>();
    if (name.empty() || name.size() > kMaxNameBytes || password.size() > kMaxPasswordBytes)
      return send_error(res, 400, "name or password of an impossible length");
    const std::string user_key = "user:" + name, address_key = "address:" + req.remote_addr;
    const long long wait = std::max(per_user_.retry_after(user_key), per_address_.retry_after(address_key));
    if (wait > 0) {
      res.set_header("Retry-After", std::to_string(wait));
      return send_error(res, 429, "too many failed logins; try again in " + std::to_string(wait) + " s");
    }
    const auto user = service_.ledger().review_user(name);
    const bool good = verify_password(password, user ? user->password_hash : decoy_hash()) && user.has_value() &&
                      user->disabled_at.empty();
    if (!good) {
      per_user_.failed(user_key);
      per_address_.failed(address_key);
      return send_error(res, 401, "wrong name or password");
    }
    per_user_.succeeded(user_key);
    const Session session = sessions_.open(user->name, user->role, user->password_hash);
    res.set_header("Set-Cookie", std::string(kSessionCookie) + "=" + session.token +
                                     "; HttpOnly; SameSite=Strict; Path=/");
    send_json(res, 200, {{"user", session.user}, {"role", session.role}, {"csrf", session.csrf}});
  });
  http.Post("/api/logout", [this](const httplib::Request& req, httplib::Response& res) {
    sessions_.close(cookie_value(req, kSessionCookie));
    res.set_header("Set-Cookie", std::string(kSessionCookie) + "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    send_json(res, 200, {{"logged_out", true}});
  });
  http.Get("/api/session", [this](const httplib::Request& req, httplib::Response& res) {
    const auto session = sessions_.find(cookie_value(req, kSessionCookie));
    const auto account = session ? account_of(*session) : std::nullopt;
    if (!account) return send_error(res, 401, "log in first");
    const auto identity = service_.ledger().identity();
    send_json(res, 200,
              {{"user", account->name},
               {"role", account->role},
               {"csrf", session->csrf},
               {"batch",
                {{"batch_id", identity ? identity->batch_id : ""},
                 {"fonds_code", identity ? identity->fonds_code : ""},
                 {"unit_name", identity ? identity->unit_name : ""},
                 {"profile", identity ? identity->profile_name : ""}}}});
  });

  // ── The queues ────────────────────────────────────────────────────────────────────
  http.Get("/api/queue", [this](const httplib::Request& req, httplib::Response& res) {
    QueueQuery query;
    if (req.has_param("queue")) query.queue = req.get_param_value("queue");
    if (req.has_param("order")) query.order = req.get_param_value("order");
    query.code = req.get_param_value("code");
    query.record = req.get_param_value("record");
    if (query.queue != "review" && query.queue != "all" && query.queue != "records")
      return send_error(res, 400, "queue is review, all or records");
    if (query.order != "lot" && query.order != "deviation") return send_error(res, 400, "order is lot or deviation");
    send_json(res, 200, service_.queue(query));
  });
  http.Get("/api/decisions", [this](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, {{"decisions", service_.decisions()}});
  });

  // ── The acceptance sample (DA/T 31-2017 12.3), the page's fourth queue ────────────
  // Drawn on the command line (lantai sample WORK); checked, signed off and reported here.
  http.Get("/api/sample", [this](const httplib::Request& req, httplib::Response& res) {
    const auto number = sample_param(req);
    if (!number) return send_error(res, 400, "sample is a sample's number");
    const Answer answer = samples_.sample(*number);
    send_json(res, answer.status, answer.body);
  });
  http.Post(R"(/api/sample/([^/]+)/verdict)", [this, who](const httplib::Request& req, httplib::Response& res) {
    const json body = parse_body(req);
    if (body.is_discarded()) return send_error(res, 400, "the body is not JSON");
    const Reviewer reviewer = who(req);
    if (reviewer.name.empty()) return send_error(res, 401, "log in first");
    const Answer answer = samples_.check(reviewer, req.matches[1], body);
    send_json(res, answer.status, answer.body);
  });
  http.Post("/api/sample/sign-off", [this, who](const httplib::Request& req, httplib::Response& res) {
    const json body = parse_body(req);
    if (body.is_discarded()) return send_error(res, 400, "the body is not JSON");
    const Reviewer reviewer = who(req);
    if (reviewer.name.empty()) return send_error(res, 401, "log in first");
    const Answer answer = samples_.sign_off(reviewer, body);
    send_json(res, answer.status, answer.body);
  });
  http.Post("/api/sample/report", [this](const httplib::Request& req, httplib::Response& res) {
    const json body = parse_body(req);
    if (body.is_discarded()) return send_error(res, 400, "the body is not JSON");
    const Answer answer = samples_.write_reports(body);
    send_json(res, answer.status, answer.body);
  });
  // The name only picks among the files the ledger recorded for the sample.
  http.Get(R"(/api/sample/reports/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    const auto number = sample_param(req);
    if (!number) return send_error(res, 400, "sample is a sample's number");
    ReportDownload report = samples_.report(*number, req.matches[1]);
    if (report.status != 200) return send_error(res, report.status, report.error);
    res.set_header("Content-Disposition", "attachment; filename=\"" + report.name + "\"");
    res.set_content(std::move(report.bytes), report.content_type);
  });

  // ── Pages ─────────────────────────────────────────────────────────────────────────
  // An item id is "<path in the lot>#<frame>" and is sent percent-encoded as one
  // segment (encodeURIComponent); it always ends in #<digits>, which keeps it apart from
  // the segments after it.
  http.Get(R"(/api/items/(.+#[0-9]+))", [this](const httplib::Request& req, httplib::Response& res) {
    const Answer answer = service_.item(req.matches[1]);
    send_json(res, answer.status, answer.body);
  });
  http.Get(R"(/api/items/(.+#[0-9]+)/image/(original|processed|cleanup))",
           [this](const httplib::Request& req, httplib::Response& res) {
             const std::string variant = req.matches[2];
             int width = 1600;
             if (req.has_param("w")) {
               const std::string text = req.get_param_value("w");
               if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos)
                 return send_error(res, 400, "w is a width in px");
               width = std::stoi(text);
             }
             const auto jpeg = service_.image(req.matches[1], variant_of(variant), width);
             if (!jpeg) return send_error(res, 404, "no such image of this page");
             res.set_header("Cache-Control", "private, max-age=300");
             res.set_content(*jpeg, "image/jpeg");
           });
  // Full resolution, a tile at a time: the grid, then tiles of at most kTileSize px.
  http.Get(R"(/api/items/(.+#[0-9]+)/tiles/(original|processed|cleanup))",
           [this](const httplib::Request& req, httplib::Response& res) {
             const auto grid = service_.tile_grid(req.matches[1], variant_of(req.matches[2]));
             if (!grid) return send_error(res, 404, "no such image of this page");
             send_json(res, 200, {{"width", grid->width}, {"height", grid->height}, {"tile", kTileSize},
                                  {"levels", grid->levels}});
           });
  http.Get(R"(/api/items/(.+#[0-9]+)/tile/(original|processed|cleanup))",
           [this](const httplib::Request& req, httplib::Response& res) {
             const auto z = small_number(req, "z"), x = small_number(req, "x"), y = small_number(req, "y");
             if (!z || !x || !y) return send_error(res, 400, "z, x and y are whole numbers of up to 4 digits");
             const auto variant = variant_of(req.matches[2]);
             const auto grid = service_.tile_grid(req.matches[1], variant);
             if (!grid) return send_error(res, 404, "no such image of this page");
             if (!grid->holds(*z, *x, *y))
               return send_error(res, 400, "no tile " + std::to_string(*z) + "/" + std::to_string(*x) + "/" +
                                               std::to_string(*y) + " on this image (" + std::to_string(grid->levels) +
                                               " levels)");
             const auto jpeg = service_.tile(req.matches[1], variant, *z, *x, *y);
             if (!jpeg) return send_error(res, 404, "no such image of this page");
             res.set_header("Cache-Control", "private, max-age=300");
             res.set_content(*jpeg, "image/jpeg");
           });
  http.Post(R"(/api/items/(.+#[0-9]+)/decision)", [this, who](const httplib::Request& req, httplib::Response& res) {
    const json body = parse_body(req);
    if (body.is_discarded()) return send_error(res, 400, "the body is not JSON");
    const Reviewer reviewer = who(req);
    if (reviewer.name.empty()) return send_error(res, 401, "log in first");  // the session ended meanwhile
    const Answer answer = service_.decide_item(reviewer, req.matches[1], body);
    send_json(res, answer.status, answer.body);
  });

  // ── Records ───────────────────────────────────────────────────────────────────────
  http.Get(R"(/api/records/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    const Answer answer = service_.record(req.matches[1]);
    send_json(res, answer.status, answer.body);
  });
  http.Post(R"(/api/records/([^/]+)/decision)", [this, who](const httplib::Request& req, httplib::Response& res) {
    const json body = parse_body(req);
    if (body.is_discarded()) return send_error(res, 400, "the body is not JSON");
    const Reviewer reviewer = who(req);
    if (reviewer.name.empty()) return send_error(res, 401, "log in first");
    const Answer answer = service_.decide_record(reviewer, req.matches[1], body);
    send_json(res, answer.status, answer.body);
  });
}

}  // namespace lantai::review
