// libjpeg's errors as the fidelity test's JPEG reader and writers take them: the message
// kept, control back at the caller's setjmp.
#pragma once

#include <csetjmp>
#include <cstdio>

#include <jpeglib.h>

namespace lantai::fidelity {

struct JpegErrors {
  jpeg_error_mgr base;  // first: libjpeg's cinfo->err points at the whole struct
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX] = {};
};

[[noreturn]] inline void jpeg_fail(j_common_ptr cinfo) {
  auto* errors = reinterpret_cast<JpegErrors*>(cinfo->err);
  cinfo->err->format_message(cinfo, errors->message);
  std::longjmp(errors->jump, 1);
}

}  // namespace lantai::fidelity
