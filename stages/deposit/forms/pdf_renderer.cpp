#include "stages/deposit/forms/pdf_renderer.h"

#include "pipeline/pdf_document.h"
#include "stages/deposit/forms/form_layout.h"

namespace lantai::deposit::forms {

namespace {

PdfAlign pdf_align(Align align) {
  switch (align) {
    case Align::centre: return PdfAlign::centre;
    case Align::right: return PdfAlign::right;
    case Align::left: break;
  }
  return PdfAlign::left;
}

// Ruled labels are centred in their box, as on paper; the head's stand against their
// values ("全宗号：J012").
PdfAlign label_align(const LaidCell& cell, const FieldGrid& grid) {
  if (!cell.label) return PdfAlign::left;
  return grid.ruled ? PdfAlign::centre : PdfAlign::right;
}

void draw_grid(PdfDocument& document, const FieldGrid& grid, const FormValues& values) {
  if (!grid.caption.empty()) document.paragraph(grid.caption, true);
  std::vector<std::vector<PdfCell>> rows;
  for (const LaidRow& laid : lay_out_grid(grid, values)) {
    std::vector<PdfCell>& row = rows.emplace_back();
    for (const LaidCell& cell : laid)
      row.push_back({cell.value.text, cell.x1_mm - cell.x0_mm, cell.label && grid.ruled, label_align(cell, grid)});
  }
  document.grid(rows, grid.ruled, grid.min_row_height_mm);
}

void draw_table(PdfDocument& document, const TableSpec& table, const FormValues& values) {
  if (!table.caption.empty()) document.paragraph(table.caption, true);
  const std::vector<double> edges = column_edges(table);
  std::vector<PdfColumn> columns;
  for (std::size_t i = 0; i < table.columns.size(); ++i)
    columns.push_back({std::string(table.columns[i].header), edges[i + 1] - edges[i], pdf_align(table.columns[i].align)});
  std::vector<std::vector<std::string>> rows;
  for (const FormRow& entry : values.table(table.rows)) {
    std::vector<std::string>& row = rows.emplace_back();
    for (const ColumnSpec& column : table.columns) row.push_back(value_in(entry, column.key).text);
  }
  document.table(columns, rows, table.text_pt, table.min_row_height_mm);
}

void draw_sign_boxes(PdfDocument& document, const SignBoxes& spec) {
  std::vector<PdfSignBox> boxes;
  for (const SignBoxSpec& box : spec.boxes) boxes.push_back({std::string(box.heading), {box.lines.begin(), box.lines.end()}});
  document.sign_boxes(boxes, spec.height_mm);
}

}  // namespace

std::string render_pdf(const FormTemplate& form, const FormValues& values) {
  PdfStyle style;
  style.margin_mm = kFormMarginMm;
  PdfDocument document(std::string(form.title), "", style);
  if (!form.subtitle.empty()) document.subtitle(form.subtitle);
  draw_grid(document, form.head, values);
  for (const Section& section : form.sections) {
    if (const auto* grid = std::get_if<FieldGrid>(&section)) draw_grid(document, *grid, values);
    if (const auto* table = std::get_if<TableSpec>(&section)) draw_table(document, *table, values);
    if (const auto* boxes = std::get_if<SignBoxes>(&section)) draw_sign_boxes(document, *boxes);
    if (const auto* note = std::get_if<Note>(&section))
      document.paragraph(note->key.empty() ? std::string(note->text) : values.field(note->key).text);
  }
  return document.finish();
}

}  // namespace lantai::deposit::forms
