// Measures orientation detection on a generated set (turned_pages.h): accuracy per page
// class, wrong turns at and above each confidence threshold, and time per page. With
// --osd, Tesseract's orientation detection (osd.traineddata) on a 200-dpi grey copy is
// measured on the same pages for comparison. Times are CPU time of the measuring thread.
// Last, the orient stage's decision as a batch gets it, with the profile defaults (OSD's
// second opinion on pages the finder is unsure of; --no-second-opinion: without it): per
// class, pages turned right, left for review (orient.uncertain), and turned wrongly.
// --sans draws the pages in Noto Sans CJK instead of the sample lot's serif.
//
//   measure_orientation [--seed N] [--per-class N] [--max-dpi N] [--analysis-dpi N] [--osd]
//                       [--no-second-opinion] [--sans] [--verbose]
#include <tesseract/baseapi.h>
#include <tesseract/osdetect.h>

#include <opencv2/imgproc.hpp>

#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "stages/orient/orient_stage.h"
#include "stages/orient/orientation_finder.h"
#include "tests/stages/item_stage_support.h"
#include "turned_pages.h"

using namespace lantai::orient;

namespace {

// CPU time of this thread: the figure stays fair on a machine busy with other work.
double cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return now.tv_sec + now.tv_nsec * 1e-9;
}

struct Tally {
  int pages = 0, right = 0, confident_right = 0;
  std::map<double, int> wrong_at_or_above;  // threshold -> wrong turns with confidence >= it
  std::map<double, int> right_at_or_above;
  double seconds = 0;
};

// The stage's decision on a page: turned right, left for review, or turned wrongly.
// A page without text is right when left as scanned (it is always for review).
struct Decisions {
  int pages = 0, right = 0, review = 0, wrong = 0, second_opinions = 0, by_characters = 0;
  double seconds = 0;
};

const std::vector<double> kThresholds = {0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};

// Tesseract OSD: the clockwise turn that makes the page upright, and its confidence.
std::pair<int, double> osd(tesseract::TessBaseAPI& api, const cv::Mat& page, int dpi) {
  cv::Mat grey = page;
  if (page.channels() == 3) cv::cvtColor(page, grey, cv::COLOR_BGR2GRAY);
  const double scale = std::min(1.0, 200.0 / dpi);
  cv::resize(grey, grey, cv::Size(), scale, scale, cv::INTER_AREA);
  api.SetImage(grey.data, grey.cols, grey.rows, 1, static_cast<int>(grey.step));
  api.SetSourceResolution(200);
  tesseract::OSResults results;
  if (!api.DetectOS(&results)) return {0, 0};
  const int best = results.best_result.orientation_id;  // 0..3: page turned 0, 90 (ccw), 180, 270
  // orientation_id counts the text's turns clockwise; the fix turns it back as far again.
  return {(4 - best) % 4 * 90, results.best_result.oconfidence};
}

}  // namespace

int main(int argc, char** argv) {
  unsigned seed = 1;
  int per_class = 4, max_dpi = 400;
  bool with_osd = false, verbose = false, sans = false;
  lantai::orient::OrientSettings stage_settings;
  OrientationSettings settings;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--seed" && i + 1 < argc) seed = static_cast<unsigned>(std::atoi(argv[++i]));
    else if (arg == "--per-class" && i + 1 < argc) per_class = std::atoi(argv[++i]);
    else if (arg == "--max-dpi" && i + 1 < argc) max_dpi = std::atoi(argv[++i]);
    else if (arg == "--analysis-dpi" && i + 1 < argc) settings.analysis_dpi = std::atof(argv[++i]);
    else if (arg == "--osd") with_osd = true;
    else if (arg == "--no-second-opinion") stage_settings.osd_second_opinion = false;
    else if (arg == "--sans") sans = true;
    else if (arg == "--verbose") verbose = true;
    else {
      std::fprintf(stderr, "usage: measure_orientation [--seed N] [--per-class N] [--max-dpi N] [--analysis-dpi N] [--osd] "
                   "[--no-second-opinion] [--sans] [--verbose]\n");
      return 2;
    }
  }
  cv::setNumThreads(1);  // figures per core: the runner gives each page one thread
  tesseract::TessBaseAPI api;
  if (with_osd && api.Init(nullptr, "osd", tesseract::OEM_TESSERACT_ONLY) != 0) {
    std::fprintf(stderr, "osd.traineddata not found (Debian: tesseract-ocr-osd)\n");
    return 1;
  }
  if (with_osd) api.SetPageSegMode(tesseract::PSM_OSD_ONLY);

  stage_settings.finder = settings;
  const OrientStage stage(stage_settings);
  std::map<std::string, Tally> ours, theirs;
  std::map<std::string, Decisions> decided;
  const auto typeface = sans ? lantai::samples::Typeface::sans : lantai::samples::Typeface::serif;
  testing::for_each_turned_page(seed, per_class, max_dpi, typeface, [&](const testing::TurnedPage& page) {
    const std::string name = testing::to_string(page.page_class);
    double start = cpu_seconds();
    const OrientationEstimate estimate = find_orientation(page.scan, settings, page.resolution_dpi);
    const double seconds = cpu_seconds() - start;
    // A page without text is right when it is not turned; confidence should be low.
    auto score = [&](Tally& tally, int rotation, double confidence, double took) {
      const bool right = page.has_text ? rotation == page.correction_deg : confidence < kThresholds.front();
      tally.pages++;
      tally.right += right;
      tally.seconds += took;
      for (double t : kThresholds) {
        if (confidence >= t && (!page.has_text || rotation != page.correction_deg)) tally.wrong_at_or_above[t]++;
        if (confidence >= t && page.has_text && rotation == page.correction_deg) tally.right_at_or_above[t]++;
      }
    };
    score(ours[name], estimate.rotation_deg, estimate.confidence, seconds);
    if (verbose)
      std::printf("%-10s %3d dpi %s truth %3d got %3d conf %.2f axis %+.2f votes %+.2f (punct %+.1f asc %+.1f align %+.1f pos %+.1f) lines %d %.0f ms\n",
                  name.c_str(), page.resolution_dpi, page.scan.channels() == 3 ? "colour" : "grey  ",
                  page.correction_deg, estimate.rotation_deg, estimate.confidence, estimate.axis_margin,
                  estimate.upright_votes, estimate.punctuation_votes, estimate.ascender_votes,
                  estimate.alignment_votes, estimate.position_votes, estimate.lines, seconds * 1000);
    {
      lantai::Item item = lantai::stage_testing::page_item(page.scan, page.resolution_dpi);
      start = cpu_seconds();
      const lantai::Outcome outcome = stage.process(item);
      Decisions& d = decided[name];
      d.seconds += cpu_seconds() - start;
      d.pages++;
      const bool uncertain = !outcome.findings.empty();
      const int turned = static_cast<int>(outcome.measurements.number("orientation_deg").value_or(0));
      const bool by_characters = outcome.measurements.text("orientation_method") == "characters";
      d.second_opinions += by_characters || (uncertain && outcome.findings.front().message.find("OSD") != std::string::npos);
      d.by_characters += by_characters;
      if (uncertain) d.review++;
      else if (page.has_text ? turned == page.correction_deg : turned == 0) d.right++;
      else d.wrong++;
      if (verbose && (uncertain || by_characters || (!uncertain && turned != page.correction_deg)))
        std::printf("  stage: %-10s truth %3d -> %s %3d%s\n", name.c_str(), page.correction_deg,
                    uncertain ? "review" : "turned", turned, by_characters ? " (characters)" : "");
    }
    if (with_osd) {
      start = cpu_seconds();
      auto [rotation, confidence] = osd(api, page.scan, page.resolution_dpi);
      const double took = cpu_seconds() - start;
      // OSD's confidence is unbounded; 2 is its usual "trust" line, mapped to 0.5.
      score(theirs[name], rotation, std::min(1.0, confidence / 4), took);
    }
  });

  auto report = [](const char* who, std::map<std::string, Tally>& tallies) {
    std::printf("\n%s\n%-11s %5s %8s %8s", who, "class", "pages", "right", "cpu ms");
    for (double t : kThresholds) std::printf("  >=%.1f r/w", t);
    std::printf("\n");
    Tally all;
    for (auto& [name, tally] : tallies) {
      std::printf("%-11s %5d %7.1f%% %8.1f", name.c_str(), tally.pages, 100.0 * tally.right / tally.pages,
                  1000 * tally.seconds / tally.pages);
      for (double t : kThresholds) std::printf("  %5d/%-3d", tally.right_at_or_above[t], tally.wrong_at_or_above[t]);
      std::printf("\n");
      all.pages += tally.pages;
      all.right += tally.right;
      all.seconds += tally.seconds;
      for (double t : kThresholds) {
        all.wrong_at_or_above[t] += tally.wrong_at_or_above[t];
        all.right_at_or_above[t] += tally.right_at_or_above[t];
      }
    }
    std::printf("%-11s %5d %7.1f%% %8.1f", "all", all.pages, 100.0 * all.right / all.pages, 1000 * all.seconds / all.pages);
    for (double t : kThresholds) std::printf("  %5d/%-3d", all.right_at_or_above[t], all.wrong_at_or_above[t]);
    std::printf("\n");
  };
  std::printf("seed %u, %d pages per class turned 0/90/180/270, at most %d dpi\n", seed, per_class, max_dpi);
  report("orient (own detector); r/w: right/wrong turns at or above the confidence", ours);
  if (with_osd) report("Tesseract OSD on a 200-dpi grey copy (confidence/4)", theirs);

  std::printf("\norient stage as a batch runs it (min_confidence %.2f, OSD second opinion %s)\n"
              "%-11s %5s %7s %7s %7s %5s %8s\n",
              stage_settings.min_confidence, stage_settings.osd_second_opinion ? "on" : "off", "class", "pages",
              "right", "review", "wrong", "osd", "cpu ms");
  Decisions text, empty;
  for (auto& [name, d] : decided) {
    std::printf("%-11s %5d %7d %7d %7d %5d %8.1f\n", name.c_str(), d.pages, d.right, d.review, d.wrong,
                d.second_opinions, 1000 * d.seconds / d.pages);
    Decisions& sum = name == "blank" || name == "near_blank" ? empty : text;
    sum.pages += d.pages, sum.right += d.right, sum.review += d.review, sum.wrong += d.wrong;
    sum.second_opinions += d.second_opinions, sum.by_characters += d.by_characters, sum.seconds += d.seconds;
  }
  std::printf("text pages: %d, right %d (%.1f%%), to review %d (%.1f%%), wrong with confidence %d; "
              "OSD asked on %d, turned by it %d; %.1f ms a page\n",
              text.pages, text.right, 100.0 * text.right / text.pages, text.review, 100.0 * text.review / text.pages,
              text.wrong, text.second_opinions, text.by_characters, 1000 * text.seconds / text.pages);
  std::printf("pages without text: %d, left unturned %d (for review %d), turned %d\n", empty.pages,
              empty.right + empty.review, empty.review, empty.wrong);
  return 0;
}
