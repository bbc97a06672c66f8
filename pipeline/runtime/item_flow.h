// The item graph (oneTBB flow graph), wired in one short function, run_item_flow():
//
//   admission ──► restore ──► stage 1 ──► … ──► stage n ──┐    (one chain per item kind)
//       ▲                                                 ▼
//       └──────────── release ◄──── sink (serial) ◄── record stages
//
// - Admission lets an item in while the bytes in flight stay within the memory budget
//   (an item larger than the whole budget goes alone), so memory stays flat whatever the
//   size of the lot or of one item.
// - Restore starts a redone item where its plan says: it asks the last stage before the
//   start that makes pixels to read them back from its outputs, or starts earlier.
// - Each stage node runs one stage through the StageGuard; a quarantined item passes the
//   remaining stages untouched and still reaches the sink, so every item is accounted for.
// - The sink is the one ledger writer while the graph runs: it records each item, counts
//   progress, and once a record's last item is in, sends the record to the record stages,
//   whose results come back to it.
// Each node body is a named class that can be tested without a graph.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "pipeline/runtime/event_log.h"
#include "pipeline/runtime/ledger.h"
#include "pipeline/runtime/progress.h"
#include "pipeline/runtime/stage_guard.h"
#include "pipeline/stage.h"
#include "pipeline/units.h"

namespace lantai {

// One stage of a kind's chain, as this batch set it up.
struct ChainStage {
  ItemStage* stage = nullptr;
  StageInfo info;
  std::string settings_digest;  // of its id, version and effective settings
  // This run's figures, summed over threads.
  std::atomic<long long> items{0};
  std::atomic<long long> microseconds{0};
};
using Chain = std::vector<std::unique_ptr<ChainStage>>;

// What to do with one item this run.
struct ItemPlan {
  Item item;          // identity, Manual values, and the measurements of the stages before start
  ItemRef ref;
  SourceState source;
  std::vector<std::string> keys;       // dependency key per chain position
  std::map<std::string, StageRun> stored;  // what earlier runs left, by stage
  int start = 0;                       // the first chain position to run
  std::uint64_t working_bytes = 0;     // what the chain's stages say it will hold
};

// A record's stage results, on their way to the sink.
struct RecordResult {
  std::string ref;
  std::vector<std::string> stages;  // record stage ids, whose earlier findings are replaced
  std::vector<StoredFinding> findings;
  std::vector<std::pair<std::string, StageOutput>> outputs;  // stage → output written for the record
};

struct ItemFlowSettings {
  int jobs = 1;
  std::uint64_t memory_budget_bytes = 0;
  int run_number = 0;
};

struct ItemFlowFigures {
  long long items_done = 0;
  double items_per_minute = 0;
  std::uint64_t peak_bytes_in_flight = 0;
};

// What the graph works with; it owns none of it.
struct ItemFlowContext {
  const std::map<ItemKind, Chain>& chains;
  const StageGuard& guard;
  Ledger& ledger;
  EventLog& log;
  Progress& progress;
  std::function<RecordResult(const std::string& ref)> run_record_stages;
};

// Runs pending through the chains. pending_per_record: items of each record still to come,
// so the sink knows when a record is whole; a record whose count reaches 0 goes to
// context.run_record_stages and its result is stored. records_handled: those records.
ItemFlowFigures run_item_flow(std::vector<ItemPlan> pending, std::map<std::string, long long> pending_per_record,
                              const ItemFlowSettings& settings, ItemFlowContext& context,
                              std::vector<std::string>& records_handled);

// Stores a record's results (the sink's job, and the records phase's after the graph).
void store_record_result(Ledger& ledger, const RecordResult& result);

}  // namespace lantai
