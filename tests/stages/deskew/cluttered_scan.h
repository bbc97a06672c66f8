// Scans as a contractor's lot has them, for measuring skew: real Chinese text (Noto CJK,
// the sample lot's documents) in one, two or three columns whose lines do not line up
// across columns (each column starts at its own height, with its own line pitch), a
// heading, full-width rules and a ruled table; and in the margins what the scanner saw
// besides the page: the facing page's edge with its gutter shadow and a few of its lines
// at their own angle, a dashed rule (a fold or a ruler) at yet another angle, dark border
// strips square to the image, dust. Grey, or 1-bit as a bitonal scanner stores it.
// The same seed gives the same scan.
#pragma once

#include <string>

#include <opencv2/core.hpp>

namespace lantai::deskew::testing {

struct ClutteredScan {
  cv::Mat scan;          // 8-bit grey (1-bit scans hold 0 and 255), 300-dpi A4
  double skew_deg = 0;   // the content's skew, positive counter-clockwise (the truth)
  std::string layout;    // "one column", "two columns", "three columns and a table"
  bool bitonal = false;
};

// columns: 1, 2 or 3 (3 adds a ruled table below the columns).
ClutteredScan make_cluttered_scan(unsigned seed, double skew_deg, int columns, bool bitonal);

}  // namespace lantai::deskew::testing
