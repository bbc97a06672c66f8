// searchable_pdf: the record's double-layer searchable PDF (双层PDF), one per record, at
// WORK/pdf/<档号>.pdf: each page is the page's delivered derivative, its pixels unchanged
// over the whole page: a JPEG embedded as it is (DCTDecode, not re-encoded), a JPEG 2000
// file as it is (JPXDecode), a G4 TIFF's strip as it is (CCITTFaxDecode), another TIFF
// as its samples, Flate-compressed; its size the image's pixels at the page's resolution; over it, the words of the
// page's OCR as an invisible text layer, the text-only page Tesseract's PDF renderer made
// in the OCR stage, grafted and scaled onto the page. The file is written as PDF/A-2b
// (XMP identification, an sRGB output intent, document information matching the XMP).
//
// A record is built only when all its pages were accepted and it has a catalogue entry:
// any other record is withheld from the deposit, and a PDF missing pages would mislead.
// Nor when a derivative's bytes are no longer what the ledger recorded: the deposit then
// stops the batch naming the file. A text layer changed so fails the record (the deposit
// never reads it).
// The PDF is an extra output: the deposit carries it, beside the pages and their text,
// when the profile deposits extras (deposit.include_extras).
#pragma once

#include <string>

#include "pipeline/units.h"

namespace lantai::searchable_pdf {

struct PdfSettings {
  bool enabled = true;
  std::string icc_profile;  // the sRGB profile of the PDF/A output intent
};

class SearchablePdfStage : public RecordStage {
 public:
  StageInfo describe() const override;
  // Reads the ICC profile once; throws std::runtime_error naming the package when it is missing.
  void setup(ProfileSection& section, const StageContext& context) override;
  Outcome process(const RecordWork& record) const override;

 private:
  PdfSettings settings_;
  std::string icc_bytes_;
};

}  // namespace lantai::searchable_pdf
