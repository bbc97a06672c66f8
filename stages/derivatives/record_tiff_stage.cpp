#include "stages/derivatives/record_tiff_stage.h"

#include <cstdint>
#include <optional>
#include <stdexcept>

#include "pipeline/files.h"
#include "pipeline/item.h"
#include "pipeline/library_versions.h"
#include "stages/derivatives/derivative_stage.h"

namespace lantai::derivatives {

namespace {

const FlagParam kEnabled{"enabled", false,
                         "write each record's pages as one multi-page TIFF as well (the deposit carries it with the "
                         "extras, deposit.include_extras)"};
const ChoiceParam kCompression{"compression", {"lzw", "deflate", "g4"}, "lzw",
                               "lzw or deflate (lossless); g4: CCITT T.6 for black-and-white pages, LZW for the others"};

constexpr OutputInfo kRecordTiff{"record_tiff", OutputRole::extra,
                                 "the record's pages as one multi-page TIFF, lossless, each page with its resolution "
                                 "and page number (WORK/tiff/<档号>.tif)"};

constexpr const char* kDerivativeKind = "derivative";  // the derivatives stage's page images

// Past this many bytes of pixels (with LZW's worst growth) the file is written as BigTIFF:
// classic TIFF's offsets stop at 4 GB.
constexpr std::uint64_t kClassicTiffLimit = (std::uint64_t{1} << 32) - (std::uint64_t{64} << 20);

const StageOutput* derivative_of(const RecordItem& item) {
  for (const StageOutput& output : item.outputs)
    if (output.kind == kDerivativeKind) return &output;
  return nullptr;
}

std::uint64_t worst_case_bytes(const std::vector<RecordItem>& items) {
  std::uint64_t bytes = 0;
  for (const RecordItem& item : items) {
    const double width = item.measurements.number("width_px").value_or(0);
    const double height = item.measurements.number("height_px").value_or(0);
    bytes += static_cast<std::uint64_t>(width * height * 3 * 1.5);  // colour, LZW on noise
  }
  return bytes;
}

}  // namespace

StageInfo RecordTiffStage::describe() const {
  StageInfo info{"record_tiff",
                 "Writes each record's pages as one multi-page TIFF (lossless, with resolution and page numbers).",
                 "1",
                 {kEnabled.info(), kCompression.info()},
                 {}};
  info.outputs = {kRecordTiff};
  info.libraries = {libtiff_library()};
  return info;
}

void RecordTiffStage::setup(ProfileSection& section, const StageContext&) {
  settings_.enabled = section.get(kEnabled);
  const std::string compression = section.get(kCompression);
  settings_.compression = compression == "g4"        ? TiffCompression::g4
                          : compression == "deflate" ? TiffCompression::deflate
                                                     : TiffCompression::lzw;
  section.finish();
}

Outcome RecordTiffStage::process(const RecordWork& record) const {
  Outcome outcome;
  if (!settings_.enabled || !record.entry || !record.has_folder || record.items.empty()) return outcome;
  for (const RecordItem& item : record.items)
    if (item.rejected || item.kind != ItemKind::page) return outcome;  // withheld, or not a record of pages

  const bool big = worst_case_bytes(record.items) > kClassicTiffLimit;
  OutputFile file(record.work_dir, "tiff/" + record.ref + ".tif", std::string(kRecordTiff.kind));
  TiffPagesWriter writer(file.descriptor(), static_cast<int>(record.items.size()), big);
  for (const RecordItem& item : record.items) {
    const StageOutput* image = derivative_of(item);
    if (!image) throw std::runtime_error(item.rel_path + ": no derivative image in WORK to put in the record's TIFF");
    // Only bytes the ledger recorded; a damaged derivative is the deposit's to refuse, naming the file.
    std::optional<std::string> bytes = read_output(record.work_dir, *image);
    if (!bytes) return outcome;
    cv::Mat pixels;
    try {
      pixels = decode_derivative(*bytes);
    } catch (const std::exception& error) {
      throw std::runtime_error(image->path + ": cannot be read back for the record's TIFF: " + error.what());
    }
    bytes.reset();
    const bool bilevel = pixels.channels() == 1 && item.measurements.text("colour_mode") == to_string(ColourMode::bilevel);
    const TiffCompression compression =
        settings_.compression == TiffCompression::g4 && !bilevel ? TiffCompression::lzw : settings_.compression;
    writer.add(pixels, compression, item.measurements.number("resolution_dpi"));
  }
  writer.finish();
  outcome.outputs.push_back(file.commit());
  return outcome;
}

}  // namespace lantai::derivatives
