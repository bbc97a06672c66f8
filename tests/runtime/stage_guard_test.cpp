// The one way stages are called: failures become findings, declarations are enforced,
// and a profile's severity overrides apply.
#include <gtest/gtest.h>

#include <stdexcept>

#include "pipeline/runtime/stage_guard.h"

namespace lantai {
namespace {

constexpr FindingCode kDeclared{"test.declared", Severity::warn, "a declared code"};
constexpr OutputInfo kEntity{"picture", OutputRole::entity, "the item's file"};

// Does what it is told: throw, report a code, write an output.
class ScriptedStage : public ItemStage {
 public:
  enum class Act { throw_error, report_declared, report_undeclared, write_declared, write_undeclared };
  explicit ScriptedStage(Act act) : act_(act) {}
  StageInfo describe() const override { return {"scripted", "Acts as told.", "1", {}, {kDeclared}, {}, {kEntity}}; }
  void setup(ProfileSection&, const StageContext&) override {}
  Outcome process(const Item&) const override {
    Outcome outcome;
    switch (act_) {
      case Act::throw_error: throw std::runtime_error("deliberate");
      case Act::report_declared: outcome.add(kDeclared("x")); break;
      case Act::report_undeclared: outcome.add(Finding{"test.other", Severity::info, "", "", "y", "", ""}); break;
      case Act::write_declared: outcome.outputs.push_back({"picture", "p/1.jpg", "aa", 1}); break;
      case Act::write_undeclared: outcome.outputs.push_back({"sketch", "p/1.png", "aa", 1}); break;
    }
    return outcome;
  }

 private:
  Act act_;
};

Outcome call(ScriptedStage::Act act, const StageGuard& guard = StageGuard()) {
  const ScriptedStage stage(act);
  const Item item;
  return guard.call(stage, stage.describe(), item, "A/0001.jpg");
}

//! An exception escaping a stage becomes internal.exception naming the unit, the stage and the reason.
TEST(StageGuard, ExceptionBecomesAFinding) {
  const Outcome outcome = call(ScriptedStage::Act::throw_error);
  ASSERT_EQ(outcome.findings.size(), 1u);
  EXPECT_EQ(outcome.findings[0].code, "internal.exception");
  EXPECT_EQ(outcome.findings[0].message, "A/0001.jpg: stage scripted failed: deliberate");
  EXPECT_TRUE(outcome.rejected());
}

//! A declared code passes as it is; an undeclared one quarantines the unit with a finding that names it.
TEST(StageGuard, HoldsStagesToTheirDeclaredCodes) {
  const Outcome declared = call(ScriptedStage::Act::report_declared);
  ASSERT_EQ(declared.findings.size(), 1u);
  EXPECT_FALSE(declared.rejected());
  const Outcome undeclared = call(ScriptedStage::Act::report_undeclared);
  ASSERT_EQ(undeclared.findings.size(), 2u);
  EXPECT_EQ(undeclared.findings[1].code, "internal.exception");
  EXPECT_NE(undeclared.findings[1].message.find("test.other"), std::string::npos);
}

//! Outputs take their role from the declaration; an undeclared kind quarantines the unit.
TEST(StageGuard, OutputsTakeTheirDeclaredRole) {
  const Outcome declared = call(ScriptedStage::Act::write_declared);
  ASSERT_EQ(declared.outputs.size(), 1u);
  EXPECT_EQ(declared.outputs[0].role, OutputRole::entity);
  EXPECT_FALSE(declared.rejected());
  EXPECT_TRUE(call(ScriptedStage::Act::write_undeclared).rejected());
}

//! A profile's severity override changes a code's severity, and only that code's.
TEST(StageGuard, AppliesSeverityOverrides) {
  const StageGuard strict({{"test.declared", Severity::reject}});
  EXPECT_TRUE(call(ScriptedStage::Act::report_declared, strict).rejected());
  EXPECT_EQ(call(ScriptedStage::Act::throw_error, strict).findings[0].severity, Severity::reject);
}

}  // namespace
}  // namespace lantai
