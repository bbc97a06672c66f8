// photo_dates: the record-scope half of the photo check. Holds a photo record's date (the
// catalogue's 时间, DA/T 50-2014: when the photo was taken) against what its files say
// (EXIF DateTimeOriginal, measured by photo_quality), as far as a comparison makes sense:
// - a scan (of a print or negative): its DateTimeOriginal is when it was digitised, so
//   the photo cannot have been taken later: flagged when the catalogue's date begins after it;
// - a camera's own file (born digital): its DateTimeOriginal is when it was taken, but
//   camera clocks drift and are left unset, so only the year is compared.
// A record without a date, or a photo without one, is not judged. photo.date_mismatch is a
// warning: an inspector decides which of the two is wrong. And the DA/T 50-2014 fields a
// photo record must fill (照片号, 摄影者 and its date): photo.catalogue_incomplete, a warning.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/units.h"

namespace lantai::quality {

// A date as a catalogue gives it, to the precision it gives (2021, 2021-03, 2021-03-15):
// month and day 0 when not given.
struct CatalogueDate {
  int year = 0;
  int month = 0;
  int day = 0;
};
// "2021-03-15", "20210315", "2021.3.15", "2021年3月15日", "2021-03", "2021"; nullopt for
// anything else (an empty cell, a range).
std::optional<CatalogueDate> parse_catalogue_date(std::string_view text);

class PhotoDateStage final : public RecordStage {
 public:
  StageInfo describe() const override;
  void setup(ProfileSection& section, const StageContext& context) override;
  Outcome process(const RecordWork& record) const override;

 private:
  void check_fields(const RecordWork& record, Outcome& outcome) const;

  std::vector<std::string> date_columns_;
  std::vector<std::string> required_columns_;
};

}  // namespace lantai::quality
