#include "stages/deposit/forms/form_layout.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace lantai::deposit::forms {

namespace {

// Edges closer than this are one (a sheet column narrower would only clutter it).
constexpr double kEdgeStepMm = 0.5;

double snapped(double x_mm) { return std::round(x_mm / kEdgeStepMm) * kEdgeStepMm; }

}  // namespace

std::vector<LaidRow> lay_out_grid(const FieldGrid& grid, const FormValues& values) {
  const int slots = std::max(1, grid.pairs_per_row);
  const double slot_mm = kFormWidthMm / slots;
  const double label_mm = slot_mm * grid.label_share;
  std::vector<LaidRow> rows;
  int used = slots;  // slots taken in the current row: none open yet
  for (const FieldSpec& field : grid.fields) {
    const int span = std::clamp(field.span, 1, slots);
    if (used + span > slots) {
      if (!rows.empty()) rows.back().back().x1_mm = kFormWidthMm;
      rows.emplace_back();
      used = 0;
    }
    const double x0 = snapped(used * slot_mm);
    const double x1 = snapped((used + span) * slot_mm);
    rows.back().push_back({x0, snapped(x0 + label_mm), FormValue::of(std::string(field.label)), true});
    rows.back().push_back({snapped(x0 + label_mm), x1, values.field(field.key), false});
    used += span;
  }
  if (!rows.empty()) rows.back().back().x1_mm = kFormWidthMm;
  return rows;
}

std::vector<double> column_edges(const TableSpec& table) {
  const double total = std::accumulate(table.columns.begin(), table.columns.end(), 0.0,
                                       [](double sum, const ColumnSpec& column) { return sum + column.width_mm; });
  std::vector<double> edges{0};
  double x = 0;
  for (const ColumnSpec& column : table.columns) {
    x += column.width_mm;
    edges.push_back(snapped(x * kFormWidthMm / total));
  }
  edges.back() = kFormWidthMm;
  return edges;
}

std::vector<double> form_edges(const FormTemplate& form) {
  std::vector<double> edges{0, kFormWidthMm};
  const FormValues none;  // edges do not depend on values: blanks stand in
  auto add_grid = [&](const FieldGrid& grid) {
    FieldGrid blank = grid;
    for (FieldSpec& field : blank.fields) field.key = {};
    for (const LaidRow& row : lay_out_grid(blank, none))
      for (const LaidCell& cell : row) edges.insert(edges.end(), {cell.x0_mm, cell.x1_mm});
  };
  add_grid(form.head);
  for (const Section& section : form.sections) {
    if (const auto* grid = std::get_if<FieldGrid>(&section)) add_grid(*grid);
    if (const auto* table = std::get_if<TableSpec>(&section)) {
      const std::vector<double> columns = column_edges(*table);
      edges.insert(edges.end(), columns.begin(), columns.end());
    }
    if (const auto* boxes = std::get_if<SignBoxes>(&section))
      for (std::size_t i = 0; i <= boxes->boxes.size(); ++i)
        edges.push_back(snapped(kFormWidthMm * static_cast<double>(i) / static_cast<double>(boxes->boxes.size())));
  }
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  return edges;
}

}  // namespace lantai::deposit::forms
