// What the review decisions of a WORK amount to for the next run: which findings stand
// overridden, which records are sent back, which pages wait for a rescan. Decisions are
// read oldest first; a later decision on the same thing supersedes an earlier one.
//
// An acceptance counts once a supervisor stands behind it: made by a supervisor, or made
// by an inspector and signed off by a supervisor (DA/T 31-2017 12: re-check). Page
// acceptances reach the stages as Manual values written when they come to count
// (Ledger::append_review_decision); this state serves the record stages and the assess
// phase, which run on every run.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "pipeline/finding.h"
#include "pipeline/review.h"

namespace lantai {

inline constexpr const char* kSupervisorRole = "supervisor";
inline constexpr const char* kInspectorRole = "inspector";

struct ReviewState {
  // (item id or "" for the record itself, 档号, code) → "review decision N (user): reason"
  std::map<std::tuple<std::string, std::string, std::string>, std::string> accepted_findings;
  std::map<std::string, std::string> records_accepted;   // 档号 → the override text
  std::map<std::string, ReviewDecision> records_sent_back;  // 档号 → the decision
  std::map<std::string, ReviewDecision> rescans;            // item id → the latest rescan asked
  std::map<long long, ReviewDecision> awaiting_sign_off;    // inspector acceptances, by id

  // The override text for a record-stage finding on this record, if one was accepted.
  std::optional<std::string> override_for(const std::string& record_ref, const Finding& finding) const;
};

ReviewState review_state(const std::vector<ReviewDecision>& decisions);

// "review decision 12 (wang): the page is blank on purpose"
std::string override_text(const ReviewDecision& decision);

}  // namespace lantai
