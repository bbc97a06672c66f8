#include "stages/verify/verify_stage.h"

#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "stages/verify/bag_verifier.h"
#include "stages/verify/chain_check.h"
#include "stages/verify/four_properties.h"
#include "stages/verify/package_contents.h"
#include "stages/verify/package_form_check.h"
#include "stages/verify/verify_codes.h"

namespace lantai::verify {

std::vector<Finding> verify_bag(const std::filesystem::path& bag_dir, const VerifyOptions& options) {
  std::error_code error;
  if (!std::filesystem::is_directory(bag_dir, error))
    return {kMalformed(bag_dir.string() + ": not a folder; a bag is a folder holding bagit.txt and data/")};
  const std::unique_ptr<BagContents> contents = folder_contents(bag_dir);
  std::vector<Finding> findings = BagVerifier(*contents, options).run();
  auto append = [&](std::vector<Finding> more) { findings.insert(findings.end(), more.begin(), more.end()); };
  if (options.policy == Policy::centre) append(check_holdings(bag_dir));
  if (!options.previous.empty()) append(check_chain(bag_dir, options.previous));
  return findings;
}

std::filesystem::path package_form_beside(const std::filesystem::path& package) {
  return std::filesystem::path(package).replace_extension(kPackageJsonSuffix);
}

PackageCheck check_package(const std::filesystem::path& package, const VerifyOptions& options) {
  PackageCheck check;
  check.digests.file = package.filename().string();
  const bool centre = options.policy == Policy::centre;
  std::optional<PackageForm> form;
  if (centre)
    form = read_package_form(options.package_form.empty() ? package_form_beside(package) : options.package_form,
                             check.findings);
  if (form) {
    check.digests.form = form->path.filename().string();
    check.digests.stated = form->digests;
  }
  auto contents = std::make_unique<PackageContents>(package, package_algorithms(form ? &*form : nullptr), check.findings);
  if (!contents->readable()) return check;
  for (Finding& finding : BagVerifier(*contents, options).run()) check.findings.push_back(std::move(finding));
  // --fast reads no file, so the package's own digest is not taken either.
  if (form && !options.fast)
    check_package_form(*form, package, contents->file_bytes(), contents->package_digests(), check.findings);
  check.digests.computed = contents->package_digests();
  check.contents = std::move(contents);
  return check;
}

std::vector<Finding> verify_package(const std::filesystem::path& package, const VerifyOptions& options) {
  return check_package(package, options).findings;
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
  std::optional<PackageFileDigests> package_digests;
  if (!bag.package.empty()) {
    // The same bag as the centre receives it: one file, checked against package.json.
    const std::string name = bag.package.filename().string();
    PackageCheck package = check_package(bag.package, options);
    package_digests = std::move(package.digests);
    for (Finding& finding : package.findings) {
      if (!finding.message.starts_with(name)) finding.message = name + ": " + finding.message;
      outcome.findings.push_back(std::move(finding));
    }
  }
  if (work_dir_.empty()) return outcome;

  AssessmentContext context;
  context.checker = "self-check (自检) by lantai run";
  context.virus_scanner = virus_scanner_;
  context.virus_scan_note = virus_scanner_ ? "every input file scanned before it was processed (stage virus_scan), "
                                             "every file of the bag before it was sealed (stage deposit)"
                                           : "not scanned: the run was asked not to (--no-virus-scan)";
  context.trusted_key = options.trusted_key;
  context.centre_policy = true;
  context.package_file = package_digests;
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
