#include "stages/quality/duplicate_stage.h"

#include <algorithm>

#include "stages/quality/quality_stage.h"

namespace lantai::quality {

namespace {

const IntegerParam kMaxHashDistance{"max_hash_distance", "bits", 0, 128, 32,
                                    "pages whose content hashes differ in at most this many of 256 bits are one page"};

constexpr FindingCode kDuplicate{"qc.duplicate", Severity::reject, "the page repeats an earlier page of the same record"};

bool has_code(const RecordItem& page, std::string_view code) {
  return std::find(page.finding_codes.begin(), page.finding_codes.end(), code) != page.finding_codes.end();
}

}  // namespace

StageInfo DuplicateStage::describe() const {
  return {"duplicates", "Finds pages that repeat an earlier page of the same record.", "1",
          {kMaxHashDistance.info()}, {kDuplicate}};
}

void DuplicateStage::setup(ProfileSection& section, const StageContext&) {
  settings_.max_hash_distance = static_cast<int>(section.get(kMaxHashDistance));
}

Outcome DuplicateStage::process(const RecordWork& record) const {
  Outcome outcome;
  // Blank pages all look alike; they are reported as blank, not as duplicates.
  std::vector<std::pair<const RecordItem*, std::string>> candidates;  // with its fingerprint
  for (const RecordItem& page : record.items) {
    std::string fingerprint = page.measurements.text("fingerprint");
    if (!fingerprint.empty() && !has_code(page, kBlank.code)) candidates.emplace_back(&page, std::move(fingerprint));
  }

  for (size_t later = 1; later < candidates.size(); ++later) {
    for (size_t earlier = 0; earlier < later; ++earlier) {
      const RecordItem& a = *candidates[earlier].first;
      const RecordItem& b = *candidates[later].first;
      const int distance = hamming_distance(candidates[earlier].second, candidates[later].second);
      if (distance < 0 || distance > settings_.max_hash_distance) continue;
      Finding finding = kDuplicate(b.rel_path + ": repeats page " + std::to_string(a.seq) + " (" + a.rel_path +
                                         ") of record " + record.ref + ", hash distance " + std::to_string(distance),
                                     std::to_string(distance), std::to_string(settings_.max_hash_distance));
      finding.item_id = b.item_id;
      outcome.add(std::move(finding));
      break;
    }
  }
  return outcome;
}

}  // namespace lantai::quality
