// Profiles: one YAML file per standard, one section per stage, loaded strictly.
// A stage declares its parameters as Param<T> constants; the same declaration gives
// the default, the valid range, --help text and the effective-profile printout.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace YAML { class Node; }

namespace lantai {

// A profile that cannot be used. The message names the file and the key.
class ProfileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Description of one parameter, for --help, docs and the processing history.
struct ParamInfo {
  std::string name;
  std::string type;           // "number", "integer", "flag", "choice", "list"
  std::string unit;           // "dpi", "deg", "ratio", "" ...
  std::string range;          // "[200, 1200]", "jpeg|tiff", ...
  std::string default_value;
  std::string description;
};

struct NumberParam {
  const char* name;
  const char* unit;
  double min, max, default_value;
  const char* description;
  ParamInfo info() const;
};
struct IntegerParam {
  const char* name;
  const char* unit;
  long long min, max, default_value;
  const char* description;
  ParamInfo info() const;
};
struct FlagParam {
  const char* name;
  bool default_value;
  const char* description;
  ParamInfo info() const;
};
struct ChoiceParam {
  const char* name;
  std::vector<std::string> choices;
  std::string default_value;
  const char* description;
  ParamInfo info() const;
};
struct TextParam {
  const char* name;
  std::string default_value;
  const char* description;
  ParamInfo info() const;
};

// One value as used, and where it came from: the profile file or the default.
struct EffectiveValue {
  std::string section, key, value, source;
};

// One stage's section of a profile. Read every key through get(); finish() then
// refuses keys no one read (a typo is an error, never silently ignored).
class ProfileSection {
 public:
  ProfileSection(std::filesystem::path file, std::string name, const YAML::Node& node);
  ~ProfileSection();
  ProfileSection(ProfileSection&&) noexcept;

  double get(const NumberParam& param);
  long long get(const IntegerParam& param);
  bool get(const FlagParam& param);
  std::string get(const ChoiceParam& param);
  std::string get(const TextParam& param);

  // A free-form section, whose keys are names rather than parameters (the severity
  // overrides): every key with its scalar text, all counted as read.
  std::vector<std::pair<std::string, std::string>> entries();

  // A value the stage uses that the run gives rather than the profile (a command-line
  // choice): it joins the effective settings, and so the stage's dependency key.
  void record(const std::string& key, std::string value, std::string source);

  void finish() const;  // throws ProfileError naming any unknown key
  // For checks across keys: throws ProfileError naming the file, section and key.
  [[noreturn]] void fail(const std::string& key, const std::string& why) const;
  const std::vector<EffectiveValue>& effective() const { return effective_; }
  const std::string& name() const { return name_; }

 private:
  std::string raw(const char* key, bool& present);

  std::filesystem::path file_;
  std::string name_;
  std::unique_ptr<YAML::Node> node_;
  std::vector<std::string> read_keys_;
  std::vector<EffectiveValue> effective_;
};

// A whole profile file. section() hands out each stage's part; finish() refuses
// sections no stage asked for.
class Profile {
 public:
  static Profile load(const std::filesystem::path& file);  // throws ProfileError
  ~Profile();
  Profile(Profile&&) noexcept;

  ProfileSection section(const std::string& name);
  void finish() const;

  const std::string& name() const { return name_; }
  const std::filesystem::path& file() const { return file_; }
  const std::string& sha256() const { return sha256_; }  // of the file's bytes

 private:
  Profile() = default;
  std::filesystem::path file_;
  std::string name_;
  std::string sha256_;
  std::unique_ptr<YAML::Node> root_;
  std::vector<std::string> read_sections_;
};

}  // namespace lantai
