#include "samples/page_composer.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <numbers>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "pipeline/utf8.h"

namespace lantai::samples {

namespace {

// Geometry in 300-dpi pixels. Side margins are wide so that a page turned by 12° still
// keeps its text inside the frame and clear of a 60-px scan border.
constexpr double kPageWidthMm = 210.0;
constexpr double kPageHeightMm = 297.0;
constexpr int kPageWidthPx = 2480;
constexpr int kPageHeightPx = 3508;
constexpr int kMarginTopPx = 300;
constexpr int kMarginSidePx = 350;
constexpr int kMarginBottomPx = 300;
constexpr int kTextWidthPx = kPageWidthPx - 2 * kMarginSidePx;
constexpr int kPageNumberBaselinePx = kPageHeightPx - 190;

constexpr int kBodyPx = 50;         // 12 pt at 300 dpi
constexpr int kTitlePx = 75;        // 18 pt
constexpr int kLetterheadPx = 125;  // 30 pt
constexpr int kSealTextPx = 60;

const cv::Scalar kBlackInk(22, 22, 22);
const cv::Scalar kRedInk(40, 30, 212);  // BGR
const cv::Scalar kSealInk(60, 45, 220);

struct StyleMetrics {
  int size_px;
  int advance_px;  // baseline to baseline
  FontWeight weight;
  double spacing_em;
};

StyleMetrics metrics(LineStyle style) {
  switch (style) {
    case LineStyle::letterhead: return {kLetterheadPx, 190, FontWeight::bold, 0.08};
    case LineStyle::title: return {kTitlePx, 112, FontWeight::bold, 0};
    case LineStyle::heading: return {kBodyPx, 88, FontWeight::bold, 0};
    case LineStyle::doc_number:
    case LineStyle::body:
    case LineStyle::signature:
    case LineStyle::page_number: return {kBodyPx, 88, FontWeight::regular, 0};
  }
  return {kBodyPx, 88, FontWeight::regular, 0};
}

bool is_closing(char32_t c) {
  return std::u32string_view(U"，。、；：？！）》」』”’％,.;:)?!%").find(c) != std::u32string_view::npos;
}
bool is_opening(char32_t c) {
  return std::u32string_view(U"（《「『“‘(").find(c) != std::u32string_view::npos;
}
bool is_word_char(char32_t c) { return c < 0x80 && c != U' ' && !is_opening(c) && !is_closing(c); }

// Unbreakable pieces: runs of Latin letters and digits ("2021", "V3.2"), or one character.
std::vector<std::u32string> tokens(std::u32string_view text) {
  std::vector<std::u32string> out;
  for (size_t i = 0; i < text.size();) {
    size_t end = i + 1;
    if (is_word_char(text[i]))
      while (end < text.size() && is_word_char(text[end])) ++end;
    out.emplace_back(text.substr(i, end - i));
    i = end;
  }
  return out;
}

LayoutLine line(LineStyle style, std::string text, LineAlign align = LineAlign::left,
                int indent_em = 0, int space_before_px = 0) {
  LayoutLine out;
  out.style = style;
  out.text = std::move(text);
  out.align = align;
  out.indent_em = indent_em;
  out.space_before_px = space_before_px;
  return out;
}

LayoutLine page_number_line(int page) {
  return line(LineStyle::page_number, "— " + std::to_string(page) + " —", LineAlign::centre);
}

}  // namespace

cv::Size a4_size_px(int resolution_dpi) {
  return {static_cast<int>(std::lround(kPageWidthMm / 25.4 * resolution_dpi)),
          static_cast<int>(std::lround(kPageHeightMm / 25.4 * resolution_dpi))};
}

std::string chinese_number(int value) {
  static const char* const digits[] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
  if (value < 1 || value > 999) throw std::out_of_range("samples: chinese_number takes 1..999");
  std::string out;
  const int hundreds = value / 100, tens = value / 10 % 10, units = value % 10;
  if (hundreds > 0) out += std::string(digits[hundreds]) + "百";
  if (tens > 0) out += (tens == 1 && hundreds == 0 ? std::string() : std::string(digits[tens])) + "十";
  else if (hundreds > 0 && units > 0) out += "零";
  if (units > 0) out += digits[units];
  return out;
}

std::string chinese_date(const std::string& yyyymmdd) {
  if (yyyymmdd.size() != 8) throw std::invalid_argument("samples: date must be YYYYMMDD: " + yyyymmdd);
  return yyyymmdd.substr(0, 4) + "年" + std::to_string(std::stoi(yyyymmdd.substr(4, 2))) + "月" +
         std::to_string(std::stoi(yyyymmdd.substr(6, 2))) + "日";
}

std::vector<std::string> PageLayout::text_lines() const {
  std::vector<std::string> out;
  for (const auto& l : lines)
    if (!l.text.empty()) out.push_back(l.text);
  return out;
}

std::vector<std::u32string> PageComposer::wrap(std::u32string_view text, int first_indent_em,
                                               int width_px, int size_px, FontWeight weight) {
  std::vector<std::u32string> lines;
  std::u32string current;
  int current_px = 0;
  int available_px = width_px - first_indent_em * size_px;
  for (const std::u32string& token : tokens(text)) {
    const int token_px = text_.width_px(token, size_px, weight);
    // Closing punctuation never starts a line: it hangs into the margin instead.
    if (!current.empty() && current_px + token_px > available_px && !is_closing(token.front())) {
      std::u32string carry;  // opening punctuation never ends a line
      while (!current.empty() && is_opening(current.back())) {
        carry.insert(carry.begin(), current.back());
        current.pop_back();
      }
      while (!current.empty() && current.back() == U' ') current.pop_back();
      lines.push_back(std::move(current));
      current = std::move(carry);
      current_px = text_.width_px(current, size_px, weight);
      available_px = width_px;
      if (current.empty() && token == U" ") continue;
    }
    current += token;
    current_px += token_px;
  }
  if (!current.empty()) lines.push_back(std::move(current));
  return lines;
}

std::vector<PageLayout> PageComposer::lay_out(const SampleDocument& document, int pages,
                                              int clause_offset, SeededRandom& random) {
  std::vector<PageLayout> layouts;
  auto add_paragraph = [&](std::vector<LayoutLine>& lines, const std::string& text, int indent_em,
                           int space_before_px) {
    bool first = true;
    for (auto& wrapped : wrap(to_code_points(text), indent_em, kTextWidthPx, kBodyPx, FontWeight::regular)) {
      lines.push_back(line(LineStyle::body, to_utf8(wrapped), LineAlign::left, first ? indent_em : 0,
                           first ? space_before_px : 0));
      first = false;
    }
  };
  auto add_title = [&](std::vector<LayoutLine>& lines, const std::string& text, int space_before_px) {
    // Balanced lines: the narrowest measure that needs no more lines than the full one,
    // so a long title does not leave one word alone on its last line.
    const std::u32string title = to_code_points(text);
    int measure_px = kTextWidthPx - 4 * kBodyPx;
    auto wrapped_title = wrap(title, 0, measure_px, kTitlePx, FontWeight::bold);
    while (wrapped_title.size() > 1 && measure_px > kTextWidthPx / 3) {
      auto tighter = wrap(title, 0, measure_px - kTitlePx / 2, kTitlePx, FontWeight::bold);
      if (tighter.size() != wrapped_title.size()) break;
      wrapped_title = std::move(tighter);
      measure_px -= kTitlePx / 2;
    }
    bool first = true;
    for (auto& wrapped : wrapped_title) {
      lines.push_back(line(LineStyle::title, to_utf8(wrapped), LineAlign::centre, 0,
                           first ? space_before_px : 0));
      first = false;
    }
  };

  // Page 1: the document itself.
  PageLayout first;
  first.colour = !document.letterhead.empty();
  if (!document.letterhead.empty()) {
    first.lines.push_back(line(LineStyle::letterhead, document.letterhead, LineAlign::centre));
    if (!document.doc_number.empty()) {
      first.lines.push_back(line(LineStyle::doc_number, document.doc_number, LineAlign::centre, 0, 30));
      first.lines.back().rule_after = true;
    }
    add_title(first.lines, document.title, 120);
  } else {
    add_title(first.lines, document.title, 0);
    if (!document.doc_number.empty())
      first.lines.push_back(line(LineStyle::doc_number, document.doc_number, LineAlign::centre, 0, 10));
  }
  if (!document.addressee.empty())
    first.lines.push_back(line(LineStyle::body, document.addressee, LineAlign::left, 0, 60));
  for (size_t i = 0; i < document.body.size(); ++i)
    add_paragraph(first.lines, document.body[i], 2, i == 0 && document.addressee.empty() ? 60 : 0);
  if (!document.closing.empty()) add_paragraph(first.lines, document.closing, 2, 0);
  first.lines.push_back(line(LineStyle::signature, document.signature, LineAlign::right, 4, 150));
  first.lines.push_back(line(LineStyle::signature, chinese_date(document.date), LineAlign::right, 4));
  if (first.colour) first.seal_text = document.creator;
  first.lines.push_back(page_number_line(1));
  layouts.push_back(std::move(first));

  // Pages 2..: the attachment, clause after clause, each page a drawn number of lines.
  std::deque<LayoutLine> pending;
  int clause_number = 0;
  const auto& shared = shared_clauses();
  auto next_clause = [&] {
    const int k = clause_number++;
    const std::string& clause = k < static_cast<int>(document.clauses.size())
        ? document.clauses[static_cast<size_t>(k)]
        : shared[static_cast<size_t>(clause_offset + k - static_cast<int>(document.clauses.size())) % shared.size()];
    std::vector<LayoutLine> lines;
    add_paragraph(lines, "第" + chinese_number(clause_number) + "条　" + clause, 2, 0);
    pending.insert(pending.end(), lines.begin(), lines.end());
  };
  for (int page = 2; page <= pages; ++page) {
    PageLayout layout;
    const int target_lines = random.uniform_int(kMinContinuationLines, kMaxContinuationLines);
    if (page == 2) {
      layout.lines.push_back(line(LineStyle::heading, "附件"));
      add_title(layout.lines, document.attachment_title, 30);
    }
    while (static_cast<int>(layout.lines.size()) < target_lines) {
      if (pending.empty()) next_clause();
      layout.lines.push_back(pending.front());
      pending.pop_front();
    }
    layout.lines.push_back(page_number_line(page));
    layouts.push_back(std::move(layout));
  }
  return layouts;
}

cv::Mat PageComposer::paint(const PageLayout& layout, int resolution_dpi) {
  const double scale = resolution_dpi / 300.0;
  cv::Mat canvas(a4_size_px(resolution_dpi), layout.colour ? CV_8UC3 : CV_8UC1, cv::Scalar::all(255));
  auto at = [scale](double px300) { return static_cast<int>(std::lround(px300 * scale)); };

  double top_px = kMarginTopPx;
  std::vector<cv::Point2d> signatures;  // centre of each 落款 line, 300-dpi pixels
  for (const LayoutLine& l : layout.lines) {
    const StyleMetrics m = metrics(l.style);
    top_px += l.space_before_px;
    const double baseline_px =
        l.style == LineStyle::page_number ? kPageNumberBaselinePx : top_px + m.size_px * 0.88;
    if (l.style != LineStyle::page_number && baseline_px > kPageHeightPx - kMarginBottomPx)
      throw std::logic_error("samples: a page layout runs past the bottom margin");  // texts too long
    const std::u32string text = to_code_points(l.text);
    const int size_px = std::max(1, at(m.size_px));
    const int spacing_px = static_cast<int>(std::lround(m.spacing_em * size_px));
    const int text_px = text_.width_px(text, size_px, m.weight, spacing_px);
    const double left_px = kMarginSidePx + l.indent_em * kBodyPx;
    const double right_px = kPageWidthPx - kMarginSidePx - l.indent_em * kBodyPx;
    int x_px = at(left_px);
    if (l.align == LineAlign::centre) x_px = at(kPageWidthPx / 2.0) - text_px / 2;
    if (l.align == LineAlign::right) x_px = at(right_px) - text_px;
    const cv::Scalar ink = l.style == LineStyle::letterhead ? kRedInk : kBlackInk;
    text_.draw(canvas, text, x_px, at(baseline_px), size_px, m.weight, ink, spacing_px);
    if (l.style == LineStyle::signature)
      signatures.emplace_back(x_px / scale + text_px / scale / 2, baseline_px - m.size_px * 0.4);
    if (l.rule_after) {
      const cv::Rect rule(at(kMarginSidePx), at(baseline_px + 50), at(kTextWidthPx), std::max(1, at(8)));
      blend_ink(canvas, cv::Mat(rule.size(), CV_8UC1, cv::Scalar(255)), rule.x, rule.y, kRedInk);
    }
    top_px += m.advance_px;
  }
  if (!layout.seal_text.empty() && !signatures.empty()) {
    cv::Point2d centre = signatures.front();
    if (signatures.size() > 1) centre.y = (signatures[0].y + signatures[1].y) / 2;
    paint_seal(canvas, layout.seal_text, centre * scale, scale);
  }
  return canvas;
}

void PageComposer::paint_seal(cv::Mat& canvas, const std::string& text, cv::Point2d centre_px, double scale) {
  // A 42-mm round seal: rim, five-pointed star, the unit's name along the upper arc.
  const double radius_px = 248 * scale;
  const double rim_px = 14 * scale;
  const int box_px = static_cast<int>(std::ceil(radius_px * 2 + 8));
  cv::Mat mask(box_px, box_px, CV_8UC1, cv::Scalar(0));
  const cv::Point2d local(box_px / 2.0, box_px / 2.0);
  constexpr int kShift = 4;  // sub-pixel precision for cv drawing
  auto fixed = [](cv::Point2d p) { return cv::Point(static_cast<int>(std::lround(p.x * 16)), static_cast<int>(std::lround(p.y * 16))); };
  cv::circle(mask, fixed(local), static_cast<int>(std::lround((radius_px - rim_px / 2) * 16)), cv::Scalar(255),
             std::max(1, static_cast<int>(std::lround(rim_px))), cv::LINE_AA, kShift);
  std::vector<cv::Point> star;
  const double star_px = 72 * scale;
  for (int k = 0; k < 10; ++k) {
    const double r = k % 2 == 0 ? star_px : star_px * 0.382;
    const double a = std::numbers::pi / 2 + k * std::numbers::pi / 5;
    star.push_back(fixed(local + cv::Point2d(r * std::cos(a), -r * std::sin(a))));
  }
  cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{star}, cv::Scalar(255), cv::LINE_AA, kShift);
  const int left_px = static_cast<int>(std::lround(centre_px.x)) - box_px / 2;
  const int top_px = static_cast<int>(std::lround(centre_px.y)) - box_px / 2;
  blend_ink(canvas, mask, left_px, top_px, kSealInk);

  const std::u32string letters = to_code_points(text);
  const int n = static_cast<int>(letters.size());
  const double span_deg = std::min(250.0, 36.0 * n);
  const double text_radius_px = radius_px - rim_px - 48 * scale;
  const int size_px = std::max(1, static_cast<int>(std::lround(kSealTextPx * scale)));
  for (int i = 0; i < n; ++i) {
    const double theta_deg = 90.0 + span_deg / 2 - span_deg * (i + 0.5) / n;
    const double theta = theta_deg * std::numbers::pi / 180.0;
    const cv::Point2d at = centre_px + cv::Point2d(text_radius_px * std::cos(theta), -text_radius_px * std::sin(theta));
    // Each letter's top points away from the centre.
    text_.draw_rotated(canvas, letters[static_cast<size_t>(i)], at, theta - std::numbers::pi / 2, size_px,
                       FontWeight::bold, kSealInk);
  }
}

}  // namespace lantai::samples
