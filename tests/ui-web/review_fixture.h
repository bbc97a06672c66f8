// The review server on a copy of the sample lot's WORK (the e2e fixture's), on an
// ephemeral loopback port, with one inspector and one supervisor; raw HTTP for requests a
// client library would tidy up (.., %2e%2e, absolute paths, a foreign Host).
#pragma once

#include <httplib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "ui-web/review_server.h"
#include "ui-web/review_service.h"

namespace lantai::review::testing {

inline constexpr const char* kInspector = "li";
inline constexpr const char* kSupervisor = "wang";
inline constexpr const char* kPassword = "correct-horse-42";

// cp -a of the e2e lot and WORK into dir (timestamps kept, so a rerun redoes nothing unasked).
void copy_sample_work(const std::filesystem::path& dir);

class RunningServer {
 public:
  RunningServer(const std::filesystem::path& work_dir, ServerLimits limits = {});
  ~RunningServer();
  int port() const { return port_; }
  ReviewService& service() { return *service_; }
  httplib::Client client() const;

 private:
  std::unique_ptr<ReviewService> service_;
  std::unique_ptr<ReviewServer> server_;
  std::thread thread_;
  int port_ = 0;
};

struct LoggedIn {
  std::string cookie;  // "lantai_review=…"
  std::string csrf;
  std::string set_cookie;  // as the server sent it
};
LoggedIn log_in(const httplib::Client& client, const std::string& name, const std::string& password = kPassword);

struct RawResponse {
  int status = 0;
  std::string head, body;
};
// Sends request bytes as they are over a new connection and reads the whole answer.
RawResponse raw_request(int port, const std::string& request);
RawResponse raw_get(int port, const std::string& target, const std::string& extra_headers = {});

std::string encode_segment(const std::string& text);  // as encodeURIComponent

}  // namespace lantai::review::testing
