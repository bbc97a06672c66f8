#include "pipeline/runtime/shards.h"

#include <tbb/parallel_for_each.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "pipeline/runtime/ledger.h"

namespace lantai {
namespace fs = std::filesystem;

namespace {

constexpr int kPlanFormat = 1;

fs::path absolute_path(const fs::path& path) {
  std::error_code error;
  fs::path absolute = fs::weakly_canonical(path, error);
  return error ? fs::absolute(path) : absolute;
}

std::string shard_label(const ShardPlan& plan, int number) {
  return nlohmann::json{{"batch", plan.batch_id},
                        {"plan", plan.plan_id()},
                        {"shard", number},
                        {"of", plan.shards.size()}}
      .dump();
}

std::string shard_name(const ShardPlan& plan, int number) {
  return "shard " + std::to_string(number) + " of " + std::to_string(plan.shards.size());
}

std::string joined_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += "\n  " + line;
  return text;
}

// A WORK given to the merge: which shard of the plan it holds (0: none), or why it
// cannot be merged (one line naming the WORK).
struct ShardWork {
  fs::path dir;
  int number = 0;
  std::unique_ptr<Ledger> ledger;
  std::string problem;
};

ShardWork open_shard_work(const ShardPlan& plan, const fs::path& dir) {
  ShardWork work{dir, 0, nullptr, {}};
  if (!fs::is_directory(dir)) {
    work.problem = "shard WORK " + dir.string() + " does not exist";
    return work;
  }
  try {
    work.ledger = Ledger::open_read_only(dir);
  } catch (const LedgerError& error) {
    work.problem = std::string("shard WORK ") + error.what();
    return work;
  }
  const auto identity = work.ledger->identity();
  if (!identity || identity->batch_id != plan.batch_id) {
    work.problem = dir.string() + " holds batch " + (identity ? identity->batch_id : std::string("none")) +
                   ", not the plan's " + plan.batch_id;
    return work;
  }
  const nlohmann::json label =
      nlohmann::json::parse(work.ledger->batch_value(RunOptions::Shard::kLabelKey).value_or(""), nullptr, false);
  if (!label.is_object() || label.value("plan", "") != plan.plan_id()) {
    work.problem = dir.string() + " is not a shard of this plan (" +
                   (label.is_object() ? "a shard of another plan of the batch" : "the WORK of a whole run") + ")";
    return work;
  }
  work.number = label.value("shard", 0);
  if (work.ledger->batch_value(RunOptions::Shard::kFinishedKey).value_or("") != "yes")
    work.problem = shard_name(plan, work.number) + " (" + dir.string() +
                   ") has not finished: run it again (Slurm: resubmit array index " + std::to_string(work.number) +
                   "); its WORK resumes";
  return work;
}

// Whether a path from a ledger stays inside WORK: relative, no '..', no root.
bool stays_inside(const std::string& rel_path) {
  const fs::path path = utf8_path(rel_path);
  if (rel_path.empty() || path.is_absolute() || path.has_root_name()) return false;
  return std::none_of(path.begin(), path.end(), [](const fs::path& part) { return part == ".."; });
}

// One output of a shard brought into WORK: hard-linked (copied across filesystems), then
// hashed; a file whose SHA-256 is not the one the shard's ledger recorded is removed again.
// Returns an empty string, or what is wrong.
std::string gather_output(const fs::path& shard_dir, const fs::path& work_dir, const StageOutput& output) {
  if (!stays_inside(output.path)) return "output path " + output.path + " leads outside WORK";
  const fs::path from = shard_dir / utf8_path(output.path);
  const fs::path to = work_dir / utf8_path(output.path);
  std::error_code error;
  if (!fs::exists(from, error)) return output.path + " is missing";
  fs::create_directories(to.parent_path(), error);
  if (!fs::equivalent(from, to, error)) {
    fs::remove(to, error);
    fs::create_hard_link(from, to, error);
    if (error) {
      const fs::path partial = to.string() + ".partial";
      if (!fs::copy_file(from, partial, fs::copy_options::overwrite_existing, error))
        return output.path + ": cannot copy to " + to.string() + ": " + error.message();
      fs::rename(partial, to, error);
      if (error) return output.path + ": cannot copy to " + to.string() + ": " + error.message();
    }
  }
  std::string sha256;
  try {
    sha256 = hex_digests_of_file(to, {DigestAlgorithm::sha256}).front();
  } catch (const std::runtime_error& failure) {
    return failure.what();
  }
  if (sha256 == output.sha256) return {};
  fs::remove(to, error);
  return output.path + " has SHA-256 " + sha256 + ", its ledger recorded " + output.sha256;
}

}  // namespace

std::string ShardPlan::plan_id() const {
  std::string text = batch_id + "\n";
  for (const Shard& shard : shards) {
    text += std::to_string(shard.number) + ":";
    for (const std::string& ref : shard.records) text += ref + "\t";
    text += "\n";
  }
  return hex_digest(DigestAlgorithm::sha256, text).substr(0, 16);
}

const ShardPlan::Shard& ShardPlan::shard(int number) const {
  if (number < 1 || number > static_cast<int>(shards.size()))
    throw RunError(kExitBadArguments, "shard " + std::to_string(number) + ": the plan has shards 1 to " +
                                          std::to_string(shards.size()));
  return shards[static_cast<std::size_t>(number - 1)];
}

ShardPlan make_shard_plan(const RunOptions& options, StageSequence& stages, int shard_count) {
  if (shard_count < 1) throw RunError(kExitBadArguments, "--shards must be at least 1");
  const LotSurvey survey = survey_lot(options, stages);

  struct Record {
    std::string ref;
    long long pages = 0;
    std::uint64_t bytes = 0;
  };
  std::map<std::string, Record> by_ref;
  std::map<std::string, std::set<std::string>> files_of;  // a multi-page file counts once
  for (const ItemRef& item : survey.lot.items) {
    Record& record = by_ref[item.record_ref];
    record.ref = item.record_ref;
    ++record.pages;
    for (const std::string& file : item.files())
      if (files_of[item.record_ref].insert(file).second) record.bytes += survey.file_bytes.at(file);
  }
  if (static_cast<int>(by_ref.size()) < shard_count)
    throw RunError(kExitBadArguments, "--shards " + std::to_string(shard_count) + ": the lot has " +
                                          std::to_string(by_ref.size()) +
                                          " records with pages, and a record is never split");

  ShardPlan plan;
  plan.batch_id = survey.batch_id;
  plan.fonds_code = options.fonds_code;
  plan.unit_name = options.unit_name;
  plan.profile_file = absolute_path(options.profile_file);
  plan.input_root = absolute_path(options.input_root);
  plan.catalog_file = absolute_path(options.catalog_file);
  for (int number = 1; number <= shard_count; ++number) plan.shards.push_back({number, {}, 0, 0});

  // Largest record first, each to the shard with the fewest pages so far (then bytes).
  std::vector<Record> records;
  for (auto& [ref, record] : by_ref) records.push_back(record);
  std::sort(records.begin(), records.end(), [](const Record& a, const Record& b) {
    return std::tie(b.pages, b.bytes, a.ref) < std::tie(a.pages, a.bytes, b.ref);
  });
  for (const Record& record : records) {
    auto lightest = std::min_element(plan.shards.begin(), plan.shards.end(), [](const auto& a, const auto& b) {
      return std::tie(a.pages, a.bytes, a.number) < std::tie(b.pages, b.bytes, b.number);
    });
    lightest->records.push_back(record.ref);
    lightest->pages += record.pages;
    lightest->bytes += record.bytes;
  }
  for (auto& shard : plan.shards) std::sort(shard.records.begin(), shard.records.end());  // the lot's order
  for (const std::string& ref : survey.catalogue_refs)
    if (!by_ref.count(ref)) plan.catalogue_only.push_back(ref);
  return plan;
}

void write_shard_plan(const ShardPlan& plan, const fs::path& file) {
  nlohmann::json shards = nlohmann::json::array();
  for (const auto& shard : plan.shards)
    shards.push_back({{"shard", shard.number}, {"pages", shard.pages}, {"bytes", shard.bytes}, {"records", shard.records}});
  const nlohmann::json json{{"lantai_plan", kPlanFormat},
                            {"batch_id", plan.batch_id},
                            {"plan_id", plan.plan_id()},
                            {"fonds", plan.fonds_code},
                            {"unit", plan.unit_name},
                            {"profile", plan.profile_file.string()},
                            {"input", plan.input_root.string()},
                            {"catalog", plan.catalog_file.string()},
                            {"balanced_by", "pages (input bytes break ties)"},
                            {"shards", shards},
                            {"catalogue_only", plan.catalogue_only}};
  try {
    write_file_atomically(file, json.dump(2) + "\n");
  } catch (const std::runtime_error& error) {
    throw RunError(kExitEnvironment, error.what());
  }
}

ShardPlan read_shard_plan(const fs::path& file) {
  std::string text;
  try {
    text = read_file(file);
  } catch (const std::runtime_error& error) {
    throw RunError(kExitBadInput, error.what());
  }
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object() || json.value("lantai_plan", 0) != kPlanFormat)
    throw RunError(kExitBadInput, file.string() + ": not a lantai plan (made by lantai plan)");
  ShardPlan plan;
  try {
    plan.batch_id = json.at("batch_id").get<std::string>();
    plan.fonds_code = json.at("fonds").get<std::string>();
    plan.unit_name = json.at("unit").get<std::string>();
    plan.profile_file = json.at("profile").get<std::string>();
    plan.input_root = json.at("input").get<std::string>();
    plan.catalog_file = json.at("catalog").get<std::string>();
    for (const auto& shard : json.at("shards"))
      plan.shards.push_back({shard.at("shard").get<int>(), shard.at("records").get<std::vector<std::string>>(),
                             shard.at("pages").get<long long>(), shard.at("bytes").get<std::uint64_t>()});
    plan.catalogue_only = json.at("catalogue_only").get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& error) {
    throw RunError(kExitBadInput, file.string() + ": damaged plan: " + error.what());
  }
  for (std::size_t i = 0; i < plan.shards.size(); ++i)
    if (plan.shards[i].number != static_cast<int>(i) + 1)
      throw RunError(kExitBadInput, file.string() + ": damaged plan: shards not numbered 1 to " +
                                        std::to_string(plan.shards.size()));
  if (json.value("plan_id", "") != plan.plan_id())
    throw RunError(kExitBadInput, file.string() + ": the plan was changed after lantai plan wrote it; make a new one");
  return plan;
}

RunOptions shard_options(const ShardPlan& plan, int number, RunOptions options) {
  const ShardPlan::Shard& shard = plan.shard(number);
  if (!options.fonds_code.empty() && options.fonds_code != plan.fonds_code)
    throw RunError(kExitBadArguments, "--fonds " + options.fonds_code + ": the plan is of 全宗号 " + plan.fonds_code);
  if (!options.unit_name.empty() && options.unit_name != plan.unit_name)
    throw RunError(kExitBadArguments, "--unit " + options.unit_name + ": the plan is of " + plan.unit_name);
  options.fonds_code = plan.fonds_code;
  options.unit_name = plan.unit_name;
  if (options.profile_file.empty()) options.profile_file = plan.profile_file;
  if (options.input_root.empty()) options.input_root = plan.input_root;
  if (options.catalog_file.empty()) options.catalog_file = plan.catalog_file;
  options.shard = RunOptions::Shard{shard_label(plan, number), plan.batch_id,
                                    {shard.records.begin(), shard.records.end()}};
  return options;
}

RunSummary merge_shards(const ShardPlan& plan, const std::vector<fs::path>& shard_works, RunOptions options,
                        StageSequence& stages) {
  // Every WORK given, and every shard of the plan, accounted for before anything is touched.
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::string> problems;
  std::map<int, ShardWork> works;
  std::set<int> named;  // shards a WORK was given for, whether it can be merged or not
  for (const fs::path& dir : shard_works) {
    ShardWork work = open_shard_work(plan, absolute_path(dir));
    if (work.number > 0) named.insert(work.number);
    if (!work.problem.empty()) {
      problems.push_back(std::move(work.problem));
    } else if (auto earlier = works.find(work.number); earlier != works.end()) {
      problems.push_back(shard_name(plan, work.number) + " given twice: " + earlier->second.dir.string() + " and " +
                         work.dir.string());
    } else {
      works.emplace(work.number, std::move(work));
    }
  }
  for (const ShardPlan::Shard& shard : plan.shards)
    if (!named.count(shard.number))
      problems.push_back(shard_name(plan, shard.number) + " (" + std::to_string(shard.records.size()) +
                         " records from " + shard.records.front() + ", " + std::to_string(shard.pages) +
                         " pages) is missing: no WORK of it was given");
  if (!problems.empty()) throw RunError(kExitBadInput, "cannot merge, nothing deposited:" + joined_lines(problems));

  options.fonds_code = plan.fonds_code;
  options.unit_name = plan.unit_name;
  options.profile_file = plan.profile_file;
  options.input_root = plan.input_root;
  options.catalog_file = plan.catalog_file;
  options.shard.reset();
  options.deferred_stages.clear();
  const fs::path work_dir = absolute_path(options.work_dir);
  {
    std::unique_ptr<Ledger> ledger;
    try {
      ledger = Ledger::open(work_dir);
    } catch (const LedgerError& error) {
      throw RunError(kExitEnvironment, std::string("cannot use work folder: ") + error.what());
    }
    if (auto identity = ledger->identity(); identity && identity->batch_id != plan.batch_id)
      throw RunError(kExitBadInput, work_dir.string() + " holds batch " + identity->batch_id + ", not the plan's " +
                                        plan.batch_id + "; give a new --out");
    // Outputs first, each checked; then the rows that name them, as a run writes them.
    tbb::task_arena arena(std::max(1, options.jobs));
    for (auto& [number, work] : works) {
      const ShardPlan::Shard& shard = plan.shard(number);
      const std::set<std::string> records(shard.records.begin(), shard.records.end());
      const std::vector<StageOutput> outputs = work.ledger->item_outputs(records);
      std::mutex mutex;
      std::vector<std::string> wrong;
      arena.execute([&] {
        tbb::parallel_for_each(outputs.begin(), outputs.end(), [&](const StageOutput& output) {
          std::string problem = gather_output(work.dir, work_dir, output);
          if (problem.empty()) return;
          std::lock_guard lock(mutex);
          wrong.push_back(std::move(problem));
        });
      });
      if (!wrong.empty()) {
        std::sort(wrong.begin(), wrong.end());
        problems.push_back(shard_name(plan, number) + " (" + work.dir.string() + "): " + wrong.front() +
                           (wrong.size() > 1 ? " (and " + std::to_string(wrong.size() - 1) + " more)" : ""));
        continue;
      }
      ledger->import_items(work.dir, records);
    }
  }
  if (!problems.empty()) throw RunError(kExitBadInput, "cannot merge, nothing deposited:" + joined_lines(problems));

  // The whole lot as one run sees it: every item done in some shard, so no item runs here.
  BatchRun run(options, stages);
  run.prepare();
  if (const std::set<std::string> pending = run.pending_records(); !pending.empty()) {
    for (const ShardPlan::Shard& shard : plan.shards) {
      const long long undone = std::count_if(shard.records.begin(), shard.records.end(),
                                             [&](const std::string& ref) { return pending.count(ref) > 0; });
      if (undone > 0)
        problems.push_back(shard_name(plan, shard.number) + ": " + std::to_string(undone) +
                           " of its records not done (first " +
                           *std::find_if(shard.records.begin(), shard.records.end(),
                                         [&](const std::string& ref) { return pending.count(ref) > 0; }) +
                           "): run it again (Slurm: resubmit array index " + std::to_string(shard.number) + ")");
    }
    if (problems.empty()) problems.push_back(std::to_string(pending.size()) + " records in no shard of the plan");
    throw RunError(kExitBadInput, "cannot merge, nothing deposited:" + joined_lines(problems));
  }
  run.run_records();
  run.assess();
  run.deposit();
  run.verify();
  RunSummary summary = run.summary();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace lantai
