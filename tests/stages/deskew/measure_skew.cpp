// How far the skew finder is from the truth on cluttered scans (cluttered_scan.h), per
// layout, grey and 1-bit: mean and largest error, and how many pages are within 0.3°.
// The figures in docs/design-notes.md.
//   measure_skew [--seed N] [--pages N]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "cluttered_scan.h"
#include "pipeline/files.h"
#include "samples/image_encoder.h"
#include "stages/deskew/skew_finder.h"
#include "samples/seeded_random.h"

int main(int argc, char** argv) {
  unsigned seed = 1;
  int pages = 6;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    if (arg == "--seed") seed = static_cast<unsigned>(std::atoi(argv[i + 1]));
    else if (arg == "--pages") pages = std::atoi(argv[i + 1]);
  }
  lantai::samples::SeededRandom random(seed);
  std::printf("%-28s %-6s %8s %8s %10s\n", "layout", "mode", "mean°", "max°", "within 0.3");
  for (int columns : {1, 2, 3})
    for (bool bitonal : {false, true}) {
      double sum = 0, worst = 0;
      int within = 0;
      std::string layout;
      for (int i = 0; i < pages; ++i) {
        const double skew = random.uniform(-5, 5);
        const auto scan = lantai::deskew::testing::make_cluttered_scan(seed * 1000 + columns * 100 + i * 2 + bitonal, skew,
                                                                       columns, bitonal);
        layout = scan.layout;
        const auto estimate = lantai::deskew::find_skew(scan.scan, lantai::deskew::SkewSettings{}, 300.0);
        const double error = std::abs(estimate.angle_deg - skew);
        sum += error;
        worst = std::max(worst, error);
        within += error <= 0.3;
        if (const char* dir = std::getenv("SAVE_DIR"))
          lantai::write_file_atomically(std::string(dir) + "/" + std::to_string(columns) + (bitonal ? "b" : "g") +
                                            std::to_string(i) + ".png",
                                        lantai::samples::encode_png(scan.scan, 300));
        if (std::getenv("VERBOSE"))
          std::printf("  page %d truth %+.2f measured %+.2f conf %.2f\n", i, skew, estimate.angle_deg, estimate.confidence);
      }
      std::printf("%-28s %-6s %8.3f %8.3f %7d/%d\n", layout.c_str(), bitonal ? "1-bit" : "grey", sum / pages, worst,
                  within, pages);
    }
  return 0;
}
