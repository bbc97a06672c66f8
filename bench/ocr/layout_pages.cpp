#include "bench/ocr/layout_pages.h"

#include <opencv2/imgproc.hpp>

#include <random>

#include "pipeline/utf8.h"
#include "samples/sample_document.h"

namespace lantai::bench {

namespace {

constexpr int kWidth = 2480, kHeight = 3508, kMargin = 250;
constexpr int kSize = 44;          // 10.5 pt at 300 dpi
constexpr int kLineStep = 72;      // 1.6 lines
constexpr int kColumnGap = 120;

// Invented English prose about archives, for Latin columns.
const std::vector<std::string> kEnglish = {
    "Every record that enters the archive is described in the catalogue before it is scanned, so that "
    "the image and its description can be linked by the reference code.",
    "The scanning contractor checks each page for skew, cropping and legibility, and sends back any page "
    "that does not meet the profile agreed with the archive office.",
    "Colour is kept for pages that carry seals, red headings or photographs, because the original "
    "appearance of the document is part of its evidential value.",
    "Checksums are computed when a file is first written and verified again when the package is received, "
    "so that any change on the way can be detected.",
    "A record withheld from deposit stays in the work area with its findings until an inspector accepts "
    "it, corrects it or asks for a new scan.",
    "The registration centre compares the digest printed on the form with the one it computes from the "
    "package, scans it for viruses and signs the acceptance form.",
};

struct Writer {
  samples::TextRenderer& text;
  cv::Mat& page;
  std::string truth;

  // Fills the column [left, left + width) from top, line after line; returns the next baseline.
  int paragraph(const std::u32string& body, int left, int width, int baseline, int bottom, bool latin) {
    std::u32string line;
    auto flush = [&](bool last) {
      while (!line.empty() && line.back() == U' ') line.pop_back();
      if (!line.empty() && baseline < bottom) {
        text.draw(page, line, left, baseline, kSize, samples::FontWeight::regular, cv::Scalar(0, 0, 0));
        truth += to_utf8(line);
        if (latin && !last) truth += " ";
      }
      baseline += kLineStep;
      line.clear();
    };
    std::size_t at = 0;
    while (at < body.size() && baseline < bottom) {
      // Latin wraps at spaces, Chinese at any character.
      std::size_t end = at + 1;
      if (latin)
        while (end < body.size() && body[end - 1] != U' ') ++end;
      const std::u32string piece = body.substr(at, end - at);
      if (!line.empty() && text.width_px(line + piece, kSize, samples::FontWeight::regular) > width) flush(false);
      line += piece;
      at = end;
    }
    flush(true);
    return baseline + kLineStep / 2;
  }

  void columns(const std::vector<std::u32string>& paragraphs, int count, bool latin) {
    const int width = (kWidth - 2 * kMargin - (count - 1) * kColumnGap) / count;
    std::size_t next = 0;
    for (int column = 0; column < count; ++column) {
      const int left = kMargin + column * (width + kColumnGap);
      int baseline = kMargin + kSize;
      while (next < paragraphs.size() && baseline < kHeight - kMargin - 4 * kLineStep)
        baseline = paragraph(paragraphs[next++], left, width, baseline, kHeight - kMargin, latin);
    }
  }
};

std::vector<std::u32string> chinese_paragraphs(std::mt19937& random, int count) {
  std::vector<std::string> pool;
  for (const auto& document : samples::sample_documents()) pool.insert(pool.end(), document.body.begin(), document.body.end());
  for (const auto& clause : samples::shared_clauses()) pool.push_back(clause);
  std::shuffle(pool.begin(), pool.end(), random);
  std::vector<std::u32string> out;
  for (int i = 0; i < count && i < static_cast<int>(pool.size()); ++i) out.push_back(to_code_points(pool[i]));
  return out;
}

LayoutPage blank(const std::string& layout) {
  return {layout, cv::Mat(kHeight, kWidth, CV_8UC1, cv::Scalar(255)), {}};
}

}  // namespace

std::vector<LayoutPage> make_layout_pages(samples::TextRenderer& text, unsigned seed) {
  std::mt19937 random(seed);
  std::vector<LayoutPage> pages;

  for (const auto& [layout, columns] : std::vector<std::pair<std::string, int>>{{"one column", 1}, {"two columns", 2}}) {
    LayoutPage page = blank(layout);
    Writer writer{text, page.image, {}};
    writer.columns(chinese_paragraphs(random, 14), columns, false);
    page.truth = writer.truth;
    pages.push_back(std::move(page));
  }

  {
    LayoutPage page = blank("two columns, English");
    std::vector<std::string> pool = kEnglish;
    std::shuffle(pool.begin(), pool.end(), random);
    std::vector<std::u32string> paragraphs;
    for (int round = 0; round < 3; ++round)
      for (const auto& paragraph : pool) paragraphs.push_back(to_code_points(paragraph + " "));
    Writer writer{text, page.image, {}};
    writer.columns(paragraphs, 2, true);
    page.truth = writer.truth;
    pages.push_back(std::move(page));
  }

  {
    // A ruled register: 序号, 档号, 题名, 日期, read row by row.
    LayoutPage page = blank("table");
    Writer writer{text, page.image, {}};
    std::vector<int> x = {kMargin};
    for (int w : {160, 560, 900, 360}) x.push_back(x.back() + w);
    const int row_height = 110;
    const auto& documents = samples::sample_documents();
    const int rows = std::min<int>(20, static_cast<int>(documents.size()) + 1);
    std::vector<int> order(documents.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    std::shuffle(order.begin(), order.end(), random);
    for (int row = 0; row < rows; ++row) {
      const int top = kMargin + row * row_height;
      std::vector<std::string> cells = {"序号", "文号", "题名", "日期"};
      if (row > 0) {
        const auto& document = documents[static_cast<std::size_t>(order[static_cast<std::size_t>(row - 1)])];
        std::u32string title = to_code_points(document.title);
        if (title.size() > 18) title = title.substr(0, 18);
        cells = {std::to_string(row), document.doc_number.empty() ? "无" : document.doc_number,
                 to_utf8(title), document.date};
      }
      for (std::size_t column = 0; column < cells.size(); ++column) {
        const std::u32string cell = to_code_points(cells[column]);
        text.draw(page.image, cell, x[column] + 20, top + row_height / 2 + kSize / 2 - 4, kSize,
                  samples::FontWeight::regular, cv::Scalar(0, 0, 0));
        writer.truth += cells[column];
      }
      cv::line(page.image, {x.front(), top}, {x.back(), top}, cv::Scalar(0), 3);
    }
    const int bottom = kMargin + rows * row_height;
    cv::line(page.image, {x.front(), bottom}, {x.back(), bottom}, cv::Scalar(0), 3);
    for (int column_x : x) cv::line(page.image, {column_x, kMargin}, {column_x, bottom}, cv::Scalar(0), 3);
    page.truth = writer.truth;
    pages.push_back(std::move(page));
  }

  {
    // 竖排: characters top to bottom, columns right to left, each paragraph a new column.
    LayoutPage page = blank("vertical Chinese");
    int column_x = kWidth - kMargin;
    for (const std::u32string& paragraph : chinese_paragraphs(random, 14)) {
      const std::u32string drawn = text.draw_vertical(page.image, paragraph, column_x, kMargin, kMargin,
                                                      kHeight - kMargin, kSize, 80, cv::Scalar(0, 0, 0));
      page.truth += to_utf8(drawn);
      if (drawn.size() < paragraph.size()) break;
    }
    pages.push_back(std::move(page));
  }
  return pages;
}

}  // namespace lantai::bench
