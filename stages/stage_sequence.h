// The stages lantai runs, listed in one place, in the order they run.
#pragma once

#include "pipeline/stage_sequence.h"

namespace lantai {

StageSequence make_stage_sequence();

}  // namespace lantai
