#include "ui-web/sessions.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

namespace lantai::review {

namespace {
// Bounds what a flood of bad logins from many names or addresses can make the server hold.
constexpr std::size_t kMaxTrackedKeys = 10'000;
constexpr std::size_t kMaxSessions = 1'000;
}  // namespace

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> random(bytes);
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) throw std::runtime_error("no random bytes");
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  for (unsigned char byte : random) {
    text += kDigits[byte >> 4];
    text += kDigits[byte & 15];
  }
  return text;
}

bool same_secret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Session SessionStore::open(const std::string& user, const std::string& role, const std::string& credential) {
  const auto now = Clock::now();
  Session session{random_hex(32), random_hex(32), user, role, credential, now, now};
  std::lock_guard lock(mutex_);
  for (auto it = sessions_.begin(); it != sessions_.end();)  // the expired ones go first
    it = (now - it->second.last_seen > idle_ || now - it->second.started > lifetime_) ? sessions_.erase(it)
                                                                                     : std::next(it);
  if (sessions_.size() >= kMaxSessions) throw std::runtime_error("too many open sessions");
  sessions_[session.token] = session;
  return session;
}

std::optional<Session> SessionStore::find(const std::string& token) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(token);
  if (it == sessions_.end()) return std::nullopt;
  const auto now = Clock::now();
  if (now - it->second.last_seen > idle_ || now - it->second.started > lifetime_) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_seen = now;
  return it->second;
}

void SessionStore::close(const std::string& token) {
  std::lock_guard lock(mutex_);
  sessions_.erase(token);
}

void LoginLimiter::forget_old(std::deque<Clock::time_point>& failures, Clock::time_point now) const {
  while (!failures.empty() && now - failures.front() >= window_) failures.pop_front();
}

long long LoginLimiter::retry_after(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return 0;
  const auto now = Clock::now();
  forget_old(it->second, now);
  if (it->second.size() < max_) return 0;
  const auto wait = std::chrono::duration_cast<std::chrono::seconds>(it->second.front() + window_ - now).count();
  return wait > 0 ? wait : 1;
}

void LoginLimiter::failed(const std::string& key) {
  std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  if (failures_.size() >= kMaxTrackedKeys && !failures_.count(key)) {
    for (auto it = failures_.begin(); it != failures_.end();) {
      forget_old(it->second, now);
      it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
    if (failures_.size() >= kMaxTrackedKeys) failures_.erase(failures_.begin());
  }
  auto& failures = failures_[key];
  forget_old(failures, now);
  failures.push_back(now);
  if (failures.size() > max_) failures.pop_front();
}

void LoginLimiter::succeeded(const std::string& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

}  // namespace lantai::review
