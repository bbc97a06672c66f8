// Review sessions and the login limiter. Sessions live in the server's memory: a restart
// of `lantai review` logs everyone out, which is what a closed server should do.
// Thread-safe: the HTTP server calls these from its worker threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace lantai::review {

using Clock = std::chrono::steady_clock;

struct Session {
  std::string token;  // the cookie's value: 256 random bits, hex
  std::string csrf;   // sent back in X-CSRF-Token on every change: 256 random bits, hex
  std::string user;
  std::string role;
  std::string credential;  // the account's password hash at login: a new password ends the session
  Clock::time_point started, last_seen;
};

class SessionStore {
 public:
  // A session ends after idle without a request, or after lifetime whatever happens.
  SessionStore(std::chrono::seconds idle = std::chrono::hours(1), std::chrono::seconds lifetime = std::chrono::hours(10))
      : idle_(idle), lifetime_(lifetime) {}

  Session open(const std::string& user, const std::string& role, const std::string& credential = {});
  std::optional<Session> find(const std::string& token);  // and marks it seen
  void close(const std::string& token);

 private:
  std::chrono::seconds idle_, lifetime_;
  std::map<std::string, Session> sessions_;
  std::mutex mutex_;
};

// Failed logins, counted per key (a user name, an address) over a sliding window: after
// max_failures in the window the key is refused until the oldest failure leaves it.
class LoginLimiter {
 public:
  LoginLimiter(std::size_t max_failures, std::chrono::seconds window) : max_(max_failures), window_(window) {}

  // Seconds until the key may try again; 0 when it may now.
  long long retry_after(const std::string& key);
  void failed(const std::string& key);
  void succeeded(const std::string& key);

 private:
  void forget_old(std::deque<Clock::time_point>& failures, Clock::time_point now) const;

  std::size_t max_;
  std::chrono::seconds window_;
  std::map<std::string, std::deque<Clock::time_point>> failures_;
  std::mutex mutex_;
};

// Hex of n random bytes (OpenSSL RAND_bytes); throws std::runtime_error without entropy.
std::string random_hex(std::size_t bytes);
// Equal strings, compared in time independent of where they differ.
bool same_secret(const std::string& a, const std::string& b);

}  // namespace lantai::review
