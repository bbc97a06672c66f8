// Review accounts managed on the command line (lantai review user list, disable, enable,
// passwd, role) and what a running server makes of each change: a disabled account or a
// changed password ends its sessions at their next request, a new role counts at once.
#include <gtest/gtest.h>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "pipeline/runtime/ledger.h"
#include "pipeline/runtime/review_state.h"
#include "tests/e2e/e2e_support.h"
#include "tests/ui-web/review_fixture.h"
#include "ui-web/password.h"

namespace lantai::review::testing {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

class ReviewAccounts : public ::testing::Test {
 protected:
  void SetUp() override {
    work_ = fs::path(LANTAI_REVIEW_DIR) / ("accounts-" + std::to_string(::getpid())) / "work";
    fs::remove_all(work_.parent_path());
    Ledger::open(work_);  // an empty WORK: accounts need no pages
  }
  void TearDown() override { fs::remove_all(work_.parent_path()); }

  e2e::CommandResult user(const std::string& arguments, const std::string& input = {}) {
    const std::string command = (input.empty() ? "" : "printf '%s\\n' '" + input + "' | ") + "'" +
                                e2e::lantai_bin().string() + "' review user " + arguments + " --work '" + work_.string() + "'";
    return e2e::run_command({"sh", "-c", command});
  }
  int status_of(RunningServer& server, const LoggedIn& session, const char* path = "/api/queue") {
    auto response = server.client().Get(path, {{"Cookie", session.cookie}});
    return response ? response->status : 0;
  }

  fs::path work_;
};

//! list shows each account with its role and status; disable, enable, role and passwd change the ledger's row and refuse what makes no sense.
TEST_F(ReviewAccounts, CommandsChangeTheAccounts) {
  ASSERT_EQ(user("add zhao --role inspector", "first-password-1").exit_code, 0);
  auto listed = user("list");
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_NE(listed.output.find("zhao"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("inspector"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("active"), std::string::npos) << listed.output;

  ASSERT_EQ(user("disable zhao").exit_code, 0);
  EXPECT_FALSE(Ledger::open(work_)->review_user("zhao")->disabled_at.empty());
  EXPECT_NE(user("list").output.find("disabled 20"), std::string::npos);
  EXPECT_NE(user("disable zhao").exit_code, 0);  // disabled already
  ASSERT_EQ(user("enable zhao").exit_code, 0);
  EXPECT_TRUE(Ledger::open(work_)->review_user("zhao")->disabled_at.empty());

  ASSERT_EQ(user("role zhao --role supervisor").exit_code, 0);
  EXPECT_EQ(Ledger::open(work_)->review_user("zhao")->role, kSupervisorRole);
  EXPECT_NE(user("role zhao --role admin").exit_code, 0);
  EXPECT_EQ(Ledger::open(work_)->review_user("zhao")->role, kSupervisorRole);

  const std::string before = Ledger::open(work_)->review_user("zhao")->password_hash;
  EXPECT_NE(user("passwd zhao", "short").exit_code, 0);  // under the minimum length
  EXPECT_EQ(Ledger::open(work_)->review_user("zhao")->password_hash, before);
  ASSERT_EQ(user("passwd zhao", "second-password-2").exit_code, 0);
  const std::string after = Ledger::open(work_)->review_user("zhao")->password_hash;
  EXPECT_TRUE(verify_password("second-password-2", after));
  EXPECT_FALSE(verify_password("first-password-1", after));

  for (const char* unknown : {"disable nobody", "enable nobody", "passwd nobody", "role nobody --role inspector"}) {
    const auto result = user(unknown, "third-password-3");
    EXPECT_NE(result.exit_code, 0) << unknown;
    EXPECT_NE(result.output.find("no review user named 'nobody'"), std::string::npos) << result.output;
  }
  EXPECT_EQ(Ledger::open(work_)->review_users().size(), 1u);
}

//! A running server ends the session of an account disabled, or whose password changed, at its next request, and takes a new role at once.
TEST_F(ReviewAccounts, ARunningServerFollowsTheChanges) {
  RunningServer server(work_);
  const LoggedIn inspector = log_in(server.client(), kInspector);
  EXPECT_EQ(status_of(server, inspector), 200);

  ASSERT_EQ(user(std::string("role ") + kInspector + " --role supervisor").exit_code, 0);
  auto session = server.client().Get("/api/session", {{"Cookie", inspector.cookie}});
  ASSERT_TRUE(session);
  EXPECT_EQ(json::parse(session->body)["role"], kSupervisorRole);

  ASSERT_EQ(user(std::string("disable ") + kInspector).exit_code, 0);
  EXPECT_EQ(status_of(server, inspector), 401);
  EXPECT_THROW(log_in(server.client(), kInspector), std::runtime_error);
  ASSERT_EQ(user(std::string("enable ") + kInspector).exit_code, 0);
  EXPECT_EQ(status_of(server, inspector), 401);  // the session ended for good
  const LoggedIn again = log_in(server.client(), kInspector);
  EXPECT_EQ(status_of(server, again), 200);

  const LoggedIn supervisor = log_in(server.client(), kSupervisor);
  ASSERT_EQ(user(std::string("passwd ") + kSupervisor, "a-new-password-7").exit_code, 0);
  EXPECT_EQ(status_of(server, supervisor), 401);
  EXPECT_EQ(status_of(server, again), 200);  // another account's change ends only its sessions
  EXPECT_THROW(log_in(server.client(), kSupervisor), std::runtime_error);
  EXPECT_EQ(status_of(server, log_in(server.client(), kSupervisor, "a-new-password-7")), 200);
}

}  // namespace
}  // namespace lantai::review::testing
