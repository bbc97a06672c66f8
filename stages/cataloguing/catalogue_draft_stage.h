// catalogue_draft: 目录建库 for a lot that came without a catalogue. Each record is named
// by its folder; its 题名, 文号, 责任者 and 日期 are the ones the cataloguing stage read
// from its first page (WORK/catalogue/<档号>.json), and its 页数 the pages found. The
// draft, WORK/catalogue/draft.csv, is a catalogue lantai reads back: an inspector
// confirms or corrects it (the 待核对 column names the fields read with little
// confidence, or not at all) and gives it to the next run with --catalog. Until then
// nothing is deposited: a deposit's catalogue is one a person has vouched for.
#pragma once
#include "pipeline/units.h"

namespace lantai::cataloguing {

inline constexpr const char* kDraftPath = "catalogue/draft.csv";

class CatalogueDraftStage : public BatchStage {
 public:
  StageInfo describe() const override;
  void setup(ProfileSection& section, const StageContext& context) override;
  Outcome process(const BatchWork& batch) const override;

 private:
  double min_confidence_ = 0.6;
};

}  // namespace lantai::cataloguing
