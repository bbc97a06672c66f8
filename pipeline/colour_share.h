// How much of a page is in colour: the share of pixels whose max(B,G,R) - min(B,G,R) is at
// least kColourLevel. One definition for every stage that asks (capture QC's "a colour
// scan showing no colour", the bitonal derivative's "colour a G4 page would lose").
#pragma once

#include <opencv2/core.hpp>

namespace lantai {

// Far enough from neutral to be colour: above JPEG's colour fringes at black text (about
// 20 after reduction) and the tint of aged paper (25-35), below any seal, red text or blue
// ink (80 and more).
inline constexpr int kColourLevel = 40;

// colour: 8-bit BGR (anything else has no colour: 0). Measure on a copy reduced to about
// 100 dpi: colour is a matter of area, and thin strokes keep well above kColourLevel.
double colour_share(const cv::Mat& colour);

}  // namespace lantai
