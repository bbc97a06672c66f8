#include "tests/support/pdf_inspection.h"

#include <array>
#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace lantai::testing {

namespace {

std::string output_of(const std::string& command) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + command);
  std::string output;
  std::array<char, 4096> buffer;
  std::size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
  if (::pclose(pipe) != 0) throw std::runtime_error(command + " failed: " + output);
  return output;
}

std::string quoted(const std::filesystem::path& path) {
  std::string text = "'";
  for (char c : path.string()) text += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return text + "'";
}

}  // namespace

std::string pdf_text(const std::filesystem::path& pdf) { return output_of("pdftotext -raw " + quoted(pdf) + " -"); }

// pdffonts prints a header, a rule of dashes, then one font a line whose columns are
// name, type (one or more words), encoding, then the yes/no columns emb, sub, uni.
std::vector<PdfFont> pdf_fonts(const std::filesystem::path& pdf) {
  std::istringstream lines(output_of("pdffonts " + quoted(pdf)));
  std::vector<PdfFont> fonts;
  std::string line;
  bool past_rule = false;
  while (std::getline(lines, line)) {
    if (!past_rule) {
      past_rule = line.starts_with("----");
      continue;
    }
    std::istringstream words(line);
    std::vector<std::string> columns;
    for (std::string word; words >> word;) columns.push_back(word);
    // name … emb sub uni object-number generation
    if (columns.size() < 7) continue;
    PdfFont font;
    font.name = columns[0];
    const std::size_t emb = columns.size() - 5;
    for (std::size_t i = 1; i + 1 < emb; ++i) font.type += (font.type.empty() ? "" : " ") + columns[i];
    font.embedded = columns[emb] == "yes";
    fonts.push_back(std::move(font));
  }
  return fonts;
}

}  // namespace lantai::testing
