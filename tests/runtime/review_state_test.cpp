// What review decisions amount to: an acceptance counts once a supervisor stands behind
// it; a later record decision supersedes an earlier one; rescans are remembered per page.
#include <gtest/gtest.h>

#include "pipeline/runtime/review_state.h"

namespace lantai {
namespace {

ReviewDecision decision(long long id, const std::string& role, ReviewAction action, const std::string& item,
                        const std::string& record, const std::string& code = {}, long long signs = 0) {
  ReviewDecision d;
  d.id = id;
  d.by = role == kSupervisorRole ? "wang" : "li";
  d.role = role;
  d.action = action;
  d.item_id = item;
  d.record_ref = record;
  d.code = code;
  d.reason = "checked";
  d.signs = signs;
  return d;
}

Finding finding_on(const std::string& item, const std::string& code) {
  Finding f;
  f.code = code;
  f.severity = Severity::reject;
  f.item_id = item;
  return f;
}

//! An inspector's acceptance waits for a supervisor's sign-off; an inspector's sign-off does not count.
TEST(ReviewState, InspectorAcceptanceNeedsSupervisorSignOff) {
  std::vector<ReviewDecision> trail{decision(1, kInspectorRole, ReviewAction::accept, "R1/0002.png#0", "R1", "qc.duplicate")};
  EXPECT_FALSE(review_state(trail).override_for("R1", finding_on("R1/0002.png#0", "qc.duplicate")));
  EXPECT_EQ(review_state(trail).awaiting_sign_off.size(), 1u);
  trail.push_back(decision(2, kInspectorRole, ReviewAction::sign_off, "R1/0002.png#0", "R1", "qc.duplicate", 1));
  EXPECT_FALSE(review_state(trail).override_for("R1", finding_on("R1/0002.png#0", "qc.duplicate")));
  trail.push_back(decision(3, kSupervisorRole, ReviewAction::sign_off, "R1/0002.png#0", "R1", "qc.duplicate", 1));
  const ReviewState state = review_state(trail);
  auto text = state.override_for("R1", finding_on("R1/0002.png#0", "qc.duplicate"));
  ASSERT_TRUE(text);
  EXPECT_NE(text->find("review decision 1 (li)"), std::string::npos) << *text;
  EXPECT_NE(text->find("signed off in decision 3 (wang)"), std::string::npos) << *text;
  EXPECT_TRUE(state.awaiting_sign_off.empty());
  EXPECT_FALSE(state.override_for("R1", finding_on("R1/0003.png#0", "qc.duplicate")));  // another page
}

//! A supervisor's acceptance counts at once, for that page and code only; internal.exception is never accepted.
TEST(ReviewState, SupervisorAcceptanceCountsAtOnce) {
  const ReviewState state =
      review_state({decision(1, kSupervisorRole, ReviewAction::accept, "", "R2", "link.missing_page"),
                    decision(2, kSupervisorRole, ReviewAction::accept, "", "R2", "internal.exception")});
  EXPECT_TRUE(state.override_for("R2", finding_on("", "link.missing_page")));
  EXPECT_FALSE(state.override_for("R2", finding_on("", "link.extra_page")));
  EXPECT_FALSE(state.override_for("R3", finding_on("", "link.missing_page")));
  EXPECT_FALSE(state.override_for("R2", finding_on("", "internal.exception")));
}

//! Record decisions: a supervisor's accept as is overrides the record's reject findings until a send-back, and back.
TEST(ReviewState, LaterRecordDecisionSupersedes) {
  std::vector<ReviewDecision> trail{decision(1, kInspectorRole, ReviewAction::record_accept, "", "R4")};
  EXPECT_FALSE(review_state(trail).override_for("R4", finding_on("", "link.missing_page")));  // inspectors cannot
  trail.push_back(decision(2, kSupervisorRole, ReviewAction::record_accept, "", "R4"));
  EXPECT_TRUE(review_state(trail).override_for("R4", finding_on("", "link.missing_page")));
  trail.push_back(decision(3, kInspectorRole, ReviewAction::send_back, "", "R4"));
  EXPECT_FALSE(review_state(trail).override_for("R4", finding_on("", "link.missing_page")));
  EXPECT_EQ(review_state(trail).records_sent_back.count("R4"), 1u);
  trail.push_back(decision(4, kSupervisorRole, ReviewAction::record_accept, "", "R4"));
  EXPECT_TRUE(review_state(trail).override_for("R4", finding_on("", "link.missing_page")));
  EXPECT_EQ(review_state(trail).records_sent_back.count("R4"), 0u);
}

//! The latest rescan asked of a page is kept; corrections leave the state alone (they are Manual values).
TEST(ReviewState, RescansAndCorrections) {
  const ReviewState state = review_state({decision(1, kInspectorRole, ReviewAction::rescan, "R5/0001.jpg#0", "R5"),
                                          decision(2, kInspectorRole, ReviewAction::rotate, "R5/0002.jpg#0", "R5"),
                                          decision(3, kInspectorRole, ReviewAction::rescan, "R5/0001.jpg#0", "R5")});
  ASSERT_EQ(state.rescans.size(), 1u);
  EXPECT_EQ(state.rescans.at("R5/0001.jpg#0").id, 3);
  EXPECT_TRUE(state.accepted_findings.empty());
}

}  // namespace
}  // namespace lantai
