// ingest: turns the input folder (--in) into the lot's list of pages.
//
// Contract:
// - Each immediate sub-folder of input_root is one record; its name is the 档号. A name
//   failing is_safe_ref() gives ingest.bad_folder (reject) and the folder is not read.
// - Inside a record folder (not recursively) every .jpg .jpeg .png .tif .tiff .jp2 .jpx
//   .j2k file (any case) is a page; other entries give ingest.unsupported_file (warn): other formats,
//   nested folders, names that are not valid UTF-8. Files directly under input_root give
//   ingest.loose_file (warn). Hidden entries (".*") and Thumbs.db / desktop.ini are
//   skipped silently, at every level.
// - A TIFF gives one page per directory (frame 0..n-1, counted with libtiff). When the
//   file cannot be opened as TIFF it gives frame 0 only, and when its directory chain
//   breaks after n readable frames it gives frame n as well: decode then reports why.
// - A batch whose page files are of more than one format (JPEG, PNG, TIFF, JPEG 2000, by
//   extension) gets one ingest.mixed_formats (warn) on no item or record, counting the
//   files of each: DA/T 31-2017 asks one storage format per batch.
// - 拼接: a page scanned in parts is one page whose files are named after it with a
//   letter before the extension, a, b, c … in scan order (0007a.tif, 0007b.tif): files of
//   one name and extension with the letters a, b … next to each other in natural order
//   make one ItemRef, rel_path the a's, parts every part in order (decode stitches them).
//   A lone a (an inserted page), a b without its a, a letter that does not follow on, a
//   part of another extension, and a multi-page TIFF named as a part are pages of their own.
// - 照片档案: the image files of a photo record are photos (ItemKind::photo, the photo
//   chain), told by the catalogue or the profile, never by the pixels: the record's row
//   names its kind in one of kind_columns (门类, 类别) with one of photo_kinds (照片, ZP),
//   or its 档号's 门类代码 (the segment after the 全宗号: J012-ZP·2021-Y-0001) is one of
//   photo_category_codes, or the profile says every record is a photo record
//   (photo_records). Recordings stay recordings in any record. A photo is one file: its
//   first TIFF directory only (a scanner's thumbnail follows it), never gathered from parts.
// - Order: folders, then files, both in natural order (natural_order.h), then frames.
//   seq is 1-based within the record across files and frames. lot.folders lists the
//   record folders read (bad names excluded), in the same order.
// - Findings about one entry carry item_id = Page::make_id(rel_path, 0), rel_path being
//   '/'-separated UTF-8 relative to input_root (invalid bytes shown as \xNN).
// - A missing or unreadable input_root, or an unreadable record folder, is an environment
//   problem: std::runtime_error naming the folder.
// - process() keeps no state between calls and is safe to call from any thread.
#pragma once

#include "pipeline/units.h"

namespace lantai::ingest {

// How photo records are told (the profile's ingest section).
struct PhotoRecordRule {
  bool all_records = false;                      // photo_records: every record is a photo record
  std::vector<std::string> kind_columns;         // catalogue columns naming a record's kind
  std::vector<std::string> photo_kinds;          // their values that mean 照片
  std::vector<std::string> category_codes;       // 门类代码 of photo records in a 档号
  // True when the record (its 档号, and its catalogue row if any) is a photo record.
  bool is_photo_record(const std::string& ref, const Catalog* catalog) const;
};

class IngestStage final : public lantai::IngestStage {
 public:
  StageInfo describe() const override;
  void setup(ProfileSection& section, const StageContext& context) override;
  Outcome process(Lot& lot) const override;

 private:
  PhotoRecordRule photo_rule_;
};

}  // namespace lantai::ingest
