// photo_derivatives: 图像存储 of a photo (照片档案). The master is the scan itself: the
// original file copied byte for byte (its pixels, bit depth, EXIF, XMP and ICC profile
// as scanned; no conversion), WORK/photos/<档号>/<serial>.<ext>, the extension told by
// the content (.tif, .jpg, .png, .jp2). It is the entity the deposit carries.
// When the profile asks (access_copy), an access copy beside it,
// WORK/photos/<档号>/<serial>.access.jpg: the decoded pixels turned upright by the EXIF
// Orientation (the master stays as scanned), reduced to access_max_long_side_px when
// larger, at jpeg_quality, with the original's ICC profile embedded, so its colours are
// the master's. An extra of the deposit.
// Thread-safe: no state beyond the settings.
#pragma once

#include <string>

#include <opencv2/core.hpp>

#include "pipeline/units.h"

namespace lantai::derivatives {

struct PhotoDerivativeSettings {
  bool access_copy = true;
  int jpeg_quality = 90;
  int access_max_long_side_px = 0;  // 0: the scan's own size
};

// The pixels as they are to be seen, by EXIF Orientation (1-8; others as 1): 6 turns them
// 90° clockwise, 8 counter-clockwise, 3 by 180°, 2/4 mirror, 5/7 mirror across a diagonal.
cv::Mat upright(const cv::Mat& pixels, int exif_orientation);

class PhotoDerivativeStage final : public ItemStage {
 public:
  StageInfo describe() const override;
  void setup(ProfileSection& section, const StageContext& context) override;
  Outcome process(const Item& photo) const override;

 private:
  PhotoDerivativeSettings settings_;
  StageContext context_;
};

}  // namespace lantai::derivatives
