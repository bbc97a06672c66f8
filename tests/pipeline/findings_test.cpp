// Every finding code is registered once and documented in docs/findings.md.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "pipeline/finding.h"

namespace lantai {
namespace {

//! Codes are unique, and make_finding gives each its registered severity.
TEST(Findings, CodesAreUniqueAndCarrySeverity) {
  std::set<std::string_view> seen;
  for (const auto& code : all_finding_codes()) EXPECT_TRUE(seen.insert(code.code).second) << code.code;
  EXPECT_EQ(make_finding("qc.blank", "x").severity, Severity::reject);
  EXPECT_EQ(make_finding("decode.resolution_missing", "x").severity, Severity::warn);
  EXPECT_TRUE(any_reject({make_finding("ocr.no_text", "x"), make_finding("qc.blank", "x")}));
  EXPECT_FALSE(any_reject({make_finding("ocr.no_text", "x")}));
}

//! docs/findings.md lists every registered code, so users can look any of them up.
TEST(Findings, EveryCodeIsDocumented) {
  std::ifstream in(std::filesystem::path(LANTAI_SOURCE_DIR) / "docs/findings.md");
  ASSERT_TRUE(in) << "docs/findings.md missing";
  std::stringstream text;
  text << in.rdbuf();
  for (const auto& code : all_finding_codes())
    EXPECT_NE(text.str().find("`" + std::string(code.code) + "`"), std::string::npos) << code.code;
}

}  // namespace
}  // namespace lantai
