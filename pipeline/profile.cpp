#include "pipeline/profile.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>
#include <sstream>

#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "pipeline/format.h"

namespace lantai {

namespace {

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string text;
  for (const auto& item : items) {
    if (!text.empty()) text += separator;
    text += item;
  }
  return text;
}

}  // namespace

ParamInfo NumberParam::info() const {
  return {name, "number", unit, "[" + trimmed(min, 6) + ", " + trimmed(max, 6) + "]",
          trimmed(default_value, 6), description};
}
ParamInfo IntegerParam::info() const {
  return {name, "integer", unit, "[" + std::to_string(min) + ", " + std::to_string(max) + "]",
          std::to_string(default_value), description};
}
ParamInfo FlagParam::info() const {
  return {name, "flag", "", "true|false", default_value ? "true" : "false", description};
}
ParamInfo ChoiceParam::info() const {
  return {name, "choice", "", join(choices, "|"), default_value, description};
}
ParamInfo TextParam::info() const { return {name, "text", "", "", default_value, description}; }

ProfileSection::ProfileSection(std::filesystem::path file, std::string name, const YAML::Node& node)
    : file_(std::move(file)), name_(std::move(name)), node_(std::make_unique<YAML::Node>(node)) {
  if (node_->IsDefined() && !node_->IsNull() && !node_->IsMap())
    throw ProfileError(file_.string() + ": section '" + name_ + "' must be a mapping of keys");
}
ProfileSection::~ProfileSection() = default;
ProfileSection::ProfileSection(ProfileSection&&) noexcept = default;

void ProfileSection::fail(const std::string& key, const std::string& why) const {
  throw ProfileError(file_.string() + ": " + name_ + "." + key + ": " + why);
}

// The scalar text of key, or empty with present=false when the key is absent.
std::string ProfileSection::raw(const char* key, bool& present) {
  read_keys_.emplace_back(key);
  present = false;
  if (!node_->IsMap()) return {};
  YAML::Node value = (*node_)[key];
  if (!value.IsDefined() || value.IsNull()) return {};
  if (!value.IsScalar()) fail(key, "must be a single value");
  present = true;
  return value.Scalar();
}

double ProfileSection::get(const NumberParam& param) {
  bool present = false;
  std::string text = raw(param.name, present);
  double value = param.default_value;
  if (present) {
    size_t used = 0;
    try {
      value = std::stod(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != text.size() || !std::isfinite(value)) fail(param.name, "'" + text + "' is not a number");
    if (value < param.min || value > param.max)
      fail(param.name, text + " is outside " + param.info().range);
  }
  effective_.push_back({name_, param.name, trimmed(value, 6), present ? file_.string() : "default"});
  return value;
}

long long ProfileSection::get(const IntegerParam& param) {
  bool present = false;
  std::string text = raw(param.name, present);
  long long value = param.default_value;
  if (present) {
    size_t used = 0;
    try {
      value = std::stoll(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != text.size()) fail(param.name, "'" + text + "' is not a whole number");
    if (value < param.min || value > param.max)
      fail(param.name, text + " is outside " + param.info().range);
  }
  effective_.push_back({name_, param.name, std::to_string(value), present ? file_.string() : "default"});
  return value;
}

bool ProfileSection::get(const FlagParam& param) {
  bool present = false;
  std::string text = raw(param.name, present);
  bool value = param.default_value;
  if (present) {
    if (text == "true") value = true;
    else if (text == "false") value = false;
    else fail(param.name, "'" + text + "' is not true or false");
  }
  effective_.push_back({name_, param.name, value ? "true" : "false", present ? file_.string() : "default"});
  return value;
}

std::string ProfileSection::get(const ChoiceParam& param) {
  bool present = false;
  std::string value = raw(param.name, present);
  if (!present) value = param.default_value;
  if (std::find(param.choices.begin(), param.choices.end(), value) == param.choices.end())
    fail(param.name, "'" + value + "' is not one of " + join(param.choices, ", "));
  effective_.push_back({name_, param.name, value, present ? file_.string() : "default"});
  return value;
}

std::string ProfileSection::get(const TextParam& param) {
  bool present = false;
  std::string value = raw(param.name, present);
  if (!present) value = param.default_value;
  effective_.push_back({name_, param.name, value, present ? file_.string() : "default"});
  return value;
}

std::vector<std::pair<std::string, std::string>> ProfileSection::entries() {
  std::vector<std::pair<std::string, std::string>> all;
  if (!node_->IsMap()) return all;
  for (const auto& entry : *node_) {
    std::string key = entry.first.as<std::string>();
    read_keys_.push_back(key);
    if (!entry.second.IsScalar()) fail(key, "must be a single value");
    all.emplace_back(key, entry.second.Scalar());
  }
  return all;
}

void ProfileSection::record(const std::string& key, std::string value, std::string source) {
  effective_.push_back({name_, key, std::move(value), std::move(source)});
}

void ProfileSection::finish() const {
  if (!node_->IsMap()) return;
  for (const auto& entry : *node_) {
    std::string key = entry.first.as<std::string>();
    if (std::find(read_keys_.begin(), read_keys_.end(), key) == read_keys_.end())
      fail(key, "unknown key");
  }
}

Profile Profile::load(const std::filesystem::path& file) {
  Profile profile;
  profile.file_ = file;
  std::string bytes;
  try {
    bytes = read_file(file);
  } catch (const std::exception& error) {
    throw ProfileError("cannot read profile " + file.string() + ": " + error.what());
  }
  profile.sha256_ = hex_digest(DigestAlgorithm::sha256, bytes);
  try {
    profile.root_ = std::make_unique<YAML::Node>(YAML::Load(bytes));
  } catch (const YAML::Exception& error) {
    throw ProfileError(file.string() + ": not valid YAML: " + error.what());
  }
  if (!profile.root_->IsMap()) throw ProfileError(file.string() + ": a profile must be a mapping of sections");
  // YAML parsers keep both of two equal keys; which one a reader sees is an accident.
  std::function<void(const YAML::Node&, const std::string&)> refuse_repeats = [&](const YAML::Node& map,
                                                                                  const std::string& where) {
    std::set<std::string> seen;
    for (const auto& entry : map) {
      const std::string key = entry.first.as<std::string>();
      if (!seen.insert(key).second) throw ProfileError(file.string() + ": " + where + key + ": given twice");
      if (entry.second.IsMap()) refuse_repeats(entry.second, where + key + ".");
    }
  };
  refuse_repeats(*profile.root_, "");
  YAML::Node name = (*profile.root_)["profile"];
  if (!name.IsScalar()) throw ProfileError(file.string() + ": profile: missing; give the profile a name");
  profile.name_ = name.Scalar();
  profile.read_sections_ = {"profile", "description"};
  return profile;
}

Profile::~Profile() = default;
Profile::Profile(Profile&&) noexcept = default;

ProfileSection Profile::section(const std::string& name) {
  read_sections_.push_back(name);
  return ProfileSection(file_, name, (*root_)[name]);
}

void Profile::finish() const {
  for (const auto& entry : *root_) {
    std::string key = entry.first.as<std::string>();
    if (std::find(read_sections_.begin(), read_sections_.end(), key) == read_sections_.end())
      throw ProfileError(file_.string() + ": " + key + ": unknown section");
  }
}

}  // namespace lantai
