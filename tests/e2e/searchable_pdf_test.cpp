// The searchable PDF of each deposited record, through the real `lantai run` on the
// sample lot, read back with poppler's pdftotext as a viewer would.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <regex>

#include "pipeline/utf8.h"
#include "tests/e2e/e2e_support.h"
#include "tests/stages/searchable_pdf/pdf_text.h"

namespace lantai::e2e {
namespace {

namespace fs = std::filesystem;
using pdf_testing::without_spaces;

std::vector<std::string> deposited_records() {
  std::vector<std::string> refs;
  for (const auto& row : read_csv(e2e_dir() / "work" / "reports" / "records.csv"))
    if (row.at("status") == "deposited") refs.push_back(row.at("record"));
  return refs;
}

std::string serial(int seq) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d", seq);
  return text;
}

int pages_of(const fs::path& folder) {
  int pages = 0;
  for (const auto& entry : fs::directory_iterator(folder)) pages += entry.path().extension() == ".jpg";
  return pages;
}

struct Box {
  double x0, y0, x1, y1;
};

struct HocrWord {
  Box box;
  Box line;  // the text line it stands on: Tesseract sets each word on its line's baseline
  bool turned = false;  // its line runs up or down the page (textangle): a seal's rim, a margin note
};

// The words of an hOCR page with their boxes and their lines', and the page's size, in its pixels.
std::vector<HocrWord> hocr_words(const std::string& hocr, Box& page) {
  std::smatch match;
  if (std::regex_search(hocr, match, std::regex(R"re(class='ocr_page'[^>]*bbox (\d+) (\d+) (\d+) (\d+))re")))
    page = {std::stod(match[1]), std::stod(match[2]), std::stod(match[3]), std::stod(match[4])};
  std::vector<HocrWord> words;
  Box line{};
  bool turned = false;
  const std::regex span(
      R"re(class='(ocr_line|ocr_textfloat|ocr_header|ocr_caption|ocrx_word)'[^>]*title=["']bbox (\d+) (\d+) (\d+) (\d+)([^"']*))re");
  for (auto it = std::sregex_iterator(hocr.begin(), hocr.end(), span); it != std::sregex_iterator(); ++it) {
    const Box box{std::stod((*it)[2]), std::stod((*it)[3]), std::stod((*it)[4]), std::stod((*it)[5])};
    if ((*it)[1] == "ocrx_word") {
      words.push_back({box, line, turned});
    } else {
      line = box;
      turned = (*it)[6].str().find("textangle") != std::string::npos;
    }
  }
  return words;
}

//! Each deposited record carries its searchable PDF in the bag beside its pages, one PDF page per page, listed in the manifests and in the processing history.
TEST(SearchablePdf, EachDepositedRecordCarriesItsPdf) {
  const fs::path bag = bag_of(e2e_dir() / "work");
  const std::vector<std::string> refs = deposited_records();
  ASSERT_GE(refs.size(), 3u);
  const std::string manifest = slurp(bag / "manifest-sha256.txt");
  for (const std::string& ref : refs) {
    const fs::path folder = bag / "data" / "entity" / fs::u8path(ref);
    const fs::path pdf = folder / fs::u8path(ref + ".pdf");
    ASSERT_TRUE(fs::is_regular_file(pdf)) << pdf;
    EXPECT_NE(manifest.find("data/entity/" + ref + "/" + ref + ".pdf"), std::string::npos) << ref;
    const std::string info = pdf_testing::command_output("pdfinfo " + pdf_testing::quoted(pdf));
    EXPECT_NE(info.find("Pages:           " + std::to_string(pages_of(folder)) + "\n"), std::string::npos) << info;
  }
  const std::string history = slurp(bag / "metadata" / "processing-history.json");
  EXPECT_NE(history.find("\"stage\": \"searchable_pdf\""), std::string::npos);
  EXPECT_NE(history.find("\"kind\": \"searchable_pdf\""), std::string::npos);
}

// The share of a's characters that b holds in the same order (longest common subsequence).
double in_order(const std::string& a, const std::string& b) {
  const std::u32string x = to_code_points(a), y = to_code_points(b);
  std::vector<int> row(y.size() + 1, 0);
  for (char32_t c : x) {
    int diagonal = 0;
    for (std::size_t j = 1; j <= y.size(); ++j) {
      const int above = row[j];
      row[j] = c == y[j - 1] ? diagonal + 1 : std::max(row[j], row[j - 1]);
      diagonal = above;
    }
  }
  return x.empty() ? 1.0 : static_cast<double>(row.back()) / static_cast<double>(x.size());
}

//! pdftotext finds on each page of a record's PDF the text OCR read from that page: in the file's order (-raw) exactly, and as poppler lays the pages out, at least 97% of all their characters in the same order (and 80% of any one page's: a line OCR garbled into stray Latin on a bilevel page is placed by its own boxes, see docs/design-notes.md).
TEST(SearchablePdf, PdftotextGivesTheOcrTextInOrder) {
  const fs::path bag = bag_of(e2e_dir() / "work");
  int pages = 0;
  double worst = 1, in_order_chars = 0, chars = 0;
  for (const std::string& ref : deposited_records()) {
    const fs::path folder = bag / "data" / "entity" / fs::u8path(ref);
    const fs::path pdf = folder / fs::u8path(ref + ".pdf");
    for (int seq = 1; seq <= pages_of(folder); ++seq) {
      const std::string ocr = without_spaces(slurp(folder / (serial(seq) + ".txt")));
      ASSERT_FALSE(ocr.empty()) << ref << " page " << seq;
      EXPECT_EQ(without_spaces(pdf_testing::pdftotext(pdf, seq, true)), ocr) << ref << " page " << seq;
      const double laid_out = in_order(ocr, without_spaces(pdf_testing::pdftotext(pdf, seq)));
      EXPECT_GE(laid_out, 0.8) << ref << " page " << seq;
      worst = std::min(worst, laid_out);
      const double page_chars = static_cast<double>(to_code_points(ocr).size());
      in_order_chars += laid_out * page_chars;
      chars += page_chars;
      ++pages;
    }
  }
  EXPECT_GE(pages, 6);
  EXPECT_GE(in_order_chars / chars, 0.97);
  std::printf("pages %d, pdftotext in layout order holds %.4f of the OCR text in order, at worst %.4f of a page's\n",
              pages, in_order_chars / chars, worst);
}

//! The text layer lies over the words: every word pdftotext finds on a page lies, within 1.5 pt, across inside the box of a word OCR found there and up and down on that word's line (hOCR, scaled to points); a word of a line running up or down the page has its middle inside its box.
TEST(SearchablePdf, TextLayerLiesOverTheOcrWords) {
  const fs::path bag = bag_of(e2e_dir() / "work");
  const std::vector<std::string> refs = deposited_records();
  ASSERT_FALSE(refs.empty());
  constexpr double kTolerancePt = 1.5;
  int words_checked = 0;
  double worst = 0;
  for (const std::string& ref : refs) {
    const fs::path folder = bag / "data" / "entity" / fs::u8path(ref);
    const fs::path pdf = folder / fs::u8path(ref + ".pdf");
    for (int seq = 1; seq <= pages_of(folder); ++seq) {
      Box page{};
      const std::vector<HocrWord> words = hocr_words(slurp(folder / (serial(seq) + ".hocr")), page);
      const pdf_testing::PdfPageWords found = pdf_testing::pdftotext_words(pdf, seq);
      ASSERT_GT(page.x1, 0) << ref << " page " << seq;
      const double sx = found.width / page.x1, sy = found.height / page.y1;  // points per pixel read
      for (const pdf_testing::PdfWord& word : found.words) {
        // The hOCR word that holds this word best: how far it sticks out of that word's box
        // across, or its middle out of that word's line up or down.
        double least = 1e9;
        const double middle = (word.y_min + word.y_max) / 2;
        for (const HocrWord& ocr : words) {
          double across = std::max({ocr.box.x0 * sx - word.x_min, word.x_max - ocr.box.x1 * sx, 0.0});
          double up_down = std::max({ocr.line.y0 * sy - middle, middle - ocr.line.y1 * sy, 0.0});
          if (ocr.turned) {  // set along its line, which runs up or down: its middle lies in its box
            const double centre = (word.x_min + word.x_max) / 2;
            across = std::max({ocr.box.x0 * sx - centre, centre - ocr.box.x1 * sx, 0.0});
            up_down = std::max({ocr.box.y0 * sy - middle, middle - ocr.box.y1 * sy, 0.0});
          }
          least = std::min(least, std::max(across, up_down));
        }
        EXPECT_LE(least, kTolerancePt) << ref << " page " << seq << ": '" << word.text << "' at " << word.x_min << ","
                                       << word.y_min << " lies over no word OCR found";
        worst = std::max(worst, least);
        ++words_checked;
      }
    }
  }
  EXPECT_GE(words_checked, 50);
  std::printf("words checked %d, worst distance outside an OCR word box %.2f pt\n", words_checked, worst);
}

}  // namespace
}  // namespace lantai::e2e
