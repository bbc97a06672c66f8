// derivatives: writes each processed page as the batch's preservation image,
// WORK/derivatives/<档号>/<serial>.<ext>, named by 档号 and image serial (DA/T 31-2017
// 图像存储), in the one format the profile names (derivatives.format):
// - jpeg: baseline JPEG at jpeg_quality, JFIF density in dpi (.jpg);
// - tiff: LZW or Deflate with the horizontal predictor, or CCITT G4 for a bitonal profile
//   (tiff_compression), X/YResolution in inches (.tif). G4 stores one bit a pixel: a grey
//   or colour page is made black and white at its Otsu threshold first (measured:
//   bitonal_threshold), a page already black and white stays as it is. A colour page
//   showing colour (colour_share above bitonal_max_colour_share: a seal, red text) is not
//   thresholded, since DA/T 31-2017 9.3 allows bitonal only for clean black-and-white
//   text: it waits for review (derivatives.colour_content), or with keep_colour_pages is
//   stored in colour as TIFF LZW (derivatives.kept_in_colour);
// - jp2: JPEG 2000 (OpenJPEG), lossless (5/3 wavelet) or lossy at jp2_compression_ratio
//   (9/7), with the capture resolution in the `res ` box (.jp2).
// Encoding is deterministic: the same pixels and settings give the same bytes.
//
// It hands on the pixels as the file holds them, so the stages after it (quality, OCR,
// the searchable PDF) read exactly what is delivered: a lossy file is decoded back from
// the bytes written; a lossless one holds exactly the pixels encoded (the round-trip
// tests prove it), which are handed on without decoding again. A rerun that starts after
// this stage reads the pixels back from the file (reload_image) instead of decoding and
// straightening the original again.
#pragma once

#include <string>

#include "pipeline/jp2_codec.h"
#include "pipeline/tiff_codec.h"
#include "pipeline/units.h"

namespace lantai::derivatives {

enum class Format { jpeg, tiff, jp2 };

struct DerivativeSettings {
  Format format = Format::jpeg;
  int jpeg_quality = 90;
  TiffCompression tiff_compression = TiffCompression::lzw;
  Jp2Encoding jp2;
  double bitonal_max_colour_share = 0.0002;  // G4: a colour page with more colour than this is not thresholded
  bool keep_colour_pages = false;            // G4: such a page is stored as TIFF LZW instead of waiting for review
};

class DerivativeStage : public ItemStage {
 public:
  StageInfo describe() const override;
  // Reads format, jpeg_quality, tiff_compression, jp2, jp2_compression_ratio,
  // bitonal_max_colour_share, keep_colour_pages.
  void setup(ProfileSection& section, const StageContext& context) override;
  Outcome process(const Item& page) const override;
  std::optional<cv::Mat> reload_image(const Item& page, const std::vector<StageOutput>& outputs) const override;

  const DerivativeSettings& settings() const { return settings_; }

 private:
  DerivativeSettings settings_;
  StageContext context_;
};

// The pixels of a derivative's bytes, whichever format they are in (told from the first
// bytes). Throws std::runtime_error when they are not a derivative this stage writes.
cv::Mat decode_derivative(std::string_view bytes);

}  // namespace lantai::derivatives
