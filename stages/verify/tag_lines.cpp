#include "stages/verify/tag_lines.h"

#include <unicode/ucnv.h>
#include <unicode/ustring.h>

#include <cctype>
#include <memory>

#include "pipeline/utf8.h"

namespace lantai::verify {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string lowercase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

bool is_digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

using Converter = std::unique_ptr<UConverter, decltype(&ucnv_close)>;

Converter open_converter(const std::string& encoding) {
  UErrorCode status = U_ZERO_ERROR;
  Converter converter(ucnv_open(encoding.c_str(), &status), &ucnv_close);
  if (U_FAILURE(status)) converter.reset();
  return converter;
}

// The path part of a manifest or fetch line: decoded, "./" removed, checked.
std::optional<std::string> bag_path(std::string_view written, bool percent_encoding, bool need_payload,
                                    bool need_tag, std::vector<LineProblem>& problems, int number,
                                    const char* what) {
  std::string path = without_dot_parts(percent_encoding ? decode_manifest_path(written) : std::string(written));
  if (std::string why = escape_reason(path); !why.empty()) {
    problems.push_back({number, "'" + std::string(written) + "' is " + why + "; " + what + " paths must stay inside the bag",
                        kPathEscape});
    return std::nullopt;
  }
  const bool in_data = path.starts_with("data/");
  if (need_payload && !in_data) {
    problems.push_back({number, "'" + path + "' is outside data/; a payload manifest lists payload files only"});
    return std::nullopt;
  }
  if (need_tag && in_data) {
    problems.push_back({number, "'" + path + "' is a payload file; a tag manifest must not list payload files"});
    return std::nullopt;
  }
  return path;
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
  if (name == "sha1") return DigestAlgorithm::sha1;
  if (name == "sha224") return DigestAlgorithm::sha224;
  if (name == "sha256") return DigestAlgorithm::sha256;
  if (name == "sha384") return DigestAlgorithm::sha384;
  if (name == "sha512") return DigestAlgorithm::sha512;
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

std::string without_dot_parts(std::string_view path) {
  std::string out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    const bool last = end == path.size();
    if (part != "." || last) {
      out += part;
      if (!last) out += '/';
    }
    start = end + 1;
  }
  return out;
}

std::string escape_reason(const std::string& path) {
  if (path.empty()) return "an empty path";
  if (path.find('\0') != std::string::npos) return "a path with a NUL byte";
  if (path.front() == '/') return "an absolute path";
  if (path.starts_with("\\\\") || path.starts_with("//")) return "a UNC path";
  if (path.front() == '\\') return "an absolute Windows path";
  if (path.front() == '~') return "a path under a home directory (~)";
  if (path.size() >= 2 && std::isalpha(static_cast<unsigned char>(path[0])) && path[1] == ':')
    return "a path with a drive letter";
  for (size_t start = 0; start <= path.size();) {
    size_t end = path.find_first_of("/\\", start);  // ".." climbs out whichever separator is used
    if (end == std::string::npos) end = path.size();
    if (std::string_view(path.data() + start, end - start) == "..") return "a path that climbs out of the bag (..)";
    start = end + 1;
  }
  for (size_t start = 0; start <= path.size();) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string_view part(path.data() + start, end - start);
    if (part.empty() || part == ".") return "a path with an empty or '.' part";
    start = end + 1;
  }
  return {};
}

bool known_encoding(const std::string& encoding) { return open_converter(encoding) != nullptr; }

DecodedText decode_tag_text(std::string_view bytes, const std::string& encoding) {
  DecodedText result;
  const std::string name = lowercase(encoding);
  if (name == "utf-8" || name == "utf8") {
    // The common case without a round trip; the byte-order mark is not text.
    std::string_view text = bytes.starts_with("\xEF\xBB\xBF") ? bytes.substr(3) : bytes;
    if (!is_valid_utf8(text)) {
      size_t at = 0;
      while (at < text.size()) {
        const size_t n = utf8_sequence_length(text, at);
        if (n == 0) break;
        at += n;
      }
      result.problem = "byte " + std::to_string(at + 1) + " is not valid UTF-8";
      return result;
    }
    result.utf8 = std::string(text);
    return result;
  }
  Converter converter = open_converter(encoding);
  if (!converter) {
    result.problem = "the encoding '" + encoding + "' is not one lantai knows";
    return result;
  }
  UErrorCode status = U_ZERO_ERROR;
  ucnv_setToUCallBack(converter.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  std::u16string wide(bytes.size() * 2 + 2, u'\0');
  status = U_ZERO_ERROR;
  const int32_t length = ucnv_toUChars(converter.get(), wide.data(), static_cast<int32_t>(wide.size()), bytes.data(),
                                       static_cast<int32_t>(bytes.size()), &status);
  if (U_FAILURE(status)) {
    result.problem = "the bytes are not valid " + encoding + " (" + u_errorName(status) + ")";
    return result;
  }
  wide.resize(static_cast<size_t>(length));
  if (wide.starts_with(u"\uFEFF")) wide.erase(0, 1);
  std::string utf8(wide.size() * 3 + 1, '\0');
  int32_t utf8_length = 0;
  status = U_ZERO_ERROR;
  u_strToUTF8(utf8.data(), static_cast<int32_t>(utf8.size()), &utf8_length, wide.data(),
              static_cast<int32_t>(wide.size()), &status);
  if (U_FAILURE(status)) {
    result.problem = "the text cannot be converted to Unicode (" + std::string(u_errorName(status)) + ")";
    return result;
  }
  utf8.resize(static_cast<size_t>(utf8_length));
  result.utf8 = std::move(utf8);
  return result;
}

Manifest parse_manifest(std::string file, DigestAlgorithm algorithm, std::string_view text, ManifestRules rules) {
  Manifest manifest;
  manifest.file = std::move(file);
  manifest.algorithm = algorithm;
  auto lines = split_lines(text);
  for (size_t index = 0; index < lines.size(); ++index) {
    const int number = static_cast<int>(index) + 1;
    std::string_view line = lines[index];
    auto problem = [&](std::string reason, FindingCode code = kMalformed) {
      manifest.problems.push_back({number, std::move(reason), code});
    };
    if (line.size() > kMaxLineBytes) {
      problem("a line of " + std::to_string(line.size()) + " bytes; lantai reads manifest lines up to 1 MiB");
      continue;
    }
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
      problem("'" + std::string(line.substr(0, gap).substr(0, 200)) + "' is not a " +
              std::string(to_string(algorithm)) + " digest");
      continue;
    }
    std::string_view written = line.substr(path_start);
    if (written.starts_with('*')) {
      problem("'" + std::string(written) + "': md5sum's binary-mode '*' before the path, read as '" +
                  std::string(written.substr(1)) + "'",
              kMd5sumPrefix);
      written.remove_prefix(1);
    }
    auto path = bag_path(written, rules.percent_encoding, rules.payload, !rules.payload, manifest.problems, number,
                         "manifest");
    if (!path) continue;
    auto [it, inserted] = manifest.entries.try_emplace(*path, ManifestEntry{digest, number});
    if (inserted) continue;
    if (it->second.digest == digest)
      problem("'" + *path + "' is listed again with the same digest (first on line " +
                  std::to_string(it->second.line) + ")",
              kDuplicateEntry);
    else
      problem("'" + *path + "' is listed again with a different digest (first on line " +
              std::to_string(it->second.line) + ")");
  }
  return manifest;
}

FetchList parse_fetch(std::string_view text, bool percent_encoding) {
  FetchList fetch;
  auto lines = split_lines(text);
  for (size_t index = 0; index < lines.size(); ++index) {
    const int number = static_cast<int>(index) + 1;
    std::string_view line = lines[index];
    if (line.size() > kMaxLineBytes) {
      fetch.problems.push_back({number, "a line of " + std::to_string(line.size()) + " bytes; longer than 1 MiB"});
      continue;
    }
    // url, blanks, length, blanks, path (the path may hold blanks).
    size_t url_end = 0;
    while (url_end < line.size() && !is_blank(line[url_end])) ++url_end;
    size_t length_start = url_end;
    while (length_start < line.size() && is_blank(line[length_start])) ++length_start;
    size_t length_end = length_start;
    while (length_end < line.size() && !is_blank(line[length_end])) ++length_end;
    size_t path_start = length_end;
    while (path_start < line.size() && is_blank(line[path_start])) ++path_start;
    if (url_end == 0 || length_start == length_end || path_start == line.size()) {
      fetch.problems.push_back({number, "not 'url length path'"});
      continue;
    }
    std::string_view length = line.substr(length_start, length_end - length_start);
    FetchEntry entry;
    entry.url = std::string(line.substr(0, url_end));
    entry.line = number;
    if (length != "-") {
      if (!is_digits(length) || length.size() > 19) {
        fetch.problems.push_back({number, "length '" + std::string(length) + "' is neither digits nor '-'"});
        continue;
      }
      entry.length = std::stoull(std::string(length));
    }
    const std::string_view written = line.substr(path_start);
    auto path = bag_path(written, percent_encoding, false, false, fetch.problems, number, "fetch.txt");
    if (!path) continue;
    if (!path->starts_with("data/")) {
      fetch.problems.push_back({number, "'" + *path + "' lies outside data/; fetch.txt may name payload files only",
                                kFetchOutsidePayload});
      continue;
    }
    entry.path = std::move(*path);
    fetch.entries.push_back(std::move(entry));
  }
  return fetch;
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
    if (line.size() > kMaxLineBytes) {
      tags.problems.push_back({number, "a line of " + std::to_string(line.size()) + " bytes; longer than 1 MiB"});
      continue;
    }
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

Declaration parse_declaration(std::string_view bytes) {
  Declaration declaration;
  auto problem = [&](int line, std::string reason) { declaration.problems.push_back({line, std::move(reason)}); };
  if (bytes.starts_with("\xEF\xBB\xBF")) {
    problem(1, "starts with a byte-order mark, which RFC 8493 forbids in bagit.txt");
    bytes.remove_prefix(3);
  }
  if (!is_valid_utf8(bytes)) problem(0, "is not UTF-8, which RFC 8493 requires of bagit.txt");
  const auto lines = split_lines(bytes);
  static constexpr std::string_view kLabels[] = {"BagIt-Version", "Tag-File-Character-Encoding"};
  for (size_t index = 0; index < lines.size(); ++index) {
    const int number = static_cast<int>(index) + 1;
    std::string_view line = lines[index].substr(0, 300);
    if (index >= 2) {
      problem(number, "'" + std::string(line) + "': bagit.txt has exactly two lines");
      continue;
    }
    const std::string_view label = kLabels[index];
    const size_t colon = line.find(':');
    std::string_view written_label = line.substr(0, colon);
    if (colon == std::string_view::npos || written_label != label) {
      std::string_view trimmed = written_label;
      while (!trimmed.empty() && is_blank(trimmed.back())) trimmed.remove_suffix(1);
      if (colon != std::string_view::npos && trimmed == label)
        problem(number, "'" + std::string(line) + "': a space before the colon; RFC 8493 writes '" +
                            std::string(label) + ": '");
      else
        problem(number, "'" + std::string(line) + "': line " + std::to_string(number) + " must be '" +
                            std::string(label) + ": ...'");
      continue;
    }
    std::string_view value = line.substr(colon + 1);
    if (!value.starts_with(' ') || value.size() < 2 || is_blank(value[1]) || is_blank(value.back())) {
      problem(number, "'" + std::string(line) + "': RFC 8493 writes one space between the colon and the value");
      while (!value.empty() && is_blank(value.front())) value.remove_prefix(1);
      while (!value.empty() && is_blank(value.back())) value.remove_suffix(1);
    } else {
      value.remove_prefix(1);
    }
    (index == 0 ? declaration.version : declaration.encoding) = std::string(value);
  }
  if (lines.size() < 2)
    problem(static_cast<int>(lines.size()) + 1,
            "missing '" + std::string(kLabels[lines.size()]) + ": ...'; bagit.txt has exactly two lines");
  return declaration;
}

}  // namespace lantai::verify
