// How long the review server's answers take as a batch grows: a ledger of N synthetic
// pages (measurements as the stages write them, one page in 50 with a reject finding, one
// in 10 with a warn), then the queue in lot order, every page by deviation, one page, and
// a decision. Prints milliseconds; never fails on time.
//   bench_review [pages=10000] [repeats=5]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "pipeline/runtime/ledger.h"
#include "stages/stage_sequence.h"
#include "ui-web/review_service.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kPagesPerRecord = 20;

template <class F>
double best_ms(int repeats, F&& call) {
  double best = 1e300;
  for (int i = 0; i < repeats; ++i) {
    const auto start = Clock::now();
    call();
    best = std::min(best, std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  return best;
}

void fill(lantai::Ledger& ledger, int pages) {
  std::mt19937 random(7);
  std::normal_distribution<double> skew(0, 0.6), ink(0.06, 0.01), blur(0.09, 0.01), ocr(88, 4);
  for (int i = 0; i < pages; ++i) {
    const std::string record = "J012-WS·2021-Y-BGS-" + std::to_string(10000 + i / kPagesPerRecord).substr(1);
    const std::string rel_path = record + "/" + std::to_string(10000 + i % kPagesPerRecord + 1).substr(1) + ".tif";
    lantai::ItemResult result;
    result.ref = {rel_path, 0, record, i % kPagesPerRecord + 1, lantai::ItemKind::page};
    result.item_id = lantai::Item::make_id(rel_path, 0);
    result.source = {1'000'000, 1};
    lantai::StageRun run;
    run.stage = "quality";
    run.measurements.set("skew_deg", skew(random));
    run.measurements.set("ink_ratio", ink(random));
    run.measurements.set("blur_mm", blur(random));
    run.measurements.set("ocr_confidence", ocr(random));
    run.measurements.set("width_px", 2480.0);
    run.measurements.set("height_px", 3508.0);
    std::vector<lantai::Finding> findings;
    if (i % 50 == 7) findings.push_back({"qc.blank", lantai::Severity::reject, "0.0001", "0.002", "blank"});
    if (i % 10 == 3) findings.push_back({"qc.blur", lantai::Severity::warn, "0.2", "0.15", "blurred"});
    result.runs.push_back(std::move(run));
    result.findings.push_back({"quality", std::move(findings)});
    ledger.record_item(result);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int pages = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  const fs::path work = fs::temp_directory_path() / ("lantai-bench-review-" + std::to_string(::getpid()));
  fs::remove_all(work);
  const auto filled = Clock::now();
  fill(*lantai::Ledger::open(work), pages);
  std::printf("ledger of %d pages in %d records filled in %.1f s\n", pages, pages / kPagesPerRecord,
              std::chrono::duration<double>(Clock::now() - filled).count());

  lantai::StageSequence stages = lantai::make_stage_sequence();
  lantai::review::ReviewService service(work, stages);
  std::size_t listed = 0;
  const double review = best_ms(repeats, [&] { listed = service.queue({}).at("items").size(); });
  std::printf("  GET /api/queue                          %8.1f ms  (%zu pages to review)\n", review, listed);
  const double all = best_ms(repeats, [&] { listed = service.queue({"all", "deviation", "", ""}).at("items").size(); });
  std::printf("  GET /api/queue?queue=all&order=deviation %7.1f ms  (%zu pages)\n", all, listed);
  const std::string id = lantai::Item::make_id("J012-WS·2021-Y-BGS-0100/0008.tif", 0);
  const double item = best_ms(repeats, [&] { service.item(id); });
  std::printf("  GET /api/items/<id>                     %8.1f ms\n", item);
  int turn = 0;
  const double decide = best_ms(repeats, [&] {
    service.decide_item({"bench", "inspector"}, id, {{"action", "rotate"}, {"rotation_deg", (turn += 90) % 360}, {"reason", "turned"}});
  });
  std::printf("  POST /api/items/<id>/decision (rotate)  %8.1f ms\n", decide);
  fs::remove_all(work);
  return 0;
}
