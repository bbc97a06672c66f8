// cataloguing: 目录建库 checked against the pages. For each record it reads the fields
// the catalogue describes (题名, 文号, 责任者, 日期) back from its first page's OCR text,
// writes them with their confidence to WORK/catalogue/<档号>.json (work data, shaped as a
// catalogue row so a draft catalogue can be built from it), and reports each field the
// page clearly contradicts. It also checks the 档号 against its grammar (DA/T 22-2015 or a
// local one) and the 件号 of its series for gaps and repeats (DA/T 70-2018 item 2-6),
// which needs the whole catalogue (RecordWork::catalog).
//
// Measuring is kept apart from judging: the candidates are written whatever the verdict,
// and a field the page does not show clearly (confidence below min_confidence) is never
// called a mismatch.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include <tuple>

#include "pipeline/units.h"
#include "stages/cataloguing/ref_grammar.h"

namespace lantai::cataloguing {

struct CataloguingSettings {
  double min_confidence = 0.6;
  double min_title_similarity = 0.6;
  double min_doc_number_similarity = 0.7;
  double min_author_similarity = 0.7;
  double min_date_similarity = 1.0;
  bool numbering_starts_at_one = true;
  std::string ref_pattern = kDefaultRefPattern;
};

class CataloguingStage : public RecordStage {
 public:
  StageInfo describe() const override;
  void setup(ProfileSection& section, const StageContext& context) override;
  Outcome process(const RecordWork& record) const override;

 private:
  // The catalogue's 件号 by series (the 档号 around the 件号), each series sorted by
  // number: built once per catalogue, so a lot of 100,000 records is not read 100,000 times.
  struct Numbered {
    long long number;
    int row;
    const CatalogRecord* record;
    bool operator<(const Numbered& other) const { return std::tie(number, row) < std::tie(other.number, other.row); }
  };
  using SeriesIndex = std::map<std::pair<std::string, std::string>, std::vector<Numbered>>;
  const SeriesIndex& series_index(const Catalog& catalog) const;
  void check_numbering(const RecordWork& record, const RefParts& parts, Outcome& outcome) const;

  CataloguingSettings settings_;
  std::unique_ptr<RefGrammar> grammar_ = std::make_unique<RefGrammar>(kDefaultRefPattern);
  mutable std::mutex index_mutex_;
  mutable const Catalog* indexed_ = nullptr;
  mutable SeriesIndex index_;
};

}  // namespace lantai::cataloguing
