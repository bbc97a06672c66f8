// lantai verify [--policy rfc8493|centre] [--fast] [--require-sm3] [--virus-db DIR | --no-virus-scan]
//               [--profile FILE] [--trust PUBLIC-KEY] [--package-form FILE] [--previous EARLIER-BAG] [--report DIR] BAG|PACKAGE:
// validates a bag folder, or a package file (the bag as one .tar or .zip) without unpacking it,
// and writes the 四性 report of either.
#include <unistd.h>

#include <cstdio>
#include <map>
#include <memory>
#include <optional>

#include "pipeline/bag_signature.h"
#include "pipeline/runtime/runner.h"
#include "pipeline/virus_scanner.h"
#include "pipeline/runtime/stage_guard.h"
#include "stages/verify/four_properties.h"
#include "stages/verify/verify_stage.h"
#include "ui-cli/commands.h"

namespace lantai::cli {

namespace {

struct VerifyArguments {
  std::string bag_dir;
  verify::Policy policy = verify::Policy::rfc8493;
  bool fast = false;
  bool require_sm3 = false;
  std::filesystem::path previous;
  std::string virus_db;
  bool no_virus_scan = false;
  std::string trust;
  std::string report_dir;
  std::string package_form;
  std::string profile;
};

void show_progress(std::uint64_t done, std::uint64_t total) {
  const double mib = 1024.0 * 1024.0;
  std::fprintf(stderr, "\rverify: %5.1f%%  %.0f of %.0f MiB", total ? 100.0 * double(done) / double(total) : 100.0,
               double(done) / mib, double(total) / mib);
  if (done >= total) std::fprintf(stderr, "\n");
  std::fflush(stderr);
}

}  // namespace

void add_verify_command(CLI::App& app) {
  auto args = std::make_shared<VerifyArguments>();
  CLI::App* verify = app.add_subcommand(
      "verify", "Validate a BagIt bag (RFC 8493), every problem on its own line: exit 0 only when it is valid");
  verify->add_option("BAG", args->bag_dir,
                     "the bag folder (WORK/deposit/<batch-id>, or any bag), or a package file holding one "
                     "(WORK/deposit/<batch-id>.tar or .zip), read without unpacking it")
      ->required();
  const std::map<std::string, verify::Policy> policies{{"rfc8493", verify::Policy::rfc8493},
                                                       {"centre", verify::Policy::centre}};
  verify
      ->add_option("--policy", args->policy,
                   "rfc8493 (default): RFC 8493 alone, for a bag from any tool; centre: also the registration "
                   "centre's deposit rules (BagIt 1.0, MD5 and SHA-256 manifests, no fetch.txt, the backup form "
                   "agreeing with the bag)")
      ->transform(CLI::CheckedTransformer(policies, CLI::ignore_case));
  verify->add_flag("--fast", args->fast, "completeness and Payload-Oxum only: no file is hashed");
  verify->add_flag("--require-sm3", args->require_sm3,
                   "with --policy centre: SM3 manifests (manifest-sm3.txt, tagmanifest-sm3.txt) are required too");
  verify->add_option("--previous", args->previous,
                     "the earlier deposit bag: BAG must be an increment continuing it (Continues-Batch, its package "
                     "digest, the next Deposit-Sequence) and its holdings that bag's, updated by exactly its changes")
      ->check(CLI::ExistingDirectory);
  verify->add_option("--virus-db", args->virus_db,
                     "ClamAV signature database folder (default /var/lib/clamav); every file of the bag is scanned. "
                     "With --policy centre the scan is part of the check, so a missing database stops verify");
  verify->add_option("--profile", args->profile,
                     "a profile whose clamav section gives the scan limits (max_file_size_mb, max_files …) and the "
                     "database, instead of the defaults; --virus-db still overrides the database")
      ->check(CLI::ExistingFile);
  verify->add_flag("--no-virus-scan", args->no_virus_scan,
                   "with --policy centre: check without the virus scan (reported as not done)");
  verify->add_option("--trust", args->trust,
                     "the signer's SM2 public key (PEM): the bag's signature (bag-signature-sm2.txt) must verify with "
                     "it and cover every tag file")
      ->check(CLI::ExistingFile);
  verify->add_option("--package-form", args->package_form,
                     "with --policy centre and a package file: the package.json its size and MD5/SHA-256/SM3 must "
                     "match (default: <package>.package.json beside it)")
      ->check(CLI::ExistingFile);
  verify->add_option("--report", args->report_dir,
                     "write the 四性 report (DA/T 70-2018) of this check to DIR/four-properties.json and .html");
  verify->callback([args] {
    // The centre's check scans (fail closed without a database); RFC 8493 alone does when asked.
    std::unique_ptr<VirusScanner> scanner;
    if (!args->no_virus_scan && (args->policy == verify::Policy::centre || !args->virus_db.empty())) {
      std::string database = kVirusDatabase.default_value;
      VirusScanLimits limits;
      if (!args->profile.empty()) {
        try {
          Profile profile = Profile::load(args->profile);
          ProfileSection section = profile.section(kVirusScanSection);
          database = section.get(kVirusDatabase);
          limits = virus_scan_limits(section);
        } catch (const ProfileError& error) {
          throw RunError(kExitBadInput, error.what());
        }
      }
      scanner = VirusScanner::load(args->virus_db.empty() ? database : args->virus_db, limits);
    }
    std::optional<Sm2Key> trusted;
    if (!args->trust.empty()) {
      try {
        trusted = Sm2Key::load_public(args->trust);
      } catch (const std::runtime_error& error) {
        throw RunError(kExitBadInput, error.what());
      }
    }
    verify::VerifyOptions options;
    options.virus_scanner = scanner.get();
    options.trusted_key = trusted ? &*trusted : nullptr;
    options.policy = args->policy;
    options.fast = args->fast;
    options.require_sm3 = args->require_sm3;
    options.previous = args->previous;
    if (::isatty(STDERR_FILENO)) options.progress = show_progress;
    const bool package = std::filesystem::is_regular_file(args->bag_dir);
    if (package && !args->previous.empty())
      throw RunError(kExitBadArguments, "--previous reads the increment as a bag folder; give the folder the package was made from");
    options.package_form = args->package_form;
    if (scanner) std::printf("virus scan: %s\n", scanner->describe().c_str());
    std::vector<Finding> findings;
    std::unique_ptr<verify::BagContents> contents;  // what the report reads: the same bag verify read
    verify::AssessmentContext context;
    if (package) {
      verify::PackageCheck check = verify::check_package(args->bag_dir, options);
      findings = std::move(check.findings);
      contents = std::move(check.contents);
      context.package_file = std::move(check.digests);
    } else {
      findings = verify::verify_bag(args->bag_dir, options);
      if (std::filesystem::is_directory(args->bag_dir)) contents = verify::folder_contents(args->bag_dir);
    }
    if (!args->report_dir.empty() && !contents)  // the findings below say why; verify then fails
      std::fprintf(stderr, "四性 report: not written, no bag could be read from %s\n", args->bag_dir.c_str());
    if (!args->report_dir.empty() && contents) {
      context.checker = std::string("centre check by lantai verify --policy ") +
                        (args->policy == verify::Policy::centre ? "centre" : "rfc8493");
      context.digests_checked = !args->fast;
      context.virus_scanner = scanner.get();
      context.virus_scan_note = !scanner              ? (args->no_virus_scan ? "not scanned: --no-virus-scan"
                                                                               : "not scanned: RFC 8493 alone, no --virus-db given")
                                : package             ? "every entry of the package file scanned with ClamAV"
                                                      : "every file of the bag scanned with ClamAV";
      context.trusted_key = options.trusted_key;
      context.centre_policy = args->policy == verify::Policy::centre;
      const auto report = verify::assess_four_properties(*contents, args->bag_dir, findings, context);
      const auto files = verify::write_four_properties(report, args->report_dir);
      std::fprintf(stderr, "四性 report: %s (%s)\n", files.back().c_str(),
                   std::string(verify::to_string(report.result())).c_str());
    }
    int errors = 0, warnings = 0;
    for (const Finding& finding : findings) {
      const bool warning = finding.severity != Severity::reject;
      (warning ? warnings : errors) += 1;
      std::printf("%s%s: %s\n", warning ? "warning: " : "", finding.code.c_str(), finding.message.c_str());
    }
    if (errors > 0) {
      std::printf("%s: INVALID, %d error%s, %d warning%s\n", args->bag_dir.c_str(), errors, errors == 1 ? "" : "s",
                  warnings, warnings == 1 ? "" : "s");
      throw CLI::RuntimeError(kExitVerifyFailed);
    }
    std::printf("%s: OK%s\n", args->bag_dir.c_str(),
                warnings ? (", " + std::to_string(warnings) + " warning" + (warnings == 1 ? "" : "s")).c_str() : "");
  });
}

}  // namespace lantai::cli
