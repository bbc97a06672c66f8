// libisofs, started once for the process, for the writer and the check alike: names are
// given and read back as UTF-8 whatever the locale, and its own messages stay quiet (the
// callers report failures in lantai's words).
#pragma once

namespace lantai::carriers {

// Throws std::runtime_error when libisofs cannot start.
void start_libisofs();

}  // namespace lantai::carriers
