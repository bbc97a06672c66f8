#include "pipeline/runtime/runner.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "pipeline/catalog.h"
#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "pipeline/runtime/acceptance_settings.h"
#include "pipeline/registration.h"
#include "pipeline/runtime/event_log.h"
#include "pipeline/runtime/item_flow.h"
#include "pipeline/runtime/ledger.h"
#include "pipeline/runtime/progress.h"
#include "pipeline/runtime/reports.h"
#include "pipeline/runtime/review_state.h"
#include "pipeline/runtime/stage_guard.h"

namespace lantai {
namespace fs = std::filesystem;

namespace {

// The runtime's own profile section: how much memory items in flight may hold.
constexpr IntegerParam kMemoryBudget{
    "memory_budget_mb", "MiB", 64, 1'048'576, 1024,
    "decoded pixels and working copies of the items in flight, at most (one item larger than this runs alone)"};
constexpr const char* kRuntimeSection = "runtime";
// finding code → info | warn | reject: a profile's stricter or more lenient delivery.
constexpr const char* kSeveritySection = "severity";
// The findings review decisions make (a rescan awaited, a record sent back) are stored under this name.
constexpr const char* kReviewStage = "review";

fs::path absolute_path(const fs::path& path) {
  std::error_code error;
  fs::path absolute = fs::weakly_canonical(path, error);
  return error ? fs::absolute(path) : absolute;
}

std::string short_sha256(const std::string& text, std::size_t length) {
  return hex_digest(DigestAlgorithm::sha256, text).substr(0, length);
}

SourceState source_state(const fs::path& file) {
  struct stat status {};
  if (::stat(file.c_str(), &status) != 0) return {};
  return {static_cast<std::uint64_t>(status.st_size),
          static_cast<std::int64_t>(status.st_mtim.tv_sec) * 1'000'000'000 + status.st_mtim.tv_nsec};
}

// The state the ledger keeps of an item's original: for a page of several parts, their
// sizes summed and the latest change (the dependency key names each part's own).
SourceState combined_source(const ItemRef& ref, const std::map<std::string, SourceState>& sources) {
  if (ref.parts.empty()) return sources.at(ref.rel_path);
  SourceState combined;
  for (const std::string& part : ref.parts) {
    const SourceState& state = sources.at(part);
    combined.size_bytes += state.size_bytes;
    combined.mtime_ns = std::max(combined.mtime_ns, state.mtime_ns);
  }
  return combined;
}

std::string settings_digest(const StageInfo& info, const std::vector<EffectiveValue>& settings) {
  std::string text = info.id + "\n" + info.version + "\n";
  for (const EffectiveValue& value : settings) text += value.key + "=" + value.value + "\n";
  return short_sha256(text, 32);
}

std::vector<StoredFinding> as_batch_findings(const std::string& stage, const std::vector<Finding>& findings) {
  std::vector<StoredFinding> stored;
  for (const Finding& finding : findings)
    stored.push_back({FindingScope::batch, stage, finding.item_id, finding.record_ref, finding});
  return stored;
}

bool any_internal(const std::vector<Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(),
                     [](const Finding& f) { return f.code == kInternalException.code; });
}

}  // namespace

struct BatchRun::State {
  RunOptions options;
  StageSequence& stages;
  RunSummary summary;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  fs::path work_dir;
  StageContext context;
  bool load_virus_scanner = false;  // a run loads it; printing the effective profile does not
  std::unique_ptr<VirusScanner> virus_scanner;
  StageGuard guard;
  std::string profile_name, profile_sha256;
  std::uint64_t memory_budget_bytes = 0;
  AcceptanceSettings acceptance;  // kept in the ledger for `lantai sample`
  std::vector<StageRecord> processing;  // for the deposit's processing history
  StageInfo ingest_info, deposit_info, verify_info, draft_info;
  bool deposit_writes_sm3 = false;  // the self-check then requires the SM3 manifests
  std::vector<StageInfo> record_infos;
  std::map<ItemKind, Chain> chains;

  std::unique_ptr<Ledger> ledger;
  std::unique_ptr<EventLog> log;
  Catalog catalog;
  bool drafting = false;  // no catalogue given: records are named by their folders, a draft is written
  Lot lot;
  std::set<std::string> folders;  // lot.folders, for look-ups
  std::vector<ItemPlan> pending;  // items to run, in lot order
  std::set<std::string> records_handled;
  std::vector<RecordRow> records;  // every record's fate, in catalogue order
  std::map<std::string, std::vector<RecordItem>> items_by_record;  // accepted or not, by 档号
  ItemCounts quarantined_by_kind;
  ReviewState review;  // what the review decisions so far amount to
  std::map<std::string, SourceState> item_sources;  // by item id, as found this run

  State(RunOptions o, StageSequence& s) : options(std::move(o)), stages(s) {}

  template <class Unit>
  StageInfo set_up(Stage<Unit>& stage, Profile& profile) {
    StageInfo info = stage.describe();
    ProfileSection section = profile.section(info.id);
    stage.setup(section, context);
    section.finish();
    // A stage that serves several chains (the virus scan) is in the history once.
    const bool recorded = std::any_of(processing.begin(), processing.end(),
                                      [&](const StageRecord& record) { return record.info.id == info.id; });
    if (!recorded) processing.push_back({info, section.effective()});
    return info;
  }

  // Every stage set up from its profile section, and the runtime's own sections: a bad
  // profile stops the batch here, before anything is written.
  void set_up_stages() {
    Profile profile = Profile::load(options.profile_file);
    set_up_virus_scanner(profile);
    ingest_info = set_up(*stages.ingest, profile);
    std::set<std::string> deferred(options.deferred_stages.begin(), options.deferred_stages.end()), found;
    for (auto& [kind, chain] : stages.chains) {
      Chain& set_up_chain = chains[kind];
      std::string waiting;  // the first stage of this chain left for later
      for (auto& stage : chain) {
        auto chain_stage = std::make_unique<ChainStage>();
        chain_stage->stage = stage.get();
        chain_stage->info = set_up(*stage, profile);  // set up even when left for later: the profile is checked now
        chain_stage->settings_digest = settings_digest(chain_stage->info, processing.back().settings);
        const std::string& id = chain_stage->info.id;
        if (deferred.count(id)) {
          found.insert(id);
          if (waiting.empty()) waiting = id;
          continue;
        }
        // Later stages rest on earlier ones: only a chain's last stages can wait.
        if (!waiting.empty())
          throw RunError(kExitBadArguments, "stage " + waiting + " cannot be left for later: " + id +
                                                " comes after it and needs what it makes");
        set_up_chain.push_back(std::move(chain_stage));
      }
    }
    for (const std::string& id : deferred)
      if (!found.count(id)) throw RunError(kExitBadArguments, "no item stage " + id + " to leave for later");
    for (auto& stage : stages.record_stages) record_infos.push_back(set_up(*stage, profile));
    deposit_info = set_up(*stages.deposit, profile);
    for (const EffectiveValue& value : processing.back().settings)
      if (value.key == kSm3ManifestSetting) deposit_writes_sm3 = value.value == "true";
    if (stages.catalogue_draft) draft_info = set_up(*stages.catalogue_draft, profile);
    verify_info = set_up(*stages.verify, profile);
    for (const auto& command : stages.bag_commands) {
      ProfileSection section = profile.section(command.section);
      command.read(section);
      section.finish();
    }

    ProfileSection runtime = profile.section(kRuntimeSection);
    memory_budget_bytes = static_cast<std::uint64_t>(runtime.get(kMemoryBudget)) << 20;
    runtime.finish();
    processing.push_back({{kRuntimeSection, "how the batch runs: memory in flight", "1", {kMemoryBudget.info()}},
                          runtime.effective()});
    ProfileSection acceptance_section = profile.section(kAcceptanceSection);
    acceptance = read_acceptance_settings(acceptance_section);
    acceptance_section.finish();
    processing.push_back({{kAcceptanceSection, "acceptance sampling (DA/T 31-2017 12.3): the record unit and rates", "1",
                           {kRecordUnit.info(), kMinSamplePercent.info(), kMinPassPercent.info()}},
                          acceptance_section.effective()});
    ProfileSection severity = profile.section(kSeveritySection);
    std::map<std::string, Severity, std::less<>> overrides;
    const std::vector<FindingCode> codes = stages.finding_codes();
    for (const auto& [code, value] : severity.entries()) {
      if (code == kInternalException.code) severity.fail(code, "a stage failure always quarantines its unit");
      if (std::none_of(codes.begin(), codes.end(), [&](const FindingCode& c) { return c.code == code; }))
        severity.fail(code, "no stage reports this finding code (see docs/findings.md)");
      try {
        overrides[code] = severity_from_string(value);
      } catch (const std::invalid_argument&) {
        severity.fail(code, "'" + value + "' is not info, warn or reject");
      }
    }
    std::vector<EffectiveValue> given;
    for (const auto& [code, level] : overrides)
      given.push_back({kSeveritySection, code, std::string(to_string(level)), profile.file().string()});
    processing.push_back({{kSeveritySection, "finding severities this profile changes from their defaults", "1", {}},
                          given});
    guard = StageGuard(std::move(overrides));
    profile.finish();
    profile_name = profile.name();
    profile_sha256 = profile.sha256();
  }

  // The engine every scanning stage shares, loaded once for the run, before any stage is
  // set up. Its section is the runtime's, since it serves several stages.
  void set_up_virus_scanner(Profile& profile) {
    ProfileSection section = profile.section(kVirusScanSection);
    std::string database = section.get(kVirusDatabase);
    const VirusScanLimits limits = virus_scan_limits(section);
    if (!options.virus_db.empty()) {
      database = options.virus_db.string();
      section.record(kVirusDatabase.name, database, "--virus-db");
    }
    section.finish();
    processing.push_back({{kVirusScanSection, "the virus scanner (ClamAV) the scanning stages share", "1",
                           {kVirusDatabase.info(), kVirusMaxFileSize.info(), kVirusMaxScanSize.info(),
                            kVirusMaxFiles.info(), kVirusMaxRecursion.info(), kVirusMaxScanTime.info()}},
                          section.effective()});
    if (!load_virus_scanner || !options.virus_scan) return;
    try {
      virus_scanner = VirusScanner::load(utf8_path(database), limits, work_dir / "tmp" / "clamav");
    } catch (const VirusDatabaseError& error) {
      throw RunError(kExitEnvironment, error.what());
    }
    context.virus_scanner = virus_scanner.get();
    summary.virus_scan = virus_scanner->describe();
  }

  void load_catalog_file() {
    if (options.catalog_file.empty()) {
      drafting = true;
      return;
    }
    // The catalogue is an input too: scanned before it is read.
    if (virus_scanner) {
      const VirusScanResult scanned = virus_scanner->scan(options.catalog_file);
      if (scanned.verdict == VirusScanResult::Verdict::infected)
        throw RunError(kExitBadInput, options.catalog_file.string() + ": infected with " + scanned.signature +
                                          " (ClamAV); the batch cannot go on without its catalogue: ask for a clean copy");
      if (scanned.verdict == VirusScanResult::Verdict::not_scanned)
        throw RunError(kExitBadInput, options.catalog_file.string() + ": cannot be scanned for viruses: " +
                                          scanned.reason);
    }
    try {
      catalog = load_catalog(options.catalog_file);
    } catch (const CatalogError& error) {
      throw RunError(kExitBadInput, error.what());
    }
    guard.apply_overrides(catalog.findings);
    summary.records_in_catalog = static_cast<long long>(catalog.records.size());
  }

  void open_work() {
    try {
      fs::create_directories(work_dir);
      for (const char* outputs : {"derivatives", "ocr", "reports"}) remove_stale_temp_files(work_dir / outputs);
      ledger = Ledger::open(work_dir);
      log = std::make_unique<EventLog>(work_dir / "log.jsonl");
    } catch (const std::exception& error) {
      throw RunError(kExitEnvironment, std::string("cannot use work folder: ") + error.what());
    }
  }

  // Every stage set up, as prepare needs them, with a bad profile or environment told apart.
  void set_up_checked() {
    try {
      set_up_stages();
    } catch (const RunError&) {
      throw;
    } catch (const ProfileError& error) {
      throw RunError(kExitBadInput, error.what());
    } catch (const std::runtime_error& error) {
      throw RunError(kExitEnvironment, error.what());
    }
  }

  Outcome read_lot() {
    lot.input_root = context.input_root;
    lot.catalog = drafting ? nullptr : &catalog;
    Outcome outcome = guard.call(*stages.ingest, ingest_info, lot, options.input_root.string());
    if (any_internal(outcome.findings))
      throw RunError(kExitBadInput, outcome.findings.back().message);  // the lot cannot be read at all
    folders.insert(lot.folders.begin(), lot.folders.end());
    summary.items_in = static_cast<long long>(lot.items.size());
    return outcome;
  }

  void ingest() {
    Outcome outcome = read_lot();
    ledger->replace_batch_findings(ingest_info.id, as_batch_findings(ingest_info.id, outcome.findings));
  }

  // Each input file once, by relative path, with its size and modification time now.
  std::map<std::string, SourceState> source_states() const {
    std::map<std::string, SourceState> sources;
    for (const ItemRef& ref : lot.items)
      for (const std::string& file : ref.files())
        if (!sources.count(file)) sources[file] = source_state(lot.input_root / utf8_path(file));
    return sources;
  }

  // Whether a record is this run's: every record, or a shard's own.
  bool in_scope(const std::string& ref) const { return !options.shard || options.shard->records.count(ref) > 0; }

  // The batch id depends on what the batch is made of: the fonds, the catalogue, the
  // input files (relative paths and sizes; every part of a page scanned in parts) and the
  // profile. Not on the day or where --in lies: the same lot moved to another disk
  // resumes in the same WORK, and shards of one lot on different machines agree on it.
  std::string batch_id(const std::map<std::string, SourceState>& files) const {
    std::string text = options.fonds_code + "\n" + catalog.sha256 + "\n" + profile_sha256 + "\n";
    for (const auto& [rel_path, source] : files) text += rel_path + "\t" + std::to_string(source.size_bytes) + "\n";
    return options.fonds_code + "-" + short_sha256(text, 12);
  }

  // A WORK keeps its fonds and unit: the forms and bag-info would otherwise carry the wrong ones.
  void check_identity(const std::string& id) {
    if (auto earlier = ledger->identity()) {
      if (earlier->fonds_code != options.fonds_code || earlier->unit_name != options.unit_name)
        throw RunError(kExitBadInput,
                       work_dir.string() + " belongs to 全宗号 " + earlier->fonds_code + " (" + earlier->unit_name +
                           "), not " + options.fonds_code + " (" + options.unit_name +
                           "); give the same --fonds and --unit, or a new --out");
    }
    ledger->set_identity({id, options.fonds_code, options.unit_name, catalog.sha256, profile_name, profile_sha256,
                          context.input_root.string(),
                          options.catalog_file.empty() ? std::string() : absolute_path(options.catalog_file).string()});
    summary.batch_id = id;
  }

  // Dependency keys per chain position: each stage's key covers its version and settings,
  // the Manual values it is given, and the key of the stage before it, down to the
  // original file and the item's place in its record (which names its outputs); so the
  // first stage whose key changed is the first to redo.
  // A page of several parts depends on every part: its key names each with its state.
  static std::vector<std::string> dependency_keys(const Chain& chain, const Item& item, const SourceState& source,
                                                  const std::map<std::string, SourceState>& sources) {
    std::vector<std::string> keys;
    std::string parts;
    for (const Item::Part& part : item.parts) {
      const SourceState& state = sources.at(part.rel_path);
      parts += "\n" + part.rel_path + "\t" + std::to_string(state.size_bytes) + "\t" + std::to_string(state.mtime_ns);
    }
    std::string previous =
        short_sha256(std::string(to_string(item.kind)) + "\n" + item.id + "\n" + item.record_ref + "\n" +
                         std::to_string(item.seq) + "\n" + std::to_string(source.size_bytes) + "\n" +
                         std::to_string(source.mtime_ns) + parts,
                     32);
    for (const auto& stage : chain) {
      std::string manual;
      const std::string prefix = stage->info.id + ".";
      for (auto it = item.manual.lower_bound(prefix); it != item.manual.end() && it->first.starts_with(prefix); ++it)
        manual += it->first + "=" + it->second + "\n";
      previous = short_sha256(previous + "\n" + stage->settings_digest + "\n" + manual, 32);
      keys.push_back(previous);
    }
    return keys;
  }

  bool outputs_intact(const StageRun& run) const {
    for (const StageOutput& output : run.outputs) {
      std::error_code error;
      const auto size = fs::file_size(work_dir / utf8_path(output.path), error);
      if (error || size != output.size_bytes) return false;
    }
    return true;
  }

  // For each item: done, or the first chain position to redo and why.
  void plan_items(const std::map<std::string, SourceState>& sources) {
    std::map<std::string, StoredItem> stored = ledger->stored_items();
    const auto manual = ledger->manual_values();
    std::set<std::string> ids;
    for (const ItemRef& ref : lot.items) {
      if (!in_scope(ref.record_ref)) continue;  // another shard's
      ItemPlan plan;
      plan.ref = ref;
      Item& item = plan.item;
      item.id = Item::make_id(ref.rel_path, ref.frame);
      item.kind = ref.kind;
      item.rel_path = ref.rel_path;
      item.frame = ref.frame;
      item.record_ref = ref.record_ref;
      item.seq = ref.seq;
      item.source = lot.input_root / utf8_path(ref.rel_path);
      for (const std::string& part : ref.parts) item.parts.push_back({part, lot.input_root / utf8_path(part)});
      if (auto it = manual.find(item.id); it != manual.end()) item.manual = it->second;
      ids.insert(item.id);
      plan.source = combined_source(ref, sources);
      item_sources[item.id] = plan.source;
      auto chain = chains.find(ref.kind);
      if (chain == chains.end()) {
        // Not to be had in this build: recorded as quarantined, with the reason.
        ItemResult result{ref, item.id, plan.source, 0, {}, {}};
        result.runs.push_back({"runtime", 0, "", "", "", {}, true, {}, summary.run_number});
        result.findings.push_back({"runtime", {kInternalException(item.rel_path + ": no stages handle items of kind " +
                                                                  std::string(to_string(ref.kind)))}});
        ledger->record_item(result);
        continue;
      }
      plan.keys = dependency_keys(chain->second, item, plan.source, sources);
      auto earlier = stored.find(item.id);
      int start = static_cast<int>(chain->second.size());  // done, unless a stage below says otherwise
      if (earlier == stored.end() || !(earlier->second.source == plan.source)) {
        start = 0;
      } else {
        plan.stored = std::move(earlier->second.runs);
        for (std::size_t position = 0; position < chain->second.size(); ++position) {
          auto run = plan.stored.find(chain->second[position]->info.id);
          if (run == plan.stored.end() || run->second.dependency_key != plan.keys[position] ||
              !outputs_intact(run->second)) {
            start = static_cast<int>(position);
            break;
          }
          if (run->second.rejected) break;  // quarantined there, as it still would be
        }
      }
      if (start == static_cast<int>(chain->second.size())) continue;
      plan.start = start;
      for (const auto& stage : chain->second) plan.working_bytes += stage->stage->working_bytes(item);
      pending.push_back(std::move(plan));
    }
    ledger->remove_items_except(ids);
  }

  // The batch as its batch stages see it, records aside: identity, processing, counts.
  BatchWork batch_work() const {
    BatchWork batch;
    batch.batch_id = summary.batch_id;
    batch.fonds_code = options.fonds_code;
    batch.unit_name = options.unit_name;
    batch.profile_name = profile_name;
    batch.profile_sha256 = profile_sha256;
    batch.processing = processing;
    batch.work_dir = work_dir;
    batch.items_in = summary.items_in;
    batch.quarantined = quarantined_by_kind;
    batch.review_decisions = ledger->review_decisions();
    return batch;
  }

  // What review decisions hold back: a page waiting for its rescan (until its file
  // changes), a record sent back (until decided again).
  std::vector<StoredFinding> review_findings() const {
    std::vector<StoredFinding> findings;
    std::map<std::string, std::string> record_of;
    for (const ItemRef& ref : lot.items) record_of[Item::make_id(ref.rel_path, ref.frame)] = ref.record_ref;
    for (const auto& [item_id, decision] : review.rescans) {
      auto source = item_sources.find(item_id);
      if (source == item_sources.end()) continue;  // gone from the lot
      const nlohmann::json asked = nlohmann::json::parse(decision.before, nullptr, false);
      const bool replaced = !asked.is_object() ||
                            asked.value("source_size_bytes", std::uint64_t{0}) != source->second.size_bytes ||
                            asked.value("source_mtime_ns", std::int64_t{0}) != source->second.mtime_ns;
      if (replaced) continue;
      Finding finding = kReviewAwaitingRescan(split_item_id(item_id).first + ": rescan asked in review decision " +
                                              std::to_string(decision.id) + " (" + decision.by +
                                              "); put the replacement file in the lot under the same name");
      finding.item_id = item_id;
      finding.record_ref = record_of[item_id];
      findings.push_back({FindingScope::batch, kReviewStage, item_id, finding.record_ref, finding});
    }
    for (const auto& [ref, decision] : review.records_sent_back) {
      Finding finding = kReviewSentBack(ref + ": sent back in review decision " + std::to_string(decision.id) + " (" +
                                        decision.by + "): " + decision.reason);
      finding.record_ref = ref;
      findings.push_back({FindingScope::batch, kReviewStage, "", ref, finding});
    }
    return findings;
  }

  RecordResult run_record_stages(const std::string& ref) const {
    RecordWork work;
    work.ref = ref;
    if (const CatalogRecord* entry = catalog.find(ref)) work.entry = *entry;
    work.has_folder = folders.count(ref) > 0;
    work.items = ledger->record_items(ref);
    work.work_dir = work_dir;
    work.catalog = drafting ? nullptr : &catalog;
    RecordResult result{ref, {}, {}};
    for (std::size_t i = 0; i < stages.record_stages.size(); ++i) {
      const StageInfo& info = record_infos[i];
      result.stages.push_back(info.id);
      Outcome outcome = guard.call(*stages.record_stages[i], info, std::as_const(work), ref);
      for (auto& finding : outcome.findings) {
        if (auto accepted = review.override_for(ref, finding)) finding.overridden_by = *accepted;
        result.findings.push_back({FindingScope::record, info.id, finding.item_id, ref, std::move(finding)});
      }
      for (auto& output : outcome.outputs) result.outputs.emplace_back(info.id, std::move(output));
    }
    return result;
  }
};

BatchRun::BatchRun(RunOptions options, StageSequence& stages)
    : state_(std::make_unique<State>(std::move(options), stages)) {}
BatchRun::~BatchRun() = default;

const RunSummary& BatchRun::summary() const { return state_->summary; }

std::set<std::string> BatchRun::pending_records() const {
  std::set<std::string> refs;
  for (const ItemPlan& plan : state_->pending) refs.insert(plan.ref.record_ref);
  return refs;
}

void BatchRun::prepare() {
  State& s = *state_;
  if (s.options.jobs < 1) throw RunError(kExitBadArguments, "--jobs must be at least 1");
  if (!fs::is_directory(s.options.input_root))
    throw RunError(kExitBadInput, "input folder " + s.options.input_root.string() + " does not exist");
  s.work_dir = absolute_path(s.options.work_dir);
  s.context = StageContext{s.work_dir, absolute_path(s.options.input_root), s.options.jobs};
  s.context.sign_key = s.options.sign_key;
  s.context.continues = s.options.continues;
  s.context.seal_key = s.options.seal_key;
  s.context.seal_cipher = s.options.seal_cipher;
  s.load_virus_scanner = true;
  s.set_up_checked();
  s.load_catalog_file();
  s.open_work();
  s.review = review_state(s.ledger->review_decisions());
  s.ingest();

  const std::map<std::string, SourceState> sources = s.source_states();
  const std::string batch_id = s.batch_id(sources);  // the whole lot's, for a shard too
  if (s.options.shard && s.options.shard->batch_id != batch_id)
    throw RunError(kExitBadInput, "the lot, catalogue or profile is not the one planned (batch " + batch_id +
                                      ", the plan's " + s.options.shard->batch_id +
                                      "): make a new plan, and run every shard of it");
  s.check_identity(batch_id);
  if (s.options.shard) {
    s.ledger->set_batch_value(RunOptions::Shard::kLabelKey, s.options.shard->label);
    s.ledger->set_batch_value(RunOptions::Shard::kFinishedKey, "no");
    s.summary.items_in = std::count_if(s.lot.items.begin(), s.lot.items.end(),
                                       [&s](const ItemRef& ref) { return s.in_scope(ref.record_ref); });
  }
  store_acceptance_settings(*s.ledger, s.acceptance);
  s.summary.run_number = s.ledger->begin_run();
  s.ledger->replace_batch_findings("catalog", as_batch_findings("catalog", s.catalog.findings));
  s.plan_items(sources);
  s.log->write("batch_start", {{"batch_id", s.summary.batch_id},
                               {"run", s.summary.run_number},
                               {"profile", s.profile_name},
                               {"input", s.context.input_root.string()},
                               {"items", s.summary.items_in},
                               {"items_to_run", s.pending.size()},
                               {"jobs", s.options.jobs},
                               {"virus_scan", s.summary.virus_scan.empty() ? "not done (--no-virus-scan)"
                                                                           : s.summary.virus_scan}});
}

void BatchRun::run_items() {
  State& s = *state_;
  std::map<std::string, long long> pending_per_record;
  for (const ItemPlan& plan : s.pending) ++pending_per_record[plan.ref.record_ref];
  Progress progress(s.summary.items_in, s.summary.items_in - static_cast<long long>(s.pending.size()),
                    s.options.show_progress);
  ItemFlowContext context{s.chains, s.guard, *s.ledger, *s.log, progress,
                          [&s](const std::string& ref) { return s.run_record_stages(ref); }};
  std::vector<std::string> handled;
  const ItemFlowFigures figures =
      run_item_flow(std::move(s.pending), std::move(pending_per_record),
                    {s.options.jobs, s.memory_budget_bytes, s.summary.run_number}, context, handled);
  s.pending.clear();
  progress.finish();
  s.records_handled.insert(handled.begin(), handled.end());
  s.summary.items_processed_now = figures.items_done;
  s.summary.items_per_minute = figures.items_per_minute;
  s.summary.peak_bytes_in_flight = figures.peak_bytes_in_flight;
  // A stage serving several chains (the virus scan) is one line, its items and time summed.
  for (const auto& [kind, chain] : s.chains)
    for (const auto& stage : chain) {
      const double seconds = static_cast<double>(stage->microseconds.load()) / 1e6;
      auto same = std::find_if(s.summary.stage_times.begin(), s.summary.stage_times.end(),
                               [&](const auto& time) { return time.stage == stage->info.id; });
      if (same == s.summary.stage_times.end()) {
        s.summary.stage_times.push_back({stage->info.id, stage->items.load(), seconds});
      } else {
        same->items += stage->items.load();
        same->seconds += seconds;
      }
    }
}

void BatchRun::run_records() {
  State& s = *state_;
  // Every record of the catalogue or the input: those the graph did not bring (all their
  // items done before, or none) get their record stages here.
  std::set<std::string> refs = s.folders;
  for (const auto& record : s.catalog.records) refs.insert(record.ref);
  for (const auto& ref : refs)
    if (!s.records_handled.count(ref) && s.in_scope(ref)) store_record_result(*s.ledger, s.run_record_stages(ref));
}

void BatchRun::assess() {
  State& s = *state_;
  s.ledger->replace_batch_findings(kReviewStage, s.review_findings());
  std::map<std::string, std::set<std::string>> reasons;  // record → reject codes
  for (const StoredFinding& stored : s.ledger->findings()) {
    if (stored.finding.severity != Severity::reject || !stored.finding.stands()) continue;
    if (!stored.record_ref.empty() && !s.in_scope(stored.record_ref)) continue;
    if (!stored.record_ref.empty()) reasons[stored.record_ref].insert(stored.finding.code);
    if (stored.item_id.empty()) s.summary.reject_counts[stored.finding.code]++;
  }
  s.summary.items_accepted = s.summary.items_quarantined = 0;
  s.items_by_record.clear();
  s.quarantined_by_kind = {};
  for (ItemRow& row : s.ledger->items()) {
    const bool rejected = any_reject(row.findings);
    (rejected ? s.summary.items_quarantined : s.summary.items_accepted)++;
    if (rejected) s.quarantined_by_kind.add(row.item.kind);
    for (const Finding& finding : row.findings)
      if (finding.severity == Severity::reject && finding.stands()) s.summary.reject_counts[finding.code]++;
    s.items_by_record[row.record_ref].push_back(std::move(row.item));
  }

  std::vector<std::string> refs;  // catalogue order, then folders without an entry
  for (const CatalogRecord& entry : s.catalog.records) refs.push_back(entry.ref);
  for (const std::string& folder : s.lot.folders)
    if (!s.catalog.find(folder)) refs.push_back(folder);
  s.records.clear();
  for (const std::string& ref : refs) {
    if (!s.in_scope(ref)) continue;
    RecordRow row;
    row.ref = ref;
    const CatalogRecord* entry = s.catalog.find(ref);
    row.in_catalog = entry != nullptr;
    if (entry) {
      row.title = entry->field(s.catalog.columns, kTitleColumn);
      row.catalog_pages = entry->page_count;
    }
    row.has_folder = s.folders.count(ref) > 0;
    row.items_found = static_cast<int>(s.items_by_record[ref].size());
    row.reasons.assign(reasons[ref].begin(), reasons[ref].end());
    row.deposited = row.in_catalog && row.has_folder && row.items_found > 0 && row.reasons.empty();
    s.records.push_back(std::move(row));
  }
  s.ledger->replace_records(s.records);
  s.summary.records_deposited = std::count_if(s.records.begin(), s.records.end(), [](auto& r) { return r.deposited; });
  s.summary.records_withheld = std::count_if(s.records.begin(), s.records.end(),
                                             [](auto& r) { return r.in_catalog && !r.deposited; });
  if (s.options.shard)
    s.summary.records_in_catalog = std::count_if(s.records.begin(), s.records.end(), [](auto& r) { return r.in_catalog; });
  write_reports(*s.ledger, s.work_dir, s.stages.describe());
}

void BatchRun::deposit() {
  State& s = *state_;
  BatchWork batch = s.batch_work();
  batch.catalog_columns = s.catalog.columns;
  for (const CatalogRecord& entry : s.catalog.records) batch.catalogue_refs.push_back(entry.ref);
  for (const RecordRow& row : s.records)
    if (row.deposited)
      batch.records.push_back({*s.catalog.find(row.ref), s.items_by_record[row.ref], s.ledger->record_outputs(row.ref)});
  batch.records_withheld = s.summary.records_withheld;
  for (const AcceptanceReportFile& report : s.ledger->acceptance_reports()) batch.acceptance_reports.push_back(report.output);

  Outcome outcome = s.guard.call(*s.stages.deposit, s.deposit_info, std::as_const(batch), batch.batch_id);
  s.ledger->replace_batch_findings(s.deposit_info.id, as_batch_findings(s.deposit_info.id, outcome.findings));
  s.summary.bag_dir.clear();
  s.summary.package_file.clear();
  s.summary.package_json.clear();
  s.summary.sealed_package.clear();
  s.summary.registration_forms.clear();
  for (const StageOutput& output : outcome.outputs) {
    if (output.role == OutputRole::package) s.summary.bag_dir = s.work_dir / utf8_path(output.path);
    if (output.kind == "package") s.summary.package_file = s.work_dir / utf8_path(output.path);
    if (output.kind == "package_json") s.summary.package_json = s.work_dir / utf8_path(output.path);
    if (output.kind == "sealed_package") s.summary.sealed_package = s.work_dir / utf8_path(output.path);
    if (output.kind == "registration_form") s.summary.registration_forms.push_back(s.work_dir / utf8_path(output.path));
  }
  s.ledger->replace_batch_outputs(s.deposit_info.id, outcome.outputs);
  s.summary.deposited = !outcome.rejected() && !s.summary.bag_dir.empty();
  if (!s.summary.deposited) {
    s.summary.deposit_problems = outcome.findings;
    s.log->write("deposit_failed", {{"reason", outcome.findings.empty() ? "" : outcome.findings.front().message}});
    return;
  }
  // Bags of this WORK made under another batch id (a changed profile or lot) are
  // superseded, unless this deposit continues one: then the earlier ones were handed over.
  const std::string bag_path = relative_utf8(s.summary.bag_dir, s.work_dir);
  if (s.options.continues.empty())
    for (const std::string& earlier : s.ledger->deposit_paths()) {
      if (earlier == bag_path || !earlier.starts_with("deposit/") || earlier.find("..") != std::string::npos) continue;
      std::error_code ignored;
      fs::remove_all(s.work_dir / utf8_path(earlier), ignored);
      fs::remove_all(s.work_dir / utf8_path(earlier + "-forms"), ignored);  // its registration forms
      for (const char* beside : {".tar", ".zip", ".package.json", ".tar.sealed", ".tar.sealed.json", ".zip.sealed",
                                 ".zip.sealed.json"})
        fs::remove(s.work_dir / utf8_path(earlier + beside), ignored);
    }
  s.log->write("deposit", {{"bag", s.summary.bag_dir.string()}, {"records", s.summary.records_deposited}});
}

// 目录建库: with no catalogue, every folder is a record named by it, drafted from what the
// record stages read off its pages; nothing is deposited until the draft comes back as
// the catalogue.
void BatchRun::draft_catalogue() {
  State& s = *state_;
  if (!s.stages.catalogue_draft) return;
  BatchWork batch = s.batch_work();
  batch.catalog_columns = {kRefColumn, kPageCountColumn};
  int row = 1;
  for (const std::string& folder : s.lot.folders) {
    CatalogRecord entry;
    entry.ref = folder;
    entry.row = ++row;
    const std::vector<RecordItem>& items = s.items_by_record[folder];
    entry.page_count = static_cast<int>(items.size());
    entry.values = {folder, std::to_string(items.size())};
    batch.records.push_back({std::move(entry), items, s.ledger->record_outputs(folder)});
  }

  Outcome outcome = s.guard.call(*s.stages.catalogue_draft, s.draft_info, std::as_const(batch), batch.batch_id);
  s.ledger->replace_batch_findings(s.draft_info.id, as_batch_findings(s.draft_info.id, outcome.findings));
  for (const StageOutput& output : outcome.outputs) s.summary.catalogue_draft = s.work_dir / utf8_path(output.path);
  s.summary.records_drafted = static_cast<long long>(batch.records.size());
  s.log->write("catalogue_draft", {{"draft", s.summary.catalogue_draft.string()}, {"records", s.summary.records_drafted}});
  write_reports(*s.ledger, s.work_dir, s.stages.describe());
}

void BatchRun::verify() {
  State& s = *state_;
  if (!s.summary.deposited) {
    s.summary.verified = false;
    write_reports(*s.ledger, s.work_dir, s.stages.describe());
    return;
  }
  const Bag bag{s.summary.bag_dir, s.deposit_writes_sm3, s.summary.package_file, s.options.continues};
  Outcome checked = s.guard.call(*s.stages.verify, s.verify_info, bag, s.summary.bag_dir.string());
  s.ledger->replace_batch_findings(s.verify_info.id, as_batch_findings(s.verify_info.id, checked.findings));
  s.summary.verify_problems = checked.findings;
  for (const StageOutput& output : checked.outputs)
    if (output.path.ends_with(".html")) s.summary.four_properties_report = s.work_dir / utf8_path(output.path);
  s.summary.verified = !checked.rejected();
  // A package that fails its self-check is not sent sealed either.
  if (!s.summary.verified && !s.summary.sealed_package.empty()) {
    std::error_code ignored;
    fs::remove(s.summary.sealed_package, ignored);
    fs::remove(s.summary.sealed_package.string() + ".json", ignored);
    s.summary.sealed_package.clear();
  }
  std::string package_digest =
      hex_digests_of_file(s.summary.bag_dir / "manifest-sha256.txt", {DigestAlgorithm::md5}).front();
  s.ledger->record_deposit(s.summary.batch_id, relative_utf8(s.summary.bag_dir, s.work_dir), package_digest,
                           s.summary.verified);
  s.log->write("verify", {{"bag", s.summary.bag_dir.string()}, {"verified", s.summary.verified}});
  write_reports(*s.ledger, s.work_dir, s.stages.describe());
}

RunSummary BatchRun::run() {
  prepare();
  run_items();
  run_records();
  assess();
  State& s = *state_;
  if (s.options.shard) {
    // A shard's part is done, unless stages were left for later; the deposit waits for
    // every shard (lantai merge).
    s.summary.deferred_stages = s.options.deferred_stages;
    s.ledger->set_batch_value(RunOptions::Shard::kFinishedKey, s.options.deferred_stages.empty() ? "yes" : "no");
    s.log->write("shard_done", {{"shard", s.options.shard->label}, {"finished", s.options.deferred_stages.empty()}});
  } else if (s.options.deferred_stages.empty() && s.drafting) {
    draft_catalogue();
  } else if (s.options.deferred_stages.empty()) {
    deposit();
    verify();
  } else {
    s.summary.deferred_stages = s.options.deferred_stages;
    nlohmann::json waiting = s.options.deferred_stages;
    s.log->write("deposit_deferred", {{"stages", waiting}});
  }
  s.summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - s.started).count();
  s.log->write("batch_end", {{"items_accepted", s.summary.items_accepted},
                             {"items_quarantined", s.summary.items_quarantined},
                             {"records_deposited", s.summary.records_deposited},
                             {"verified", s.summary.verified}});
  return s.summary;
}

RunSummary run_batch(const RunOptions& options, StageSequence& stages) { return BatchRun(options, stages).run(); }

LotSurvey survey_lot(const RunOptions& options, StageSequence& stages) {
  if (!fs::is_directory(options.input_root))
    throw RunError(kExitBadInput, "input folder " + options.input_root.string() + " does not exist");
  BatchRun::State state(options, stages);
  state.context = StageContext{{}, absolute_path(options.input_root), options.jobs};
  state.set_up_checked();
  state.load_catalog_file();
  state.read_lot();
  LotSurvey survey;
  const std::map<std::string, SourceState> sources = state.source_states();
  survey.batch_id = state.batch_id(sources);
  for (const auto& [file, source] : sources) survey.file_bytes[file] = source.size_bytes;
  for (const CatalogRecord& entry : state.catalog.records) survey.catalogue_refs.push_back(entry.ref);
  survey.lot = std::move(state.lot);
  return survey;
}

std::vector<StageRecord> effective_profile(const std::filesystem::path& profile_file, StageSequence& stages) {
  RunOptions options;
  options.profile_file = profile_file;
  BatchRun::State state(options, stages);
  state.set_up_stages();
  return state.processing;
}

}  // namespace lantai
