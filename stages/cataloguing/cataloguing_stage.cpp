#include "stages/cataloguing/cataloguing_stage.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "pipeline/files.h"
#include "pipeline/format.h"
#include "stages/cataloguing/field_extractors.h"
#include "stages/cataloguing/text_match.h"

namespace lantai::cataloguing {

namespace {

using Json = nlohmann::ordered_json;

const NumberParam kMinConfidence{"min_confidence", "ratio", 0, 1, 0.6,
                                 "a field read from the page with less confidence is not held against the catalogue"};
const NumberParam kMinTitleSimilarity{"min_title_similarity", "ratio", 0, 1, 0.6,
                                      "题名 on the page and in the catalogue less alike than this: a mismatch"};
const NumberParam kMinDocNumberSimilarity{
    "min_doc_number_similarity", "ratio", 0, 1, 0.7,
    "文号 less alike than this: a mismatch (a differing year or number counts 0.5 at most)"};
const NumberParam kMinAuthorSimilarity{"min_author_similarity", "ratio", 0, 1, 0.7,
                                       "责任者 less alike than this (the shorter within the longer): a mismatch"};
const NumberParam kMinDateSimilarity{"min_date_similarity", "ratio", 0, 1, 1.0,
                                     "日期 (YYYYMMDD) less alike than this: a mismatch; 1 asks the same day"};
const FlagParam kNumberingStartsAtOne{"numbering_starts_at_one", true,
                                      "件号 of each series count from 1, so a series starting later has a gap"};
const TextParam kRefPattern{"ref_pattern", kDefaultRefPattern,
                            "档号 grammar: a regular expression with named parts, (?<item>...) the 件号; "
                            "default DA/T 22-2015 全宗号-门类代码·年度-保管期限-机构代码-件号"};

constexpr FindingCode kMismatchTitle{"catalog.mismatch.title", Severity::warn,
                                     "the 题名 on the record's first page differs from the catalogue's"};
constexpr FindingCode kMismatchDocNumber{"catalog.mismatch.docno", Severity::warn,
                                         "the 文号 on the record's first page differs from the catalogue's"};
constexpr FindingCode kMismatchDate{"catalog.mismatch.date", Severity::warn,
                                    "the 日期 on the record's first page differs from the catalogue's"};
constexpr FindingCode kMismatchAuthor{"catalog.mismatch.author", Severity::warn,
                                      "the 责任者 on the record's first page (红头 or 落款) differs from the catalogue's"};
constexpr FindingCode kBadRefFormat{"catalog.bad_ref_format", Severity::warn,
                                    "a 档号 that does not follow the profile's grammar (DA/T 22-2015 by default)"};
constexpr FindingCode kNumberingGap{"catalog.numbering_gap", Severity::warn,
                                    "件号 missing before this record in its series (DA/T 70-2018 2-6)"};
constexpr FindingCode kNumberingDuplicate{"catalog.numbering_duplicate", Severity::warn,
                                          "this record's 件号 is already used by an earlier 档号 of its series"};

constexpr OutputInfo kCandidatesOutput{"catalogue_candidates", OutputRole::work,
                                       "the fields read from the first page, with confidence and verdict (JSON)"};

constexpr const char* kDocNumberColumn = "文号";
constexpr const char* kAuthorColumn = "责任者";
constexpr const char* kDateColumn = "日期";

// 件号 written as wide as the record's own: 3 → 0003.
std::string item_text(long long number, std::size_t width) {
  char text[32];
  std::snprintf(text, sizeof text, "%0*lld", static_cast<int>(width), number);
  return text;
}

// 0003, 0005-0007 …, at most a dozen ranges named.
std::string ranges_text(const std::vector<std::pair<long long, long long>>& ranges, std::size_t width) {
  std::string out;
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    if (i == 12) return out + ", …";
    if (i > 0) out += ", ";
    out += item_text(ranges[i].first, width);
    if (ranges[i].second > ranges[i].first) out += "-" + item_text(ranges[i].second, width);
  }
  return out;
}

// The first page that OCR read: its text file below WORK.
const RecordItem* first_read_page(const RecordWork& record, const StageOutput** text) {
  for (const RecordItem& item : record.items) {
    if (item.kind != ItemKind::page) continue;
    for (const StageOutput& output : item.outputs)
      if (output.kind == "ocr_text") {
        *text = &output;
        return &item;
      }
  }
  return nullptr;
}

}  // namespace

StageInfo CataloguingStage::describe() const {
  StageInfo info{"cataloguing",
                 "Reads 题名, 文号, 责任者 and 日期 from each record's first page and checks them, its 档号 and its "
                 "件号 against the catalogue.",
                 "1",
                 {kMinConfidence.info(), kMinTitleSimilarity.info(), kMinDocNumberSimilarity.info(),
                  kMinAuthorSimilarity.info(), kMinDateSimilarity.info(), kNumberingStartsAtOne.info(),
                  kRefPattern.info()},
                 {kMismatchTitle, kMismatchDocNumber, kMismatchDate, kMismatchAuthor, kBadRefFormat, kNumberingGap,
                  kNumberingDuplicate}};
  info.outputs = {kCandidatesOutput};
  return info;
}

void CataloguingStage::setup(ProfileSection& section, const StageContext&) {
  settings_.min_confidence = section.get(kMinConfidence);
  settings_.min_title_similarity = section.get(kMinTitleSimilarity);
  settings_.min_doc_number_similarity = section.get(kMinDocNumberSimilarity);
  settings_.min_author_similarity = section.get(kMinAuthorSimilarity);
  settings_.min_date_similarity = section.get(kMinDateSimilarity);
  settings_.numbering_starts_at_one = section.get(kNumberingStartsAtOne);
  settings_.ref_pattern = section.get(kRefPattern);
  try {
    grammar_ = std::make_unique<RefGrammar>(settings_.ref_pattern);
  } catch (const std::invalid_argument& error) {
    throw ProfileError("cataloguing.ref_pattern: " + std::string(error.what()));
  }
}

namespace {

struct FieldCheck {
  const char* column;
  const FindingCode& code;
  double threshold;
};

}  // namespace

const CataloguingStage::SeriesIndex& CataloguingStage::series_index(const Catalog& catalog) const {
  std::lock_guard lock(index_mutex_);
  if (indexed_ != &catalog) {
    index_.clear();
    for (const CatalogRecord& entry : catalog.records)
      if (const auto parts = grammar_->parse(entry.ref))
        index_[{parts->prefix, parts->suffix}].push_back({parts->number, entry.row, &entry});
    for (auto& [series, numbers] : index_) std::sort(numbers.begin(), numbers.end());
    indexed_ = &catalog;
  }
  return index_;
}

void CataloguingStage::check_numbering(const RecordWork& record, const RefParts& parts, Outcome& outcome) const {
  const SeriesIndex& index = series_index(*record.catalog);
  const auto series = index.find({parts.prefix, parts.suffix});
  if (series == index.end()) return;
  const std::vector<Numbered>& numbers = series->second;
  const auto first_of_number = std::lower_bound(numbers.begin(), numbers.end(), Numbered{parts.number, -1, nullptr});
  // An earlier row of another 档号 with this 件号 (the same 档号 twice is catalog.duplicate_ref).
  for (auto same = first_of_number; same != numbers.end() && same->number == parts.number && same->row < record.entry->row;
       ++same) {
    if (same->record->ref == record.ref) continue;
    outcome.add(kNumberingDuplicate(record.ref + ": 件号 " + parts.item + " is already " + same->record->ref +
                                        "'s (catalogue row " + std::to_string(same->row) + ")",
                                    parts.item));
    break;
  }
  const long long previous = first_of_number != numbers.begin() ? std::prev(first_of_number)->number
                             : settings_.numbering_starts_at_one ? 0
                                                                 : parts.number - 1;
  if (parts.number - previous > 1) {
    const long long missing = parts.number - previous - 1;
    outcome.add(kNumberingGap(record.ref + ": 件号 " + ranges_text({{previous + 1, parts.number - 1}}, parts.item.size()) +
                                  " missing in series " + parts.prefix + "…" + parts.suffix,
                              std::to_string(missing), "0"));
  }
}

Outcome CataloguingStage::process(const RecordWork& record) const {
  Outcome outcome;
  const bool catalogued = record.entry && record.catalog;

  // The 档号 and its series; with no catalogue the folder names the record, and its name is
  // checked as the 档号 it will be (the series, once the draft is the catalogue).
  if (catalogued || !record.catalog) {
    const auto parts = grammar_->parse(record.ref);
    if (!parts)
      outcome.add(kBadRefFormat(record.ref + ": 档号 does not follow the grammar " + settings_.ref_pattern));
    else if (catalogued)
      check_numbering(record, *parts, outcome);
  }

  // The fields on the first page.
  const StageOutput* text_output = nullptr;
  const RecordItem* page = first_read_page(record, &text_output);
  if (!page) return outcome;
  const PageFields fields = extract_fields(read_file(record.work_dir / utf8_path(text_output->path)));

  Json json;
  json["档号"] = record.ref;
  json["page"] = page->rel_path;
  json["ocr_text"] = text_output->path;
  Json& fields_json = json["fields"];
  const std::vector<std::pair<FieldCheck, const std::optional<Candidate>*>> checks = {
      {{kTitleColumn, kMismatchTitle, settings_.min_title_similarity}, &fields.title},
      {{kDocNumberColumn, kMismatchDocNumber, settings_.min_doc_number_similarity}, &fields.doc_number},
      {{kAuthorColumn, kMismatchAuthor, settings_.min_author_similarity}, &fields.author},
      {{kDateColumn, kMismatchDate, settings_.min_date_similarity}, &fields.date},
  };
  for (const auto& [check, candidate] : checks) {
    Json field;
    field["page"] = *candidate ? Json((*candidate)->value) : Json(nullptr);
    field["confidence"] = *candidate ? (*candidate)->confidence : 0.0;
    field["evidence"] = *candidate ? (*candidate)->evidence : "";
    if (*candidate && !(*candidate)->alternative.empty()) field["alternative"] = (*candidate)->alternative;
    const std::string listed = catalogued ? record.entry->field(record.catalog->columns, check.column) : "";
    if (catalogued) field["catalogue"] = listed;
    const bool judged = *candidate && !listed.empty() && (*candidate)->confidence >= settings_.min_confidence;
    if (judged) {
      const std::string& read = (*candidate)->value;
      const std::string column = check.column;
      double alike = 0;
      if (column == kDocNumberColumn) {
        alike = doc_number_similarity(listed, read);
        if (!(*candidate)->alternative.empty())
          alike = std::max(alike, doc_number_similarity(listed, (*candidate)->alternative));
      } else if (column == kDateColumn) {
        const std::string date = catalogue_date(listed);
        alike = similarity(normalise(date.empty() ? listed : date), normalise(read));
      } else if (column == kAuthorColumn) {
        // 落款 may name an office of the body, the catalogue the body, or the other way.
        const auto a = normalise(listed), b = normalise(read);
        alike = a.size() <= b.size() ? partial_similarity(a, b) : partial_similarity(b, a);
      } else {
        alike = similarity(normalise(listed), normalise(read));
      }
      field["similarity"] = alike;
      field["threshold"] = check.threshold;
      field["mismatch"] = alike < check.threshold;
      if (alike < check.threshold) {
        Finding finding = check.code(record.ref + ": " + column + " in the catalogue is \"" + listed +
                                         "\", page " + page->rel_path + " shows \"" + read + "\" (similarity " +
                                         fixed(alike, 2) + ", confidence " + fixed((*candidate)->confidence, 2) + ")",
                                     fixed(alike, 2), fixed(check.threshold, 2));
        finding.item_id = page->item_id;
        outcome.add(std::move(finding));
      }
    }
    field["judged"] = judged;
    fields_json[check.column] = std::move(field);
  }
  outcome.outputs.push_back(
      write_output(record.work_dir, "catalogue/" + record.ref + ".json", json.dump(2) + "\n", std::string(kCandidatesOutput.kind)));
  return outcome;
}

}  // namespace lantai::cataloguing
