// The verdict of an acceptance sample (DA/T 31-2017 12.3): every machine item passes on
// every record of the lot, catalogue entry ↔ images on every sampled record, each other
// inspector item on at least the profile's min_pass_percent of them.
//
// An inspector's latest check of an item on a record counts; earlier ones stay on record.
// The verdict is fail as soon as no further check could make it pass, pending while
// checks are missing (or the sample no longer covers the asked share of the records ready
// for deposit), pass once every item has met its rule.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pipeline/acceptance/check_items.h"
#include "pipeline/runtime/acceptance_settings.h"
#include "pipeline/runtime/ledger.h"

namespace lantai::acceptance {

enum class Verdict { pass, fail, pending };
std::string_view to_string(Verdict verdict);     // "pass", "fail", "pending"
std::string_view chinese_name(Verdict verdict);  // 合格, 不合格, 未完成

// How one check item fared.
struct ItemTally {
  const CheckItem* item = nullptr;
  int required_bp = 10000;  // pass rate the item must reach, hundredths of a percent
  int records = 0;          // machine: records of the lot; inspector: records sampled
  int checked = 0;          // with a result (machine: all of them, once the checks have run)
  int passed = 0;
  int failed = 0;
  bool lot_failed = false;  // machine: a reject finding on the lot as a whole (no record)
  std::optional<bool> met;  // nullopt while undecided
};

// One defect, for the corrective-action notice (整改意见书).
struct Defect {
  std::string item;        // check item code
  std::string record_ref;  // empty: the lot as a whole
  std::string problem;     // the finding's message, or the inspector's note
  std::string source;      // finding code ("assess" for a record withheld with none), or the inspector's name
  std::string found_at;    // the inspector's time; empty for machine findings
};

// Everything the verdict is judged from.
struct JudgementInput {
  StoredSample sample;
  std::vector<SampleCheck> checks;        // the sample's, oldest first
  std::vector<RecordRow> records;         // every record of the lot, as assessed last
  std::vector<StoredFinding> findings;    // every finding in the ledger
  std::optional<DepositRow> deposit;      // the latest bag, if one was made
  AcceptanceSettings settings;
};

struct Judgement {
  Verdict verdict = Verdict::pending;
  std::vector<ItemTally> items;      // in check_items() order
  std::vector<Defect> defects;       // the machine items' (in the ledger's order of findings), then the inspectors' by item and record
  std::vector<std::string> pending;  // why not yet decided, one sentence each
  int population_now = 0;           // records ready for deposit now
  std::vector<SampleCheck> latest;   // the check that counts per record and item
};

Judgement judge(const JudgementInput& input);

// A sign-off stands for the verdict as it is only if no check came after it and the
// verdict is still the one signed; otherwise it must be signed again.
bool sign_off_stands(const SampleSignOff& sign_off, const std::vector<SampleCheck>& checks, Verdict verdict);

}  // namespace lantai::acceptance
