// A stage may not reach the runtime (the ledger, the graph): this must not compile.
#include "pipeline/stage.h"
#include "pipeline/runtime/ledger.h"

namespace lantai::probe {
int runtime_is_reachable() { return 1; }
}  // namespace lantai::probe
