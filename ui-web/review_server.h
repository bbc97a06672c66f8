// The review server: `lantai review WORK` serves the review page and its JSON API
// (docs/review-api.md) over HTTP with cpp-httplib, on loopback unless told otherwise.
//
// Every /api/ call but POST /api/login needs a session (401 without); every change (any
// method but GET) needs the session's CSRF token in X-CSRF-Token (403 without). No URL
// names a file: the page's assets are compiled into the binary, items and records are
// looked up in the ledger by id, images come as reduced copies made into WORK, and an
// acceptance report is picked by name among the files the ledger recorded for its sample.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "ui-web/review_service.h"
#include "ui-web/sample_service.h"
#include "ui-web/sessions.h"

namespace httplib {
class Server;
}

namespace lantai::review {

struct ServerLimits {
  std::size_t max_body_bytes = 64 * 1024;  // a decision is a few hundred bytes
  std::size_t max_login_failures_per_user = 5;
  std::size_t max_login_failures_per_address = 20;
  std::chrono::seconds login_window{15 * 60};
};

class ReviewServer {
 public:
  explicit ReviewServer(ReviewService& service, ServerLimits limits = {});
  ~ReviewServer();

  // Binds host:port (port 0: any free port) and returns the port; throws
  // std::runtime_error naming the address when it cannot.
  int bind(const std::string& host, int port);
  void run();   // serves until stop(); call after bind
  void stop();  // from any thread

 private:
  void add_routes();
  // The session's account as the ledger has it now; nullopt when it was disabled or its
  // password changed since the login (lantai review user …, from another process).
  std::optional<ReviewUser> account_of(const Session& session) const;

  ReviewService& service_;
  SampleService samples_;
  ServerLimits limits_;
  SessionStore sessions_;
  LoginLimiter per_user_, per_address_;
  std::string bound_host_;
  int bound_port_ = 0;
  std::unique_ptr<httplib::Server> http_;
};

}  // namespace lantai::review
