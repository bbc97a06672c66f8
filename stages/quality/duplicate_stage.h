// duplicates: the record-scope half of the quality check. Flags a page that repeats an
// earlier page of the same record (a second scan of one sheet): perceptual hashes close,
// and, where both pages carry text, OCR texts alike. The later page gets qc.duplicate.
#pragma once

#include "pipeline/units.h"

namespace lantai::quality {

struct DuplicateSettings {
  int max_hash_distance = 40;       // of 256 bits
  double min_text_similarity = 0.8; // character-bigram Dice coefficient, 0..1
  int min_text_chars = 20;          // below this, the hash alone decides
};

// Dice coefficient of the two texts' character bigrams, spaces ignored (UTF-8 aware).
double text_similarity(const std::string& text_a, const std::string& text_b);

class DuplicateStage : public RecordStage {
 public:
  StageInfo describe() const override;
  void setup(ProfileSection& section, const StageContext& context) override;
  Outcome process(RecordWork& record) const override;

 private:
  DuplicateSettings settings_;
};

}  // namespace lantai::quality
