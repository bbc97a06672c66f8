// make_media_lot DIR: the lot of tests/ui-web/media_lot.h, for the browser test of the
// review page on photos and recordings.
#include <cstdio>
#include <exception>

#include "tests/ui-web/media_lot.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_media_lot DIR\n");
    return 2;
  }
  try {
    lantai::review::testing::write_media_lot(argv[1]);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "make_media_lot: %s\n", error.what());
    return 1;
  }
  return 0;
}
