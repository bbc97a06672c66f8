// duplicates: the record-scope half of the quality check. Flags a page that repeats an
// earlier page of the same record (a second scan of one sheet): their perceptual hashes,
// taken over the content area after deskew, are close. The later page gets qc.duplicate.
//
// OCR text is deliberately not used: records share boilerplate clauses, and two scans of
// one page can be read differently, so text similarity separates worse than the image.
#pragma once

#include "pipeline/units.h"

namespace lantai::quality {

struct DuplicateSettings {
  int max_hash_distance = 32;  // of 256 bits
};

class DuplicateStage : public RecordStage {
 public:
  StageInfo describe() const override;
  void setup(ProfileSection& section, const StageContext& context) override;
  Outcome process(const RecordWork& record) const override;

 private:
  DuplicateSettings settings_;
};

}  // namespace lantai::quality
