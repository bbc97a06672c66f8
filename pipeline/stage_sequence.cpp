#include "pipeline/stage_sequence.h"

namespace lantai {

std::vector<StageInfo> StageSequence::describe() const {
  std::vector<StageInfo> all;
  if (ingest) all.push_back(ingest->describe());
  for (const auto& stage : page_stages) all.push_back(stage->describe());
  for (const auto& stage : record_stages) all.push_back(stage->describe());
  if (deposit) all.push_back(deposit->describe());
  if (verify) all.push_back(verify->describe());
  return all;
}

}  // namespace lantai
