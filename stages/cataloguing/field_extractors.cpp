#include "stages/cataloguing/field_extractors.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "pipeline/utf8.h"
#include "stages/cataloguing/text_match.h"

namespace lantai::cataloguing {

namespace {

// How many of the first lines may hold the 红头, 文号 and title: the 红头 and 文号 take two,
// the title three, and OCR may add a stray line from the red rule or a margin mark.
constexpr std::size_t kHeadLines = 9;
// Title lines are set in 18 pt across at most 21 characters; body lines run to 35.
constexpr std::size_t kMaxTitleLineChars = 24;
constexpr std::size_t kMaxTitleLines = 3;
constexpr std::size_t kMaxAuthorChars = 20;

bool contains(std::u32string_view set, char32_t c) { return set.find(c) != std::u32string_view::npos; }
bool is_digit(char32_t c) { return c >= U'0' && c <= U'9'; }
bool is_cjk(char32_t c) { return c >= 0x4E00 && c <= 0x9FFF; }

constexpr std::u32string_view kOpenBrackets = U"〔[(（【〈<{［｛";
constexpr std::u32string_view kCloseBrackets = U"〕])）】〉>}］｝";

// The line's code points, spaces out and full-width digits folded, punctuation kept.
std::u32string compact(std::string_view line) {
  std::u32string out;
  for (char32_t c : to_code_points(line)) {
    if (c <= 0x20 || c == 0x3000 || c == 0xA0) continue;
    if (c >= 0xFF10 && c <= 0xFF19) c = c - 0xFF10 + U'0';
    out.push_back(c);
  }
  return out;
}

bool is_word_char(char32_t c) {
  return is_cjk(c) || is_digit(c) || (c >= U'A' && c <= U'Z') || (c >= U'a' && c <= U'z');
}

// Marks OCR strays at the ends of a field (a quote, comma or dot from the rule or the
// line above) dropped; brackets that open or close the field kept.
std::u32string trim_stray_marks(std::u32string text) {
  std::size_t begin = 0, end = text.size();
  while (begin < end && !is_word_char(text[begin]) && !contains(kOpenBrackets, text[begin]) && text[begin] != U'《')
    ++begin;
  while (end > begin && !is_word_char(text[end - 1]) && !contains(kCloseBrackets, text[end - 1]) && text[end - 1] != U'》')
    --end;
  return text.substr(begin, end - begin);
}

// 〇一二…九 (and what OCR makes of 〇) as a digit, or -1.
int chinese_digit(char32_t c) {
  constexpr std::u32string_view digits = U"〇一二三四五六七八九";
  if (c == U'○' || c == U'零' || c == U'O' || c == U'o' || c == U'◯') return 0;
  const auto at = digits.find(c);
  return at == std::u32string_view::npos ? -1 : static_cast<int>(at);
}

// A number of 1..31 at text[at]: Arabic digits, or Chinese (一, 十, 十二, 二十一, 三十).
// Advances at past it; -1 when there is none.
int small_number(std::u32string_view text, std::size_t& at) {
  std::size_t i = at;
  if (i < text.size() && is_digit(text[i])) {
    int value = 0;
    while (i < text.size() && is_digit(text[i]) && i - at < 2) value = value * 10 + static_cast<int>(text[i++] - U'0');
    at = i;
    return value;
  }
  int tens = 0, units = 0;
  bool any = false;
  if (i < text.size() && chinese_digit(text[i]) > 0 && i + 1 < text.size() && text[i + 1] == U'十') {
    tens = chinese_digit(text[i]);
    i += 2;
    any = true;
  } else if (i < text.size() && text[i] == U'十') {
    tens = 1;
    ++i;
    any = true;
  }
  if (i < text.size() && chinese_digit(text[i]) > 0) {
    units = chinese_digit(text[i++]);
    any = true;
  }
  if (!any) return -1;
  at = i;
  return tens * 10 + units;
}

std::string yyyymmdd(int year, int month, int day) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d%02d%02d", year, month, day);
  return text;
}

// The first date in text from position from: year 年 month 月 day 日, the last marker
// allowed to be lost (OCR drops a trailing 日 now and then). Returns start and end.
struct DateHit {
  std::string value;
  std::size_t start = 0, end = 0;
  bool complete = false;
};
std::optional<DateHit> scan_date(std::u32string_view text) {
  for (std::size_t start = 0; start + 4 < text.size(); ++start) {
    int year = 0;
    bool ok = true;
    for (std::size_t k = 0; k < 4 && ok; ++k) {
      const char32_t c = text[start + k];
      const int digit = is_digit(c) ? static_cast<int>(c - U'0') : chinese_digit(c);
      ok = digit >= 0 && (k > 0 || c != U'O');
      year = year * 10 + digit;
    }
    if (!ok || year < 1900 || year > 2100 || text[start + 4] != U'年') continue;
    std::size_t at = start + 5;
    const int month = small_number(text, at);
    if (month < 1 || month > 12 || at >= text.size() || text[at] != U'月') continue;
    ++at;
    const int day = small_number(text, at);
    if (day < 1 || day > 31) continue;
    const bool complete = at < text.size() && text[at] == U'日';
    if (complete) ++at;
    return DateHit{yyyymmdd(year, month, day), start, at, complete};
  }
  return std::nullopt;
}

bool ends_with(std::u32string_view text, std::u32string_view tail) {
  return text.size() >= tail.size() && text.substr(text.size() - tail.size()) == tail;
}

// Words a 题名 ends with: its 文种.
constexpr std::array<std::u32string_view, 17> kDocumentKinds = {
    U"通知", U"请示", U"批复", U"报告", U"函", U"纪要", U"通报", U"决定", U"意见",
    U"办法", U"规定", U"方案", U"总结", U"计划", U"公告", U"通告", U"决议"};

bool ends_with_kind(std::u32string_view text) {
  return std::any_of(kDocumentKinds.begin(), kDocumentKinds.end(),
                     [&](std::u32string_view kind) { return ends_with(text, kind); });
}

// A 红头: the issuing body followed by 文件, short, alone on its line. Returns the body.
std::optional<std::u32string> letterhead_body(std::string_view line) {
  const std::u32string text = normalise(line);
  if (text.size() < 4 || text.size() > kMaxAuthorChars + 2) return std::nullopt;
  // Large red characters OCR now and then reads as Latin letters ("WL档案局文件"): mostly CJK will do.
  if (10 * std::count_if(text.begin(), text.end(), is_cjk) < 6 * static_cast<long>(text.size())) return std::nullopt;
  // OCR reads the large bold 文件 well, but one of its two characters may still go.
  const std::u32string_view tail = std::u32string_view(text).substr(text.size() - 2);
  if (tail != U"文件" && tail[1] != U'件' && tail[0] != U'文') return std::nullopt;
  return text.substr(0, text.size() - 2);
}

// Names of bodies end in one of these (局, 委员会, 政府, 办公室 …).
bool looks_like_body(std::u32string_view text) {
  constexpr std::u32string_view tails = U"局委会府院部厅处室馆司所社校团";
  return text.size() >= 3 && text.size() <= kMaxAuthorChars && std::all_of(text.begin(), text.end(), is_cjk) &&
         contains(tails, text.back());
}

}  // namespace

std::vector<std::string> text_lines(std::string_view page_text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= page_text.size()) {
    std::size_t end = page_text.find('\n', start);
    if (end == std::string_view::npos) end = page_text.size();
    std::string_view line = page_text.substr(start, end - start);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.remove_suffix(1);
    if (!normalise(line).empty()) lines.emplace_back(line);
    start = end + 1;
  }
  return lines;
}

std::optional<Candidate> parse_doc_number(std::string_view line) {
  const std::u32string text = compact(line);
  for (std::size_t year_at = 1; year_at + 4 <= text.size(); ++year_at) {
    if (!(text.substr(year_at, 2) == U"19" || text.substr(year_at, 2) == U"20")) continue;
    if (!std::all_of(text.begin() + static_cast<long>(year_at), text.begin() + static_cast<long>(year_at + 4), is_digit))
      continue;
    std::size_t prefix_end = year_at;
    const bool opened = contains(kOpenBrackets, text[prefix_end - 1]);
    // Digits right after the year: its number, the closing bracket lost ("〔2021 8号"), only
    // when a bracket opened the year; otherwise a longer number, no year.
    if (!opened && year_at + 4 < text.size() && is_digit(text[year_at + 4])) continue;
    if (opened) --prefix_end;
    const std::u32string prefix = trim_stray_marks(text.substr(0, prefix_end));
    std::size_t at = year_at + 4;
    const bool closed = at < text.size() && contains(kCloseBrackets, text[at]);
    if (closed) ++at;
    if (closed && at + 1 < text.size() && contains(U".,，、·。", text[at]) && is_digit(text[at + 1])) ++at;  // a stray mark
    const std::size_t number_at = at;
    while (at < text.size() && is_digit(text[at]) && at - number_at < 4) ++at;
    if (at == number_at || (at < text.size() && is_digit(text[at]))) continue;
    const std::u32string number = text.substr(number_at, at - number_at);
    const bool hao = at < text.size() && text[at] == U'号';
    if (hao) ++at;
    if (!opened && !closed && !hao) continue;  // a year and a number alone are no 文号

    // Confidence: how much of a well-formed 文号 OCR left standing.
    double confidence = 1.0;
    const std::size_t cjk = static_cast<std::size_t>(std::count_if(prefix.begin(), prefix.end(), is_cjk));
    if (prefix.empty() || prefix.size() > 10) continue;
    if (cjk != prefix.size()) confidence -= 0.2;
    if (cjk < 2) confidence -= 0.4;
    if (!opened) confidence -= 0.1;
    if (!closed) confidence -= 0.1;
    if (!hao) confidence -= 0.2;
    if (text.size() - at > 2) confidence -= 0.4;  // more text after it: not a 文号 line
    Candidate candidate;
    const std::string head = to_utf8(prefix) + "〔" + to_utf8(text.substr(year_at, 4)) + "〕";
    candidate.value = head + to_utf8(number) + "号";
    // OCR often reads 号, a narrow glyph after digits, as one more digit.
    if (!hao && number.size() >= 2) candidate.alternative = head + to_utf8(number.substr(0, number.size() - 1)) + "号";
    candidate.confidence = std::max(0.0, confidence);
    candidate.evidence = std::string(line);
    return candidate;
  }
  return std::nullopt;
}

std::optional<Candidate> parse_date(std::string_view line) {
  const std::u32string text = compact(line);
  const auto hit = scan_date(text);
  if (!hit) return std::nullopt;
  // Alone on its line it is a 成文日期; within a sentence it is a date the text speaks of.
  const std::size_t other = text.size() - (hit->end - hit->start);
  double confidence = other == 0 ? 0.9 : other <= 2 ? 0.7 : 0.3;
  if (!hit->complete) confidence -= 0.1;
  return Candidate{hit->value, confidence, std::string(line)};
}

std::optional<Candidate> find_doc_number(const std::vector<std::string>& lines) {
  std::optional<Candidate> best;
  for (std::size_t i = 0; i < std::min(lines.size(), kHeadLines); ++i) {
    auto candidate = parse_doc_number(lines[i]);
    if (candidate && (!best || candidate->confidence > best->confidence)) best = std::move(candidate);
  }
  return best;
}

std::optional<Candidate> find_date(const std::vector<std::string>& lines) {
  // The 成文日期 is the last date of the page that stands alone on its line.
  std::optional<Candidate> best;
  for (const std::string& line : lines) {
    auto candidate = parse_date(line);
    if (candidate && (!best || candidate->confidence >= best->confidence)) best = std::move(candidate);
  }
  return best;
}

std::optional<Candidate> find_author(const std::vector<std::string>& lines) {
  std::optional<Candidate> letterhead;
  for (std::size_t i = 0; i < std::min<std::size_t>(lines.size(), 3) && !letterhead; ++i)
    if (auto body = letterhead_body(lines[i]); body && body->size() >= 3)
      letterhead = Candidate{to_utf8(*body), std::all_of(body->begin(), body->end(), is_cjk) ? 0.85 : 0.45, lines[i]};
  // A letter (信函格式) heads with the body's name alone, its 文号 below it.
  if (!letterhead && lines.size() >= 2 && looks_like_body(normalise(lines[0])) && parse_doc_number(lines[1]))
    letterhead = Candidate{to_utf8(normalise(lines[0])), 0.75, lines[0]};

  // The 落款: the line just above the 成文日期, a body's name alone.
  std::optional<Candidate> signature;
  for (std::size_t i = lines.size(); i-- > 1;) {
    auto date = parse_date(lines[i]);
    if (!date || date->confidence < 0.7) continue;
    const std::u32string name = normalise(lines[i - 1]);
    if (looks_like_body(name)) signature = Candidate{to_utf8(name), 0.6, lines[i - 1]};
    break;
  }

  if (letterhead && signature) {
    // Two places saying one name are surer than either; 落款 may name an office of the body.
    if (partial_similarity(normalise(letterhead->value), normalise(signature->value)) >= 0.8)
      letterhead->confidence = 0.95;
    return letterhead;
  }
  return letterhead ? letterhead : signature;
}

namespace {

// The title among lines [first, last): up to three short lines joined, after any 红头 or
// 文号 line and stopped at the 主送 line (ending in ：) or at its 文种 word.
std::optional<Candidate> title_between(const std::vector<std::string>& lines, std::size_t first, std::size_t last) {
  std::u32string title;    // normalised, to measure it
  std::u32string written;  // as read, punctuation kept: the draft catalogue's 题名
  std::string evidence;
  std::size_t taken = 0;
  for (std::size_t i = first; i < last && taken < kMaxTitleLines; ++i) {
    // A 红头, or a 文号 OCR mangled too far to be taken for one, is no part of a title.
    if (letterhead_body(lines[i]) || parse_doc_number(lines[i])) {
      if (taken == 0) continue;
      break;
    }
    const std::u32string text = normalise(lines[i]);
    const std::u32string raw = compact(lines[i]);
    if (text.size() > kMaxTitleLineChars) break;                               // a body line
    if (!raw.empty() && (raw.back() == U'：' || raw.back() == U':')) break;  // 主送
    title += text;
    written += raw;
    evidence += (evidence.empty() ? "" : " / ") + lines[i];
    ++taken;
    if (ends_with_kind(title)) break;
  }
  if (title.size() < 4) return std::nullopt;
  double confidence = 0.5;
  if (ends_with_kind(title)) confidence += 0.3;
  if (title.substr(0, 2) == U"关于") confidence += 0.15;
  return Candidate{to_utf8(trim_stray_marks(written)), std::min(confidence, 1.0), evidence};
}

}  // namespace

std::optional<Candidate> find_title(const std::vector<std::string>& lines) {
  const std::size_t head = std::min(lines.size(), kHeadLines);
  std::size_t doc_number_line = head;
  for (std::size_t i = 0; i < head; ++i) {
    auto number = parse_doc_number(lines[i]);
    if (number && number->confidence >= 0.5) {
      doc_number_line = i;
      break;
    }
  }
  const bool letterhead = !lines.empty() && (letterhead_body(lines[0]) || looks_like_body(normalise(lines[0])));
  if (doc_number_line == head) return title_between(lines, letterhead ? 1 : 0, head);
  // Under a 红头 the title follows the 文号; a page without one (a 纪要) may lead with its
  // title and put the 文号 below. Both places are read, and the one that looks more like a
  // title (its 文种 word, 关于) wins; a 红头 OCR garbled past recognition ("Mi PP") leaves
  // a few letters before the 文号 that lose to the real title after it.
  auto after = title_between(lines, doc_number_line + 1, head);
  auto before = title_between(lines, 0, doc_number_line);
  if (!before) return after;
  if (!after) return before;
  if (after->confidence != before->confidence) return after->confidence > before->confidence ? after : before;
  return letterhead ? after : before;
}

PageFields extract_fields(std::string_view first_page_text) {
  const std::vector<std::string> lines = text_lines(first_page_text);
  PageFields fields;
  fields.title = find_title(lines);
  fields.doc_number = find_doc_number(lines);
  fields.author = find_author(lines);
  fields.date = find_date(lines);
  return fields;
}

double doc_number_similarity(std::string_view catalogue, std::string_view page) {
  const auto a = parse_doc_number(catalogue);
  const auto b = parse_doc_number(page);
  if (!a || !b) return similarity(normalise(catalogue), normalise(page));
  // 浙档发〔2021〕12号 → 机关代字, year, number.
  auto parts = [](const std::string& value) {
    const std::u32string text = to_code_points(value);
    const auto open = text.find(U'〔'), close = text.find(U'〕');
    return std::array<std::u32string, 3>{text.substr(0, open), text.substr(open + 1, close - open - 1),
                                         text.substr(close + 1, text.size() - close - 2)};
  };
  const auto x = parts(a->value), y = parts(b->value);
  double result = similarity(normalise(to_utf8(x[0])), normalise(to_utf8(y[0])));
  if (x[1] != y[1] || x[2] != y[2]) result = std::min(result, kOtherDocNumber);
  return result;
}

std::string catalogue_date(std::string_view text) {
  if (auto hit = scan_date(compact(text))) return hit->value;
  std::string digits;
  std::vector<int> parts;
  int current = -1;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      current = (current < 0 ? 0 : current * 10) + (c - '0');
      digits.push_back(c);
    } else if (current >= 0) {
      parts.push_back(current);
      current = -1;
    }
  }
  if (current >= 0) parts.push_back(current);
  if (parts.size() == 1 && digits.size() == 8) return digits;
  if (parts.size() == 3 && parts[0] >= 1900 && parts[0] <= 2100 && parts[1] >= 1 && parts[1] <= 12 && parts[2] >= 1 &&
      parts[2] <= 31)
    return yyyymmdd(parts[0], parts[1], parts[2]);
  return {};
}

}  // namespace lantai::cataloguing
