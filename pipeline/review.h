// Review decisions: what an inspector or supervisor decided about a page or a record
// (DA/T 31-2017 12: inspection, re-check, acceptance). The runtime applies them on the
// next run; the deposit carries them as the batch's audit trail. A decision is never
// changed or deleted: a later one supersedes it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pipeline/finding.h"

namespace lantai {

// What a decision does. Page decisions name an item; record decisions a 档号.
enum class ReviewAction {
  accept,         // a finding on a page or record stands overridden, with a reason
  rotate,         // correct: the page's quarter turn (orient.rotation_deg)
  skew,           // correct: the page's skew angle (deskew.skew_deg)
  crop,           // correct: the page's crop box (deskew.crop_box)
  rescan,         // the page waits for a replacement file in the lot
  sign_off,       // a supervisor makes an inspector's acceptance count
  record_accept,  // a supervisor accepts a record as it is: its record findings overridden
  send_back,      // the record goes back to the scanning contractor; withheld until decided again
};
std::string_view to_string(ReviewAction action);
bool review_action_from_string(std::string_view text, ReviewAction& action);

struct ReviewDecision {
  long long id = 0;          // its place in the append-only trail, from 1
  std::string at;            // UTC, ISO 8601
  std::string by;            // the user who decided
  std::string role;          // inspector | supervisor, as the user was then
  ReviewAction action = ReviewAction::accept;
  std::string item_id;       // for page decisions
  std::string record_ref;    // 档号, for every decision
  std::string code;          // accept: the finding code overridden
  std::string reason;        // why, in the user's words
  std::string before;        // JSON: the value(s) before
  std::string after;         // JSON: the value(s) after
  long long signs = 0;       // sign_off: the decision it signs
};

// Reported by the runtime from review decisions, on the record they hold back.
inline constexpr FindingCode kReviewAwaitingRescan{
    "review.awaiting_rescan", Severity::reject,
    "an inspector asked for this page to be rescanned; its record is withheld until a replacement file "
    "(a different size or modification time) is in the lot"};
inline constexpr FindingCode kReviewSentBack{
    "review.sent_back", Severity::reject,
    "a reviewer sent the record back to the scanning contractor; it is withheld until it is decided again"};

// "<stage>.accept.<code>": the Manual value that overrides a finding of that stage on a
// page. As a Manual value it is part of the stage's dependency key, so the stage is redone
// and the page goes on through the stages after it.
std::string accept_manual_name(std::string_view code);

}  // namespace lantai
