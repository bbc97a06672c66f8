// Reading a record's catalogue fields back from the OCR text of its first page, laid out
// as GB/T 9704 has it: 红头 (issuing body + 文件), 文号, the centred 题名 over one to three
// lines, 主送, body, then the 落款 and the date. Each field comes with a confidence 0..1
// that the page shows it clearly; a field the page does not show is absent.
//
// The values are written as the catalogue writes them: 文号 with 〔〕, the date as
// YYYYMMDD, the title and the body without spaces. Pure functions, any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lantai::cataloguing {

struct Candidate {
  std::string value;        // as the catalogue writes it
  double confidence = 0;    // 0..1: how clearly the page shows this field
  std::string evidence;     // the line(s) as read, for a person to check
  // Another reading as likely as value, when OCR left the field ambiguous: a 文号 whose
  // 号 is missing after "125" may be 12号 with 号 read as 5, or 125号 with 号 lost.
  std::string alternative;
};

struct PageFields {
  std::optional<Candidate> title;       // 题名
  std::optional<Candidate> doc_number;  // 文号
  std::optional<Candidate> author;      // 责任者
  std::optional<Candidate> date;        // 日期
};

// The non-empty lines of a page's text, trimmed.
std::vector<std::string> text_lines(std::string_view page_text);

// A 文号 in one line: 机关代字, year and number, brackets as OCR reads them (〔〕[]()【】
// or none), e.g. "临档发 [2021] 9 号" → 临档发〔2021〕9号. nullopt when the line is not one.
std::optional<Candidate> parse_doc_number(std::string_view line);

// A date in one line, Arabic (2021年6月1日) or Chinese numerals (二〇二一年六月一日) → YYYYMMDD.
// The confidence is high when the date is the whole line (the 成文日期 under the 落款).
std::optional<Candidate> parse_date(std::string_view line);

// Each field from the lines of a first page.
std::optional<Candidate> find_doc_number(const std::vector<std::string>& lines);
std::optional<Candidate> find_date(const std::vector<std::string>& lines);
std::optional<Candidate> find_author(const std::vector<std::string>& lines);
std::optional<Candidate> find_title(const std::vector<std::string>& lines);

PageFields extract_fields(std::string_view first_page_text);

// 文号 held against 文号, 0..1: the 机关代字 by edit distance, while a differing year or
// number (which name another document) caps the result at kOtherDocNumber.
inline constexpr double kOtherDocNumber = 0.5;
double doc_number_similarity(std::string_view catalogue, std::string_view page);

// A catalogue date (20210601, 2021-06-01, 2021.6.1, 2021年6月1日) as YYYYMMDD; empty
// when it is none.
std::string catalogue_date(std::string_view text);

}  // namespace lantai::cataloguing
