// derivatives: writes each processed page as the batch's preservation image,
// WORK/derivatives/<档号>/<serial>.jpg, named by 档号 and image serial (DA/T 31-2017
// 图像存储). Encoding is deterministic: the same pixels and settings give the same bytes.
//
// It hands on the pixels as the file holds them (decoded back from the bytes it wrote),
// so the stages after it (quality, OCR) read exactly what is delivered, and a rerun that
// starts after it reads the same pixels back from the file (reload_image) instead of
// decoding and straightening the original again.
#pragma once

#include <string>

#include "pipeline/units.h"

namespace lantai::derivatives {

struct DerivativeSettings {
  int jpeg_quality = 90;
};

class DerivativeStage : public ItemStage {
 public:
  StageInfo describe() const override;
  void setup(ProfileSection& section, const StageContext& context) override;
  Outcome process(const Item& page) const override;
  std::optional<cv::Mat> reload_image(const Item& page, const std::vector<StageOutput>& outputs) const override;

 private:
  DerivativeSettings settings_;
  StageContext context_;
};

}  // namespace lantai::derivatives
