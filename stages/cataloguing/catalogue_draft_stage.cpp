#include "stages/cataloguing/catalogue_draft_stage.h"

#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "pipeline/csv.h"
#include "pipeline/files.h"
#include "pipeline/format.h"

namespace lantai::cataloguing {

namespace {

const NumberParam kMinConfidence{"min_confidence", "ratio", 0, 1, 0.6,
                                 "a field read from the page with less confidence is named in the 待核对 column"};

constexpr OutputInfo kDraftOutput{"catalogue_draft", OutputRole::work,
                                  "the catalogue drafted from the pages, to be confirmed and given to --catalog (CSV)"};

constexpr FindingCode kNoCandidates{"catalog.draft_unread", Severity::info,
                                    "a record's first page gave no fields for the draft catalogue (no OCR text, or the "
                                    "candidates file changed); its row has only 档号 and 页数"};

constexpr FindingCode kEarlierDraftKept{"catalog.draft_kept", Severity::info,
                                        "WORK/catalogue/draft.csv differed from the new draft (edited by hand?); it was "
                                        "kept under a numbered name before the new one was written"};

// The fields the cataloguing stage reads, in the order a catalogue lists them.
const char* const kReadFields[] = {"题名", "文号", "责任者", "日期"};
constexpr const char* kCheckColumn = "待核对";
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// The record's candidates file, as the cataloguing stage wrote it; null when there is none.
nlohmann::json read_candidates(const BatchWork& batch, const DepositRecord& record) {
  for (const StageOutput& output : record.outputs)
    if (output.kind == "catalogue_candidates")
      if (auto bytes = read_output(batch.work_dir, output)) return nlohmann::json::parse(*bytes, nullptr, false);
  return nullptr;
}

// A draft that differs from the new one may hold an inspector's corrections: it moves to
// draft.1.csv (or the next free number) instead of being overwritten.
void keep_earlier_draft(const std::filesystem::path& work_dir, const std::string& csv, Outcome& outcome) {
  namespace fs = std::filesystem;
  const fs::path draft = work_dir / utf8_path(kDraftPath);
  std::error_code error;
  if (!fs::exists(draft, error) || read_file(draft) == csv) return;
  for (int n = 1;; ++n) {
    const fs::path kept = draft.parent_path() / ("draft." + std::to_string(n) + ".csv");
    if (fs::exists(kept, error)) continue;
    fs::rename(draft, kept);
    outcome.add(kEarlierDraftKept("catalogue/draft.csv differed from the new draft; kept as catalogue/" +
                                  kept.filename().string()));
    return;
  }
}

}  // namespace

StageInfo CatalogueDraftStage::describe() const {
  StageInfo info{"catalogue_draft",
                 "With no catalogue given, drafts one from the records' folders and first pages (目录建库) for an "
                 "inspector to confirm.",
                 "1",
                 {kMinConfidence.info()},
                 {kNoCandidates, kEarlierDraftKept}};
  info.outputs = {kDraftOutput};
  return info;
}

void CatalogueDraftStage::setup(ProfileSection& section, const StageContext&) {
  min_confidence_ = section.get(kMinConfidence);
}

Outcome CatalogueDraftStage::process(const BatchWork& batch) const {
  Outcome outcome;
  // UTF-8 with a byte order mark: a spreadsheet on a Chinese desktop otherwise opens it as GBK.
  std::string csv(kUtf8Bom);
  csv += csv_line({kRefColumn, "题名", "文号", "责任者", "日期", kPageCountColumn, kCheckColumn});
  for (const DepositRecord& record : batch.records) {
    const nlohmann::json candidates = read_candidates(batch, record);
    const bool read = candidates.is_object() && candidates.contains("fields");
    if (!read)
      outcome.add(kNoCandidates(record.entry.ref + ": no fields read from its first page for the draft catalogue"));
    std::vector<std::string> row{record.entry.ref};
    std::string to_check;
    for (const char* field : kReadFields) {
      std::string value;
      double confidence = 0;
      if (read && candidates["fields"].contains(field)) {
        const nlohmann::json& candidate = candidates["fields"][field];
        if (candidate.value("page", nlohmann::json()).is_string()) value = candidate["page"].get<std::string>();
        confidence = candidate.value("confidence", 0.0);
      }
      row.push_back(value);
      if (value.empty() || confidence < min_confidence_)
        to_check += std::string(to_check.empty() ? "" : "；") + field + " " + (value.empty() ? "未识别" : fixed(confidence, 2));
    }
    row.push_back(record.entry.page_count ? std::to_string(*record.entry.page_count) : "");
    row.push_back(to_check);
    csv += csv_line(row);
  }
  keep_earlier_draft(batch.work_dir, csv, outcome);
  outcome.outputs.push_back(write_output(batch.work_dir, kDraftPath, csv, std::string(kDraftOutput.kind)));
  return outcome;
}

}  // namespace lantai::cataloguing
