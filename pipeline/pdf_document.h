// A printable A4 document (reports, notices, forms) written as PDF through cairo and
// pango: text in any script, CJK included, laid out and wrapped by pango, the fonts it
// uses embedded (subset) by cairo, so the file prints the same on any machine.
//
// Blocks are added top to bottom; a block that does not fit on the page starts a new
// one (a table repeats its header there). Every page carries a footer: the document's
// footer text and "第 n 页 共 m 页" (pages are kept as recordings until finish() knows m).
// Text is plain UTF-8, never markup; a line broken inside a word (a digest, a 档号) gains
// no hyphen, so what is copied from the page is what was written.
//
// One document per object, built on one thread; separate documents may be built on
// separate threads at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lantai {

struct PdfStyle {
  std::string font_family = "Noto Serif CJK SC";  // fontconfig family (fonts-noto-cjk)
  double body_pt = 10.5;                           // 五号
  double title_pt = 18;
  double heading_pt = 13;
  double margin_mm = 20;
};

enum class PdfAlign { left, centre, right };

struct PdfColumn {
  std::string header;
  double width_share = 1;  // of the text width, relative to the other columns
  PdfAlign align = PdfAlign::left;  // of the column's cells; headers are centred
};

// One box of a ruled grid row (a form's label or value).
struct PdfCell {
  std::string text;
  double width_share = 1;  // of the text width, relative to the row's other cells
  bool bold = false;
  PdfAlign align = PdfAlign::left;
};

// A box for a seal (盖章) or signatures: its heading at the top, room below, and the lines
// to sign or date at its foot ("经办人（签字）：", "日期：    年  月  日").
struct PdfSignBox {
  std::string heading;
  std::vector<std::string> lines;
};

class PdfDocument {
 public:
  // title: the first line of the first page and the file's Title metadata; footer:
  // printed at the foot of every page before the page number.
  PdfDocument(std::string title, std::string footer, PdfStyle style = {});
  ~PdfDocument();
  PdfDocument(const PdfDocument&) = delete;
  PdfDocument& operator=(const PdfDocument&) = delete;

  // A centred line under the title (a form's subtitle).
  void subtitle(std::string_view text);
  void heading(std::string_view text);
  void paragraph(std::string_view text, bool bold = false);
  // Label and value pairs, two columns: 全宗号  J012.
  void fields(const std::vector<std::pair<std::string, std::string>>& fields);
  // A ruled table; cells wrap within their column and are centred vertically; a table
  // longer than the page goes on over the next with its header row repeated. size_pt:
  // the text's size, 0 for the body's; min_row_height_mm: rows at least this high.
  void table(const std::vector<PdfColumn>& columns, const std::vector<std::vector<std::string>>& rows,
             double size_pt = 0, double min_row_height_mm = 0);
  // Rows of boxes, each row divided as its cells say (a form's label and value grid).
  // Text is centred vertically in its box; a row is at least min_row_height_mm high (room
  // to write by hand). ruled: false draws no rules (the line of 全宗号 and 单位名称 above a form).
  void grid(const std::vector<std::vector<PdfCell>>& rows, bool ruled = true, double min_row_height_mm = 0);
  // Boxes side by side across the text width, height_mm high, kept on one page.
  void sign_boxes(const std::vector<PdfSignBox>& boxes, double height_mm);
  // Lines to sign on: "验收人：________  日期：________".
  void signature_lines(const std::vector<std::string>& labels);

  // The PDF's bytes. The document cannot be added to afterwards. Throws
  // std::runtime_error when cairo fails.
  std::string finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace lantai
