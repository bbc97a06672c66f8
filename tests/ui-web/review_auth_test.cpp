// Review accounts and sessions: passwords kept as salted scrypt hashes that only the right
// password matches; sessions that end; failed logins counted per key until they wait.
#include <gtest/gtest.h>

#include <thread>

#include "ui-web/password.h"
#include "ui-web/sessions.h"

namespace lantai::review {
namespace {

// A cheap cost keeps the tests fast; the format and the check are the same.
constexpr ScryptCost kTestCost{1 << 10, 8, 1};

//! The right password verifies, a wrong one or a near miss does not, and two hashes of one password differ (salt).
TEST(Password, OnlyTheRightPasswordVerifies) {
  const std::string stored = hash_password("correct horse battery", kTestCost);
  EXPECT_EQ(stored.rfind("scrypt$1024$8$1$", 0), 0u) << stored;
  EXPECT_TRUE(verify_password("correct horse battery", stored));
  EXPECT_FALSE(verify_password("correct horse batter", stored));
  EXPECT_FALSE(verify_password("", stored));
  EXPECT_NE(stored, hash_password("correct horse battery", kTestCost));
  EXPECT_EQ(stored.find("correct"), std::string::npos);
}

//! The default cost is scrypt's interactive-login figure (N = 2^15), not the tests' cheap one.
TEST(Password, DefaultCostIsSlow) {
  const std::string stored = hash_password("a password of ten");
  EXPECT_EQ(stored.rfind("scrypt$32768$8$1$", 0), 0u) << stored;
  EXPECT_TRUE(verify_password("a password of ten", stored));
}

//! Stored texts that are not hashes this code made never verify, and absurd costs are refused rather than run.
TEST(Password, MalformedStoredTextsNeverVerify) {
  const std::string good = hash_password("pw-1234567890", kTestCost);
  for (const std::string& bad : std::vector<std::string>
       {std::string(""), std::string("pw-1234567890"), std::string("scrypt$1024$8$1$$"), std::string("md5$x$y"),
        good.substr(0, good.size() - 4), std::string("scrypt$1000$8$1$") + good.substr(good.find("$", 16) + 1),
        std::string("scrypt$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")})
    EXPECT_FALSE(verify_password("pw-1234567890", bad)) << bad;
}

//! A session is found by its token until it is closed; tokens and CSRF tokens are long, random and distinct.
TEST(Sessions, OpenFindClose) {
  SessionStore store;
  const Session a = store.open("li", "inspector");
  const Session b = store.open("wang", "supervisor");
  EXPECT_EQ(a.token.size(), 64u);
  EXPECT_NE(a.token, b.token);
  EXPECT_NE(a.token, a.csrf);
  ASSERT_TRUE(store.find(a.token));
  EXPECT_EQ(store.find(a.token)->user, "li");
  EXPECT_EQ(store.find(b.token)->role, "supervisor");
  EXPECT_FALSE(store.find(""));
  EXPECT_FALSE(store.find(a.csrf));
  store.close(a.token);
  EXPECT_FALSE(store.find(a.token));
  EXPECT_TRUE(store.find(b.token));
}

//! An idle session ends.
TEST(Sessions, IdleSessionsEnd) {
  SessionStore store(std::chrono::seconds(1), std::chrono::hours(1));
  const Session a = store.open("li", "inspector");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_FALSE(store.find(a.token));
}

//! After the allowed failures a key waits; other keys do not; a success clears the count.
TEST(LoginLimiter, CountsFailuresPerKey) {
  LoginLimiter limiter(3, std::chrono::seconds(60));
  for (int i = 0; i < 2; ++i) limiter.failed("user:li");
  EXPECT_EQ(limiter.retry_after("user:li"), 0);
  limiter.failed("user:li");
  EXPECT_GT(limiter.retry_after("user:li"), 0);
  EXPECT_LE(limiter.retry_after("user:li"), 60);
  EXPECT_EQ(limiter.retry_after("user:wang"), 0);
  limiter.succeeded("user:li");
  EXPECT_EQ(limiter.retry_after("user:li"), 0);
}

//! Failures older than the window no longer count.
TEST(LoginLimiter, FailuresLeaveTheWindow) {
  LoginLimiter limiter(2, std::chrono::seconds(1));
  limiter.failed("address:127.0.0.1");
  limiter.failed("address:127.0.0.1");
  EXPECT_GT(limiter.retry_after("address:127.0.0.1"), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(limiter.retry_after("address:127.0.0.1"), 0);
}

//! Secrets compare equal only when identical and non-empty.
TEST(Sessions, SameSecret) {
  EXPECT_TRUE(same_secret("abc", "abc"));
  EXPECT_FALSE(same_secret("abc", "abd"));
  EXPECT_FALSE(same_secret("abc", "ab"));
  EXPECT_FALSE(same_secret("", ""));
}

}  // namespace
}  // namespace lantai::review
