#include "stages/searchable_pdf/searchable_pdf_stage.h"

#include <filesystem>
#include <optional>
#include <stdexcept>

#include "pipeline/catalog.h"
#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "stages/searchable_pdf/pdf_assembly.h"

namespace lantai::searchable_pdf {

namespace {

const FlagParam kEnabled{"enabled", true,
                         "build each record's searchable PDF (the deposit carries it with the extras, "
                         "deposit.include_extras)"};
const TextParam kIccProfile{"icc_profile", "/usr/share/color/icc/sRGB.icc",
                            "the sRGB ICC profile of the PDF/A output intent (Debian icc-profiles-free)"};

constexpr FindingCode kNoTextLayer{"pdf.no_text_layer", Severity::info,
                                   "a page of the record has no OCR text layer; it is in the PDF as an image only"};

constexpr OutputInfo kPdf{"searchable_pdf", OutputRole::extra,
                          "the record's searchable PDF (双层PDF): page images with an invisible OCR text layer, "
                          "PDF/A-2b (WORK/pdf/<档号>.pdf)"};

// The outputs the item stages left that this stage reads.
constexpr const char* kDerivativeKind = "derivative";
constexpr const char* kTextLayerKind = "ocr_text_layer";

// As the OCR stage assumes for a page that carries no resolution.
constexpr double kDefaultResolutionDpi = 300;

const StageOutput* output_of(const RecordItem& item, std::string_view kind) {
  for (const StageOutput& output : item.outputs)
    if (output.kind == kind) return &output;
  return nullptr;
}

}  // namespace

StageInfo SearchablePdfStage::describe() const {
  StageInfo info{"searchable_pdf",
                 "Builds each record's searchable PDF: its page images as delivered, with the OCR text "
                 "invisibly over the words.",
                 "2",
                 {kEnabled.info(), kIccProfile.info()},
                 {kNoTextLayer}};
  info.outputs = {kPdf};
  return info;
}

void SearchablePdfStage::setup(ProfileSection& section, const StageContext&) {
  settings_.enabled = section.get(kEnabled);
  settings_.icc_profile = section.get(kIccProfile);
  icc_bytes_.clear();
  if (!settings_.enabled) return;
  try {
    icc_bytes_ = read_file(settings_.icc_profile);
  } catch (const std::exception&) {
    throw std::runtime_error("searchable_pdf: cannot read the ICC profile " + settings_.icc_profile +
                             "; install icc-profiles-free (scripts/install-deps.sh) or give searchable_pdf.icc_profile");
  }
  // An ICC profile names its colour space at bytes 16..19 (ICC.1 7.2.6).
  if (icc_bytes_.size() < 128 || icc_bytes_.compare(16, 4, "RGB ") != 0)
    throw ProfileError("searchable_pdf.icc_profile: " + settings_.icc_profile + " is not an RGB ICC profile");
}

Outcome SearchablePdfStage::process(const RecordWork& record) const {
  Outcome outcome;
  if (!settings_.enabled || !record.entry || !record.has_folder || record.items.empty()) return outcome;
  for (const RecordItem& item : record.items)
    if (item.rejected || item.kind != ItemKind::page) return outcome;  // withheld, or not a record of pages

  std::vector<PdfPage> pages;
  for (const RecordItem& item : record.items) {
    const StageOutput* image = output_of(item, kDerivativeKind);
    if (!image) throw std::runtime_error(item.rel_path + ": no derivative image in WORK to put in the PDF");
    PdfPage page;
    // Only bytes the ledger recorded: a PDF must not carry a page other than the one deposited beside it.
    std::optional<std::string> derivative = read_output(record.work_dir, *image);
    // A damaged derivative is the deposit's to refuse: it stops the batch naming the file.
    if (!derivative) return outcome;
    try {
      page.image = pdf_image(std::move(*derivative));
    } catch (const std::invalid_argument& error) {
      throw std::runtime_error(image->path + ": cannot be put in a PDF: " + error.what());
    }
    page.resolution_dpi = item.measurements.number("resolution_dpi").value_or(kDefaultResolutionDpi);
    if (const StageOutput* layer = output_of(item, kTextLayerKind)) {
      page.text_layer = read_output(record.work_dir, *layer);
      // The deposit never sees the layer: a damaged one withholds the record here.
      if (!page.text_layer)
        throw std::runtime_error("WORK file " + layer->path + " changed after it was made; run again to redo it");
    } else {
      Finding finding = kNoTextLayer(item.rel_path + ": no OCR text layer; page " + std::to_string(item.seq) +
                                     " of the PDF is an image only");
      finding.item_id = item.item_id;
      outcome.add(std::move(finding));
    }
    pages.push_back(std::move(page));
  }

  const std::string title = record.catalog ? record.entry->field(record.catalog->columns, kTitleColumn) : "";
  const PdfIdentity identity{title.empty() ? record.ref : record.ref + " " + title, "lantai", icc_bytes_};
  std::string pdf;
  try {
    pdf = assemble_pdf(pages, identity);
  } catch (const std::exception& error) {
    throw std::runtime_error(record.ref + ": cannot build the PDF: " + error.what());
  }
  outcome.outputs.push_back(write_output(record.work_dir, "pdf/" + record.ref + ".pdf", pdf, std::string(kPdf.kind)));
  return outcome;
}

}  // namespace lantai::searchable_pdf
