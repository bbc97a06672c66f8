// Machine-readable reports in WORK/reports/, UTF-8 CSV with a header row, rebuilt from
// the ledger by every run:
//   pages.csv     one row per item (page, photo or audio/video file): file, frame, record,
//                 kind, status, one column per measurement the stages declare (in stage
//                 order), findings
//   findings.csv  one row per finding: scope, file, frame, record, code, severity, value, threshold, message
//   records.csv   the link report, one row per record: record, title, catalog_pages, pages_found,
//                 status (deposited or withheld), reasons
#pragma once

#include <filesystem>
#include <vector>

#include "pipeline/runtime/ledger.h"
#include "pipeline/stage.h"

namespace lantai {

void write_reports(const Ledger& ledger, const std::filesystem::path& work_dir, const std::vector<StageInfo>& stages);

}  // namespace lantai
