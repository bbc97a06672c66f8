#include "tests/ui-web/review_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "pipeline/runtime/review_state.h"
#include "stages/stage_sequence.h"
#include "ui-web/password.h"

namespace lantai::review::testing {
namespace fs = std::filesystem;

void copy_sample_work(const fs::path& dir) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string e2e = LANTAI_E2E_DIR;
  if (!fs::is_regular_file(fs::path(e2e) / "work" / "ledger.sqlite") || !fs::is_directory(fs::path(e2e) / "lot"))
    throw std::runtime_error("the sample lot's WORK that e2e.run_sample_lot makes is missing: " + e2e +
                             "/{lot,work}; run ctest with the e2e fixtures");
  const std::string command = "cp -a '" + e2e + "/lot' '" + e2e + "/work' '" + dir.string() + "/'";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("cannot copy the sample WORK: " + command);
}

RunningServer::RunningServer(const fs::path& work_dir, ServerLimits limits) {
  service_ = std::make_unique<ReviewService>(work_dir, make_stage_sequence());
  const ScryptCost cheap{1 << 10, 8, 1};  // the format and the check as in use, at a test's cost
  for (auto [name, role] : {std::pair{kInspector, kInspectorRole}, std::pair{kSupervisor, kSupervisorRole}})
    if (!service_->ledger().review_user(name))
      service_->ledger().add_review_user({name, role, hash_password(kPassword, cheap), ""});
  server_ = std::make_unique<ReviewServer>(*service_, limits);
  port_ = server_->bind("127.0.0.1", 0);
  thread_ = std::thread([this] { server_->run(); });
  for (int i = 0; i < 100; ++i) {  // listening once a request is answered
    if (raw_get(port_, "/").status > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

RunningServer::~RunningServer() {
  server_->stop();
  thread_.join();
}

httplib::Client RunningServer::client() const {
  httplib::Client client("127.0.0.1", port_);
  client.set_read_timeout(60, 0);
  return client;
}

LoggedIn log_in(const httplib::Client& client, const std::string& name, const std::string& password) {
  auto& mutable_client = const_cast<httplib::Client&>(client);
  auto response = mutable_client.Post("/api/login", nlohmann::json{{"name", name}, {"password", password}}.dump(),
                                      "application/json");
  if (!response || response->status != 200) throw std::runtime_error("login failed for " + name);
  LoggedIn session;
  session.set_cookie = response->get_header_value("Set-Cookie");
  session.cookie = session.set_cookie.substr(0, session.set_cookie.find(';'));
  session.csrf = nlohmann::json::parse(response->body).at("csrf");
  return session;
}

RawResponse raw_request(int port, const std::string& request) {
  RawResponse response;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return response;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return response;
  }
  for (std::size_t sent = 0; sent < request.size();) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  std::string all;
  char buffer[8192];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) all.append(buffer, static_cast<std::size_t>(n));
  ::close(fd);
  const auto split = all.find("\r\n\r\n");
  response.head = all.substr(0, split);
  response.body = split == std::string::npos ? "" : all.substr(split + 4);
  if (all.rfind("HTTP/1.1 ", 0) == 0) response.status = std::atoi(all.c_str() + 9);
  return response;
}

RawResponse raw_get(int port, const std::string& target, const std::string& extra_headers) {
  return raw_request(port, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                               "\r\nConnection: close\r\n" + extra_headers + "\r\n");
}

std::string encode_segment(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string encoded;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '!' || c == '~' || c == '*' || c == '\'' ||
        c == '(' || c == ')')
      encoded += static_cast<char>(c);
    else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  return encoded;
}

}  // namespace lantai::review::testing
