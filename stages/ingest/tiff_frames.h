// Counts the pages of a TIFF without decoding it. Ingest must not link the decode stage,
// so it asks libtiff itself, with the same per-handle discipline: TIFFOpenOptions with
// error and warning handlers of its own (messages are dropped: decode reports problems,
// once, with reasons; an IFD loop, only a warning to libtiff, breaks the chain) and a
// memory cap. Thread-safe.
#pragma once

#include <filesystem>

namespace lantai::ingest {

struct TiffFrames {
  int readable = 0;           // directories libtiff could walk to; 0: not openable as TIFF
  bool chain_broken = false;  // the walk stopped on an error (a link past the end, a loop)
};

TiffFrames count_tiff_frames(const std::filesystem::path& path);

}  // namespace lantai::ingest
