#include "stages/verify/verify_stage.h"

#include "stages/verify/bag_verifier.h"
#include "stages/verify/verify_codes.h"

namespace lantai::verify {

std::vector<Finding> verify_bag(const std::filesystem::path& bag_dir, const VerifyOptions& options) {
  return BagVerifier(bag_dir, options).run();
}

StageInfo VerifyStage::describe() const {
  return {"verify",
          "checks the deposit bag the way the registration centre does: RFC 8493 in full, then the "
          "centre's deposit rules and the backup form, naming each failing file and rule",
          "2",
          {},
          verify_finding_codes()};
}

void VerifyStage::setup(ProfileSection& section, const StageContext&) { section.finish(); }

Outcome VerifyStage::process(const Bag& bag) const {
  Outcome outcome;
  VerifyOptions options;
  options.policy = Policy::centre;
  options.require_sm3 = bag.sm3_manifests;
  outcome.findings = verify_bag(bag.dir, options);
  return outcome;
}

}  // namespace lantai::verify
