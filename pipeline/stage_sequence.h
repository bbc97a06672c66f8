// The stages of a batch, in the order they run. stages/stage_sequence.cpp lists the
// real ones in one place; tests build their own sequences.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/profile.h"
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

  // Commands run on a finished bag (lantai carriers): their profile section, checked with
  // the rest of the profile when a batch starts so that a bad value stops it before any
  // work, and the finding codes they report, listed with the stages'.
  struct BagCommand {
    std::string section;
    std::function<void(ProfileSection&)> read;  // throws ProfileError on a bad value
    std::vector<FindingCode> findings;
  };
  std::vector<BagCommand> bag_commands;

  // Every stage's description, in run order, each stage once (a stage object may serve
  // one kind only; ids are unique across the sequence).
  std::vector<StageInfo> describe() const;
  // Every finding code: the core's and each stage's declared ones.
  std::vector<FindingCode> finding_codes() const;
};

}  // namespace lantai
