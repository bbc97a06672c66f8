// lantai review WORK [--listen 127.0.0.1:8080]: the review server for inspectors.
// lantai review WORK user add NAME --role inspector|supervisor (or ... --work WORK): a
// review account; the password is read from the terminal (twice, not echoed) or one line
// of stdin. user list, disable NAME, enable NAME, passwd NAME and role NAME --role ROLE
// manage the accounts; a disabled account, or one whose password changed, is logged out
// of a running server at its next request. Accounts are never deleted: decisions name them.
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "pipeline/format.h"
#include "pipeline/runtime/ledger.h"
#include "pipeline/runtime/review_state.h"
#include "pipeline/runtime/runner.h"
#include "stages/stage_sequence.h"
#include "ui-cli/commands.h"
#include "ui-web/password.h"
#include "ui-web/review_server.h"

namespace lantai::cli {

namespace {

review::ReviewServer* running_server = nullptr;

// Ctrl-C: httplib's stop() only shuts down and closes the listening socket, which a
// signal handler may do.
void stop_server(int) {
  if (running_server) running_server->stop();
}

void require_work(const std::string& work_dir) {
  if (!std::filesystem::exists(std::filesystem::path(work_dir) / "ledger.sqlite"))
    throw RunError(kExitBadArguments, work_dir + " has no ledger.sqlite: not a lantai work folder (run lantai run first)");
}

// "HOST:PORT", "[::1]:PORT" or ":PORT" (loopback).
std::pair<std::string, int> parse_listen(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) throw RunError(kExitBadArguments, "--listen takes HOST:PORT, e.g. 127.0.0.1:8080");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "127.0.0.1";
  const std::string port_text = text.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port_text) > 65535)
    throw RunError(kExitBadArguments, "--listen: '" + port_text + "' is not a port number");
  return {host, std::stoi(port_text)};
}

std::string read_new_password() {
  const std::string password = read_line_quietly("password: ");
  if (::isatty(STDIN_FILENO) && read_line_quietly("again: ") != password)
    throw RunError(kExitBadArguments, "the two passwords differ; nothing was stored");
  if (password.size() < review::kMinPasswordBytes || password.size() > review::kMaxPasswordBytes)
    throw RunError(kExitBadArguments, "a password has " + std::to_string(review::kMinPasswordBytes) + " to " +
                                          std::to_string(review::kMaxPasswordBytes) + " characters; nothing was stored");
  return password;
}

}  // namespace

std::string read_line_quietly(const char* prompt) {
  const bool terminal = ::isatty(STDIN_FILENO);
  termios saved{};
  if (terminal) {
    std::fprintf(stderr, "%s", prompt);
    ::tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (terminal) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::fprintf(stderr, "\n");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

void add_review_command(CLI::App& app) {
  auto work_dir = std::make_shared<std::string>();
  auto listen = std::make_shared<std::string>("127.0.0.1:8080");
  CLI::App* review = app.add_subcommand("review", "Serve the inspectors' review page for a work folder");
  review->add_option("WORK", *work_dir, "the work folder given to run --out");
  review->add_option("--listen", *listen, "address and port to serve on; loopback unless another address is given")
      ->capture_default_str();

  auto user_name = std::make_shared<std::string>();
  auto role = std::make_shared<std::string>();
  auto user_work = std::make_shared<std::string>();
  CLI::App* user = review->add_subcommand("user", "Review accounts");
  user->require_subcommand(1);
  CLI::App* add = user->add_subcommand("add", "Add a review account; the password is read from stdin, never the command line");
  add->add_option("NAME", *user_name, "the account's name (who each decision names)")->required();
  add->add_option("--role", *role, "inspector, or supervisor (signs off acceptances, accepts records)")
      ->required()
      ->check(CLI::IsMember({std::string(kInspectorRole), std::string(kSupervisorRole)}));
  add->add_option("--work", *user_work, "the work folder whose ledger keeps the account (or: lantai review WORK user add ...)");
  add->callback([user_name, role, user_work, work_dir] {
    if (user_work->empty()) *user_work = *work_dir;
    if (user_work->empty())
      throw RunError(kExitBadArguments, "name the work folder: lantai review WORK user add NAME --role ROLE, or --work WORK");
    require_work(*user_work);
    if (user_name->empty() || user_name->size() > 64 ||
        user_name->find_first_of(" \t\r\n/\\\"'<>&") != std::string::npos)
      throw RunError(kExitBadArguments, "a user name has 1 to 64 characters and no spaces, slashes, quotes or <>&");
    auto ledger = Ledger::open(*user_work);
    if (ledger->review_user(*user_name))
      throw RunError(kExitBadArguments, "a review user named '" + *user_name + "' already exists in " + *user_work);
    ledger->add_review_user({*user_name, *role, review::hash_password(read_new_password()), ""});
    std::printf("review user %s (%s) added to %s\n", user_name->c_str(), role->c_str(), user_work->c_str());
  });

  // The ledger of the WORK named by --work or before `user`.
  auto open_work = [user_work, work_dir](const char* usage) {
    if (user_work->empty()) *user_work = *work_dir;
    if (user_work->empty())
      throw RunError(kExitBadArguments, std::string("name the work folder: lantai review WORK user ") + usage + ", or --work WORK");
    require_work(*user_work);
    return Ledger::open(*user_work);
  };
  auto existing = [user_work](Ledger& ledger, const std::string& name) {
    auto account = ledger.review_user(name);
    if (!account) throw RunError(kExitBadArguments, "no review user named '" + name + "' in " + *user_work);
    return *account;
  };
  auto change = [user_work](Ledger& ledger, const ReviewUser& account, const std::string& what) {
    ledger.change_review_user(account);
    std::printf("review user %s %s in %s\n", account.name.c_str(), what.c_str(), user_work->c_str());
  };

  CLI::App* list = user->add_subcommand("list", "List the review accounts: name, role, since when, active or disabled");
  list->add_option("--work", *user_work, "the work folder whose ledger keeps the accounts");
  list->callback([open_work] {
    auto ledger = open_work("list");
    std::printf("%-24s %-11s %-21s %s\n", "name", "role", "created", "status");
    for (const ReviewUser& account : ledger->review_users())
      std::printf("%-24s %-11s %-21s %s\n", account.name.c_str(), account.role.c_str(), account.created_at.c_str(),
                  account.disabled_at.empty() ? "active" : ("disabled " + account.disabled_at).c_str());
  });

  for (const bool disabling : {true, false}) {
    CLI::App* command = user->add_subcommand(disabling ? "disable" : "enable",
                                             disabling ? "Disable an account: it can no longer log in, and its open sessions end"
                                                       : "Let a disabled account log in again");
    command->add_option("NAME", *user_name, "the account's name")->required();
    command->add_option("--work", *user_work, "the work folder whose ledger keeps the account");
    command->callback([open_work, existing, change, user_name, disabling] {
      auto ledger = open_work(disabling ? "disable NAME" : "enable NAME");
      ReviewUser account = existing(*ledger, *user_name);
      if (account.disabled_at.empty() != disabling)
        throw RunError(kExitBadArguments, "review user " + account.name + " is " + (disabling ? "disabled" : "active") +
                                              " already");
      account.disabled_at = disabling ? now_text("%Y-%m-%dT%H:%M:%SZ", TimeZone::utc) : "";
      change(*ledger, account, disabling ? "disabled" : "enabled");
    });
  }

  CLI::App* passwd = user->add_subcommand("passwd", "Set an account's password (read from stdin); its open sessions end");
  passwd->add_option("NAME", *user_name, "the account's name")->required();
  passwd->add_option("--work", *user_work, "the work folder whose ledger keeps the account");
  passwd->callback([open_work, existing, change, user_name] {
    auto ledger = open_work("passwd NAME");
    ReviewUser account = existing(*ledger, *user_name);
    account.password_hash = review::hash_password(read_new_password());
    change(*ledger, account, "has a new password");
  });

  auto new_role = std::make_shared<std::string>();
  CLI::App* role_command = user->add_subcommand("role", "Give an account another role, from its next request on");
  role_command->add_option("NAME", *user_name, "the account's name")->required();
  role_command->add_option("--role", *new_role, "inspector or supervisor")
      ->required()
      ->check(CLI::IsMember({std::string(kInspectorRole), std::string(kSupervisorRole)}));
  role_command->add_option("--work", *user_work, "the work folder whose ledger keeps the account");
  role_command->callback([open_work, existing, change, user_name, new_role] {
    auto ledger = open_work("role NAME --role ROLE");
    ReviewUser account = existing(*ledger, *user_name);
    account.role = *new_role;
    change(*ledger, account, "is now " + *new_role);
  });

  review->callback([review, user, work_dir, listen] {
    if (user->parsed()) return;
    if (work_dir->empty()) throw RunError(kExitBadArguments, "lantai review WORK: give the work folder");
    require_work(*work_dir);
    const auto [host, port] = parse_listen(*listen);
    StageSequence stages = make_stage_sequence();
    review::ReviewService service(std::filesystem::absolute(*work_dir), stages);
    if (service.ledger().review_users().empty())
      std::fprintf(stderr, "lantai review: no review users yet; add one with "
                           "lantai review user add NAME --role inspector --work %s\n",
                   work_dir->c_str());
    review::ReviewServer server(service);
    int bound = 0;
    try {
      bound = server.bind(host, port);
    } catch (const std::runtime_error& error) {
      throw RunError(kExitEnvironment, error.what());
    }
    if (host != "127.0.0.1" && host != "::1" && host != "localhost")
      std::fprintf(stderr, "lantai review: serving on %s, beyond this machine, over plain HTTP: passwords and "
                           "session cookies cross the network unencrypted; put a TLS proxy in front\n",
                   host.c_str());
    const std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    std::printf("lantai review: serving %s at http://%s:%d/ (Ctrl-C stops)\n", work_dir->c_str(), shown.c_str(), bound);
    std::fflush(stdout);
    running_server = &server;
    std::signal(SIGINT, stop_server);
    std::signal(SIGTERM, stop_server);
    server.run();
    running_server = nullptr;
  });
}

}  // namespace lantai::cli
