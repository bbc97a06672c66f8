#include "stages/derivatives/derivative_stage.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "pipeline/colour_share.h"
#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "pipeline/format.h"
#include "pipeline/jpeg_codec.h"
#include "pipeline/library_versions.h"

namespace lantai::derivatives {

namespace {

const ChoiceParam kFormat{"format", {"jpeg", "tiff", "jp2"}, "jpeg",
                          "preservation image format (one per batch): JPEG, TIFF or JPEG 2000"};
const IntegerParam kJpegQuality{"jpeg_quality", "", 50, 100, 90, "JPEG quality of the derivatives"};
const ChoiceParam kTiffCompression{"tiff_compression", {"lzw", "deflate", "g4"}, "lzw",
                                   "TIFF compression: lzw or deflate (lossless), g4 (CCITT T.6, black and white only)"};
const ChoiceParam kJp2{"jp2", {"lossless", "lossy"}, "lossless",
                       "JPEG 2000 coding: lossless (reversible 5/3) or lossy (irreversible 9/7 at jp2_compression_ratio)"};
const NumberParam kJp2CompressionRatio{"jp2_compression_ratio", ":1", 2, 200, 20,
                                       "lossy JPEG 2000: size of the 8-bit raw page over the size of the file"};

const NumberParam kBitonalMaxColourShare{
    "bitonal_max_colour_share", "ratio", 0, 1, 0.0002,
    "G4 only: a colour page with more of its area in colour than this (a seal, red or coloured writing) is not made "
    "black and white (DA/T 31-2017 9.3)"};
const FlagParam kKeepColourPages{"keep_colour_pages", false,
                                 "G4 only: such a page is stored in colour (TIFF LZW) instead of waiting for review"};

constexpr FindingCode kColourContent{
    "derivatives.colour_content", Severity::reject,
    "the bitonal (G4) profile met a page in colour (a seal, red or coloured writing) that black and white would lose "
    "(DA/T 31-2017 9.3); no image was made and the page waits for review"};
constexpr FindingCode kKeptInColour{
    "derivatives.kept_in_colour", Severity::info,
    "the bitonal (G4) profile met a page in colour and, as the profile asks, stored it in colour (TIFF LZW)"};

constexpr OutputInfo kDerivative{
    "derivative", OutputRole::entity,
    "the processed page as the preservation image (WORK/derivatives/<档号>/<serial>.jpg, .tif or .jp2)"};

constexpr MeasurementInfo kBitonalThreshold{
    "bitonal_threshold", "grey level (0-255) below which a pixel became black in a G4 derivative (Otsu's)"};
constexpr MeasurementInfo kColourShare{
    "colour_share", "G4 only, colour pages: share of the page in colour (pipeline/colour_share.h), at about 100 dpi"};

// A colour page's colour_share, measured at about 100 dpi by a whole factor (OpenCV's fast path).
double colour_share_of_page(const cv::Mat& pixels, std::optional<double> dpi) {
  const int factor = std::max(1, static_cast<int>(std::lround(dpi.value_or(300) / 100)));
  cv::Mat small;
  cv::resize(pixels, small, cv::Size(std::max(1, pixels.cols / factor), std::max(1, pixels.rows / factor)), 0, 0,
             cv::INTER_AREA);
  return colour_share(small);
}

bool starts_with(std::string_view bytes, std::string_view magic) { return bytes.substr(0, magic.size()) == magic; }

}  // namespace

cv::Mat decode_derivative(std::string_view bytes) {
  if (starts_with(bytes, "\xFF\xD8")) return decode_jpeg(bytes);
  if (starts_with(bytes, "II") || starts_with(bytes, "MM")) return decode_tiff(bytes).image;
  if (starts_with(bytes, std::string_view("\0\0\0\x0CjP  ", 8))) return decode_jp2(bytes);
  throw std::runtime_error("not a JPEG, TIFF or JPEG 2000 derivative");
}

StageInfo DerivativeStage::describe() const {
  StageInfo info{"derivatives",
                 "Writes each processed page as the batch's preservation image (JPEG, TIFF or JPEG 2000, with its "
                 "resolution), named by 档号 and serial.",
                 "2",
                 {kFormat.info(), kJpegQuality.info(), kTiffCompression.info(), kJp2.info(), kJp2CompressionRatio.info(),
                  kBitonalMaxColourShare.info(), kKeepColourPages.info()},
                 {kColourContent, kKeptInColour},
                 {kBitonalThreshold, kColourShare},
                 {kDerivative},
                 true};
  info.libraries = {libtiff_library(), libjpeg_turbo_library(), openjpeg_library(), opencv_library()};
  return info;
}

void DerivativeStage::setup(ProfileSection& section, const StageContext& context) {
  DerivativeSettings settings;
  const std::string format = section.get(kFormat);
  settings.format = format == "tiff" ? Format::tiff : format == "jp2" ? Format::jp2 : Format::jpeg;
  settings.jpeg_quality = static_cast<int>(section.get(kJpegQuality));
  const std::string compression = section.get(kTiffCompression);
  settings.tiff_compression = compression == "g4"        ? TiffCompression::g4
                              : compression == "deflate" ? TiffCompression::deflate
                                                         : TiffCompression::lzw;
  settings.jp2.lossless = section.get(kJp2) == "lossless";
  settings.jp2.compression_ratio = section.get(kJp2CompressionRatio);
  settings.bitonal_max_colour_share = section.get(kBitonalMaxColourShare);
  settings.keep_colour_pages = section.get(kKeepColourPages);
  section.finish();
  settings_ = settings;
  context_ = context;
}

Outcome DerivativeStage::process(const Item& page) const {
  Outcome outcome;
  if (page.image.empty()) return outcome;
  const cv::Mat& pixels = page.image.pixels();
  const std::optional<double> dpi = page.measurements.number("resolution_dpi");
  std::string bytes, extension;
  cv::Mat handed_on;
  switch (settings_.format) {
    case Format::jpeg:
      bytes = encode_jpeg(pixels, settings_.jpeg_quality, dpi);
      extension = ".jpg";
      handed_on = decode_jpeg(bytes);
      break;
    case Format::tiff: {
      extension = ".tif";
      handed_on = pixels;
      TiffCompression compression = settings_.tiff_compression;
      if (compression == TiffCompression::g4 && pixels.channels() == 3) {
        // DA/T 31-2017 9.3: bitonal only for clean black-and-white text. Colour is measured
        // before thresholding, since nothing after it could see what was lost.
        const double share = colour_share_of_page(pixels, dpi);
        outcome.measurements.set(kColourShare.name, share);
        if (share > settings_.bitonal_max_colour_share) {
          const std::string said = page.rel_path + ": " + fixed(share * 100, 3) +
                                   "% of the page is in colour (a seal, red or coloured writing), more than " +
                                   fixed(settings_.bitonal_max_colour_share * 100, 3) + "%; ";
          const std::string value = fixed(share, 6), threshold = fixed(settings_.bitonal_max_colour_share, 6);
          if (!settings_.keep_colour_pages) {
            outcome.add(kColourContent(said + "a bitonal G4 image would lose it (DA/T 31-2017 9.3), so none was made",
                                       value, threshold));
            return outcome;
          }
          outcome.add(kKeptInColour(said + "stored in colour (TIFF LZW) as the profile asks", value, threshold));
          compression = TiffCompression::lzw;
        }
      }
      if (compression == TiffCompression::g4) {
        // Measure, then apply: the threshold is recorded with the page.
        cv::Mat grey = pixels;
        if (pixels.channels() == 3) cv::cvtColor(pixels, grey, cv::COLOR_BGR2GRAY);
        cv::Mat black_white;
        const double threshold = cv::threshold(grey, black_white, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
        outcome.measurements.set(kBitonalThreshold.name, threshold);
        handed_on = black_white;
      }
      bytes = encode_tiff(handed_on, compression, dpi);
      break;
    }
    case Format::jp2:
      bytes = encode_jp2(pixels, settings_.jp2, dpi);
      extension = ".jp2";
      handed_on = settings_.jp2.lossless ? pixels : decode_jp2(bytes);
      break;
  }
  outcome.outputs.push_back(write_output(context_.work_dir,
                                         "derivatives/" + page.record_ref + "/" + page.serial() + extension, bytes,
                                         std::string(kDerivative.kind)));
  outcome.image = handed_on;
  return outcome;
}

std::optional<cv::Mat> DerivativeStage::reload_image(const Item&, const std::vector<StageOutput>& outputs) const {
  for (const StageOutput& output : outputs) {
    if (output.kind != kDerivative.kind) continue;
    // Changed since it was made: its pixels are not the ones the later stages read.
    const std::optional<std::string> bytes = read_output(context_.work_dir, output);
    if (!bytes) return std::nullopt;
    return decode_derivative(*bytes);
  }
  return std::nullopt;
}

}  // namespace lantai::derivatives
