#include "stages/derivatives/derivative_stage.h"

#include <opencv2/imgproc.hpp>

#include <stdexcept>

#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "pipeline/jpeg_codec.h"

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

constexpr OutputInfo kDerivative{
    "derivative", OutputRole::entity,
    "the processed page as the preservation image (WORK/derivatives/<档号>/<serial>.jpg, .tif or .jp2)"};

constexpr MeasurementInfo kBitonalThreshold{
    "bitonal_threshold", "grey level (0-255) below which a pixel became black in a G4 derivative (Otsu's)"};

bool starts_with(std::string_view bytes, std::string_view magic) { return bytes.substr(0, magic.size()) == magic; }

}  // namespace

cv::Mat decode_derivative(std::string_view bytes) {
  if (starts_with(bytes, "\xFF\xD8")) return decode_jpeg(bytes);
  if (starts_with(bytes, "II") || starts_with(bytes, "MM")) return decode_tiff(bytes).image;
  if (starts_with(bytes, std::string_view("\0\0\0\x0CjP  ", 8))) return decode_jp2(bytes);
  throw std::runtime_error("not a JPEG, TIFF or JPEG 2000 derivative");
}

StageInfo DerivativeStage::describe() const {
  return {"derivatives",
          "Writes each processed page as the batch's preservation image (JPEG, TIFF or JPEG 2000, with its "
          "resolution), named by 档号 and serial.",
          "2",
          {kFormat.info(), kJpegQuality.info(), kTiffCompression.info(), kJp2.info(), kJp2CompressionRatio.info()},
          {},
          {kBitonalThreshold},
          {kDerivative},
          true};
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
    case Format::tiff:
      extension = ".tif";
      handed_on = pixels;
      if (settings_.tiff_compression == TiffCompression::g4) {
        // Measure, then apply: the threshold is recorded with the page.
        cv::Mat grey = pixels;
        if (pixels.channels() == 3) cv::cvtColor(pixels, grey, cv::COLOR_BGR2GRAY);
        cv::Mat black_white;
        const double threshold = cv::threshold(grey, black_white, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
        outcome.measurements.set(kBitonalThreshold.name, threshold);
        handed_on = black_white;
      }
      bytes = encode_tiff(handed_on, settings_.tiff_compression, dpi);
      break;
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
