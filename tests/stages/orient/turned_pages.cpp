#include "turned_pages.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

#include "pipeline/utf8.h"
#include "samples/page_composer.h"
#include "samples/sample_document.h"
#include "samples/scan_effects.h"
#include "samples/seeded_random.h"
#include "samples/text_renderer.h"

namespace lantai::orient::testing {

namespace {

using samples::FontWeight;
using samples::SeededRandom;
using samples::TextRenderer;

const cv::Scalar kBlack(30, 30, 30);

// English of the kind archive lots hold (minutes, letters, reports).
const std::vector<std::string> kWords = {
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be", "by",
    "on", "not", "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had",
    "they", "you", "were", "their", "one", "all", "we", "can", "her", "has", "there", "been", "if",
    "more", "when", "will", "would", "who", "so", "no", "records", "archive", "committee", "meeting",
    "report", "budget", "quarterly", "shipping", "property", "deposit", "catalogue", "register",
    "survey", "library", "bridge", "harbour", "highway", "study", "equipment", "public", "policy",
    "July", "August", "Council", "Board", "Mr.", "County", "agreed", "proposed", "approved", "during",
    "following", "question", "number", "yearly", "grant", "payment", "copy", "signed", "typed",
    "jobs", "quality", "keeping", "justify", "supply", "buildings", "paper", "fragile", "daily",
};

int scaled(double px_at_300, int dpi) { return std::max(1, static_cast<int>(std::lround(px_at_300 * dpi / 300.0))); }

std::string random_sentence(SeededRandom& random) {
  std::string sentence;
  const int words = random.uniform_int(6, 18);
  for (int i = 0; i < words; ++i) {
    std::string word = kWords[static_cast<size_t>(random.uniform_int(0, static_cast<int>(kWords.size()) - 1))];
    if (i == 0) word[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(word[0])));
    sentence += (i ? " " : "") + word;
    if (i + 1 < words && random.chance(0.08)) sentence += ",";
  }
  return sentence + ".";
}

std::string latin_paragraph(SeededRandom& random) {
  std::string text;
  const int sentences = random.uniform_int(2, 5);
  for (int i = 0; i < sentences; ++i) text += (i ? " " : "") + random_sentence(random);
  return text;
}

std::string chinese_paragraph(SeededRandom& random) {
  const auto& documents = samples::sample_documents();
  const auto& clauses = samples::shared_clauses();
  if (random.chance(0.5)) return clauses[static_cast<size_t>(random.uniform_int(0, static_cast<int>(clauses.size()) - 1))];
  const auto& body = documents[static_cast<size_t>(random.uniform_int(0, static_cast<int>(documents.size()) - 1))].body;
  return body[static_cast<size_t>(random.uniform_int(0, static_cast<int>(body.size()) - 1))];
}

// Breaks text into lines no wider than width_px: at spaces for Latin, anywhere for Chinese.
std::vector<std::u32string> wrap(TextRenderer& text, const std::u32string& paragraph, int width_px, int size_px,
                                 int first_indent_px, bool latin) {
  std::vector<std::u32string> lines;
  std::u32string line;
  size_t at = 0;
  while (at < paragraph.size()) {
    size_t end = at + 1;
    if (latin) {
      end = paragraph.find(U' ', at);
      end = end == std::u32string::npos ? paragraph.size() : end + 1;
    }
    std::u32string token = paragraph.substr(at, end - at);
    const int limit = width_px - (lines.empty() ? first_indent_px : 0);
    if (!line.empty() && text.width_px(line + token, size_px, FontWeight::regular) > limit) {
      while (!line.empty() && line.back() == U' ') line.pop_back();
      lines.push_back(line);
      line.clear();
    }
    line += token;
    at = end;
  }
  while (!line.empty() && line.back() == U' ') line.pop_back();
  if (!line.empty()) lines.push_back(line);
  return lines;
}

struct Column {
  int left_px, width_px;
};

// Paragraphs set into a column from top_px; returns the baseline after the last line and
// adds the lines drawn to text_out. justify spreads Latin words (or Chinese characters) to
// the full measure on all but a paragraph's last line.
int set_paragraphs(TextRenderer& text, cv::Mat& canvas, const std::vector<std::string>& paragraphs, Column column,
                   int top_px, int bottom_px, int size_px, int pitch_px, bool latin, bool justify,
                   std::string& text_out) {
  int baseline = top_px + size_px;
  const int indent_px = latin ? 3 * size_px / 2 : 2 * size_px;
  for (const auto& paragraph : paragraphs) {
    auto lines = wrap(text, to_code_points(paragraph), column.width_px, size_px, indent_px, latin);
    for (size_t i = 0; i < lines.size(); ++i) {
      if (baseline > bottom_px) return baseline;
      const int left = column.left_px + (i == 0 ? indent_px : 0);
      const int measure = column.width_px - (i == 0 ? indent_px : 0);
      const bool last = i + 1 == lines.size();
      int spacing = 0;
      if (justify && !last && lines[i].size() > 1 && !latin) {
        const int natural = text.width_px(lines[i], size_px, FontWeight::regular);
        spacing = std::max(0, (measure - natural) / static_cast<int>(lines[i].size() - 1));
      }
      if (justify && !last && latin) {
        // Spread the words: draw each at its place along the measure.
        std::vector<std::u32string> words;
        size_t at = 0;
        while (at <= lines[i].size()) {
          size_t end = lines[i].find(U' ', at);
          if (end == std::u32string::npos) end = lines[i].size();
          words.push_back(lines[i].substr(at, end - at));
          at = end + 1;
        }
        int ink = 0;
        for (const auto& w : words) ink += text.width_px(w, size_px, FontWeight::regular);
        const double gap = words.size() > 1 ? double(measure - ink) / double(words.size() - 1) : 0;
        double x = left;
        for (const auto& w : words) {
          text.draw(canvas, w, static_cast<int>(x), baseline, size_px, FontWeight::regular, kBlack);
          x += text.width_px(w, size_px, FontWeight::regular) + gap;
        }
      } else {
        text.draw(canvas, lines[i], left, baseline, size_px, FontWeight::regular, kBlack, spacing);
      }
      text_out += to_utf8(lines[i]) + "\n";
      baseline += pitch_px;
    }
    baseline += pitch_px / 3;
  }
  return baseline;
}

void centred(TextRenderer& text, cv::Mat& canvas, const std::string& line, int baseline, int size_px,
             FontWeight weight, std::string& text_out) {
  const auto points = to_code_points(line);
  const int width = text.width_px(points, size_px, weight);
  text.draw(canvas, points, (canvas.cols - width) / 2, baseline, size_px, weight, kBlack);
  text_out += line + "\n";
}

cv::Mat white(int width_px, int height_px) { return cv::Mat(height_px, width_px, CV_8UC1, cv::Scalar(255)); }

cv::Mat draw_chinese(TextRenderer& text, SeededRandom& random, int dpi, std::string& text_out) {
  samples::PageComposer composer(text);
  const auto& documents = samples::sample_documents();
  const auto& document = documents[static_cast<size_t>(random.uniform_int(0, static_cast<int>(documents.size()) - 1))];
  const auto layouts = composer.lay_out(document, random.uniform_int(2, 3), random.uniform_int(0, 20), random);
  const auto& layout = layouts[static_cast<size_t>(random.uniform_int(0, static_cast<int>(layouts.size()) - 1))];
  for (const auto& line : layout.text_lines()) text_out += line + "\n";
  return composer.paint(layout, dpi);
}

cv::Mat draw_text_page(TextRenderer& text, SeededRandom& random, int dpi, bool latin, int columns, bool landscape,
                       std::string& text_out) {
  const cv::Size a4 = samples::a4_size_px(dpi);
  cv::Mat page = landscape ? white(a4.height, a4.width) : white(a4.width, a4.height);
  const int margin = scaled(random.uniform(240, 330), dpi);
  const int size = scaled(latin ? random.uniform(38, 50) : random.uniform(42, 54), dpi);
  const int pitch = static_cast<int>(size * (latin ? random.uniform(1.2, 1.6) : random.uniform(1.5, 1.8)));
  const bool justify = random.chance(0.5);
  int top = margin;
  if (random.chance(0.7)) {
    const std::string title = latin ? "Report of the " + kWords[static_cast<size_t>(random.uniform_int(50, 70))] + " committee"
                                    : samples::sample_documents()[static_cast<size_t>(random.uniform_int(0, 3))].title;
    centred(text, page, title, top + size * 3 / 2, size * 3 / 2, FontWeight::bold, text_out);
    top += size * 3;
  }
  const int gutter = scaled(90, dpi);
  const int column_width = (page.cols - 2 * margin - (columns - 1) * gutter) / columns;
  const int bottom = page.rows - margin - 2 * size;
  for (int c = 0; c < columns; ++c) {
    std::vector<std::string> paragraphs;
    for (int i = 0; i < 12; ++i) paragraphs.push_back(latin ? latin_paragraph(random) : chinese_paragraph(random));
    set_paragraphs(text, page, paragraphs, {margin + c * (column_width + gutter), column_width}, top, bottom, size,
                   pitch, latin, justify, text_out);
  }
  if (random.chance(0.6)) centred(text, page, "- " + std::to_string(random.uniform_int(1, 40)) + " -",
                                  page.rows - margin / 2, size, FontWeight::regular, text_out);
  return page;
}

cv::Mat draw_table(TextRenderer& text, SeededRandom& random, int dpi, std::string& text_out) {
  const cv::Size a4 = samples::a4_size_px(dpi);
  cv::Mat page = white(a4.width, a4.height);
  const int margin = scaled(280, dpi);
  const int size = scaled(random.uniform(40, 50), dpi);
  centred(text, page, "归档文件目录", margin + size * 2, size * 2, FontWeight::bold, text_out);
  const std::vector<std::string> header = {"件号", "责任者", "文号", "题名", "日期", "页数"};
  const std::vector<double> widths = {0.08, 0.18, 0.18, 0.38, 0.11, 0.07};
  const int table_width = page.cols - 2 * margin;
  const int row_height = size * 2;
  const int rows = random.uniform_int(10, 24);
  const int top = margin + size * 4;
  const int thickness = scaled(3, dpi);
  const auto& documents = samples::sample_documents();
  for (int r = 0; r <= rows; ++r) {
    int x = margin;
    const auto& document = documents[static_cast<size_t>(random.uniform_int(0, static_cast<int>(documents.size()) - 1))];
    const std::vector<std::string> cells = {std::to_string(r), document.creator, document.doc_number,
                                            document.title, document.date, std::to_string(random.uniform_int(1, 30))};
    const int y = top + r * row_height;
    for (size_t c = 0; c < widths.size(); ++c) {
      const int w = static_cast<int>(widths[c] * table_width);
      std::u32string cell = to_code_points(r == 0 ? header[c] : cells[c]);
      const int cell_size = r == 0 ? size : size * 3 / 4;
      while (cell.size() > 1 && text.width_px(cell, cell_size, FontWeight::regular) > w - size / 2) cell.pop_back();
      text.draw(page, cell, x + size / 4, y + row_height * 2 / 3, cell_size, r == 0 ? FontWeight::bold : FontWeight::regular, kBlack);
      text_out += to_utf8(cell) + (c + 1 == widths.size() ? "\n" : " ");
      cv::line(page, {x, top}, {x, top + (rows + 1) * row_height}, kBlack, thickness);
      x += w;
    }
    cv::line(page, {margin, y}, {margin + table_width, y}, kBlack, thickness);
    if (r == rows) {
      cv::line(page, {margin, y + row_height}, {margin + table_width, y + row_height}, kBlack, thickness);
      cv::line(page, {x, top}, {x, y + row_height}, kBlack, thickness);
    }
  }
  return page;
}

// A sheet with nothing written on it, or a few marks that are not text: a faint stain, a
// pencil tick, a punched hole's shadow.
cv::Mat draw_near_blank(SeededRandom& random, int dpi) {
  const cv::Size a4 = samples::a4_size_px(dpi);
  cv::Mat page = white(a4.width, a4.height);
  cv::ellipse(page, {random.uniform_int(300, a4.width - 300), random.uniform_int(300, a4.height - 300)},
              {scaled(random.uniform(60, 200), dpi), scaled(random.uniform(40, 150), dpi)}, random.uniform(0, 180), 0,
              360, cv::Scalar(random.uniform_int(200, 225)), cv::FILLED);
  const cv::Point tick(random.uniform_int(200, a4.width - 200), random.uniform_int(200, a4.height - 200));
  cv::line(page, tick, tick + cv::Point(scaled(random.uniform(-60, 60), dpi), scaled(random.uniform(-60, 60), dpi)),
           cv::Scalar(110), scaled(3, dpi));
  if (random.chance(0.5))
    cv::circle(page, {scaled(120, dpi), a4.height / 2}, scaled(30, dpi), cv::Scalar(160), cv::FILLED);
  return page;
}

}  // namespace

std::string to_string(PageClass page_class) {
  switch (page_class) {
    case PageClass::chinese: return "chinese";
    case PageClass::latin: return "latin";
    case PageClass::two_column: return "two_column";
    case PageClass::table: return "table";
    case PageClass::landscape: return "landscape";
    case PageClass::blank: return "blank";
    case PageClass::near_blank: return "near_blank";
  }
  return "?";
}

const std::vector<PageClass>& all_page_classes() {
  static const std::vector<PageClass> classes = {PageClass::chinese, PageClass::latin,     PageClass::two_column,
                                                 PageClass::table,   PageClass::landscape, PageClass::blank,
                                                 PageClass::near_blank};
  return classes;
}

cv::Mat turn_clockwise(const cv::Mat& page, int degrees) {
  cv::Mat turned;
  switch (((degrees % 360) + 360) % 360) {
    case 90: cv::rotate(page, turned, cv::ROTATE_90_CLOCKWISE); return turned;
    case 180: cv::rotate(page, turned, cv::ROTATE_180); return turned;
    case 270: cv::rotate(page, turned, cv::ROTATE_90_COUNTERCLOCKWISE); return turned;
    default: return page.clone();
  }
}

namespace {

TurnedPage draw_upright(TextRenderer& text, PageClass page_class, std::uint32_t seed, int max_dpi) {
  SeededRandom random(seed);
  static const int kDpis[] = {200, 300, 400};
  TurnedPage page;
  page.page_class = page_class;
  do page.resolution_dpi = kDpis[random.uniform_int(0, 2)];
  while (page.resolution_dpi > max_dpi);
  cv::Mat sheet;
  const int dpi = page.resolution_dpi;
  switch (page_class) {
    case PageClass::chinese: sheet = draw_chinese(text, random, dpi, page.text); break;
    case PageClass::latin: sheet = draw_text_page(text, random, dpi, true, 1, false, page.text); break;
    case PageClass::two_column:
      sheet = draw_text_page(text, random, dpi, random.chance(0.5), 2, false, page.text);
      break;
    case PageClass::table: sheet = draw_table(text, random, dpi, page.text); break;
    case PageClass::landscape:
      sheet = draw_text_page(text, random, dpi, random.chance(0.3), random.chance(0.3) ? 2 : 1, true, page.text);
      break;
    case PageClass::blank: sheet = white(samples::a4_size_px(dpi).width, samples::a4_size_px(dpi).height); break;
    case PageClass::near_blank: sheet = draw_near_blank(random, dpi); break;
  }
  page.has_text = !page.text.empty();
  const bool blank = !page.has_text;
  samples::ScanEffects effects =
      blank ? samples::ScanEffects::blank_sheet(random)
            : samples::ScanEffects::typical(random, random.chance(0.6) ? random.uniform(-3, 3) : random.uniform(-12, 12));
  cv::Mat scan = samples::simulate_scan(sheet, effects, dpi);
  // Grey or colour as drawn; about one in five stored 1-bit.
  if (random.chance(0.2)) {
    if (scan.channels() == 3) cv::cvtColor(scan, scan, cv::COLOR_BGR2GRAY);
    cv::threshold(scan, scan, 150, 255, cv::THRESH_BINARY);
  }
  page.upright = scan;
  return page;
}

}  // namespace

TurnedPage make_vertical_page(int correction_deg, std::uint32_t seed, bool straightened) {
  TextRenderer text;
  SeededRandom random(seed);
  TurnedPage page;
  page.page_class = PageClass::chinese;
  page.resolution_dpi = 300;
  const cv::Size a4 = samples::a4_size_px(page.resolution_dpi);
  cv::Mat sheet = white(a4.width, a4.height);
  const int margin = scaled(250, page.resolution_dpi), size = scaled(44, page.resolution_dpi);
  int column_x = a4.width - margin;
  for (int paragraph = 0; paragraph < 8; ++paragraph) {
    const std::u32string wanted = to_code_points(chinese_paragraph(random));
    const std::u32string drawn = text.draw_vertical(sheet, wanted, column_x, margin, margin, a4.height - margin, size,
                                                    scaled(80, page.resolution_dpi), kBlack);
    page.text += to_utf8(drawn) + "\n";
    if (drawn.size() < wanted.size()) break;
  }
  samples::ScanEffects effects = samples::ScanEffects::typical(random, random.uniform(-2, 2));
  if (straightened) {  // as deskew hands it on: straight, the scanner's border cleared
    effects.skew_deg = 0;
    effects.dark_edges.clear();
    effects.border_px = 0;
  }
  page.upright = samples::simulate_scan(sheet, effects, page.resolution_dpi);
  page.correction_deg = correction_deg;
  page.scan = turn_clockwise(page.upright, 360 - correction_deg);
  return page;
}

TurnedPage make_turned_page(PageClass page_class, int correction_deg, std::uint32_t seed) {
  TextRenderer text;
  TurnedPage page = draw_upright(text, page_class, seed, 400);
  page.correction_deg = correction_deg;
  page.scan = turn_clockwise(page.upright, 360 - correction_deg);
  return page;
}

void for_each_turned_page(std::uint32_t seed, int per_class, int max_dpi,
                          const std::function<void(const TurnedPage&)>& use) {
  for_each_turned_page(seed, per_class, max_dpi, samples::Typeface::serif, use);
}

void for_each_turned_page(std::uint32_t seed, int per_class, int max_dpi, samples::Typeface typeface,
                          const std::function<void(const TurnedPage&)>& use) {
  TextRenderer text(typeface);
  std::uint32_t index = 0;
  for (PageClass page_class : all_page_classes()) {
    for (int i = 0; i < per_class; ++i) {
      TurnedPage page = draw_upright(text, page_class, SeededRandom::derive(seed, ++index), max_dpi);
      for (int correction : {0, 90, 180, 270}) {
        page.correction_deg = correction;
        page.scan = turn_clockwise(page.upright, 360 - correction);
        use(page);
      }
    }
  }
}

}  // namespace lantai::orient::testing
