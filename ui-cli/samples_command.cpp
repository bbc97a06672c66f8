// lantai samples make DIR: writes the demo lot (scans, catalogue, ground truth).
#include <cstdio>
#include <memory>

#include "samples/sample_lot.h"
#include "ui-cli/commands.h"

namespace lantai::cli {

void add_samples_command(CLI::App& app) {
  auto dir = std::make_shared<std::string>();
  auto options = std::make_shared<samples::SampleOptions>();
  CLI::App* samples = app.add_subcommand("samples", "Sample lots with known faults, for demos and tests");
  samples->require_subcommand(1);
  CLI::App* make = samples->add_subcommand("make", "Write the sample lot: DIR/scans, DIR/catalogue.csv, DIR/ground-truth.json");
  make->add_option("DIR", *dir, "where to write the lot")->required();
  make->add_option("--records", options->records, "catalogue rows (at least 6; five carry planted faults)")->capture_default_str();
  make->add_option("--pages", options->pages_per_record, "pages per record")->capture_default_str();
  make->add_flag("--catalogue-errors", options->catalogue_errors,
                 "write wrong 题名, 文号, 日期 or 责任者 into the catalogue rows of the clean records");
  make->add_flag("--photos-and-recordings", options->photos_and_recordings,
                 "add two photo records (JPEG with EXIF) and a sound recording (WAV) beside the paper");
  make->add_option("--seed", options->seed, "random seed (same seed, same bytes)")->capture_default_str();
  make->callback([dir, options] {
    samples::SampleLot lot = samples::make_sample_lot(*dir, *options);
    std::printf("sample lot: %d records, %d pages, %d photos, %d recordings\n  scans      %s\n  catalogue  %s\n"
                "  truth      %s\n",
                lot.records, lot.pages, lot.photos, lot.recordings, lot.scans_dir.c_str(), lot.catalog_file.c_str(),
                lot.truth_file.c_str());
  });
}

}  // namespace lantai::cli
