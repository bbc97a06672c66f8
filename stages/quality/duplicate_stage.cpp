#include "stages/quality/duplicate_stage.h"

#include <algorithm>

#include "stages/quality/quality_stage.h"

namespace lantai::quality {

namespace {

const IntegerParam kMaxHashDistance{"max_hash_distance", "bits", 0, 128, 32,
                                    "pages whose content hashes differ in at most this many of 256 bits are one page"};

bool has_code(const RecordPage& page, const char* code) {
  return std::find(page.finding_codes.begin(), page.finding_codes.end(), code) != page.finding_codes.end();
}

}  // namespace

StageInfo DuplicateStage::describe() const {
  return {"duplicates", "Finds pages that repeat an earlier page of the same record.", "1",
          {kMaxHashDistance.info()}};
}

void DuplicateStage::setup(ProfileSection& section, const StageContext&) {
  settings_.max_hash_distance = static_cast<int>(section.get(kMaxHashDistance));
}

Outcome DuplicateStage::process(RecordWork& record) const {
  Outcome outcome;
  // Blank pages all look alike; they are reported as blank, not as duplicates.
  std::vector<const RecordPage*> candidates;
  for (const RecordPage& page : record.pages)
    if (!page.facts.fingerprint.empty() && !has_code(page, "qc.blank")) candidates.push_back(&page);

  for (size_t later = 1; later < candidates.size(); ++later) {
    for (size_t earlier = 0; earlier < later; ++earlier) {
      const RecordPage& a = *candidates[earlier];
      const RecordPage& b = *candidates[later];
      const int distance = hamming_distance(a.facts.fingerprint, b.facts.fingerprint);
      if (distance < 0 || distance > settings_.max_hash_distance) continue;
      Finding finding = make_finding("qc.duplicate",
                                     b.rel_path + ": repeats page " + std::to_string(a.seq) + " (" + a.rel_path +
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
