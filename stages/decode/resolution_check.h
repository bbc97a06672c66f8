// Whether a file's resolution tag can be true of a scanned paper page.
//
// Software that does not know the resolution writes a default (72 or 96 dpi) or copies a
// wrong one; trusting it would make quality checks pass or fail on a number no scanner
// measured. A tag is trusted only when, on each axis,
//   1. its dpi lies within [min_dpi, max_dpi]: no document scanner works outside it; and
//   2. the page it implies, pixels / dpi, is no longer than max_page_mm on either side:
//      the tag must describe a sheet the lot can hold.
// The default max_page_mm is the long side of A0 (1189 mm) plus 1%: the largest sheet
// scanned in one pass (oversized pages are scanned in parts and stitched). So a 72-dpi
// tag on a 2480 x 3508 px A4 scan (implying 875 x 1238 mm) is refused, while the same tag
// on a 600 x 800 px image (212 x 282 mm) is believed, and a quality check then holds
// 72 dpi against its minimum. A lot of drawings or scrolls raises max_page_mm.
//
// When the axes differ (fax-born 204 x 98 dpi), the page's resolution is the smaller: a
// quality minimum must hold on the coarser axis.
#pragma once

#include <string>

#include "stages/decode/decoded_image.h"

namespace lantai::decode {

struct ResolutionRule {
  double min_dpi = 50;
  double max_dpi = 4800;
  double max_page_mm = 1200;
};

struct ResolutionVerdict {
  bool plausible = false;
  double dpi = 0;        // the smaller axis, as tagged
  double width_mm = 0;   // the page size the tag implies
  double height_mm = 0;
  std::string reason;    // why not plausible, for the message; empty when plausible
};

ResolutionVerdict judge_resolution(const TaggedResolution& tagged, int width_px, int height_px,
                                   const ResolutionRule& rule);

}  // namespace lantai::decode
