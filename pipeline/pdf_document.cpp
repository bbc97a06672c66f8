#include "pipeline/pdf_document.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <numeric>
#include <stdexcept>

namespace lantai {

namespace {

constexpr double kPointsPerMm = 72.0 / 25.4;
constexpr double kA4WidthPt = 210 * kPointsPerMm;
constexpr double kA4HeightPt = 297 * kPointsPerMm;
constexpr double kCellPaddingPt = 3;
constexpr double kBlockGapPt = 6;
constexpr double kRuleWidthPt = 0.5;
constexpr double kHeaderGrey = 0.9;

struct LayoutDeleter {
  void operator()(PangoLayout* layout) const { g_object_unref(layout); }
};
using Layout = std::unique_ptr<PangoLayout, LayoutDeleter>;

struct FontDeleter {
  void operator()(PangoFontDescription* font) const { pango_font_description_free(font); }
};
using Font = std::unique_ptr<PangoFontDescription, FontDeleter>;

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

struct PdfDocument::State {
  std::string title, footer;
  PdfStyle style;
  std::string bytes;
  cairo_surface_t* surface = nullptr;
  cairo_t* cr = nullptr;
  double y = 0;  // where the next block starts, in points from the top
  int page = 1;
  bool finished = false;

  double left() const { return style.margin_mm * kPointsPerMm; }
  double text_width() const { return kA4WidthPt - 2 * left(); }
  double top() const { return style.margin_mm * kPointsPerMm; }
  // The footer sits in the bottom margin; blocks stop above it.
  double bottom() const { return kA4HeightPt - style.margin_mm * kPointsPerMm; }

  Font font(double size_pt, bool bold) const {
    Font font(pango_font_description_new());
    pango_font_description_set_family(font.get(), style.font_family.c_str());
    pango_font_description_set_absolute_size(font.get(), size_pt * PANGO_SCALE);
    pango_font_description_set_weight(font.get(), bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    return font;
  }

  Layout layout(std::string_view text, double width_pt, double size_pt, bool bold,
                PangoAlignment alignment = PANGO_ALIGN_LEFT) const {
    Layout layout(pango_cairo_create_layout(cr));
    Font described = font(size_pt, bold);
    pango_layout_set_font_description(layout.get(), described.get());
    pango_layout_set_width(layout.get(), static_cast<int>(width_pt * PANGO_SCALE));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);  // CJK lines break between characters
    pango_layout_set_alignment(layout.get(), alignment);
    pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));
    return layout;
  }

  static double height_of(PangoLayout* layout) {
    int width = 0, height = 0;
    pango_layout_get_size(layout, &width, &height);
    return static_cast<double>(height) / PANGO_SCALE;
  }

  void draw(PangoLayout* layout, double x, double at_y) const {
    cairo_move_to(cr, x, at_y);
    pango_cairo_show_layout(cr, layout);
  }

  void draw_footer() const {
    const std::string text = footer + (footer.empty() ? "" : "    ") + "第 " + std::to_string(page) + " 页";
    Layout line = layout(text, text_width(), style.body_pt * 0.8, false, PANGO_ALIGN_CENTER);
    draw(line.get(), left(), bottom() + style.margin_mm * kPointsPerMm / 2);
  }

  void new_page() {
    draw_footer();
    cairo_show_page(cr);
    ++page;
    y = top();
  }

  // Starts a new page unless height fits below y (a block taller than a page is drawn
  // anyway, from the top of a fresh page).
  void make_room(double height) {
    if (y + height > bottom() && y > top()) new_page();
  }

  void block(std::string_view text, double size_pt, bool bold, PangoAlignment alignment = PANGO_ALIGN_LEFT) {
    Layout text_layout = layout(text, text_width(), size_pt, bold, alignment);
    const double height = height_of(text_layout.get());
    make_room(height);
    draw(text_layout.get(), left(), y);
    y += height + kBlockGapPt;
  }

  // One table row: cells laid out in their columns, ruled, the header row shaded.
  double row_height(const std::vector<Layout>& cells) const {
    double height = 0;
    for (const Layout& cell : cells) height = std::max(height, height_of(cell.get()));
    return height + 2 * kCellPaddingPt;
  }

  void draw_row(const std::vector<Layout>& cells, const std::vector<double>& widths, double height, bool shaded) {
    double x = left();
    for (std::size_t i = 0; i < cells.size(); ++i) {
      cairo_rectangle(cr, x, y, widths[i], height);
      if (shaded) {
        cairo_set_source_rgb(cr, kHeaderGrey, kHeaderGrey, kHeaderGrey);
        cairo_fill_preserve(cr);
      }
      cairo_set_source_rgb(cr, 0, 0, 0);
      cairo_set_line_width(cr, kRuleWidthPt);
      cairo_stroke(cr);
      draw(cells[i].get(), x + kCellPaddingPt, y + kCellPaddingPt);
      x += widths[i];
    }
    y += height;
  }
};

PdfDocument::PdfDocument(std::string title, std::string footer, PdfStyle style) : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.title = std::move(title);
  s.footer = std::move(footer);
  s.style = std::move(style);
  s.surface = cairo_pdf_surface_create_for_stream(append_bytes, &s.bytes, kA4WidthPt, kA4HeightPt);
  cairo_pdf_surface_set_metadata(s.surface, CAIRO_PDF_METADATA_TITLE, s.title.c_str());
  cairo_pdf_surface_set_metadata(s.surface, CAIRO_PDF_METADATA_CREATOR, "lantai");
  s.cr = cairo_create(s.surface);
  if (cairo_status(s.cr) != CAIRO_STATUS_SUCCESS)
    throw std::runtime_error(std::string("PDF document: ") + cairo_status_to_string(cairo_status(s.cr)));
  s.y = s.top();
  s.block(s.title, s.style.title_pt, true, PANGO_ALIGN_CENTER);
  s.y += kBlockGapPt;
}

PdfDocument::~PdfDocument() {
  if (state_->cr) cairo_destroy(state_->cr);
  if (state_->surface) cairo_surface_destroy(state_->surface);
}

void PdfDocument::heading(std::string_view text) {
  State& s = *state_;
  // A heading never ends a page: keep room for a line of what follows it.
  s.make_room(s.style.heading_pt * 2 + s.style.body_pt * 3);
  s.y += kBlockGapPt;
  s.block(text, s.style.heading_pt, true);
}

void PdfDocument::paragraph(std::string_view text, bool bold) { state_->block(text, state_->style.body_pt, bold); }

void PdfDocument::fields(const std::vector<std::pair<std::string, std::string>>& fields) {
  State& s = *state_;
  const double label_width = s.text_width() * 0.25;
  for (const auto& [label, value] : fields) {
    Layout label_layout = s.layout(label, label_width, s.style.body_pt, true);
    Layout value_layout = s.layout(value, s.text_width() - label_width, s.style.body_pt, false);
    const double height = std::max(State::height_of(label_layout.get()), State::height_of(value_layout.get()));
    s.make_room(height);
    s.draw(label_layout.get(), s.left(), s.y);
    s.draw(value_layout.get(), s.left() + label_width, s.y);
    s.y += height + 2;
  }
  s.y += kBlockGapPt;
}

void PdfDocument::table(const std::vector<PdfColumn>& columns, const std::vector<std::vector<std::string>>& rows,
                        double size_pt) {
  State& s = *state_;
  const double text_pt = size_pt > 0 ? size_pt : s.style.body_pt;
  const double shares =
      std::accumulate(columns.begin(), columns.end(), 0.0, [](double sum, const PdfColumn& c) { return sum + c.width_share; });
  std::vector<double> widths;
  for (const PdfColumn& column : columns) widths.push_back(s.text_width() * column.width_share / shares);
  auto lay_out = [&](const std::vector<std::string>& texts, bool bold) {
    std::vector<Layout> cells;
    for (std::size_t i = 0; i < columns.size(); ++i)
      cells.push_back(s.layout(i < texts.size() ? texts[i] : std::string(), widths[i] - 2 * kCellPaddingPt,
                               text_pt, bold));
    return cells;
  };
  std::vector<std::string> headers;
  for (const PdfColumn& column : columns) headers.push_back(column.header);
  const std::vector<Layout> header = lay_out(headers, true);
  const double header_height = s.row_height(header);

  s.make_room(header_height * 2);
  s.draw_row(header, widths, header_height, true);
  for (const auto& row : rows) {
    const std::vector<Layout> cells = lay_out(row, false);
    const double height = s.row_height(cells);
    if (s.y + height > s.bottom()) {
      s.new_page();
      s.draw_row(header, widths, header_height, true);
    }
    s.draw_row(cells, widths, height, false);
  }
  s.y += kBlockGapPt * 2;
}

void PdfDocument::signature_lines(const std::vector<std::string>& labels) {
  State& s = *state_;
  s.y += kBlockGapPt * 2;
  for (const std::string& label : labels) s.block(label + "：____________________    日期：____________", s.style.body_pt, false);
}

std::string PdfDocument::finish() {
  State& s = *state_;
  if (s.finished) throw std::logic_error("PDF document finished twice");  // a caller's mistake
  s.finished = true;
  s.draw_footer();
  cairo_show_page(s.cr);
  cairo_destroy(s.cr);
  s.cr = nullptr;
  cairo_surface_finish(s.surface);
  const cairo_status_t status = cairo_surface_status(s.surface);
  cairo_surface_destroy(s.surface);
  s.surface = nullptr;
  if (status != CAIRO_STATUS_SUCCESS)
    throw std::runtime_error(std::string("PDF document '") + s.title + "': " + cairo_status_to_string(status));
  return std::move(s.bytes);
}

}  // namespace lantai
