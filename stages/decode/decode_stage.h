// decode: the first page stage. Opens the original (never modifying it), tells its
// format from the first bytes, decodes one page and hands it on as the item's image, and
// measures what the file says about itself.
//
// Contract:
// - Input: Item::source (absolute path), Item::frame (0-based; only TIFF has frames > 0),
//   Item::rel_path (names the page in every message).
// - Output on success: the image is CV_8UC1 for grey and bilevel (bilevel as 0/255) or
//   CV_8UC3 BGR for colour (CMYK converted to sRGB with its ICC profile), 8 bits whatever
//   the file's depth, alpha composited on white;
//   measurements width_px/height_px as stored, colour_mode, bits_per_sample (as stored:
//   a 16-bit scan says 16 though its pixels come on as 8), and resolution_dpi only when
//   the file tags one and it is plausible (see resolution_check.h; never a default).
//   When the two axes differ, the smaller is recorded.
// - Every problem is a finding, never an exception: decode.unreadable, decode.empty,
//   decode.mislabelled (content is another format than the name says; not decoded),
//   decode.unsupported (unrecognised content, CMYK without an ICC profile, 12-bit,
//   float), decode.corrupt
//   (damaged data, or a damaged signature of the format the name says), decode.truncated,
//   decode.too_large (the header claims more than max_pixels: refused before any pixel
//   buffer is allocated) reject the page; decode.resolution_missing and
//   decode.resolution_implausible warn. Messages are one line, starting with rel_path.
// - A page scanned in parts (Item::parts, named 0007a.tif, 0007b.tif … at ingest): each
//   part decoded as above (its findings name the part), then the parts stitched (拼接,
//   page_stitcher.h) into one page: stitch_parts, stitch_overlap_share (the smallest
//   seam's), stitch_seam_error (the worst seam's RMS grey difference), stitch_seams (each
//   seam); stitch.low_overlap and stitch.seam_error warn, stitch.failed rejects with the
//   parts kept as scanned, decode.too_large when the stitched page would pass max_pixels.
// - process() is const and thread-safe: each call owns its decoder state; no globals.
#pragma once

#include <memory>

#include "pipeline/units.h"
#include "stages/decode/decoded_image.h"
#include "stages/decode/resolution_check.h"

namespace lantai::decode {

struct DecodeSettings {
  ReadLimits limits{300'000'000};
  ResolutionRule resolution;
  double stitch_min_overlap_share = 0.333;  // a page in parts: each seam's overlap, of the smaller part
  double stitch_max_seam_error = 12;        // RMS grey levels over an overlap, as registered
  double stitch_reject_seam_error = 25;     // above it, a false registration: stitch.failed
};

class ProvenanceCache;

class DecodeStage final : public ItemStage {
 public:
  StageInfo describe() const override;
  // Reads the "decode" section: max_pixels, min_plausible_dpi, max_plausible_dpi,
  // max_plausible_page_size_mm. Throws ProfileError for a bad value.
  void setup(ProfileSection& section, const StageContext& context) override;
  Outcome process(const Item& item) const override;
  // From the header alone: the decoded page and the working copies the page chain makes
  // of it (a processed page, an analysis copy), capped at what max_pixels lets through.
  std::uint64_t working_bytes(const Item& item) const override;

  const DecodeSettings& settings() const { return settings_; }

 private:
  DecodeSettings settings_;
  std::shared_ptr<ProvenanceCache> provenance_;  // made by setup; shared by the worker threads
};

}  // namespace lantai::decode
