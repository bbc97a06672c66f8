# Every third-party library lantai links, found once and exposed as targets.
# All come from Debian 12 packages (scripts/install-deps.sh installs them).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(TBB REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(GTest REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(CLI11 QUIET)

pkg_check_modules(TIFF REQUIRED IMPORTED_TARGET libtiff-4)
pkg_check_modules(JPEG REQUIRED IMPORTED_TARGET libjpeg)
pkg_check_modules(PNG REQUIRED IMPORTED_TARGET libpng16)
pkg_check_modules(OPENJP2 REQUIRED IMPORTED_TARGET libopenjp2)
pkg_check_modules(LCMS2 REQUIRED IMPORTED_TARGET lcms2)
pkg_check_modules(SQLITE REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(CRYPTO REQUIRED IMPORTED_TARGET libcrypto)
pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-uc)
pkg_check_modules(TESSERACT REQUIRED IMPORTED_TARGET tesseract)
pkg_check_modules(LEPTONICA REQUIRED IMPORTED_TARGET lept)
pkg_check_modules(FREETYPE REQUIRED IMPORTED_TARGET freetype2)
pkg_check_modules(QPDF REQUIRED IMPORTED_TARGET libqpdf)
# Printable reports and forms (pipeline/pdf_document.h): pango lays out the text, cairo writes the PDF.
pkg_check_modules(PANGOCAIRO REQUIRED IMPORTED_TARGET pangocairo cairo-pdf)
# The registration forms as a workbook (stages/deposit/forms).
pkg_check_modules(XLSXWRITER REQUIRED IMPORTED_TARGET xlsxwriter)
# The review server (ui-web): cpp-httplib as Debian builds it (a shared library).
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
pkg_check_modules(CLAMAV REQUIRED IMPORTED_TARGET libclamav)
# The registration package as one TAR or ZIP file (deposit writes it, verify reads it).
pkg_check_modules(ARCHIVE REQUIRED IMPORTED_TARGET libarchive)
# Outer encryption of a package (lantai seal): SM4-GCM and AES-256-GCM. OpenSSL 3.0 on
# Debian 12 has no SM4-GCM (it came in 3.2), libgcrypt 1.10 has both.
pkg_check_modules(GCRYPT REQUIRED IMPORTED_TARGET libgcrypt)
# Carriers: ISO 9660 images with Joliet and Rock Ridge (libisofs), 文件目录.XML (libxml2; the tests also
# read the forms' workbooks with it, the ZIP opened with libarchive).
pkg_check_modules(LIBISOFS REQUIRED IMPORTED_TARGET libisofs-1)
pkg_check_modules(LIBXML2 REQUIRED IMPORTED_TARGET libxml-2.0)
# EXIF, XMP and ICC of photos (pipeline/photo_metadata.h).
pkg_check_modules(EXIV2 REQUIRED IMPORTED_TARGET exiv2)
# qpdf 11: std::shared_ptr throughout, without its PointerHolder compatibility type.
set_property(TARGET PkgConfig::QPDF APPEND PROPERTY INTERFACE_COMPILE_DEFINITIONS POINTERHOLDER_TRANSITION=4)

# Debian splits OpenCV into per-module packages without a CMake config; we need
# only core and imgproc, so name them directly.
find_path(OPENCV_INCLUDE_DIR opencv2/core.hpp PATH_SUFFIXES opencv4 REQUIRED)
find_library(OPENCV_CORE_LIBRARY opencv_core REQUIRED)
find_library(OPENCV_IMGPROC_LIBRARY opencv_imgproc REQUIRED)
add_library(lantai_opencv INTERFACE)
target_include_directories(lantai_opencv SYSTEM INTERFACE ${OPENCV_INCLUDE_DIR})
target_link_libraries(lantai_opencv INTERFACE ${OPENCV_IMGPROC_LIBRARY} ${OPENCV_CORE_LIBRARY})
add_library(OpenCV::imgproc ALIAS lantai_opencv)
# Stitching of pages scanned in parts (decode): the stitching module and the feature
# finders and geometry it is built on.
find_library(OPENCV_STITCHING_LIBRARY opencv_stitching REQUIRED)
find_library(OPENCV_FEATURES2D_LIBRARY opencv_features2d REQUIRED)
find_library(OPENCV_CALIB3D_LIBRARY opencv_calib3d REQUIRED)
find_library(OPENCV_FLANN_LIBRARY opencv_flann REQUIRED)
add_library(lantai_opencv_stitching INTERFACE)
target_link_libraries(lantai_opencv_stitching INTERFACE ${OPENCV_STITCHING_LIBRARY} ${OPENCV_CALIB3D_LIBRARY}
                      ${OPENCV_FEATURES2D_LIBRARY} ${OPENCV_FLANN_LIBRARY} lantai_opencv)
add_library(OpenCV::stitching ALIAS lantai_opencv_stitching)
# Audio and video (the av stage): probed and decoded in-process with FFmpeg's libraries.
pkg_check_modules(FFMPEG REQUIRED IMPORTED_TARGET libavformat libavcodec libavutil libswscale)
# The review server's reduced page images: OpenCV's readers for every format a lot holds.
find_library(OPENCV_IMGCODECS_LIBRARY opencv_imgcodecs REQUIRED)
add_library(lantai_opencv_imgcodecs INTERFACE)
target_link_libraries(lantai_opencv_imgcodecs INTERFACE ${OPENCV_IMGCODECS_LIBRARY} lantai_opencv)
add_library(OpenCV::imgcodecs ALIAS lantai_opencv_imgcodecs)
