// Reads a PDF back the way a reader's viewer does, through poppler's pdftotext
// (poppler-utils): its text per page, and its words with their boxes in points.
#pragma once

#include <cstdio>
#include <filesystem>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

namespace lantai::pdf_testing {

struct PdfWord {
  double x_min = 0, y_min = 0, x_max = 0, y_max = 0;  // points, from the page's top left
  std::string text;
};

struct PdfPageWords {
  double width = 0, height = 0;  // points
  std::vector<PdfWord> words;
};

inline std::string quoted(const std::filesystem::path& path) {
  std::string out = "'";
  for (char c : path.string()) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline std::string command_output(const std::string& command) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + command);
  std::string out;
  char buffer[4096];
  std::size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, got);
  if (::pclose(pipe) != 0) throw std::runtime_error(command + " failed (install poppler-utils)");
  return out;
}

// The text of one page (1-based). raw: in the order the file holds it (-raw); otherwise
// as poppler lays the page out from the words' positions.
inline std::string pdftotext(const std::filesystem::path& pdf, int page, bool raw = false) {
  return command_output(std::string("pdftotext -enc UTF-8 ") + (raw ? "-raw " : "") + "-f " + std::to_string(page) +
                        " -l " + std::to_string(page) + " " + quoted(pdf) + " -");
}

// The words of one page with their boxes (pdftotext -bbox).
inline PdfPageWords pdftotext_words(const std::filesystem::path& pdf, int page) {
  const std::string html = command_output("pdftotext -enc UTF-8 -bbox -f " + std::to_string(page) + " -l " +
                                          std::to_string(page) + " " + quoted(pdf) + " -");
  PdfPageWords out;
  std::smatch match;
  if (std::regex_search(html, match, std::regex(R"re(<page width="([0-9.]+)" height="([0-9.]+)">)re"))) {
    out.width = std::stod(match[1]);
    out.height = std::stod(match[2]);
  }
  const std::regex word(R"re(<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>)re");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), word); it != std::sregex_iterator(); ++it)
    out.words.push_back({std::stod((*it)[1]), std::stod((*it)[2]), std::stod((*it)[3]), std::stod((*it)[4]), (*it)[5]});
  return out;
}

// Text without white space: Chinese has none, and viewers differ in the spaces they add.
inline std::string without_spaces(const std::string& text) {
  std::string out;
  for (char c : text)
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t' && c != '\f') out += c;
  return out;
}

}  // namespace lantai::pdf_testing
