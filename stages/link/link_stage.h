// link: 数据挂接, matching every catalogue entry to its folder of pages by 档号 and the
// folder's page count to the entry's 页数 (DA/T 31-2017 asks 100% correspondence).
#pragma once

#include "pipeline/units.h"

namespace lantai::link {

class LinkStage : public RecordStage {
 public:
  StageInfo describe() const override;
  void setup(ProfileSection& section, const StageContext& context) override;
  Outcome process(const RecordWork& record) const override;
};

}  // namespace lantai::link
