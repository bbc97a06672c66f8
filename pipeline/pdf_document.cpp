#include "pipeline/pdf_document.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
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

PangoAlignment pango_alignment(PdfAlign align) {
  switch (align) {
    case PdfAlign::centre: return PANGO_ALIGN_CENTER;
    case PdfAlign::right: return PANGO_ALIGN_RIGHT;
    case PdfAlign::left: break;
  }
  return PANGO_ALIGN_LEFT;
}

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

struct PdfDocument::State {
  std::string title, footer;
  PdfStyle style;
  std::string bytes;
  cairo_surface_t* surface = nullptr;  // the PDF
  // Pages drawn so far, as recordings: their footers need the page count, known only at
  // finish(), when they are replayed into the PDF (text stays text, fonts embedded).
  std::vector<cairo_surface_t*> pages;
  cairo_t* cr = nullptr;  // draws on pages.back()
  double y = 0;  // where the next block starts, in points from the top
  bool finished = false;

  ~State() {
    if (cr) cairo_destroy(cr);
    for (cairo_surface_t* page : pages) cairo_surface_destroy(page);
    if (surface) cairo_surface_destroy(surface);
  }

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
    // A digest or 档号 broken across lines must not gain a hyphen a reader would copy.
    PangoAttrList* attributes = pango_attr_list_new();
    pango_attr_list_insert(attributes, pango_attr_insert_hyphens_new(FALSE));
    pango_layout_set_attributes(layout.get(), attributes);
    pango_attr_list_unref(attributes);
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

  void start_page() {
    const cairo_rectangle_t extents{0, 0, kA4WidthPt, kA4HeightPt};
    pages.push_back(cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &extents));
    if (cr) cairo_destroy(cr);
    cr = cairo_create(pages.back());
    // Metrics as the PDF will have them: no hinting, so what is measured is what prints.
    cairo_font_options_t* options = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
    cairo_set_font_options(cr, options);
    cairo_font_options_destroy(options);
    y = top();
  }

  // Starts a new page unless height fits below y (a block taller than a page is drawn
  // anyway, from the top of a fresh page).
  void make_room(double height) {
    if (y + height > bottom() && y > top()) start_page();
  }

  void block(std::string_view text, double size_pt, bool bold, PangoAlignment alignment = PANGO_ALIGN_LEFT) {
    Layout text_layout = layout(text, text_width(), size_pt, bold, alignment);
    const double height = height_of(text_layout.get());
    make_room(height);
    draw(text_layout.get(), left(), y);
    y += height + kBlockGapPt;
  }

  // One row of boxes: cells laid out in their widths, each centred vertically in the row.
  double row_height(const std::vector<Layout>& cells, double min_height) const {
    double height = 0;
    for (const Layout& cell : cells) height = std::max(height, height_of(cell.get()));
    return std::max(height + 2 * kCellPaddingPt, min_height);
  }

  void draw_row(const std::vector<Layout>& cells, const std::vector<double>& widths, double height, bool shaded,
                bool ruled = true) {
    double x = left();
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (ruled) {
        cairo_rectangle(cr, x, y, widths[i], height);
        if (shaded) {
          cairo_set_source_rgb(cr, kHeaderGrey, kHeaderGrey, kHeaderGrey);
          cairo_fill_preserve(cr);
        }
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_line_width(cr, kRuleWidthPt);
        cairo_stroke(cr);
      }
      draw(cells[i].get(), x + kCellPaddingPt, y + (height - height_of(cells[i].get())) / 2);
      x += widths[i];
    }
    y += height;
  }

  std::vector<double> widths_of(const std::vector<double>& shares) const {
    const double total = std::accumulate(shares.begin(), shares.end(), 0.0);
    std::vector<double> widths;
    for (double share : shares) widths.push_back(text_width() * share / total);
    return widths;
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
  s.start_page();
  if (cairo_status(s.cr) != CAIRO_STATUS_SUCCESS)
    throw std::runtime_error(std::string("PDF document: ") + cairo_status_to_string(cairo_status(s.cr)));
  s.block(s.title, s.style.title_pt, true, PANGO_ALIGN_CENTER);
  s.y += kBlockGapPt;
}

PdfDocument::~PdfDocument() = default;

void PdfDocument::subtitle(std::string_view text) {
  State& s = *state_;
  s.y -= kBlockGapPt;  // belongs to the title above it
  s.block(text, s.style.heading_pt, false, PANGO_ALIGN_CENTER);
  s.y += kBlockGapPt;
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

void PdfDocument::grid(const std::vector<std::vector<PdfCell>>& rows, bool ruled, double min_row_height_mm) {
  State& s = *state_;
  for (const std::vector<PdfCell>& row : rows) {
    std::vector<double> shares;
    for (const PdfCell& cell : row) shares.push_back(cell.width_share);
    const std::vector<double> widths = s.widths_of(shares);
    std::vector<Layout> cells;
    for (std::size_t i = 0; i < row.size(); ++i)
      cells.push_back(s.layout(row[i].text, widths[i] - 2 * kCellPaddingPt, s.style.body_pt, row[i].bold,
                               pango_alignment(row[i].align)));
    const double height = s.row_height(cells, min_row_height_mm * kPointsPerMm);
    s.make_room(height);
    s.draw_row(cells, widths, height, false, ruled);
  }
  s.y += kBlockGapPt * 2;
}

void PdfDocument::table(const std::vector<PdfColumn>& columns, const std::vector<std::vector<std::string>>& rows,
                        double size_pt, double min_row_height_mm) {
  State& s = *state_;
  const double text_pt = size_pt > 0 ? size_pt : s.style.body_pt;
  std::vector<double> shares;
  for (const PdfColumn& column : columns) shares.push_back(column.width_share);
  const std::vector<double> widths = s.widths_of(shares);
  auto lay_out = [&](const std::vector<std::string>& texts, bool header) {
    std::vector<Layout> cells;
    for (std::size_t i = 0; i < columns.size(); ++i)
      cells.push_back(s.layout(i < texts.size() ? texts[i] : std::string(), widths[i] - 2 * kCellPaddingPt,
                               text_pt, header, pango_alignment(header ? PdfAlign::centre : columns[i].align)));
    return cells;
  };
  std::vector<std::string> headers;
  for (const PdfColumn& column : columns) headers.push_back(column.header);
  const std::vector<Layout> header = lay_out(headers, true);
  const double header_height = s.row_height(header, 0);
  const double min_height = min_row_height_mm * kPointsPerMm;

  s.make_room(header_height + min_height);
  s.draw_row(header, widths, header_height, true);
  for (const auto& row : rows) {
    const std::vector<Layout> cells = lay_out(row, false);
    const double height = s.row_height(cells, min_height);
    if (s.y + height > s.bottom()) {
      s.start_page();
      s.draw_row(header, widths, header_height, true);
    }
    s.draw_row(cells, widths, height, false);
  }
  s.y += kBlockGapPt * 2;
}

void PdfDocument::sign_boxes(const std::vector<PdfSignBox>& boxes, double height_mm) {
  State& s = *state_;
  if (boxes.empty()) return;
  const double height = height_mm * kPointsPerMm;
  const double width = s.text_width() / static_cast<double>(boxes.size());
  const double inner = width - 4 * kCellPaddingPt;
  s.make_room(height);
  double x = s.left();
  for (const PdfSignBox& box : boxes) {
    cairo_rectangle(s.cr, x, s.y, width, height);
    cairo_set_source_rgb(s.cr, 0, 0, 0);
    cairo_set_line_width(s.cr, kRuleWidthPt);
    cairo_stroke(s.cr);
    Layout heading = s.layout(box.heading, inner, s.style.body_pt, true);
    s.draw(heading.get(), x + 2 * kCellPaddingPt, s.y + 2 * kCellPaddingPt);
    // The lines stand at the foot of the box, the seal's room between them and the heading.
    std::string lines;
    for (const std::string& line : box.lines) lines += (lines.empty() ? "" : "\n") + line;
    Layout foot = s.layout(lines, inner, s.style.body_pt, false);
    pango_layout_set_spacing(foot.get(), static_cast<int>(s.style.body_pt * 0.6 * PANGO_SCALE));
    s.draw(foot.get(), x + 2 * kCellPaddingPt, s.y + height - 2 * kCellPaddingPt - State::height_of(foot.get()));
    x += width;
  }
  s.y += height + kBlockGapPt * 2;
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
  cairo_destroy(s.cr);
  s.cr = cairo_create(s.surface);
  const std::string of_pages = " 页 共 " + std::to_string(s.pages.size()) + " 页";
  for (std::size_t i = 0; i < s.pages.size(); ++i) {
    cairo_set_source_surface(s.cr, s.pages[i], 0, 0);
    cairo_paint(s.cr);
    const std::string text = s.footer + (s.footer.empty() ? "" : "    ") + "第 " + std::to_string(i + 1) + of_pages;
    Layout line = s.layout(text, s.text_width(), s.style.body_pt * 0.8, false, PANGO_ALIGN_CENTER);
    cairo_set_source_rgb(s.cr, 0, 0, 0);
    s.draw(line.get(), s.left(), s.bottom() + s.style.margin_mm * kPointsPerMm / 2);
    cairo_show_page(s.cr);
  }
  cairo_destroy(s.cr);
  s.cr = nullptr;
  cairo_surface_finish(s.surface);
  const cairo_status_t status = cairo_surface_status(s.surface);
  if (status != CAIRO_STATUS_SUCCESS)
    throw std::runtime_error(std::string("PDF document '") + s.title + "': " + cairo_status_to_string(status));
  return std::move(s.bytes);
}

}  // namespace lantai
