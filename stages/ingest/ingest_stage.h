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

class IngestStage final : public lantai::IngestStage {
 public:
  StageInfo describe() const override;
  // The "ingest" section has no keys; any key is refused.
  void setup(ProfileSection& section, const StageContext& context) override;
  Outcome process(Lot& lot) const override;
};

}  // namespace lantai::ingest
