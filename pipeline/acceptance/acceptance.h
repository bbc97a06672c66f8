// Acceptance sampling of a batch (数据验收, DA/T 31-2017 12.3), over its WORK ledger: the
// one interface the command line and the review server call.
//
//   draw          a reproducible sample of the records ready for deposit (sampling.h)
//   record_check  an inspector's verdict on one check item of one sampled record
//   judge         the sample's verdict by the standard's rules (verdict.h)
//   sign_off      a decided verdict signed (签发) by the person accountable for it; who may
//                 sign is the caller's to check (the review server: supervisors only)
//   write_reports 验收报告 and, on a fail, 整改意见书 to WORK/reports (acceptance_report.h),
//                 which the next deposit carries in its metadata/acceptance/
//
// Samples and checks are append-only in the ledger: a second draw is its own sample, a
// changed mind is a newer check, and nothing on record is ever changed or removed.
// Every method is safe to call from several threads at once (the ledger serializes).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/acceptance/acceptance_report.h"
#include "pipeline/acceptance/check_items.h"
#include "pipeline/acceptance/sampling.h"
#include "pipeline/acceptance/verdict.h"
#include "pipeline/runtime/acceptance_settings.h"
#include "pipeline/runtime/ledger.h"

namespace lantai::acceptance {

struct DrawRequest {
  std::optional<std::uint64_t> seed;  // none: a random seed, kept with the sample
  std::optional<int> rate_bp;         // none: the profile's min_sample_percent
  std::string drawn_by;
};

struct DrawResult {
  StoredSample sample;
  bool drawn_now = true;  // false: the same seed, rate and records drew this sample before
};

struct CheckRequest {
  int sample = 0;  // 0: the latest sample
  std::string record_ref;
  std::string item;  // an inspector item's code (check_items.h)
  bool passed = false;
  std::string note;  // why; required when it fails
  std::string checked_by;
};

struct SignOffRequest {
  int sample = 0;  // 0: the latest sample
  std::string signed_by;
  std::string note;
};

struct WrittenReports {
  Judgement judgement;
  std::vector<StageOutput> files;  // WORK-relative: reports/acceptance-<n>.json, .pdf, corrective-action-<n>.*
};

class Acceptance {
 public:
  // The ledger outlives this object. Throws AcceptanceError when WORK holds no batch.
  Acceptance(Ledger& ledger, std::filesystem::path work_dir);

  const AcceptanceSettings& settings() const { return settings_; }

  // Names are one line of at most 200 bytes, notes at most 4000 (requests may come from a
  // web form). Throws AcceptanceError: no name, no record ready for deposit, a rate below
  // the profile's.
  DrawResult draw(const DrawRequest& request);
  std::vector<StoredSample> samples() const;  // in the order drawn
  StoredSample sample(int number) const;      // 0: the latest; throws AcceptanceError when none
  std::vector<SampledRecord> records_of(const StoredSample& sample) const;

  // Throws AcceptanceError naming what is wrong: no such sample, a record not in it, an
  // unknown or machine-checked item, no inspector name, a fail without a note, a note too long.
  SampleCheck record_check(const CheckRequest& request);
  std::vector<SampleCheck> history(int number) const;  // oldest first

  Judgement judge(int number) const;
  // Throws AcceptanceError while the verdict is pending, or without a name.
  SampleSignOff sign_off(const SignOffRequest& request);
  std::vector<SampleSignOff> sign_offs(int number) const;  // oldest first
  // Writes the reports of a sample (rewriting earlier ones of it) and records them in the
  // ledger. Throws std::runtime_error when WORK/reports cannot be written.
  WrittenReports write_reports(int number);

 private:
  JudgementInput input_of(const StoredSample& sample) const;

  Ledger& ledger_;
  std::filesystem::path work_dir_;
  BatchIdentity batch_;
  AcceptanceSettings settings_;
};

}  // namespace lantai::acceptance
