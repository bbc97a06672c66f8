// Profiles load strictly: unknown keys and bad values are refused with the file and key named.
#include <gtest/gtest.h>

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>

#include "pipeline/profile.h"

namespace lantai {
namespace {

const NumberParam kDpi{"min_resolution_dpi", "dpi", 50, 2400, 200, "lowest resolution"};
const FlagParam kClean{"clean", true, "clean borders"};
const ChoiceParam kFormat{"format", {"jpeg", "tiff"}, "jpeg", "format"};

std::filesystem::path write_profile(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("lantai-profile-" + name + ".yaml");
  std::ofstream(path) << text;
  return path;
}

//! A value in the file wins over the default, and the source of each value is recorded.
TEST(Profile, ReadsValuesAndTracksWhereTheyCameFrom) {
  Profile profile = Profile::load(write_profile("ok", "profile: p\nquality:\n  min_resolution_dpi: 300\n"));
  ProfileSection section = profile.section("quality");
  EXPECT_EQ(section.get(kDpi), 300);
  EXPECT_TRUE(section.get(kClean));
  EXPECT_EQ(section.get(kFormat), "jpeg");
  section.finish();
  ASSERT_EQ(section.effective().size(), 3u);
  EXPECT_NE(section.effective()[0].source, "default");
  EXPECT_EQ(section.effective()[1].source, "default");
  profile.finish();
  EXPECT_EQ(profile.name(), "p");
  EXPECT_EQ(profile.sha256().size(), 64u);
}

//! An unknown key is an error naming the file, the section and the key.
TEST(Profile, RefusesUnknownKey) {
  auto file = write_profile("unknown", "profile: p\nquality:\n  min_resolution_dip: 300\n");
  Profile profile = Profile::load(file);
  ProfileSection section = profile.section("quality");
  section.get(kDpi);
  try {
    section.finish();
    FAIL() << "unknown key accepted";
  } catch (const ProfileError& error) {
    EXPECT_NE(std::string(error.what()).find("quality.min_resolution_dip"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find(file.string()), std::string::npos) << error.what();
  }
}

//! Out-of-range numbers, non-numbers, bad flags and bad choices are refused.
TEST(Profile, RefusesBadValues) {
  for (const char* text : {"quality:\n  min_resolution_dpi: 20\n", "quality:\n  min_resolution_dpi: lots\n",
                           "quality:\n  clean: maybe\n", "quality:\n  format: gif\n"}) {
    Profile profile = Profile::load(write_profile("bad", std::string("profile: p\n") + text));
    ProfileSection section = profile.section("quality");
    EXPECT_THROW(
        {
          section.get(kDpi);
          section.get(kClean);
          section.get(kFormat);
        },
        ProfileError)
        << text;
  }
}

//! A section no stage asked for, a missing name and broken YAML are refused.
TEST(Profile, RefusesUnknownSectionMissingNameAndBadYaml) {
  Profile profile = Profile::load(write_profile("section", "profile: p\nqualty: {}\n"));
  EXPECT_THROW(profile.finish(), ProfileError);
  EXPECT_THROW(Profile::load(write_profile("noname", "quality: {}\n")), ProfileError);
  EXPECT_THROW(Profile::load(write_profile("yaml", "profile: [unclosed\n")), ProfileError);
  EXPECT_THROW(Profile::load("/nonexistent/profile.yaml"), ProfileError);
}

//! Every shipped profile loads and is named after its file (each stage's section is checked by test_shipped_profiles).
TEST(Profile, ShippedProfilesAreValidYaml) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(LANTAI_SOURCE_DIR) / "profiles")) {
    if (entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().string());
    Profile profile = Profile::load(entry.path());
    EXPECT_EQ(profile.name(), entry.path().stem().string());
    ++count;
  }
  EXPECT_GE(count, 3);  // paper, bitonal text, drawings
}

//! A key given twice, in a section or at the top, is refused naming it: a parser would silently keep one of them.
TEST(Profile, RefusesRepeatedKeys) {
  for (const char* text : {"profile: p\nquality:\n  min_resolution_dpi: 200\n  min_resolution_dpi: 300\n",
                           "profile: p\nquality: {}\nquality: {min_resolution_dpi: 300}\n"}) {
    const auto file = std::filesystem::temp_directory_path() / "lantai-profile-repeats.yaml";
    std::ofstream(file) << text;
    try {
      Profile::load(file);
      ADD_FAILURE() << "accepted " << text;
    } catch (const ProfileError& error) {
      EXPECT_NE(std::string(error.what()).find("given twice"), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find("quality"), std::string::npos) << error.what();
    }
  }
}

}  // namespace
}  // namespace lantai
