#include "stages/quality/photo_date_stage.h"

#include <algorithm>
#include <cctype>
#include <tuple>

#include "pipeline/format.h"

namespace lantai::quality {

namespace {

const TextParam kDateColumns{"date_columns", "时间,日期",
                             "catalogue columns holding when a photo was taken, the first present is read (DA/T "
                             "50-2014: 时间)"};

const TextParam kRequiredColumns{"required_columns", "照片号,摄影者",
                                 "catalogue fields a photo record must fill (DA/T 50-2014), beside its date (one of "
                                 "date_columns)"};

constexpr FindingCode kCatalogueIncomplete{
    "photo.catalogue_incomplete", Severity::warn,
    "a photo record's catalogue row leaves a DA/T 50-2014 field empty or lacks its column (照片号, 摄影者, its date 时间); "
    "value the fields missing, threshold the ones asked"};

constexpr FindingCode kDateMismatch{
    "photo.date_mismatch", Severity::warn,
    "the catalogue's date of a photo contradicts its file: later than a scan's EXIF DateTimeOriginal (taken after "
    "it was digitised), or of another year than a camera's own file says; value the catalogue's date, threshold "
    "the file's"};

using Day = std::tuple<int, int, int>;

// The first and last day a date to its precision stands for.
Day first_day(const CatalogueDate& d) { return {d.year, d.month ? d.month : 1, d.day ? d.day : 1}; }
Day last_day(const CatalogueDate& d) { return {d.year, d.month ? d.month : 12, d.day ? d.day : 31}; }

}  // namespace

std::optional<CatalogueDate> parse_catalogue_date(std::string_view text) {
  std::vector<std::string> groups;
  bool in_digits = false;
  for (char c : text) {
    const bool digit = std::isdigit(static_cast<unsigned char>(c)) != 0;
    if (digit && !in_digits) groups.emplace_back();
    if (digit) groups.back() += c;
    in_digits = digit;
  }
  if (groups.size() == 1 && (groups[0].size() == 6 || groups[0].size() == 8)) {  // 202103, 20210315
    const std::string packed = groups[0];
    groups = {packed.substr(0, 4), packed.substr(4, 2)};
    if (packed.size() == 8) groups.push_back(packed.substr(6, 2));
  }
  if (groups.empty() || groups.size() > 3 || groups[0].size() != 4) return std::nullopt;
  CatalogueDate date;
  date.year = std::stoi(groups[0]);
  if (groups.size() > 1) {
    if (groups[1].size() > 2) return std::nullopt;
    date.month = std::stoi(groups[1]);
    if (date.month < 1 || date.month > 12) return std::nullopt;
  }
  if (groups.size() > 2) {
    if (groups[2].size() > 2) return std::nullopt;
    date.day = std::stoi(groups[2]);
    if (date.day < 1 || date.day > 31) return std::nullopt;
  }
  if (date.year < 1800) return std::nullopt;  // no photograph is older
  return date;
}

StageInfo PhotoDateStage::describe() const {
  return {"photo_dates",
          "Holds a photo record's catalogue date (时间) against its files' EXIF capture date where that makes sense: "
          "not after a scan was made, the same year as a camera's own file.",
          "1",
          {kDateColumns.info(), kRequiredColumns.info()},
          {kDateMismatch, kCatalogueIncomplete}};
}

void PhotoDateStage::setup(ProfileSection& section, const StageContext&) {
  date_columns_ = split_list(section.get(kDateColumns));
  required_columns_ = split_list(section.get(kRequiredColumns));
  section.finish();
}

Outcome PhotoDateStage::process(const RecordWork& record) const {
  Outcome outcome;
  if (!record.entry || !record.catalog) return outcome;
  const bool photos = std::any_of(record.items.begin(), record.items.end(),
                                  [](const RecordItem& item) { return item.kind == ItemKind::photo; });
  if (photos) check_fields(record, outcome);
  std::string column, text;
  for (const std::string& name : date_columns_) {
    const auto& columns = record.catalog->columns;
    if (std::find(columns.begin(), columns.end(), name) == columns.end()) continue;
    column = name;
    text = record.entry->field(columns, name);
    break;
  }
  const std::optional<CatalogueDate> catalogued = parse_catalogue_date(text);
  if (!catalogued) return outcome;

  for (const RecordItem& item : record.items) {
    if (item.kind != ItemKind::photo) continue;
    const std::string captured_text = item.measurements.text("capture_date");
    const std::optional<CatalogueDate> captured = parse_catalogue_date(captured_text.substr(0, 10));
    if (!captured) continue;
    const bool camera_born = item.measurements.text("capture_source") == "camera";
    std::string why;
    if (camera_born && catalogued->year != captured->year)
      why = column + " " + text + " is of another year than the camera's DateTimeOriginal " + captured_text;
    else if (!camera_born && first_day(*catalogued) > last_day(*captured))
      why = column + " " + text + " is later than the scan's DateTimeOriginal " + captured_text +
            ": the photo cannot have been taken after it was digitised";
    if (why.empty()) continue;
    Finding finding = kDateMismatch(item.rel_path + ": " + why, text, captured_text);
    finding.item_id = item.item_id;
    outcome.add(std::move(finding));
  }
  return outcome;
}

void PhotoDateStage::check_fields(const RecordWork& record, Outcome& outcome) const {
  const auto& columns = record.catalog->columns;
  auto filled = [&](const std::string& name) {
    if (std::find(columns.begin(), columns.end(), name) == columns.end()) return false;
    const std::string value = record.entry->field(columns, name);
    return value.find_first_not_of(" \t") != std::string::npos;
  };
  std::vector<std::string> missing, asked = required_columns_;
  for (const std::string& name : required_columns_)
    if (!filled(name)) missing.push_back(name);
  if (!date_columns_.empty()) {
    asked.push_back(date_columns_.front());
    if (std::none_of(date_columns_.begin(), date_columns_.end(), filled)) missing.push_back(date_columns_.front());
  }
  if (missing.empty()) return;
  outcome.add(kCatalogueIncomplete(record.ref + ": the photo record's catalogue row has no " + join_list(missing) +
                                       " (DA/T 50-2014)",
                                   join_list(missing), join_list(asked)));
}

}  // namespace lantai::quality
