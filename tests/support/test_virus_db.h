// A ClamAV signature database of one signature, written by the tests themselves: the
// public EICAR anti-virus test file (eicar.org), which every scanner must flag and which
// does nothing. The string is assembled at run time, so this source file itself is not
// flagged by scanners on a developer's machine.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace lantai::test_support {

inline constexpr const char* kTestSignatureName = "Lantai.Test.EICAR";

inline std::string eicar_test_file() {
  return std::string("X5O!P%@AP[4\\PZX54(P^)7CC)7}$") + "EICAR-STANDARD-ANTIVIRUS-" + "TEST-FILE!$H+H*";
}

// Writes DIR/lantai-test.ndb (an extended body signature: the EICAR string anywhere in
// any file) and returns DIR.
inline std::filesystem::path write_test_virus_db(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  static const char* hex = "0123456789abcdef";
  std::string body;
  for (unsigned char c : eicar_test_file()) {
    body += hex[c >> 4];
    body += hex[c & 15];
  }
  // Written aside and renamed: tests in other processes may load it meanwhile.
  const std::filesystem::path file = dir / "lantai-test.ndb";
  const std::filesystem::path temp = dir / (".lantai-test.ndb." + std::to_string(::getpid()));
  std::ofstream(temp, std::ios::binary) << kTestSignatureName << ":0:*:" << body << "\n";
  std::filesystem::rename(temp, file);
  return dir;
}

}  // namespace lantai::test_support
