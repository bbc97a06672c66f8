// A stage may include the pipeline core and its own folder: this must compile.
#include "pipeline/stage.h"
#include "pipeline/units.h"

namespace lantai::probe {
int core_is_reachable() { return static_cast<int>(sizeof(StageInfo) > 0); }
}  // namespace lantai::probe
