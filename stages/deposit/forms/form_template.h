// The layout of a registration form (登记备份表格), described once as data: its title, the
// line of 全宗号 and 单位名称 above it, ruled grids of label and value boxes, ruled tables
// whose rows come from a list, boxes for seals and signatures, and notes. Each form is one
// file under templates/; the PDF and XLSX renderers read any of them, so a form changes
// by changing its template, never its drawing code.
//
// Widths are in millimetres across the form's width (kFormWidthMm, A4 less its margins);
// the renderers scale them to fit, so they need not add up exactly. A value is named by
// its key in FormValues (form_values.h); an empty key leaves the box blank, to be filled
// by hand (the registration centre's part of a form).
#pragma once

#include <string_view>
#include <variant>
#include <vector>

namespace lantai::deposit::forms {

inline constexpr double kFormMarginMm = 15;
inline constexpr double kFormWidthMm = 210 - 2 * kFormMarginMm;

enum class Align { left, centre, right };

// A label and the value beside it. span: how many of the grid's label-value slots it takes.
struct FieldSpec {
  std::string_view label;
  std::string_view key;
  int span = 1;
};

// Label and value boxes, pairs_per_row slots a row; a label takes label_share of its slot.
struct FieldGrid {
  std::string_view caption;  // a heading above the grid; empty: none
  int pairs_per_row = 2;
  double label_share = 0.4;
  bool ruled = true;
  double min_row_height_mm = 0;  // room to write by hand
  std::vector<FieldSpec> fields;
};

struct ColumnSpec {
  std::string_view header;
  std::string_view key;  // of the row's value
  double width_mm = 20;
  Align align = Align::left;
};

// A ruled table, one row per entry of the list FormValues::tables[rows].
struct TableSpec {
  std::string_view caption;
  std::string_view rows;
  std::vector<ColumnSpec> columns;
  double min_row_height_mm = 0;
  double text_pt = 0;  // the cells' text size; 0: the form's body size (10.5 pt, 五号)
};

// A box for a seal (盖章) or signatures: heading at the top, lines to sign or date at its foot.
struct SignBoxSpec {
  std::string_view heading;
  std::vector<std::string_view> lines;
};

struct SignBoxes {
  std::vector<SignBoxSpec> boxes;
  double height_mm = 40;
};

// A paragraph of plain text: static text, or a value when key is given.
struct Note {
  std::string_view text;
  std::string_view key;
};

using Section = std::variant<FieldGrid, TableSpec, SignBoxes, Note>;

struct FormTemplate {
  std::string_view name;  // the file's and the sheet's name: 备份情况表
  std::string_view title;
  std::string_view subtitle;  // a line under the title, "（续表）"; empty: none
  FieldGrid head;             // above the form, unruled: 全宗号, 单位名称
  std::vector<Section> sections;
};

}  // namespace lantai::deposit::forms
