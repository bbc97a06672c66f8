#include "stages/verify/verify_stage.h"

#include "stages/verify/bag_verifier.h"
#include "stages/verify/verify_codes.h"

namespace lantai::verify {

std::vector<Finding> verify_bag(const std::filesystem::path& bag_dir) { return BagVerifier(bag_dir).run(); }

StageInfo VerifyStage::describe() const {
  return {"verify",
          "checks a deposit bag the way the registration centre does: BagIt 1.0 structure, manifests, "
          "Payload-Oxum and the backup form, naming each failing file",
          "1",
          {},
          verify_finding_codes()};
}

void VerifyStage::setup(ProfileSection& section, const StageContext&) { section.finish(); }

Outcome VerifyStage::process(const Bag& bag) const {
  Outcome outcome;
  outcome.findings = verify_bag(bag.dir);
  return outcome;
}

}  // namespace lantai::verify
