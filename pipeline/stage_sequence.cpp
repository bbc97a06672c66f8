#include "pipeline/stage_sequence.h"

#include <algorithm>

#include "pipeline/review.h"

namespace lantai {

std::vector<StageInfo> StageSequence::describe() const {
  std::vector<StageInfo> all;
  if (ingest) all.push_back(ingest->describe());
  // A stage that serves several chains (the virus scan) is one stage: described once.
  for (const auto& [kind, chain] : chains)
    for (const auto& stage : chain) {
      StageInfo info = stage->describe();
      const bool described = std::any_of(all.begin(), all.end(), [&](const StageInfo& seen) { return seen.id == info.id; });
      if (!described) all.push_back(std::move(info));
    }
  for (const auto& stage : record_stages) all.push_back(stage->describe());
  if (deposit) all.push_back(deposit->describe());
  if (catalogue_draft) all.push_back(catalogue_draft->describe());
  if (verify) all.push_back(verify->describe());
  return all;
}

std::vector<FindingCode> StageSequence::finding_codes() const {
  std::vector<FindingCode> codes = catalog_finding_codes();
  codes.push_back(kInternalException);
  codes.push_back(kReviewAwaitingRescan);
  codes.push_back(kReviewSentBack);
  for (const StageInfo& info : describe()) codes.insert(codes.end(), info.findings.begin(), info.findings.end());
  for (const BagCommand& command : bag_commands)
    codes.insert(codes.end(), command.findings.begin(), command.findings.end());
  return codes;
}

}  // namespace lantai
