// The stages of a batch, in the order they run. stages/stage_sequence.cpp lists the
// real ones in one place; tests build their own sequences.
#pragma once

#include <memory>
#include <vector>

#include "pipeline/units.h"

namespace lantai {

struct StageSequence {
  std::unique_ptr<IngestStage> ingest;                      // the lot: folders, files, frames
  std::vector<std::unique_ptr<PageStage>> page_stages;      // per page, in this order
  std::vector<std::unique_ptr<RecordStage>> record_stages;  // per record, once its pages are done
  std::unique_ptr<BatchStage> deposit;                      // once, at the end
  std::unique_ptr<BagStage> verify;                         // on the finished bag

  std::vector<StageInfo> describe() const;
};

}  // namespace lantai
