// A stage may not reach into another stage: this must not compile.
#include "pipeline/stage.h"
#include "stages/ocr/ocr_stage.h"

namespace lantai::probe {
int other_stage_is_reachable() { return 1; }
}  // namespace lantai::probe
