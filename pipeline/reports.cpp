#include "pipeline/reports.h"

#include <cstdio>
#include <set>

#include "pipeline/csv.h"
#include "pipeline/files.h"
#include "pipeline/format.h"

namespace lantai {

namespace {

}  // namespace

std::pair<std::string, int> split_item_id(const std::string& item_id) {
  auto hash = item_id.rfind('#');
  if (hash == std::string::npos) return {item_id, 0};
  return {item_id.substr(0, hash), std::atoi(item_id.c_str() + hash + 1)};
}

void write_reports(const Ledger& ledger, const std::filesystem::path& work_dir) {
  const std::vector<PageRow> rows = ledger.pages();
  std::set<std::string> folders_with_pages;
  for (const PageRow& row : rows) folders_with_pages.insert(row.record_ref);

  std::string pages = csv_line({"file", "frame", "record", "status", "skew_deg", "width", "height", "dpi", "findings"});
  for (const PageRow& row : rows) {
    const PageFacts& facts = row.page.facts;
    std::string codes;
    bool rejected = false;
    for (const Finding& finding : row.findings) {
      if (!codes.empty()) codes += ';';
      codes += finding.code;
      rejected = rejected || finding.severity == Severity::reject;
    }
    pages += csv_line({row.page.rel_path, std::to_string(row.page.frame), row.record_ref,
                       rejected ? "quarantined" : "accepted", facts.skew_deg ? fixed(*facts.skew_deg, 3) : "",
                       std::to_string(facts.width_px), std::to_string(facts.height_px),
                       facts.resolution_dpi ? fixed(*facts.resolution_dpi, 0) : "", codes});
  }
  write_file_atomically(work_dir / "reports" / "pages.csv", pages);

  std::string findings = csv_line({"scope", "file", "frame", "record", "code", "severity", "value", "threshold", "message"});
  for (const StoredFinding& stored : ledger.findings()) {
    const Finding& f = stored.finding;
    std::string file, frame;
    FindingScope scope = stored.scope;
    if (!stored.item_id.empty()) {
      auto [rel_path, frame_index] = split_item_id(stored.item_id);
      file = rel_path;
      frame = std::to_string(frame_index);
      scope = FindingScope::item;  // about one file: report it with the file named
    } else if (scope == FindingScope::record && folders_with_pages.count(stored.record_ref)) {
      file = stored.record_ref;  // the record's folder, relative to --in
    }
    findings += csv_line({std::string(to_string(scope)), file, frame, stored.record_ref, f.code,
                          std::string(to_string(f.severity)), f.value, f.threshold, f.message});
  }
  write_file_atomically(work_dir / "reports" / "findings.csv", findings);

  std::string records = csv_line({"record", "title", "catalog_pages", "pages_found", "status", "reasons"});
  for (const RecordRow& row : ledger.records()) {
    std::string reasons;
    for (const auto& code : row.reasons) reasons += (reasons.empty() ? "" : ";") + code;
    records += csv_line({row.ref, row.title, row.catalog_pages ? std::to_string(*row.catalog_pages) : "",
                         std::to_string(row.pages_found), row.deposited ? "deposited" : "withheld", reasons});
  }
  write_file_atomically(work_dir / "reports" / "records.csv", records);
}

}  // namespace lantai
