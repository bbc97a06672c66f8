// lantai sample WORK: acceptance sampling (数据验收, DA/T 31-2017 12.3).
//   lantai sample WORK [--rate 5%] [--seed N] [--by NAME]   draw a sample and list it
//   lantai sample list WORK [--sample N] [--history]        a sample, its checks, its verdict
//   lantai sample check WORK --record 档号 --item CODE --pass|--fail [--note TEXT] --by NAME
//   lantai sample sign-off WORK --by NAME [--note TEXT]     a decided verdict signed (签发) by a supervisor
//   lantai sample report WORK [--sample N]                  验收报告 (and 整改意见书) to WORK/reports
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "pipeline/acceptance/acceptance.h"
#include "pipeline/runtime/ledger.h"
#include "pipeline/runtime/review_state.h"
#include "pipeline/runtime/runner.h"
#include "ui-cli/commands.h"
#include "ui-web/password.h"

namespace lantai::cli {

namespace {

namespace fs = std::filesystem;
using namespace acceptance;

struct SampleArguments {
  std::string work_dir;
  std::string rate;
  std::uint64_t seed = 0;
  std::string by;
  int sample = 0;
  bool history = false;
  std::string record, item, note;
  bool pass = false, fail = false;
};

std::string login_name() {
  const passwd* entry = ::getpwuid(::getuid());
  return entry && entry->pw_name ? entry->pw_name : "unknown";
}

// Runs body over WORK's acceptance; its errors become one line and exit 2.
template <class Body>
void with_acceptance(const std::string& work_dir, Body&& body) {
  if (!fs::exists(fs::path(work_dir) / "ledger.sqlite"))
    throw RunError(kExitBadArguments, work_dir + " has no ledger.sqlite: not a lantai work folder");
  auto ledger = Ledger::open(work_dir);
  try {
    Acceptance acceptance(*ledger, work_dir);
    body(acceptance);
  } catch (const AcceptanceError& error) {
    throw RunError(kExitBadArguments, error.what());
  }
}

// Only a supervisor signs off (DA/T 31-2017 12.3), here as in the review page: --by names
// an enabled supervisor's review account, proven by its password (read from stdin).
void check_supervisor(const std::string& work_dir, const std::string& name) {
  const auto account = Ledger::open(work_dir)->review_user(name);
  if (!account || !account->disabled_at.empty())
    throw RunError(kExitBadArguments, "sample sign-off: '" + name + "' is not an enabled review account (add one with "
                                      "lantai review WORK user add NAME --role supervisor); nothing was signed");
  if (account->role != kSupervisorRole)
    throw RunError(kExitBadArguments, "sample sign-off: only a supervisor signs off, and '" + name + "' is " +
                                          account->role + "; nothing was signed");
  if (!review::verify_password(read_line_quietly("password: "), account->password_hash))
    throw RunError(kExitBadArguments, "sample sign-off: wrong password for '" + name + "'; nothing was signed");
}

std::string inspector_items() {
  std::string text;
  for (const CheckItem& item : check_items())
    if (item.method == CheckMethod::inspector) {
      std::string code(item.code);
      code.resize(std::max<std::size_t>(code.size() + 2, 30), ' ');
      text += "  " + code + std::string(item.name_zh) + "\n";
    }
  return text;
}

void print_sample(const Acceptance& acceptance, const StoredSample& sample) {
  std::printf("sample %d: seed %llu, rate %s, %zu of %d %s ready for deposit, drawn by %s at %s\n", sample.number,
              static_cast<unsigned long long>(sample.seed), format_rate(sample.rate_bp).c_str(), sample.refs.size(),
              sample.population, sample.record_unit.c_str(), sample.drawn_by.c_str(), sample.drawn_at.c_str());
  int number = 0;
  for (const SampledRecord& record : acceptance.records_of(sample))
    std::printf("  %3d  %s  %s  (%d 页)\n", ++number, record.ref.c_str(), record.title.c_str(), record.pages);
}

void print_judgement(const StoredSample& sample, const Judgement& judgement) {
  std::printf("\ncheck items                         required  checked  passed  failed  result\n");
  for (const ItemTally& tally : judgement.items)
    std::printf("  %-32s %8s %5d/%-4d %6d %7d  %s\n", std::string(tally.item->code).c_str(),
                tally.required_bp == 10000 ? "100%" : format_rate(tally.required_bp).c_str(), tally.checked,
                tally.records, tally.passed, tally.failed, !tally.met ? "pending" : *tally.met ? "met" : "NOT MET");
  std::printf("\nverdict of sample %d: %s (%s), %zu defect%s\n", sample.number,
              std::string(to_string(judgement.verdict)).c_str(), std::string(chinese_name(judgement.verdict)).c_str(),
              judgement.defects.size(), judgement.defects.size() == 1 ? "" : "s");
  for (const std::string& reason : judgement.pending) std::printf("  pending: %s\n", reason.c_str());
}

void add_draw(CLI::App& sample, const std::shared_ptr<SampleArguments>& args) {
  sample.add_option("WORK", args->work_dir, "the work folder given to run --out");
  sample.add_option("--rate", args->rate, "share of the records ready for deposit to draw, e.g. 5% (default: the profile's acceptance.min_sample_percent)");
  sample.add_option("--seed", args->seed, "the seed that makes the draw reproducible (default: a random one, printed and kept)");
  sample.add_option("--by", args->by, "who draws the sample (default: the login name)");
}

}  // namespace

void add_sample_command(CLI::App& app) {
  auto args = std::make_shared<SampleArguments>();
  CLI::App* sample = app.add_subcommand(
      "sample", "Acceptance sampling (DA/T 31-2017 12.3): draw a sample of the records, record inspectors' checks, "
                "write the acceptance report");
  sample->require_subcommand(0, 1);
  add_draw(*sample, args);
  sample->callback([sample, args] {
    if (!sample->get_subcommands().empty()) return;
    if (args->work_dir.empty()) throw RunError(kExitBadArguments, "sample: WORK is required");
    with_acceptance(args->work_dir, [&](Acceptance& acceptance) {
      DrawRequest request;
      if (sample->count("--seed")) request.seed = args->seed;
      if (!args->rate.empty()) request.rate_bp = parse_rate(args->rate);
      request.drawn_by = args->by.empty() ? login_name() : args->by;
      const DrawResult result = acceptance.draw(request);
      if (!result.drawn_now)
        std::printf("the same seed, rate and records drew sample %d before; nothing new was recorded\n",
                    result.sample.number);
      print_sample(acceptance, result.sample);
      std::printf("\ncheck each record with: lantai sample check %s --record 档号 --item CODE --pass|--fail --note TEXT "
                  "--by NAME\n%s", args->work_dir.c_str(), inspector_items().c_str());
    });
  });

  CLI::App* list = sample->add_subcommand("list", "Show a sample, the checks that count and its verdict");
  list->add_option("WORK", args->work_dir, "the work folder")->required();
  list->add_option("--sample", args->sample, "which sample (default: the latest)");
  list->add_flag("--history", args->history, "every check on record, oldest first, corrected ones too");
  list->callback([args] {
    with_acceptance(args->work_dir, [&](Acceptance& acceptance) {
      const StoredSample chosen = acceptance.sample(args->sample);
      print_sample(acceptance, chosen);
      const Judgement judgement = acceptance.judge(chosen.number);
      const std::vector<SampleCheck> checks = args->history ? acceptance.history(chosen.number) : judgement.latest;
      std::printf("\n%s\n", args->history ? "every check on record" : "checks that count (the latest per record and item)");
      for (const SampleCheck& check : checks)
        std::printf("  #%lld %s  %s  %s  %s  by %s: %s\n", check.id, check.checked_at.c_str(), check.record_ref.c_str(),
                    check.item.c_str(), check.passed ? "pass" : "FAIL", check.checked_by.c_str(), check.note.c_str());
      print_judgement(chosen, judgement);
      for (const SampleSignOff& signed_off : acceptance.sign_offs(chosen.number))
        std::printf("  signed off (%s) by %s at %s%s\n", signed_off.verdict.c_str(), signed_off.signed_by.c_str(),
                    signed_off.signed_at.c_str(), signed_off.note.empty() ? "" : (": " + signed_off.note).c_str());
    });
  });

  CLI::App* check = sample->add_subcommand(
      "check", "Record an inspector's verdict on one check item of one sampled record (append-only: a later check "
               "of the same item counts, the earlier stays on record). Items:\n" + inspector_items());
  check->add_option("WORK", args->work_dir, "the work folder")->required();
  check->add_option("--record", args->record, "the sampled record's 档号")->required();
  check->add_option("--item", args->item, "the check item's code")->required();
  check->add_flag("--pass", args->pass, "the record passes this item");
  check->add_flag("--fail", args->fail, "the record fails this item (give --note: it goes into the 整改意见书)");
  check->add_option("--note", args->note, "what was found, and why");
  check->add_option("--by", args->by, "the inspector's name")->required();
  check->add_option("--sample", args->sample, "which sample (default: the latest)");
  check->callback([args] {
    if (args->pass == args->fail) throw RunError(kExitBadArguments, "sample check: give one of --pass and --fail");
    with_acceptance(args->work_dir, [&](Acceptance& acceptance) {
      const SampleCheck stored =
          acceptance.record_check({args->sample, args->record, args->item, args->pass, args->note, args->by});
      std::printf("sample %d: %s %s %s by %s at %s (check #%lld)\n", stored.sample, stored.record_ref.c_str(),
                  stored.item.c_str(), stored.passed ? "pass" : "FAIL", stored.checked_by.c_str(),
                  stored.checked_at.c_str(), stored.id);
    });
  });

  CLI::App* sign_off = sample->add_subcommand(
      "sign-off", "Sign off (签发) a sample's verdict once it is decided (pass or fail); the report shows who and when, "
                  "and whether checks came after");
  sign_off->add_option("WORK", args->work_dir, "the work folder")->required();
  sign_off->add_option("--by", args->by, "the supervisor's review account; its password is read from stdin")
      ->required();
  sign_off->add_option("--note", args->note, "a remark printed with the sign-off");
  sign_off->add_option("--sample", args->sample, "which sample (default: the latest)");
  sign_off->callback([args] {
    with_acceptance(args->work_dir, [&](Acceptance& acceptance) {
      check_supervisor(args->work_dir, args->by);
      const SampleSignOff signed_off = acceptance.sign_off({args->sample, args->by, args->note});
      std::printf("sample %d: verdict %s signed off by %s at %s\n", signed_off.sample, signed_off.verdict.c_str(),
                  signed_off.signed_by.c_str(), signed_off.signed_at.c_str());
    });
  });

  CLI::App* report = sample->add_subcommand(
      "report", "Write the acceptance report (验收报告), and on a fail the corrective-action notice (整改意见书), as "
                "JSON and PDF to WORK/reports; the next deposit carries them");
  report->add_option("WORK", args->work_dir, "the work folder")->required();
  report->add_option("--sample", args->sample, "which sample (default: the latest)");
  report->callback([args] {
    with_acceptance(args->work_dir, [&](Acceptance& acceptance) {
      const StoredSample chosen = acceptance.sample(args->sample);
      const WrittenReports written = acceptance.write_reports(chosen.number);
      print_judgement(chosen, written.judgement);
      std::printf("\n");
      for (const StageOutput& file : written.files)
        std::printf("wrote %s\n", (fs::path(args->work_dir) / file.path).string().c_str());
    });
  });
}

}  // namespace lantai::cli
