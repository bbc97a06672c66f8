// Machine-readable reports in WORK/reports/, UTF-8 CSV with a header row, rebuilt from
// the ledger at the end of every run:
//   pages.csv     one row per page: file, frame, record, status, skew_deg, width, height, dpi, findings
//   findings.csv  one row per finding: scope, file, frame, record, code, severity, value, threshold, message
//   records.csv   the link report, one row per record: record, title, catalog_pages, pages_found,
//                 status (deposited or withheld), reasons
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/ledger.h"

namespace lantai {

void write_reports(const Ledger& ledger, const std::filesystem::path& work_dir);

// Splits an item id "<rel_path>#<frame>" back into its parts.
std::pair<std::string, int> split_item_id(const std::string& item_id);

}  // namespace lantai
