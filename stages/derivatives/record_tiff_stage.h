// record_tiff: one multi-page TIFF per record, WORK/tiff/<档号>.tif (DA/T 31-2017 allows a
// record's pages as one file beside, or instead of, one file a page). Its pages are the
// record's delivered derivatives in order, decoded and written again losslessly (LZW or
// Deflate; CCITT G4 for a black-and-white page when asked), each with its resolution and
// its page number, so the file shows exactly the pixels of the single-page files. Written
// page by page straight to WORK: a record of hundreds of pages never sits in memory; a
// record that could pass 4 GB is written as BigTIFF.
//
// Off unless the profile asks (record_tiff.enabled). Like the searchable PDF, it is built
// only for a record whose pages were all accepted and that has a catalogue entry, and the
// deposit carries it with the extras (deposit.include_extras).
#pragma once

#include "pipeline/tiff_codec.h"
#include "pipeline/units.h"

namespace lantai::derivatives {

struct RecordTiffSettings {
  bool enabled = false;
  TiffCompression compression = TiffCompression::lzw;  // g4: G4 for black-and-white pages, LZW for the rest
};

class RecordTiffStage : public RecordStage {
 public:
  StageInfo describe() const override;
  void setup(ProfileSection& section, const StageContext& context) override;
  Outcome process(const RecordWork& record) const override;

 private:
  RecordTiffSettings settings_;
};

}  // namespace lantai::derivatives
