// The documents of an acceptance sample, each as JSON (for software: the review server,
// the registration centre) and as printable A4 PDF with its fonts embedded:
//
//   验收报告     acceptance report: the lot, the sample and how it was drawn, each check
//                item's tally against its rule, each sampled record, every check on record,
//                and the verdict
//   整改意见书   corrective-action notice, on a fail only: every defect, machine and
//                inspector, with its record and source, for the contractor to put right
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pipeline/acceptance/verdict.h"
#include "pipeline/runtime/ledger.h"

namespace lantai::acceptance {

// A sampled record as the reports show it.
struct SampledRecord {
  std::string ref;    // 档号
  std::string title;  // 题名
  int pages = 0;      // 页数 in the catalogue, else the pages found
};

struct ReportContext {
  BatchIdentity batch;
  StoredSample sample;
  std::vector<SampledRecord> records;
  std::vector<SampleCheck> checks;  // the whole history, oldest first
  std::vector<SampleSignOff> sign_offs;  // oldest first
  Judgement judgement;
  AcceptanceSettings settings;
  std::string written_at;  // UTC, ISO 8601
};

std::string acceptance_report_json(const ReportContext& context);
std::string acceptance_report_pdf(const ReportContext& context);
std::string corrective_action_json(const ReportContext& context);
std::string corrective_action_pdf(const ReportContext& context);

}  // namespace lantai::acceptance
