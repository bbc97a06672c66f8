#include "stages/verify/tag_lines.h"

#include <cctype>

namespace lantai::verify {

namespace {

size_t hex_length(DigestAlgorithm algorithm) { return algorithm == DigestAlgorithm::md5 ? 32 : 64; }

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string lowercase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

}  // namespace

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n' && text[i] != '\r') continue;
    lines.push_back(text.substr(start, i - start));
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

std::optional<DigestAlgorithm> algorithm_from_name(std::string_view name) {
  if (name == "md5") return DigestAlgorithm::md5;
  if (name == "sha256") return DigestAlgorithm::sha256;
  if (name == "sm3") return DigestAlgorithm::sm3;
  return std::nullopt;
}

std::string decode_manifest_path(std::string_view encoded) {
  std::string decoded;
  decoded.reserve(encoded.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '%' && i + 2 < encoded.size()) {
      std::string code = lowercase(encoded.substr(i + 1, 2));
      char replacement = code == "0d" ? '\r' : code == "0a" ? '\n' : code == "25" ? '%' : '\0';
      if (replacement != '\0') {
        decoded.push_back(replacement);
        i += 2;
        continue;
      }
    }
    decoded.push_back(encoded[i]);
  }
  return decoded;
}

std::string escape_reason(const std::string& path) {
  if (path.empty()) return "an empty path";
  if (path.front() == '/') return "an absolute path";
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string_view part(path.data() + start, end - start);
    if (part == "..") return "a path that climbs out of the bag (..)";
    if (part.empty() || part == ".") return "a path with an empty or '.' part";
    start = end + 1;
  }
  return {};
}

Manifest parse_manifest(std::string file, DigestAlgorithm algorithm, std::string_view text, bool payload) {
  Manifest manifest;
  manifest.file = std::move(file);
  manifest.algorithm = algorithm;
  auto lines = split_lines(text);
  for (size_t index = 0; index < lines.size(); ++index) {
    const int number = static_cast<int>(index) + 1;
    std::string_view line = lines[index];
    auto problem = [&](std::string reason) { manifest.problems.push_back({number, std::move(reason)}); };
    if (line.empty()) {
      problem("empty line");
      continue;
    }
    size_t gap = 0;
    while (gap < line.size() && !is_blank(line[gap])) ++gap;
    size_t path_start = gap;
    while (path_start < line.size() && is_blank(line[path_start])) ++path_start;
    if (gap == 0 || gap == line.size() || path_start == line.size()) {
      problem("not 'digest  path'");
      continue;
    }
    std::string digest = lowercase(line.substr(0, gap));
    bool hex = digest.find_first_not_of("0123456789abcdef") == std::string::npos;
    if (!hex || digest.size() != hex_length(algorithm)) {
      problem("'" + std::string(line.substr(0, gap)) + "' is not a " + std::string(to_string(algorithm)) +
              " digest");
      continue;
    }
    std::string path = decode_manifest_path(line.substr(path_start));
    if (std::string why = escape_reason(path); !why.empty()) {
      problem("'" + path + "' is " + why + "; manifest paths must stay inside the bag");
      continue;
    }
    const bool in_data = path.starts_with("data/");
    if (payload && !in_data) {
      problem("'" + path + "' is outside data/; a payload manifest lists payload files only");
      continue;
    }
    if (!payload && in_data) {
      problem("'" + path + "' is a payload file; a tag manifest must not list payload files");
      continue;
    }
    auto [it, inserted] = manifest.entries.try_emplace(path, ManifestEntry{digest, number});
    if (!inserted) problem("'" + path + "' is listed again (first on line " + std::to_string(it->second.line) + ")");
  }
  return manifest;
}

std::optional<std::string> TagFields::get(std::string_view label) const {
  for (const auto& [name, value] : fields)
    if (name == label) return value;
  return std::nullopt;
}

TagFields parse_tag_fields(std::string_view text) {
  TagFields tags;
  auto lines = split_lines(text);
  for (size_t index = 0; index < lines.size(); ++index) {
    const int number = static_cast<int>(index) + 1;
    std::string_view line = lines[index];
    if (!line.empty() && is_blank(line.front())) {
      // A folded value continues the previous field.
      if (tags.fields.empty()) {
        tags.problems.push_back({number, "a continuation line with no field before it"});
        continue;
      }
      while (!line.empty() && is_blank(line.front())) line.remove_prefix(1);
      tags.fields.back().second += " ";
      tags.fields.back().second += line;
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      tags.problems.push_back({number, line.empty() ? "empty line" : "not 'Label: value'"});
      continue;
    }
    std::string_view label = line.substr(0, colon);
    while (!label.empty() && is_blank(label.back())) label.remove_suffix(1);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && is_blank(value.front())) value.remove_prefix(1);
    tags.fields.emplace_back(std::string(label), std::string(value));
  }
  return tags;
}

}  // namespace lantai::verify
