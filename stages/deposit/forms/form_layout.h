// Where each box of a form lies across its width, computed once for both renderers, so
// the PDF and the workbook divide every row the same way.
#pragma once

#include <vector>

#include "stages/deposit/forms/form_template.h"
#include "stages/deposit/forms/form_values.h"

namespace lantai::deposit::forms {

// One box: from x0_mm to x1_mm (from the form's left edge), a label or a value.
struct LaidCell {
  double x0_mm = 0, x1_mm = 0;
  FormValue value;
  bool label = false;
};
using LaidRow = std::vector<LaidCell>;

// A grid's rows: fields fill the row's slots in order; one that does not fit starts the
// next row, and the last value of a row short of slots stretches to the row's end.
std::vector<LaidRow> lay_out_grid(const FieldGrid& grid, const FormValues& values);

// A table's column edges, the widths scaled to the form's width: columns + 1 values.
std::vector<double> column_edges(const TableSpec& table);

// Every edge any row of the form has, sorted, 0 and kFormWidthMm included: the columns
// of the form's sheet.
std::vector<double> form_edges(const FormTemplate& form);

}  // namespace lantai::deposit::forms
