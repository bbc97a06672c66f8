#include "stages/carriers/libisofs_session.h"

#include <cstdint>

#define LIBISOFS_WITHOUT_LIBBURN
#include <libisofs/libisofs.h>

#include <mutex>
#include <stdexcept>

namespace lantai::carriers {

void start_libisofs() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (iso_init() < 0) throw std::runtime_error("libisofs could not start");
    iso_set_local_charset(const_cast<char*>("UTF-8"), 0);
    iso_set_msgs_severities(const_cast<char*>("NEVER"), const_cast<char*>("FATAL"), const_cast<char*>("lantai"));
  });
}

}  // namespace lantai::carriers
