// Measures the capture checks' figures (capture_checks.h) on generated pages of every
// class (capture_pages.h) with faults of known strength, so that the profile's thresholds
// can be chosen between what sharp, well-exposed pages give and what faulty ones give.
// Prints, per class and fault, the median and range of blur_mm, paper_level and
// edge_contrast over the pages.
//
// With --time N: CPU time per page (this thread) of the deskew stage (measure, straighten,
// crop, clean) and of the quality stage on N colour 300-dpi A4 pages, skewed as scans are.
//
// With --lot DIR N: writes N such pages as a lot for `lantai run` (DIR/scans/<档号>/NNNN.jpg,
// JPEG q95 tagged 300 dpi, five pages a record, and DIR/catalogue.csv), to time the whole
// image path on colour A4.
//
//   measure_capture [--seed N] [--per-class N] [--time N] [--lot DIR N]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include <ctime>
#include <filesystem>

#include <yaml-cpp/yaml.h>

#include "stages/deskew/deskew_stage.h"
#include "stages/quality/capture_checks.h"
#include "stages/quality/quality_stage.h"
#include "tests/stages/item_stage_support.h"
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

double cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return now.tv_sec + now.tv_nsec * 1e-9;
}

int time_stages(unsigned seed, int pages) {
  cv::setNumThreads(1);  // figures per core: the runner gives each page one thread
  const std::filesystem::path profile = std::filesystem::path(LANTAI_SOURCE_DIR) / "profiles" / "da-t31-2017-paper.yaml";
  const YAML::Node root = YAML::LoadFile(profile.string());
  lantai::deskew::DeskewStage deskew;
  lantai::quality::QualityStage quality;
  lantai::ProfileSection deskew_section(profile, "deskew", root["deskew"]);
  lantai::ProfileSection quality_section(profile, "quality", root["quality"]);
  deskew.setup(deskew_section, {});
  quality.setup(quality_section, {});
  double deskew_s = 0, quality_s = 0;
  int timed = 0;
  for (unsigned index = 0; timed < pages && index < 1000; ++index) {
    const auto drawn = lantai::orient::testing::make_turned_page(PageClass::chinese, 0, seed * 7919 + index);
    if (drawn.resolution_dpi != 300 || drawn.upright.channels() != 3) continue;
    lantai::Item page = lantai::stage_testing::page_item(drawn.upright, 300.0);
    page.measurements.set("colour_mode", std::string("colour"));
    page.measurements.set("width_px", drawn.upright.cols);
    page.measurements.set("height_px", drawn.upright.rows);
    double start = cpu_seconds();
    lantai::stage_testing::run_stage(deskew, page);
    deskew_s += cpu_seconds() - start;
    start = cpu_seconds();
    lantai::stage_testing::run_stage(quality, page);
    quality_s += cpu_seconds() - start;
    ++timed;
    std::printf("# page %d: skew %.2f°, crop %s, cleaned %.0f px\n", timed,
                page.measurements.number("skew_deg").value_or(0), page.measurements.text("crop_box").c_str(),
                page.measurements.number("cleaned_px").value_or(0));
  }
  std::printf("%d colour 300-dpi A4 pages, CPU ms per page: deskew %.0f, quality %.0f\n", timed,
              1000 * deskew_s / timed, 1000 * quality_s / timed);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  unsigned seed = 1;
  int per_class = 4, time_pages = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--lot" && i + 2 < argc) {
      const int written = write_colour_a4_lot(seed, argv[i + 1], std::atoi(argv[i + 2]));
      std::printf("%d colour 300-dpi A4 pages in %s\n", written, argv[i + 1]);
      return 0;
    }
    if (flag == "--seed") seed = static_cast<unsigned>(std::atoi(argv[i + 1]));
    else if (flag == "--per-class") per_class = std::atoi(argv[i + 1]);
    else if (flag == "--time") time_pages = std::atoi(argv[i + 1]);
  }
  if (time_pages > 0) return time_stages(seed, time_pages);
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
