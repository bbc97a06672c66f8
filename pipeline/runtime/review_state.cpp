#include "pipeline/runtime/review_state.h"

namespace lantai {

std::string override_text(const ReviewDecision& decision) {
  return "review decision " + std::to_string(decision.id) + " (" + decision.by + "): " + decision.reason;
}

std::optional<std::string> ReviewState::override_for(const std::string& record_ref, const Finding& finding) const {
  if (finding.code == kInternalException.code) return std::nullopt;  // a stage failure is never accepted
  if (auto it = accepted_findings.find({finding.item_id, record_ref, finding.code}); it != accepted_findings.end())
    return it->second;
  if (finding.severity == Severity::reject)
    if (auto it = records_accepted.find(record_ref); it != records_accepted.end()) return it->second;
  return std::nullopt;
}

ReviewState review_state(const std::vector<ReviewDecision>& decisions) {
  ReviewState state;
  auto accept = [&state](const ReviewDecision& acceptance, const ReviewDecision& signed_by) {
    state.accepted_findings[{acceptance.item_id, acceptance.record_ref, acceptance.code}] =
        override_text(acceptance) + (signed_by.id == acceptance.id ? "" : ", signed off in decision " +
                                                                              std::to_string(signed_by.id) + " (" +
                                                                              signed_by.by + ")");
  };
  for (const ReviewDecision& d : decisions) {
    switch (d.action) {
      case ReviewAction::accept:
        if (d.role == kSupervisorRole) accept(d, d);
        else state.awaiting_sign_off[d.id] = d;
        break;
      case ReviewAction::sign_off:
        if (auto it = state.awaiting_sign_off.find(d.signs); it != state.awaiting_sign_off.end() &&
                                                              d.role == kSupervisorRole) {
          accept(it->second, d);
          state.awaiting_sign_off.erase(it);
        }
        break;
      case ReviewAction::record_accept:
        if (d.role != kSupervisorRole) break;
        state.records_accepted[d.record_ref] = override_text(d);
        state.records_sent_back.erase(d.record_ref);
        break;
      case ReviewAction::send_back:
        state.records_sent_back[d.record_ref] = d;
        state.records_accepted.erase(d.record_ref);
        break;
      case ReviewAction::rescan:
        state.rescans[d.item_id] = d;
        break;
      case ReviewAction::rotate:
      case ReviewAction::skew:
      case ReviewAction::crop:
        break;  // Manual values, which the stages read themselves
    }
  }
  return state;
}

}  // namespace lantai
