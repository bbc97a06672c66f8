#include "stages/verify/verify_stage.h"

#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "stages/verify/bag_verifier.h"
#include "stages/verify/chain_check.h"
#include "stages/verify/four_properties.h"
#include "stages/verify/verify_codes.h"

namespace lantai::verify {

std::vector<Finding> verify_bag(const std::filesystem::path& bag_dir, const VerifyOptions& options) {
  std::vector<Finding> findings = BagVerifier(bag_dir, options).run();
  auto append = [&](std::vector<Finding> more) { findings.insert(findings.end(), more.begin(), more.end()); };
  if (options.policy == Policy::centre) append(check_holdings(bag_dir));
  if (!options.previous.empty()) append(check_chain(bag_dir, options.previous));
  return findings;
}

namespace {

constexpr OutputInfo kReportJson{"four_properties_json", OutputRole::work,
                                 "the 四性 report (DA/T 70-2018) of the self-check, WORK/reports/four-properties.json"};
constexpr OutputInfo kReportHtml{"four_properties_html", OutputRole::work,
                                 "the same, as a printable page, WORK/reports/four-properties.html"};

}  // namespace

StageInfo VerifyStage::describe() const {
  return {"verify",
          "checks the deposit bag the way the registration centre does: RFC 8493 in full, then the "
          "centre's deposit rules and the backup form, naming each failing file and rule",
          "2",
          {},
          verify_finding_codes(),
          {},
          {kReportJson, kReportHtml}};
}

void VerifyStage::setup(ProfileSection& section, const StageContext& context) {
  work_dir_ = context.work_dir;
  virus_scanner_ = context.virus_scanner;
  signing_key_.reset();
  if (!context.sign_key.empty()) signing_key_ = Sm2Key::load_private(context.sign_key);
  section.finish();
}

Outcome VerifyStage::process(const Bag& bag) const {
  Outcome outcome;
  VerifyOptions options;
  options.policy = Policy::centre;
  options.require_sm3 = bag.sm3_manifests;
  options.trusted_key = signing_key_ ? &*signing_key_ : nullptr;
  options.previous = bag.continues;
  outcome.findings = verify_bag(bag.dir, options);
  if (work_dir_.empty()) return outcome;

  AssessmentContext context;
  context.checker = "self-check (自检) by lantai run";
  context.virus_scanner = virus_scanner_;
  context.virus_scan_note = virus_scanner_ ? "every input file scanned before it was processed (stage virus_scan), "
                                             "every file of the bag before it was sealed (stage deposit)"
                                           : "not scanned: the run was asked not to (--no-virus-scan)";
  context.trusted_key = options.trusted_key;
  const FourPropertiesReport report = assess_four_properties(bag.dir, outcome.findings, context);
  const std::vector<std::filesystem::path> files = write_four_properties(report, work_dir_ / "reports");
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string bytes = read_file(files[i]);
    outcome.outputs.push_back({std::string(i == 0 ? kReportJson.kind : kReportHtml.kind),
                               relative_utf8(files[i], work_dir_), hex_digest(DigestAlgorithm::sha256, bytes),
                               bytes.size()});
  }
  return outcome;
}

}  // namespace lantai::verify
