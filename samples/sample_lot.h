// The demo archive: a delivery lot of scanned paper records with a catalogue and the
// ground truth a run of lantai should reproduce. `lantai samples make DIR` calls
// make_sample_lot(DIR).
//
//   DIR/scans/<档号>/0001.jpg ...   one folder per record (件), files in page order
//   DIR/catalogue.csv              UTF-8 with BOM, as archive systems export it
//   DIR/ground-truth.json          every page and record, and the planted faults
//
// The lot is fonds J012 (临江市档案局), 文书 records of 2021, 档号 per DA/T 22-2015,
// pages 300-dpi A4. Exactly six faults are planted, each in a record of its own:
//   qc.blank, qc.resolution.low, qc.duplicate, decode.truncated (page level);
//   link.missing_page, link.orphan_folder (record level).
// The other records are clean. With catalogue_errors, each clean record's catalogue row
// carries one wrong field instead, in turn 题名, 文号, 日期, 责任者 (catalog.mismatch.*),
// while its pages stay true. With photos_and_recordings, the lot also holds two photo
// records (照片, 门类代码 ZP: 600-dpi scans of 5-inch prints, JPEG with EXIF) and one sound
// recording (录音, LY: a 3 s WAV, 24-bit 44.1 kHz stereo), all clean, so a run shows the
// three kinds side by side. The same options give the same bytes on the same build.
#pragma once

#include <cstdint>
#include <filesystem>

namespace lantai::samples {

struct SampleOptions {
  // Catalogue rows, at least 6: five host the catalogued faults, the rest are clean
  // (8 gives three clean records: colour JPEG, multi-page TIFF, CCITT G4). The
  // orphan folder comes on top, as it has no row.
  int records = 8;
  int pages_per_record = 3;  // 2..20; the short record's folder holds one page less
  std::uint32_t seed = 20261124;
  bool catalogue_errors = false;  // clean records' rows get one wrong field each
  bool photos_and_recordings = false;  // two photo records and one sound recording beside the paper
};

struct SampleLot {
  std::filesystem::path scans_dir;     // DIR/scans: the input folder for a batch
  std::filesystem::path catalog_file;  // DIR/catalogue.csv
  std::filesystem::path truth_file;    // DIR/ground-truth.json
  int pages = 0;    // page images in the folders (every TIFF frame counts)
  int records = 0;  // catalogue rows
  int folders = 0;  // record folders, the orphan included
  int photos = 0;      // photo files
  int recordings = 0;  // sound and video files
};

// Writes a lot into dir, which must be absent or empty. Throws std::invalid_argument for
// bad options, std::runtime_error naming the problem otherwise (dir not empty, the CJK
// font missing — install fonts-noto-cjk —, a file that cannot be written).
SampleLot make_sample_lot(const std::filesystem::path& dir, const SampleOptions& options = {});

}  // namespace lantai::samples
