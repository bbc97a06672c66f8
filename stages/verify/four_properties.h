// The 四性 report (DA/T 70-2018): a bag's authenticity (真实性), integrity (完整性),
// usability (可用性) and security (安全性) judged item by item, keyed by the standard's
// check items (1-x, 2-x, 3-x, 4-x), each with its verdict, what was measured and the
// evidence. Built from verify's findings on the bag and from what the report measures
// itself (counts, formats, the catalogue's numbering, the package digest against the
// form); written as JSON and as a self-contained printable HTML page (A4, no external
// assets). docs/four-properties.md lists every item of the standard and why lantai does
// not check the ones it cannot.
//
// Written by `lantai run` (the unit's self-check, WORK/reports/) and by `lantai verify
// --report DIR` (the centre's check). Never inside the bag: a report in the bag could not
// hold the bag's own final digests or signature.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/digest.h"
#include "pipeline/finding.h"
#include "stages/verify/bag_contents.h"

namespace lantai {
class Sm2Key;
class VirusScanner;
}  // namespace lantai

namespace lantai::verify {

enum class ItemVerdict { pass, fail, not_done, not_applicable };
std::string_view to_string(ItemVerdict verdict);  // "pass", "fail", "not done", "not applicable"

struct CheckItem {
  std::string id;        // "1-1"
  std::string property;  // "真实性 authenticity" …
  std::string name;      // the standard's name of the item, with its English
  ItemVerdict verdict = ItemVerdict::not_done;
  std::string measured;               // what was measured, one line
  std::vector<std::string> evidence;  // findings and figures behind the verdict
};

// pass_items_not_done: nothing failed, but some item was not done (no virus scan, a
// signature with no key to check it, --fast), so the package is not shown sound.
enum class OverallResult { pass, pass_items_not_done, fail };
std::string_view to_string(OverallResult result);  // "pass", "pass, items not done", "fail"

struct FourPropertiesReport {
  std::string checker;     // "self-check (自检) by lantai run" or "centre check by lantai verify"
  std::string bag;         // the bag's folder
  std::string checked_at;  // local time, ISO 8601
  // Who and what is checked, for the printed header; empty where the bag does not say.
  std::string batch_id;             // the backup form's batch_id
  std::string external_identifier;  // bag-info.txt External-Identifier (the deposit's id)
  std::string package_md5;          // the package file's MD5, when a package file was read
  std::string signing_key;          // SM3 fingerprint of the key the form records, and whether it was checked
  std::string lantai_version;
  std::vector<CheckItem> items;
  bool passed() const;  // no item failed
  OverallResult result() const;
};

// The package file (the bag as one .tar or .zip) the centre received: its own digests,
// taken in verify's read of it, and what its package.json states (item 1-14).
struct PackageFileDigests {
  std::string file;  // the package file's name
  std::string form;  // the package.json read; empty when none was
  std::vector<std::pair<DigestAlgorithm, std::string>> computed;  // empty: not read whole (--fast, damaged)
  std::vector<std::pair<DigestAlgorithm, std::string>> stated;
};

// How the bag was checked, beyond verify's findings.
struct AssessmentContext {
  std::string checker;
  bool digests_checked = true;                  // false with --fast
  const VirusScanner* virus_scanner = nullptr;  // what scanned the bag (or its inputs and it); null: not scanned
  std::string virus_scan_note;                  // where the scan ran, or why it did not
  const Sm2Key* trusted_key = nullptr;          // the key the signature was checked with
  bool centre_policy = false;                   // checked with the centre's deposit rules
  std::optional<PackageFileDigests> package_file;  // when the bag came as (or with) a package file
};

// The report items a verify finding bears on (docs/four-properties.md lists them); empty
// for a code no item covers, whose rejects fail the report under an item of their own.
std::vector<std::string_view> report_items_for(const Finding& finding);

// The bag read through contents (a folder or a package file, bag_contents.h), named label
// in the report.
FourPropertiesReport assess_four_properties(const BagContents& contents, const std::string& label,
                                            const std::vector<Finding>& findings, const AssessmentContext& context);
FourPropertiesReport assess_four_properties(const std::filesystem::path& bag_dir, const std::vector<Finding>& findings,
                                            const AssessmentContext& context);

std::string four_properties_json(const FourPropertiesReport& report);
std::string four_properties_html(const FourPropertiesReport& report);

// Writes DIR/four-properties.json and DIR/four-properties.html (atomically); returns
// their paths.
std::vector<std::filesystem::path> write_four_properties(const FourPropertiesReport& report,
                                                         const std::filesystem::path& dir);

}  // namespace lantai::verify
