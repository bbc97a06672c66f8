// make_test_virus_db DIR: writes the tests' one-signature ClamAV database (EICAR) into
// DIR, for the end-to-end runs that ctest starts as commands.
#include <cstdio>

#include "tests/support/test_virus_db.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_test_virus_db DIR\n");
    return 2;
  }
  lantai::test_support::write_test_virus_db(argv[1]);
  return 0;
}
