// Measures the capture checks' figures (capture_checks.h) on generated pages of every
// class (capture_pages.h) with faults of known strength, so that the profile's thresholds
// can be chosen between what sharp, well-exposed pages give and what faulty ones give.
// Prints, per class and fault, the median and range of blur_mm, paper_level and
// edge_contrast over the pages.
//
//   measure_capture [--seed N] [--per-class N]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "stages/quality/capture_checks.h"
#include "tests/stages/quality/capture_pages.h"

using namespace lantai::quality;
using namespace lantai::quality::testing;
using lantai::orient::testing::PageClass;

namespace {

struct Figures {
  std::vector<double> blur, paper, contrast;
};

std::string spread(std::vector<double> values, int decimals) {
  if (values.empty()) return "-";
  std::sort(values.begin(), values.end());
  char text[96];
  std::snprintf(text, sizeof text, "%.*f (%.*f-%.*f)", decimals, values[values.size() / 2], decimals, values.front(),
                decimals, values.back());
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  unsigned seed = 1;
  int per_class = 4;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--seed") seed = static_cast<unsigned>(std::atoi(argv[i + 1]));
    else if (flag == "--per-class") per_class = std::atoi(argv[i + 1]);
  }
  const std::vector<std::pair<std::string, Fault>> faults = {
      {"sharp", {}},
      {"blur 0.05 mm", {0.05, 1, 1}},
      {"blur 0.10 mm", {0.10, 1, 1}},
      {"blur 0.15 mm", {0.15, 1, 1}},
      {"blur 0.20 mm", {0.20, 1, 1}},
      {"blur 0.30 mm", {0.30, 1, 1}},
      {"gain 0.8", {0, 0.8, 1}},
      {"gain 0.6", {0, 0.6, 1}},
      {"gain 0.5", {0, 0.5, 1}},
      {"fade 0.6", {0, 1, 0.6}},
      {"fade 0.4", {0, 1, 0.4}},
      {"fade 0.3", {0, 1, 0.3}},
  };
  const std::vector<PageClass> classes = {PageClass::chinese, PageClass::latin, PageClass::two_column,
                                          PageClass::table, PageClass::landscape};
  std::map<std::string, std::map<std::string, Figures>> table;  // fault -> class -> figures
  std::map<std::string, Figures> bilevel;                        // fault -> figures of 1-bit pages
  unsigned index = 0;
  for (PageClass page_class : classes) {
    for (int i = 0; i < per_class; ++i) {
      const CapturePage page = make_capture_page(page_class, seed * 1000 + ++index);
      for (const auto& [name, fault] : faults) {
        const cv::Mat image = with_fault(page, fault);
        const CaptureMeasure m = measure_capture(image, page.resolution_dpi);
        Figures& figures = page.bilevel ? bilevel[name] : table[name][to_string(page_class)];
        figures.blur.push_back(m.blur_mm);
        figures.paper.push_back(m.paper_level);
        figures.contrast.push_back(m.edge_contrast);
        if (name == "sharp")
          std::printf("# %s %d dpi%s%s: blur %.3f mm, paper %d, contrast %.0f, edges %lld, chroma %.5f, border %.5f\n",
                      to_string(page_class).c_str(), page.resolution_dpi, page.bilevel ? " 1-bit" : "",
                      image.channels() == 3 ? " colour" : "", m.blur_mm, m.paper_level, m.edge_contrast, m.edge_count,
                      m.chroma_ratio, m.dark_border_ratio);
      }
    }
  }
  std::printf("\n| fault | class | blur_mm | paper_level | edge_contrast |\n|---|---|---|---|---|\n");
  for (const auto& [name, fault] : faults) {
    for (const auto& [page_class, figures] : table[name])
      std::printf("| %s | %s | %s | %s | %s |\n", name.c_str(), page_class.c_str(), spread(figures.blur, 3).c_str(),
                  spread(figures.paper, 0).c_str(), spread(figures.contrast, 0).c_str());
    if (bilevel.count(name))
      std::printf("| %s | 1-bit, all classes | %s | %s | %s |\n", name.c_str(), spread(bilevel[name].blur, 3).c_str(),
                  spread(bilevel[name].paper, 0).c_str(), spread(bilevel[name].contrast, 0).c_str());
  }
  return 0;
}
