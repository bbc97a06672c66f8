#include "stages/deposit/forms/xlsx_renderer.h"

#include <xlsxwriter.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>

#include "stages/deposit/forms/form_layout.h"

namespace lantai::deposit::forms {

namespace {

// A sheet column's width unit is one digit of the default font (Calibri 11: 7 px at
// 96 dpi, 1.85 mm); a Chinese character at 11 pt takes about two.
constexpr double kMmPerWidthUnit = 1.85;
constexpr double kLinePt = 14.5;  // a line of 11-pt text
constexpr double kPointsPerMm = 72.0 / 25.4;
constexpr double kMarginInches = kFormMarginMm / 25.4;
constexpr int kPaperA4 = 9;
constexpr const char* kFontName = "宋体";
constexpr double kFontPt = 11;

enum class Style { title, subtitle, caption, head, label, header, value, note, box };

lxw_format_alignments horizontal(Align align) {
  switch (align) {
    case Align::centre: return LXW_ALIGN_CENTER;
    case Align::right: return LXW_ALIGN_RIGHT;
    case Align::left: break;
  }
  return LXW_ALIGN_LEFT;
}

// Display width in width units: two for a wide (CJK, full-width) character, one otherwise.
double text_units(std::string_view line) {
  double units = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto byte = static_cast<unsigned char>(line[i]);
    if ((byte & 0xC0) == 0x80) continue;  // continuation byte
    units += byte >= 0xE1 ? 2 : 1;        // code points from U+1000 on: CJK, punctuation, full-width
  }
  return units;
}

// Lines the text takes in a box width_mm wide: Excel does not grow a row for wrapped text
// in merged boxes, so the sheet sets each row's height itself.
int lines_in(const std::string& text, double width_mm) {
  const double capacity = std::max(1.0, width_mm / kMmPerWidthUnit - 1);
  int lines = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find('\n', start);
    const std::string_view line(text.data() + start, (end == std::string::npos ? text.size() : end) - start);
    lines += std::max(1, static_cast<int>(std::ceil(text_units(line) / capacity)));
    if (end == std::string::npos) return lines;
    start = end + 1;
  }
}

class SheetWriter {
 public:
  SheetWriter(lxw_workbook* workbook, const FormTemplate& form, const FormValues& values)
      : workbook_(workbook), form_(form), values_(values), edges_(form_edges(form)) {
    sheet_ = workbook_add_worksheet(workbook_, std::string(form.name).c_str());
    if (!sheet_) throw std::runtime_error("the workbook refused a sheet named " + std::string(form.name));
    for (std::size_t c = 0; c + 1 < edges_.size(); ++c)
      worksheet_set_column(sheet_, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c),
                           (edges_[c + 1] - edges_[c]) / kMmPerWidthUnit, nullptr);
  }

  void write() {
    line(FormValue::of(std::string(form_.title)), Style::title, 30);
    if (!form_.subtitle.empty()) line(FormValue::of(std::string(form_.subtitle)), Style::subtitle, 20);
    grid(form_.head);
    for (const Section& section : form_.sections) {
      if (const auto* spec = std::get_if<FieldGrid>(&section)) grid(*spec);
      if (const auto* spec = std::get_if<TableSpec>(&section)) table(*spec);
      if (const auto* spec = std::get_if<SignBoxes>(&section)) sign_boxes(*spec);
      if (const auto* spec = std::get_if<Note>(&section))
        line(spec->key.empty() ? FormValue::of(std::string(spec->text)) : values_.field(spec->key), Style::note, 0);
      gap();
    }
    print_setup();
  }

 private:
  lxw_format* format(Style style, Align align = Align::left, int decimals = -1) {
    const auto key = std::make_tuple(style, align, decimals, text_pt_);
    if (const auto found = formats_.find(key); found != formats_.end()) return found->second;
    lxw_format* f = workbook_add_format(workbook_);
    format_set_font_name(f, kFontName);
    format_set_font_size(f, text_pt_);
    format_set_text_wrap(f);
    format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
    format_set_align(f, horizontal(align));
    const bool ruled = style == Style::label || style == Style::header || style == Style::value || style == Style::box;
    if (ruled) format_set_border(f, LXW_BORDER_THIN);
    switch (style) {
      case Style::title: format_set_bold(f); format_set_font_size(f, 18); break;
      case Style::subtitle: format_set_font_size(f, 13); break;
      case Style::caption: case Style::label: format_set_bold(f); break;
      case Style::header: format_set_bold(f); format_set_bg_color(f, 0xE6E6E6); break;
      case Style::box: format_set_align(f, LXW_ALIGN_VERTICAL_TOP); break;
      case Style::head: case Style::value: case Style::note: break;
    }
    if (decimals == 0) format_set_num_format(f, "0");
    if (decimals > 0) format_set_num_format(f, ("0." + std::string(static_cast<std::size_t>(decimals), '0')).c_str());
    formats_.emplace(key, f);
    return f;
  }

  lxw_col_t column_at(double x_mm) const {
    const auto nearest = std::min_element(edges_.begin(), edges_.end(),
                                          [&](double a, double b) { return std::abs(a - x_mm) < std::abs(b - x_mm); });
    return static_cast<lxw_col_t>(nearest - edges_.begin());
  }

  // One box of the current row from x0 to x1, merged across the columns between.
  void put(double x0_mm, double x1_mm, const FormValue& value, Style style, Align align = Align::left) {
    lxw_format* f = format(style, align, value.number ? value.decimals : -1);
    const lxw_col_t first = column_at(x0_mm);
    const lxw_col_t last = std::max<lxw_col_t>(first, column_at(x1_mm) - 1);
    if (last > first) worksheet_merge_range(sheet_, row_, first, row_, last, "", f);
    if (value.number)
      worksheet_write_number(sheet_, row_, first, *value.number, f);
    else if (!value.text.empty())
      worksheet_write_string(sheet_, row_, first, value.text.c_str(), f);
    else
      worksheet_write_blank(sheet_, row_, first, f);
    // Smaller text fits more a line, and its lines are lower.
    const double scale = text_pt_ / kFontPt;
    height_pt_ = std::max(height_pt_, lines_in(value.text, (x1_mm - x0_mm) / scale) * kLinePt * scale + 4);
  }

  void end_row(double min_height_pt = 0) {
    worksheet_set_row(sheet_, row_, std::max(height_pt_, min_height_pt), nullptr);
    ++row_;
    height_pt_ = 0;
  }

  void line(const FormValue& value, Style style, double min_height_pt) {
    put(0, kFormWidthMm, value, style, style == Style::title || style == Style::subtitle ? Align::centre : Align::left);
    end_row(min_height_pt);
  }

  void gap() {
    worksheet_set_row(sheet_, row_, 8, nullptr);
    ++row_;
  }

  void grid(const FieldGrid& spec) {
    if (!spec.caption.empty()) line(FormValue::of(std::string(spec.caption)), Style::caption, 0);
    for (const LaidRow& laid : lay_out_grid(spec, values_)) {
      for (const LaidCell& cell : laid) {
        const Style style = !spec.ruled ? Style::head : cell.label ? Style::label : Style::value;
        // As on the PDF: ruled labels centred, the head's against their values.
        const Align align = !cell.label ? Align::left : spec.ruled ? Align::centre : Align::right;
        put(cell.x0_mm, cell.x1_mm, cell.value, style, align);
      }
      end_row(spec.min_row_height_mm * kPointsPerMm);
    }
  }

  void table(const TableSpec& spec) {
    if (!spec.caption.empty()) line(FormValue::of(std::string(spec.caption)), Style::caption, 0);
    const std::vector<double> edges = column_edges(spec);
    if (!header_row_) header_row_ = row_;  // the first table's header repeats on every printed page
    for (std::size_t i = 0; i < spec.columns.size(); ++i)
      put(edges[i], edges[i + 1], FormValue::of(std::string(spec.columns[i].header)), Style::header, Align::centre);
    end_row();
    if (spec.text_pt > 0) text_pt_ = spec.text_pt;
    for (const FormRow& entry : values_.table(spec.rows)) {
      for (std::size_t i = 0; i < spec.columns.size(); ++i)
        put(edges[i], edges[i + 1], value_in(entry, spec.columns[i].key), Style::value, spec.columns[i].align);
      end_row(spec.min_row_height_mm * kPointsPerMm);
    }
    text_pt_ = kFontPt;
  }

  // Each box one merged cell: the heading at its top, the lines to sign at its foot.
  void sign_boxes(const SignBoxes& spec) {
    const double height_pt = spec.height_mm * kPointsPerMm;
    const double width_mm = kFormWidthMm / static_cast<double>(spec.boxes.size());
    for (std::size_t i = 0; i < spec.boxes.size(); ++i) {
      const SignBoxSpec& box = spec.boxes[i];
      const int room = std::max(1, static_cast<int>(height_pt / kLinePt) - 1 - static_cast<int>(box.lines.size()));
      std::string text(box.heading);
      text.append(static_cast<std::size_t>(room), '\n');
      for (std::string_view line : box.lines) text.append("\n").append(line);
      const double x0 = width_mm * static_cast<double>(i);
      put(x0, x0 + width_mm, FormValue::of(text), Style::box);
    }
    height_pt_ = 0;  // the box's own height, not its lines'
    end_row(height_pt);
  }

  void print_setup() {
    worksheet_set_paper(sheet_, kPaperA4);
    worksheet_set_portrait(sheet_);
    worksheet_fit_to_pages(sheet_, 1, 0);  // one page wide, as many long as it takes
    worksheet_center_horizontally(sheet_);
    worksheet_set_margins(sheet_, kMarginInches, kMarginInches, kMarginInches, kMarginInches + 0.2);
    worksheet_set_footer(sheet_, "&C第 &P 页 共 &N 页");
    if (header_row_) worksheet_repeat_rows(sheet_, *header_row_, *header_row_);
    worksheet_print_area(sheet_, 0, 0, row_ == 0 ? 0 : row_ - 1, static_cast<lxw_col_t>(edges_.size() - 2));
  }

  lxw_workbook* workbook_;
  const FormTemplate& form_;
  const FormValues& values_;
  std::vector<double> edges_;
  lxw_worksheet* sheet_ = nullptr;
  lxw_row_t row_ = 0;
  double height_pt_ = 0;  // of the row being written
  std::optional<lxw_row_t> header_row_;
  double text_pt_ = kFontPt;  // a table's own text size while it is written
  std::map<std::tuple<Style, Align, int, double>, lxw_format*> formats_;
};

}  // namespace

void write_workbook(const std::vector<const FormTemplate*>& forms, const FormValues& values,
                    const std::filesystem::path& file) {
  // libxlsxwriter's temporary files beside the workbook, so they stay in WORK.
  std::string tmpdir = file.parent_path().string();
  lxw_workbook_options options{.constant_memory = LXW_FALSE, .tmpdir = tmpdir.data(), .use_zip64 = LXW_FALSE};
  lxw_workbook* workbook = workbook_new_opt(file.c_str(), &options);
  if (!workbook) throw std::runtime_error("cannot create the workbook " + file.string());
  try {
    for (const FormTemplate* form : forms) SheetWriter(workbook, *form, values).write();
  } catch (...) {
    workbook_close(workbook);
    throw;
  }
  const lxw_error error = workbook_close(workbook);
  if (error != LXW_NO_ERROR)
    throw std::runtime_error("cannot write the workbook " + file.string() + ": " + lxw_strerror(error));
}

}  // namespace lantai::deposit::forms
