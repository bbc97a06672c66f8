// The stages of a batch, in the order they run. stages/stage_sequence.cpp lists the
// real ones in one place; tests build their own sequences.
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "pipeline/units.h"

namespace lantai {

struct StageSequence {
  std::unique_ptr<IngestStage> ingest;                               // the lot: folders, files, frames
  std::map<ItemKind, std::vector<std::unique_ptr<ItemStage>>> chains;  // per item kind, in order
  std::vector<std::unique_ptr<RecordStage>> record_stages;           // per record, once its items are done
  std::unique_ptr<BatchStage> deposit;                               // once, at the end
  // In place of the deposit when the batch has no catalogue: the catalogue drafted from the
  // pages (目录建库), for an inspector to confirm; optional.
  std::unique_ptr<BatchStage> catalogue_draft;
  std::unique_ptr<BagStage> verify;                                  // on the finished bag

  // Every stage's description, in run order, each stage once (a stage object may serve
  // one kind only; ids are unique across the sequence).
  std::vector<StageInfo> describe() const;
  // Every finding code: the core's and each stage's declared ones.
  std::vector<FindingCode> finding_codes() const;
};

}  // namespace lantai
