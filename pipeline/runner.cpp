#include "pipeline/runner.h"

#include <tbb/flow_graph.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <set>

#include "pipeline/catalog.h"
#include "pipeline/digest.h"
#include "pipeline/event_log.h"
#include "pipeline/files.h"
#include "pipeline/format.h"
#include "pipeline/ledger.h"
#include "pipeline/progress.h"
#include "pipeline/reports.h"

namespace lantai {
namespace fs = std::filesystem;

namespace {

// A page on its way through the graph, with what each stage said of it.
struct PageJob {
  Page page;
  std::vector<std::pair<std::string, Outcome>> outcomes;  // stage id → outcome
  bool rejected = false;
};
// Flow-graph messages must be copyable, so a job travels as a shared pointer; exactly
// one node holds it at a time.
using Job = std::shared_ptr<PageJob>;

fs::path absolute_path(const fs::path& path) {
  std::error_code error;
  fs::path absolute = fs::weakly_canonical(path, error);
  return error ? fs::absolute(path) : absolute;
}

class BatchRun {
 public:
  BatchRun(const RunOptions& options, StageSequence& stages) : options_(options), stages_(stages) {}

  RunSummary run() {
    const auto start = std::chrono::steady_clock::now();
    set_up_stages();
    load_catalog_file();
    open_work();
    forget_pages_with_lost_outputs();
    ingest();
    run_pages_and_records();
    run_remaining_records();
    assess_records();
    deposit_and_verify();
    write_reports(*ledger_, work_dir_);
    summary_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    log_->write("batch_end", {{"pages_accepted", summary_.pages_accepted},
                              {"pages_quarantined", summary_.pages_quarantined},
                              {"records_deposited", summary_.records_deposited},
                              {"verified", summary_.verified}});
    return summary_;
  }

 private:
  // Every stage set up from its profile section: a bad profile stops the batch here,
  // before anything is written.
  void set_up_stages() {
    if (options_.jobs < 1) throw RunError(kExitBadArguments, "--jobs must be at least 1");
    if (!fs::is_directory(options_.input_root))
      throw RunError(kExitBadInput, "input folder " + options_.input_root.string() + " does not exist");
    work_dir_ = absolute_path(options_.work_dir);
    context_ = StageContext{work_dir_, absolute_path(options_.input_root), options_.jobs};

    try {
      Profile profile = Profile::load(options_.profile_file);
      set_up_stage(*stages_.ingest, profile);
      for (auto& stage : stages_.page_stages) page_stage_ids_.push_back(set_up_stage(*stage, profile));
      stage_microseconds_ = std::vector<std::atomic<long long>>(page_stage_ids_.size());
      for (auto& stage : stages_.record_stages) record_stage_ids_.push_back(set_up_stage(*stage, profile));
      set_up_stage(*stages_.deposit, profile);
      set_up_stage(*stages_.verify, profile);
      profile.finish();
      profile_name_ = profile.name();
      profile_sha256_ = profile.sha256();
    } catch (const ProfileError& error) {
      throw RunError(kExitBadInput, error.what());
    } catch (const std::runtime_error& error) {
      throw RunError(kExitEnvironment, error.what());
    }
  }

  // WORK and its ledger; refuses a WORK that belongs to another batch.
  void open_work() {
    try {
      fs::create_directories(work_dir_);
      for (const char* outputs : {"derivatives", "ocr", "reports"}) remove_stale_temp_files(work_dir_ / outputs);
      ledger_ = Ledger::open(work_dir_);
      log_ = std::make_unique<EventLog>(work_dir_ / "log.jsonl");
    } catch (const std::exception& error) {
      throw RunError(kExitEnvironment, std::string("cannot use work folder: ") + error.what());
    }

    BatchIdentity identity{"", options_.fonds_code, options_.unit_name, context_.input_root.string(),
                           absolute_path(options_.catalog_file).string(), "", profile_name_, profile_sha256_};
    if (auto earlier = ledger_->identity()) {
      // Page outputs depend on the profile and the input; anything else is redone every run.
      if (earlier->profile_sha256 != profile_sha256_)
        throw RunError(kExitBadInput, work_dir_.string() + " was started with another profile (" +
                                          earlier->profile_name + "); use the same profile or a new --out");
      if (earlier->input_root != identity.input_root)
        throw RunError(kExitBadInput, work_dir_.string() + " was started on " + earlier->input_root +
                                          "; use the same --in or a new --out");
      identity.batch_id = earlier->batch_id;
    } else {
      // Stable across resumes: fixed at the first run.
      identity.batch_id = options_.fonds_code + "-" + now_text("%Y%m%d", TimeZone::local) + "-" +
                          hex_digest(DigestAlgorithm::sha256, identity.input_root + "\n" + identity.catalog_file +
                                                                  "\n" + profile_sha256_)
                              .substr(0, 8);
    }
    ledger_->set_identity(identity);
    ledger_->replace_batch_findings("catalog", catalog_findings_);
    summary_.batch_id = identity.batch_id;
    log_->write("batch_start", {{"batch_id", identity.batch_id},
                                {"profile", profile_name_},
                                {"input", identity.input_root},
                                {"jobs", options_.jobs}});
  }

  template <class Unit>
  std::string set_up_stage(Stage<Unit>& stage, Profile& profile) {
    StageInfo info = stage.describe();
    ProfileSection section = profile.section(info.id);
    stage.setup(section, context_);
    section.finish();
    processing_.push_back({info, section.effective()});
    return info.id;
  }

  // A done page whose output has gone or changed size since (a disk cleaned by hand, a
  // copy cut short) is done again rather than failing the deposit. Sizes only: contents
  // are checked against their checksums when the deposit copies them.
  void forget_pages_with_lost_outputs() {
    for (const PageRow& row : ledger_->pages()) {
      for (const StageOutput& output : row.page.outputs) {
        std::error_code error;
        const auto size = fs::file_size(work_dir_ / fs::u8path(output.path), error);
        if (!error && size == output.size_bytes) continue;
        ledger_->forget_page(row.page.item_id);
        log_->write("page_redone", {{"file", row.page.rel_path}, {"lost_output", output.path}});
        break;
      }
    }
  }

  void load_catalog_file() {
    try {
      catalog_ = load_catalog(options_.catalog_file);
    } catch (const CatalogError& error) {
      throw RunError(kExitBadInput, error.what());
    }
    std::vector<StoredFinding> findings;
    for (const auto& [ref, finding] : catalog_.findings)
      findings.push_back({ref.empty() ? FindingScope::batch : FindingScope::record, "catalog", "", ref, finding});
    catalog_findings_ = std::move(findings);
    summary_.records_in_catalog = static_cast<long long>(catalog_.records.size());
  }

  void ingest() {
    lot_.input_root = context_.input_root;
    Outcome outcome;
    try {
      outcome = stages_.ingest->process(lot_);
    } catch (const std::exception& error) {
      throw RunError(kExitBadInput, error.what());
    }
    std::vector<StoredFinding> findings;
    for (const auto& finding : outcome.findings) {
      // A file inside a record folder, or a record folder itself: about that record.
      std::string rel_path = split_item_id(finding.item_id).first;
      std::string folder = finding.code == "ingest.loose_file" ? "" : rel_path.substr(0, rel_path.find('/'));
      findings.push_back({FindingScope::batch, "ingest", finding.item_id, folder, finding});
    }
    ledger_->replace_batch_findings("ingest", findings);
    folders_.insert(lot_.folders.begin(), lot_.folders.end());
    summary_.pages_in = static_cast<long long>(lot_.pages.size());
  }

  // Runs one page stage on a job; a stage that throws quarantines the page, never the batch.
  void run_page_stage(size_t index, PageJob& job) const {
    if (job.rejected) return;
    const std::string& id = page_stage_ids_[index];
    Outcome outcome;
    const auto start = std::chrono::steady_clock::now();
    try {
      outcome = stages_.page_stages[index]->process(job.page);
    } catch (const std::exception& error) {
      outcome.add(make_finding("internal.exception", job.page.rel_path + ": stage " + id + " failed: " + error.what()));
    } catch (...) {
      outcome.add(make_finding("internal.exception", job.page.rel_path + ": stage " + id + " failed"));
    }
    stage_microseconds_[index] += std::chrono::duration_cast<std::chrono::microseconds>(
                                      std::chrono::steady_clock::now() - start).count();
    job.rejected = outcome.rejected();
    job.outcomes.emplace_back(id, std::move(outcome));
  }

  // Pages flow source → limiter → page stages → sink; the sink records each page and,
  // once a record's last page is in, hands the record to the record stages.
  void run_pages_and_records() {
    const std::set<std::string> done = ledger_->done_page_ids();
    std::vector<const PageRef*> pending;
    for (const PageRef& ref : lot_.pages) {
      if (!done.count(Page::make_id(ref.rel_path, ref.frame))) {
        pending.push_back(&ref);
        ++pages_left_[ref.record_ref];
      }
    }
    Progress progress(summary_.pages_in, summary_.pages_in - static_cast<long long>(pending.size()),
                      options_.show_progress);

    tbb::global_control threads(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(options_.jobs));
    tbb::flow::graph graph;
    size_t next = 0;
    tbb::flow::input_node<Job> source(graph, [&](tbb::flow_control& control) -> Job {
      if (next == pending.size()) {
        control.stop();
        return {};
      }
      const PageRef& ref = *pending[next++];
      auto job = std::make_shared<PageJob>();
      job->page.rel_path = ref.rel_path;
      job->page.frame = ref.frame;
      job->page.id = Page::make_id(ref.rel_path, ref.frame);
      job->page.record_ref = ref.record_ref;
      job->page.seq = ref.seq;
      job->page.source = lot_.input_root / fs::u8path(ref.rel_path);
      return job;
    });
    // Bounds the pages in flight, so memory stays flat whatever the batch size.
    tbb::flow::limiter_node<Job> limiter(graph, static_cast<size_t>(options_.jobs) * 2);

    std::vector<std::unique_ptr<tbb::flow::function_node<Job, Job>>> stage_nodes;
    for (size_t i = 0; i < stages_.page_stages.size(); ++i)
      stage_nodes.push_back(std::make_unique<tbb::flow::function_node<Job, Job>>(
          graph, tbb::flow::unlimited, [this, i](Job job) {
            run_page_stage(i, *job);
            return job;
          }));

    tbb::flow::function_node<std::string> record_node(graph, tbb::flow::unlimited,
                                                      [this](const std::string& ref) { run_record_stages(ref); });

    tbb::flow::function_node<Job, tbb::flow::continue_msg> sink(
        graph, tbb::flow::serial, [&](Job job) {
          job->page.image.release();
          try {
            ledger_->record_page(job->page, job->outcomes);
          } catch (const std::exception& error) {
            // The page stays undone and is redone by the next run; the batch goes on.
            log_->write("ledger_error", {{"file", job->page.rel_path}, {"error", error.what()}});
            return tbb::flow::continue_msg();
          }
          progress.page_done(job->rejected);
          log_page(*job);
          if (--pages_left_[job->page.record_ref] == 0) {
            records_started_.insert(job->page.record_ref);
            record_node.try_put(job->page.record_ref);
          }
          return tbb::flow::continue_msg();
        });

    tbb::flow::make_edge(source, limiter);
    tbb::flow::make_edge(limiter, *stage_nodes.front());
    for (size_t i = 1; i < stage_nodes.size(); ++i) tbb::flow::make_edge(*stage_nodes[i - 1], *stage_nodes[i]);
    tbb::flow::make_edge(*stage_nodes.back(), sink);
    tbb::flow::make_edge(sink, limiter.decrementer());
    source.activate();
    graph.wait_for_all();
    progress.finish();
    summary_.pages_processed_now = progress.done_now();
    summary_.pages_per_minute = progress.pages_per_minute();
    for (size_t i = 0; i < page_stage_ids_.size(); ++i)
      summary_.stage_seconds.emplace_back(page_stage_ids_[i], static_cast<double>(stage_microseconds_[i]) / 1e6);
  }

  void log_page(const PageJob& job) {
    nlohmann::json codes = nlohmann::json::array();
    for (const auto& [stage, outcome] : job.outcomes)
      for (const auto& finding : outcome.findings) codes.push_back(finding.code);
    log_->write("page_done", {{"file", job.page.rel_path},
                              {"frame", job.page.frame},
                              {"record", job.page.record_ref},
                              {"status", job.rejected ? "quarantined" : "accepted"},
                              {"findings", codes}});
  }

  // Every record of the catalogue or the input: those whose pages were all done by an
  // earlier run, and entries without a folder, did not pass through the graph.
  void run_remaining_records() {
    std::set<std::string> refs = folders_;
    for (const auto& record : catalog_.records) refs.insert(record.ref);
    for (const auto& ref : refs)
      if (!records_started_.count(ref)) run_record_stages(ref);
  }

  void run_record_stages(const std::string& ref) {
    RecordWork work;
    work.ref = ref;
    if (const CatalogRecord* entry = catalog_.find(ref)) work.entry = *entry;
    work.has_folder = folders_.count(ref) > 0;
    work.pages = ledger_->record_pages(ref);
    work.work_dir = work_dir_;
    std::vector<StoredFinding> findings;
    for (size_t i = 0; i < stages_.record_stages.size(); ++i) {
      const std::string& id = record_stage_ids_[i];
      Outcome outcome;
      try {
        outcome = stages_.record_stages[i]->process(work);
      } catch (const std::exception& error) {
        outcome.add(make_finding("internal.exception", ref + ": stage " + id + " failed: " + error.what()));
      }
      for (auto& finding : outcome.findings)
        findings.push_back({FindingScope::record, id, finding.item_id, ref, std::move(finding)});
    }
    ledger_->replace_record_findings(ref, record_stage_ids_, findings);
  }

  // Decides each record's fate from the ledger: deposited when it has a catalogue entry, a
  // folder, pages, and no reject finding on it or any of its pages; withheld otherwise.
  void assess_records() {
    std::map<std::string, std::set<std::string>> reasons;  // record → reject codes
    for (const StoredFinding& stored : ledger_->findings()) {
      if (stored.finding.severity != Severity::reject) continue;
      if (!stored.record_ref.empty()) reasons[stored.record_ref].insert(stored.finding.code);
      if (stored.item_id.empty()) summary_.reject_counts[stored.finding.code]++;
    }
    for (PageRow& row : ledger_->pages()) {
      const bool rejected = any_reject(row.findings);
      (rejected ? summary_.pages_quarantined : summary_.pages_accepted)++;
      for (const Finding& finding : row.findings)
        if (finding.severity == Severity::reject) summary_.reject_counts[finding.code]++;
      pages_by_record_[row.record_ref].push_back(std::move(row.page));
    }

    std::vector<std::string> refs;  // catalogue order, then folders without an entry
    for (const CatalogRecord& entry : catalog_.records) refs.push_back(entry.ref);
    for (const std::string& folder : lot_.folders)
      if (!catalog_.find(folder)) refs.push_back(folder);
    for (const std::string& ref : refs) {
      RecordRow row;
      row.ref = ref;
      const CatalogRecord* entry = catalog_.find(ref);
      row.in_catalog = entry != nullptr;
      if (entry) {
        row.title = entry->field(catalog_.columns, kTitleColumn);
        row.catalog_pages = entry->page_count;
      }
      row.has_folder = folders_.count(ref) > 0;
      row.pages_found = static_cast<int>(pages_by_record_[ref].size());
      row.reasons.assign(reasons[ref].begin(), reasons[ref].end());
      row.deposited = row.in_catalog && row.has_folder && row.pages_found > 0 && row.reasons.empty();
      records_.push_back(std::move(row));
    }
    ledger_->replace_records(records_);
  }

  // Packs the deposited records into the bag and checks it as the registration centre will.
  void deposit_and_verify() {
    BatchWork batch;
    batch.batch_id = summary_.batch_id;
    batch.fonds_code = options_.fonds_code;
    batch.unit_name = options_.unit_name;
    batch.profile_name = profile_name_;
    batch.profile_sha256 = profile_sha256_;
    batch.catalog_columns = catalog_.columns;
    batch.processing = processing_;
    batch.work_dir = work_dir_;
    for (const RecordRow& row : records_) {
      if (row.deposited)
        batch.records.push_back({*catalog_.find(row.ref), std::move(pages_by_record_[row.ref])});
      else if (row.in_catalog)
        ++batch.records_withheld;
    }
    batch.pages_in = summary_.pages_in;
    batch.pages_quarantined = summary_.pages_quarantined;
    summary_.records_deposited = static_cast<long long>(batch.records.size());
    summary_.records_withheld = batch.records_withheld;

    try {
      Outcome outcome = stages_.deposit->process(batch);
      ledger_->replace_batch_findings("deposit", to_batch_findings("deposit", outcome.findings));
    } catch (const std::exception& error) {
      throw RunError(kExitEnvironment, std::string("deposit: ") + error.what());
    }
    summary_.bag_dir = batch.bag_dir;

    Bag bag{batch.bag_dir};
    Outcome checked = stages_.verify->process(bag);
    ledger_->replace_batch_findings("verify", to_batch_findings("verify", checked.findings));
    summary_.verify_problems = checked.findings;
    summary_.verified = !checked.rejected();
    std::string package_digest =
        hex_digests_of_file(batch.bag_dir / "manifest-sha256.txt", {DigestAlgorithm::md5}).front();
    ledger_->record_deposit(batch.batch_id, relative_utf8(batch.bag_dir, work_dir_), package_digest,
                            summary_.verified);
    log_->write("deposit", {{"bag", batch.bag_dir.string()},
                            {"records", summary_.records_deposited},
                            {"package_md5", package_digest},
                            {"verified", summary_.verified}});
  }

  static std::vector<StoredFinding> to_batch_findings(const std::string& stage, const std::vector<Finding>& findings) {
    std::vector<StoredFinding> stored;
    for (const auto& finding : findings) stored.push_back({FindingScope::batch, stage, "", "", finding});
    return stored;
  }

  const RunOptions& options_;
  StageSequence& stages_;
  fs::path work_dir_;
  StageContext context_;
  std::vector<std::string> page_stage_ids_;
  std::vector<std::string> record_stage_ids_;
  mutable std::vector<std::atomic<long long>> stage_microseconds_;  // per page stage, summed over threads
  std::string profile_name_;
  std::string profile_sha256_;
  std::vector<StageRecord> processing_;  // for the deposit's processing history
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<EventLog> log_;
  Catalog catalog_;
  std::vector<StoredFinding> catalog_findings_;
  Lot lot_;
  std::set<std::string> folders_;  // lot_.folders, for look-ups
  std::map<std::string, long long> pages_left_;  // per record, pages not yet in the ledger
  std::set<std::string> records_started_;        // handed to the record stages by the sink
  std::map<std::string, std::vector<RecordPage>> pages_by_record_;  // done pages, by 档号
  std::vector<RecordRow> records_;               // every record's fate, in catalogue order
  RunSummary summary_;
};

}  // namespace

RunSummary run_batch(const RunOptions& options, StageSequence& stages) {
  return BatchRun(options, stages).run();
}

}  // namespace lantai
