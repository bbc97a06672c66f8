#include "stages/derivatives/derivative_stage.h"

#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "pipeline/jpeg_codec.h"

namespace lantai::derivatives {

namespace {

const ChoiceParam kFormat{"format", {"jpeg"}, "jpeg", "preservation image format (one per batch)"};
const IntegerParam kJpegQuality{"jpeg_quality", "", 50, 100, 90, "JPEG quality of the derivatives"};

constexpr OutputInfo kDerivative{"derivative", OutputRole::entity,
                                 "the processed page as the preservation image (WORK/derivatives/<档号>/<serial>.jpg)"};

}  // namespace

StageInfo DerivativeStage::describe() const {
  return {"derivatives",
          "Writes each processed page as the batch's preservation image, named by 档号 and serial.",
          "1",
          {kFormat.info(), kJpegQuality.info()},
          {},
          {},
          {kDerivative},
          true};
}

void DerivativeStage::setup(ProfileSection& section, const StageContext& context) {
  section.get(kFormat);
  settings_.jpeg_quality = static_cast<int>(section.get(kJpegQuality));
  context_ = context;
}

Outcome DerivativeStage::process(const Item& page) const {
  Outcome outcome;
  if (page.image.empty()) return outcome;
  const std::string bytes = encode_jpeg(page.image.pixels(), settings_.jpeg_quality, page.measurements.number("resolution_dpi"));
  outcome.outputs.push_back(write_output(context_.work_dir, "derivatives/" + page.record_ref + "/" + page.serial() + ".jpg",
                                         bytes, std::string(kDerivative.kind)));
  outcome.image = decode_jpeg(bytes);
  return outcome;
}

std::optional<cv::Mat> DerivativeStage::reload_image(const Item&, const std::vector<StageOutput>& outputs) const {
  for (const StageOutput& output : outputs) {
    if (output.kind != kDerivative.kind) continue;
    // Changed since it was made: its pixels are not the ones the later stages read.
    const std::optional<std::string> bytes = read_output(context_.work_dir, output);
    if (!bytes) return std::nullopt;
    return decode_jpeg(*bytes);
  }
  return std::nullopt;
}

}  // namespace lantai::derivatives
