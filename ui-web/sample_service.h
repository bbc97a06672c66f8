// The acceptance sample (数据验收, DA/T 31-2017 12.3) as the review page works with it:
// a sample with its records, the check items, the checks so far and the judgement; an
// inspector's check of one item on one sampled record; a supervisor's sign-off; the
// reports written and served. All of it goes through pipeline/acceptance's Acceptance,
// the library the `lantai sample` commands call; drawing a sample stays on the command
// line. Roles are checked here (the library records who, it does not know roles).
//
// A report is served only as the ledger recorded it for its sample: looked up by file
// name among that sample's recorded reports, resolved inside WORK, and read only if its
// SHA-256 is still the one recorded. No path comes from a request.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "pipeline/acceptance/acceptance.h"
#include "pipeline/runtime/ledger.h"
#include "ui-web/review_service.h"

namespace lantai::review {

// A report file to send, or the status and error that say why not.
struct ReportDownload {
  int status = 200;
  std::string error;
  std::string name, content_type, bytes;
};

class SampleService {
 public:
  // The ledger outlives this object. Safe to call from the server's threads at once.
  SampleService(Ledger& ledger, std::filesystem::path work_dir);

  // number 0: the latest sample. 404 when none has been drawn, or no such number.
  Answer sample(int number) const;
  // request: {"item": CODE, "passed": bool, "note": text, "sample": n (optional, 0: latest)}.
  Answer check(const Reviewer& who, const std::string& ref, const nlohmann::json& request);
  // request: {"note": text, "sample": n}. Supervisors only; 409 while pending or when a
  // sign-off of the verdict as it is already stands.
  Answer sign_off(const Reviewer& who, const nlohmann::json& request);
  // request: {"sample": n}. Writes 验收报告 (and on a fail 整改意见书) to WORK/reports.
  Answer write_reports(const nlohmann::json& request);
  ReportDownload report(int number, const std::string& name) const;

 private:
  // What GET /api/sample answers.
  nlohmann::json view(const acceptance::Acceptance& acceptance, const StoredSample& sample) const;

  Ledger& ledger_;
  std::filesystem::path work_dir_;
  std::mutex change_mutex_;  // one change at a time: a sign-off sees the checks it signs
};

}  // namespace lantai::review
