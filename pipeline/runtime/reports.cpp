#include "pipeline/runtime/reports.h"

#include <set>

#include "pipeline/csv.h"
#include "pipeline/files.h"

namespace lantai {

void write_reports(const Ledger& ledger, const std::filesystem::path& work_dir, const std::vector<StageInfo>& stages) {
  const std::vector<ItemRow> rows = ledger.items();
  std::set<std::string> folders_with_items;
  for (const ItemRow& row : rows) folders_with_items.insert(row.record_ref);

  std::vector<std::string> columns{"file", "frame", "record", "kind", "status"};
  std::vector<std::string> measures;
  for (const StageInfo& stage : stages)
    for (const MeasurementInfo& measurement : stage.measurements)
      if (std::find(measures.begin(), measures.end(), measurement.name) == measures.end())
        measures.emplace_back(measurement.name);
  columns.insert(columns.end(), measures.begin(), measures.end());
  columns.push_back("findings");
  std::string items = csv_line(columns);  // named pages.csv: most items are pages
  for (const ItemRow& row : rows) {
    std::string codes;
    for (const Finding& finding : row.findings) codes += (codes.empty() ? "" : ";") + finding.code;
    std::vector<std::string> cells{row.item.rel_path, std::to_string(row.item.frame), row.record_ref,
                                   std::string(to_string(row.item.kind)),
                                   any_reject(row.findings) ? "quarantined" : "accepted"};
    for (const std::string& name : measures) {
      auto it = row.item.measurements.all().find(name);
      cells.push_back(it == row.item.measurements.all().end() ? "" : Measurements::format(it->second));
    }
    cells.push_back(codes);
    items += csv_line(cells);
  }
  write_file_atomically(work_dir / "reports" / "pages.csv", items);

  std::string findings =
      csv_line({"scope", "file", "frame", "record", "code", "severity", "value", "threshold", "message", "overridden_by"});
  for (const StoredFinding& stored : ledger.findings()) {
    const Finding& f = stored.finding;
    std::string file, frame;
    FindingScope scope = stored.scope;
    if (!stored.item_id.empty()) {
      auto [rel_path, frame_index] = split_item_id(stored.item_id);
      file = rel_path;
      frame = std::to_string(frame_index);
      scope = FindingScope::item;  // about one file: report it with the file named
    } else if (scope == FindingScope::record && folders_with_items.count(stored.record_ref)) {
      file = stored.record_ref;  // the record's folder, relative to --in
    }
    findings += csv_line({std::string(to_string(scope)), file, frame, stored.record_ref, f.code,
                          std::string(to_string(f.severity)), f.value, f.threshold, f.message, f.overridden_by});
  }
  write_file_atomically(work_dir / "reports" / "findings.csv", findings);

  std::string records = csv_line({"record", "title", "catalog_pages", "pages_found", "status", "reasons"});
  for (const RecordRow& row : ledger.records()) {
    std::string reasons;
    for (const auto& code : row.reasons) reasons += (reasons.empty() ? "" : ";") + code;
    records += csv_line({row.ref, row.title, row.catalog_pages ? std::to_string(*row.catalog_pages) : "",
                         std::to_string(row.items_found), row.deposited ? "deposited" : "withheld", reasons});
  }
  write_file_atomically(work_dir / "reports" / "records.csv", records);
}

}  // namespace lantai
