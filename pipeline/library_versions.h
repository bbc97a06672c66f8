// "name version" of the imaging libraries the core's codecs are built on, as linked at
// run time where the library can say so: what a stage names in StageInfo::libraries so
// the processing history tells which code made each image (ISO/TR 13028 process metadata).
#pragma once

#include <string>

namespace lantai {

std::string opencv_library();         // "OpenCV 4.6.0"
std::string libtiff_library();        // "libtiff 4.5.0"
std::string libjpeg_turbo_library();  // "libjpeg-turbo 2.1.5" (as built against)
std::string openjpeg_library();       // "OpenJPEG 2.5.0"

}  // namespace lantai
