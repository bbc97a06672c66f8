#include "pipeline/runtime/item_flow.h"

#include <malloc.h>
#include <tbb/flow_graph.h>
#include <tbb/global_control.h>

#include <chrono>
#include <memory>
#include <variant>

namespace lantai {

namespace {

// An item on its way through the graph.
struct ItemJob {
  ItemPlan plan;
  ItemResult result;  // what the stages said this time, for the ledger
  bool rejected = false;
  std::uint64_t reserved_bytes = 0;
};
// Flow-graph messages must be copyable: jobs travel as shared pointers, one node at a time.
using Message = std::variant<std::shared_ptr<ItemJob>, std::shared_ptr<RecordResult>>;
using Node = tbb::flow::function_node<Message, Message>;

std::string unit_name(const Item& item) {
  return item.frame > 0 ? item.rel_path + " (frame " + std::to_string(item.frame) + ")" : item.rel_path;
}

// Lets items in while the bytes in flight fit the budget; one item at least, however large.
class Admission {
 public:
  Admission(std::vector<ItemPlan> pending, std::uint64_t budget_bytes)
      : pending_(std::move(pending)), budget_(budget_bytes) {}

  void connect(ItemKind kind, Node& entry) { entries_[kind] = &entry; }

  void admit() {
    std::lock_guard lock(mutex_);
    while (next_ < pending_.size()) {
      const std::uint64_t bytes = pending_[next_].working_bytes;
      if (in_flight_count_ > 0 && in_flight_bytes_ + bytes > budget_) break;
      auto job = std::make_shared<ItemJob>();
      job->plan = std::move(pending_[next_++]);
      job->result.ref = job->plan.ref;
      job->result.item_id = job->plan.item.id;
      job->result.source = job->plan.source;
      job->result.start_position = job->plan.start;
      job->reserved_bytes = bytes;
      in_flight_bytes_ += bytes;
      ++in_flight_count_;
      peak_bytes_ = std::max(peak_bytes_, in_flight_bytes_);
      entries_.at(job->plan.ref.kind)->try_put(Message(std::move(job)));
    }
  }

  void release(std::uint64_t bytes) {
    {
      std::lock_guard lock(mutex_);
      in_flight_bytes_ -= bytes;
      --in_flight_count_;
    }
    admit();
  }

  std::uint64_t peak_bytes() const { return peak_bytes_; }

 private:
  std::vector<ItemPlan> pending_;
  std::size_t next_ = 0;
  std::uint64_t budget_;
  std::uint64_t in_flight_bytes_ = 0;
  std::uint64_t peak_bytes_ = 0;
  long long in_flight_count_ = 0;
  std::map<ItemKind, Node*> entries_;
  std::mutex mutex_;
};

// Starts a redone item at its planned stage, with the pixels and measurements the stages
// before it left; starts earlier when those pixels cannot be read back.
class RestoreItem {
 public:
  explicit RestoreItem(const Chain& chain) : chain_(chain) {}

  void operator()(ItemJob& job) const {
    ItemPlan& plan = job.plan;
    int start = plan.start;
    while (start > 0) {
      int maker = start - 1;
      while (maker >= 0 && !chain_[maker]->info.makes_pixels) --maker;
      if (maker < 0) break;  // no stage before start makes pixels: none are needed
      if (auto pixels = reload(*chain_[maker], plan)) {
        plan.item.image = Image::seal(std::move(*pixels));
        break;
      }
      start = maker;
    }
    plan.start = start;
    job.result.start_position = start;
    plan.item.measurements = {};
    for (int position = 0; position < start; ++position)
      plan.item.measurements.merge(plan.stored.at(chain_[position]->info.id).measurements);
  }

 private:
  static std::optional<cv::Mat> reload(const ChainStage& stage, const ItemPlan& plan) {
    auto run = plan.stored.find(stage.info.id);
    if (run == plan.stored.end()) return std::nullopt;
    try {
      return stage.stage->reload_image(plan.item, run->second.outputs);
    } catch (const std::exception&) {
      return std::nullopt;  // unreadable: redo the stage instead
    }
  }

  const Chain& chain_;
};

// Runs one stage of a chain on an item.
class RunStage {
 public:
  RunStage(std::size_t position, ChainStage& stage, const StageGuard& guard, int run_number)
      : position_(position), stage_(stage), guard_(guard), run_number_(run_number) {}

  void operator()(ItemJob& job) const {
    if (job.rejected || static_cast<int>(position_) < job.plan.start) return;
    Item& item = job.plan.item;
    const auto start = std::chrono::steady_clock::now();
    Outcome outcome = guard_.call(*stage_.stage, stage_.info, std::as_const(item), unit_name(item));
    // A finding an inspector accepted (and a supervisor stands behind) is kept, overridden.
    for (Finding& finding : outcome.findings)
      if (finding.code != kInternalException.code)
        if (auto accepted = item.manual_value(stage_.info.id, accept_manual_name(finding.code)))
          finding.overridden_by = *accepted;
    if (outcome.image) {
      try {
        item.image = Image::seal(std::move(*outcome.image));
      } catch (const std::exception& error) {
        outcome.add(kInternalException(unit_name(item) + ": stage " + stage_.info.id +
                                       ": cannot keep its pixels: " + error.what()));
      }
      outcome.image.reset();
    }
    stage_.microseconds += std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::steady_clock::now() - start).count();
    ++stage_.items;
    item.measurements.merge(outcome.measurements);
    job.rejected = outcome.rejected();
    job.result.runs.push_back({stage_.info.id, static_cast<int>(position_), stage_.info.version,
                               stage_.settings_digest, job.plan.keys[position_], std::move(outcome.measurements),
                               job.rejected, std::move(outcome.outputs), run_number_});
    job.result.findings.emplace_back(stage_.info.id, std::move(outcome.findings));
  }

 private:
  std::size_t position_;
  ChainStage& stage_;
  const StageGuard& guard_;
  int run_number_;
};

// The one ledger writer while the graph runs.
class LedgerSink {
 public:
  LedgerSink(ItemFlowContext& context, Admission& admission, std::map<std::string, long long>& pending_per_record,
             tbb::flow::function_node<std::string, Message>& records, std::vector<std::string>& records_handled)
      : context_(context),
        admission_(admission),
        pending_per_record_(pending_per_record),
        records_(records),
        records_handled_(records_handled) {}

  void operator()(const Message& message) {
    if (const auto* record = std::get_if<std::shared_ptr<RecordResult>>(&message)) {
      try {
        store_record_result(context_.ledger, **record);
      } catch (const std::exception& error) {
        context_.log.write("ledger_error", {{"record", (*record)->ref}, {"error", error.what()}});
      }
      return;
    }
    ItemJob& job = *std::get<std::shared_ptr<ItemJob>>(message);
    job.plan.item.image = Image();  // the pixels are done with: free them before the next item comes in
    ::malloc_trim(0);  // and what the item's stages freed in the heap: the next item starts from the same ground
    try {
      context_.ledger.record_item(job.result);
      context_.progress.item_done(job.rejected);
      log(job);
      const std::string& ref = job.plan.ref.record_ref;
      if (--pending_per_record_[ref] == 0) {
        records_handled_.push_back(ref);
        records_.try_put(ref);
      }
    } catch (const std::exception& error) {
      // The item stays undone and is redone by the next run; the batch goes on.
      context_.log.write("ledger_error", {{"file", job.plan.item.rel_path}, {"error", error.what()}});
    }
    admission_.release(job.reserved_bytes);
  }

 private:
  void log(const ItemJob& job) {
    nlohmann::json stages = nlohmann::json::array(), codes = nlohmann::json::array();
    for (const StageRun& run : job.result.runs) stages.push_back(run.stage);
    for (const auto& [stage, findings] : job.result.findings)
      for (const Finding& finding : findings) codes.push_back(finding.code);
    context_.log.write("item_done", {{"file", job.plan.item.rel_path},
                                     {"frame", job.plan.item.frame},
                                     {"record", job.plan.item.record_ref},
                                     {"status", job.rejected ? "quarantined" : "accepted"},
                                     {"stages_run", stages},
                                     {"findings", codes}});
  }

  ItemFlowContext& context_;
  Admission& admission_;
  std::map<std::string, long long>& pending_per_record_;
  tbb::flow::function_node<std::string, Message>& records_;
  std::vector<std::string>& records_handled_;
};

}  // namespace

void store_record_result(Ledger& ledger, const RecordResult& result) {
  ledger.replace_record_findings(result.ref, result.stages, result.findings, result.outputs);
}

ItemFlowFigures run_item_flow(std::vector<ItemPlan> pending, std::map<std::string, long long> pending_per_record,
                              const ItemFlowSettings& settings, ItemFlowContext& context,
                              std::vector<std::string>& records_handled) {
  const auto started = std::chrono::steady_clock::now();
  ItemFlowFigures figures;
  figures.items_done = static_cast<long long>(pending.size());
  if (pending.empty()) return figures;

  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(settings.jobs));
  tbb::flow::graph graph;
  Admission admission(std::move(pending), settings.memory_budget_bytes);
  tbb::flow::function_node<std::string, Message> records(graph, tbb::flow::unlimited, [&](const std::string& ref) {
    return Message(std::make_shared<RecordResult>(context.run_record_stages(ref)));
  });
  tbb::flow::function_node<Message> sink(
      graph, tbb::flow::serial, LedgerSink(context, admission, pending_per_record, records, records_handled));
  auto on_job = [](auto body) {
    return [body](Message message) {
      body(*std::get<std::shared_ptr<ItemJob>>(message));
      return message;
    };
  };
  std::vector<std::unique_ptr<Node>> nodes;
  for (const auto& [kind, chain] : context.chains) {
    nodes.push_back(std::make_unique<Node>(graph, tbb::flow::unlimited, on_job(RestoreItem(chain))));
    admission.connect(kind, *nodes.back());
    for (std::size_t position = 0; position < chain.size(); ++position) {
      Node* before = nodes.back().get();
      nodes.push_back(std::make_unique<Node>(
          graph, tbb::flow::unlimited, on_job(RunStage(position, *chain[position], context.guard, settings.run_number))));
      tbb::flow::make_edge(*before, *nodes.back());
    }
    tbb::flow::make_edge(*nodes.back(), sink);
  }
  tbb::flow::make_edge(records, sink);

  admission.admit();
  graph.wait_for_all();

  const double minutes = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() / 60.0;
  figures.items_per_minute = minutes > 0 ? static_cast<double>(figures.items_done) / minutes : 0;
  figures.peak_bytes_in_flight = admission.peak_bytes();
  return figures;
}

}  // namespace lantai
