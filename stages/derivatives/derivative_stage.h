// derivatives: writes each processed page as the batch's preservation image,
// WORK/derivatives/<档号>/<serial>.jpg, named by 档号 and image serial (DA/T 31-2017
// 图像存储). Encoding is deterministic: the same pixels and settings give the same bytes.
#pragma once

#include <string>

#include "pipeline/units.h"

namespace lantai::derivatives {

struct DerivativeSettings {
  int jpeg_quality = 90;
};

// JPEG bytes of an 8-bit grey or BGR image through libjpeg-turbo, with the resolution
// in the JFIF header when known. Throws std::runtime_error if libjpeg fails.
std::string encode_jpeg(const cv::Mat& image, int quality, std::optional<double> resolution_dpi);

class DerivativeStage : public PageStage {
 public:
  StageInfo describe() const override;
  void setup(ProfileSection& section, const StageContext& context) override;
  Outcome process(Page& page) const override;

 private:
  DerivativeSettings settings_;
  StageContext context_;
};

}  // namespace lantai::derivatives
