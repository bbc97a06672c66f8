// lantai carriers plan BAG --media cd|dvd|bd|hdd|SIZE [--out PLAN] [--profile FILE]
// lantai carriers write PLAN|BAG [--media ...] --out DIR [--iso] [--profile FILE]
// lantai carriers check [--bag BAG] DIR|ISO...
// A deposit bag onto numbered carriers (discs or disks), and carriers read back.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "pipeline/files.h"
#include "pipeline/profile.h"
#include "pipeline/registration.h"
#include "pipeline/runtime/runner.h"
#include "stages/carriers/carrier_check.h"
#include "stages/carriers/carrier_writer.h"
#include "ui-cli/commands.h"

namespace lantai::cli {

namespace {

namespace fs = std::filesystem;
using namespace lantai::carriers;

struct CarriersArguments {
  std::string source;  // the bag, or for write a plan file
  std::string media;
  std::string out;
  std::string profile;
  bool iso = false;
  std::string bag;
  std::vector<std::string> carriers;
};

// The commands' own failures as the one-line errors and exit codes of the rest of lantai.
template <class Work>
void guarded(Work work) {
  try {
    work();
  } catch (const CarrierError& error) {
    throw RunError(kExitBadInput, error.what());
  } catch (const ProfileError& error) {
    throw RunError(kExitBadInput, error.what());
  } catch (const std::invalid_argument& error) {
    throw RunError(kExitBadArguments, error.what());
  }
}

Medium medium_of(const std::string& text) {
  if (text.empty()) throw std::invalid_argument("--media is required: cd, dvd, bd, hdd or a size such as 200M");
  return parse_medium(text);
}

void show_progress(std::uint64_t done, std::uint64_t total) {
  std::fprintf(stderr, "\rcopied %.0f of %.0f MB", double(done) / 1e6, double(total) / 1e6);
  std::fflush(stderr);
}

void write_carriers(const CarriersArguments& args) {
  const CarrierSettings settings = load_carrier_settings(args.profile);
  std::error_code error;
  CarrierPlan plan;
  BagContents bag;
  if (fs::is_regular_file(args.source, error)) {
    plan = read_plan(args.source);
    bag = read_bag(plan.bag);
    check_plan_fits_bag(plan, bag);
  } else {
    bag = read_bag(args.source);
    plan = plan_carriers(bag, medium_of(args.media), settings);
  }
  const bool terminal = ::isatty(STDERR_FILENO);
  for (const PlannedCarrier& carrier : plan.carriers) {
    const CarrierLayout layout = lay_out_carrier(plan, carrier, bag, settings);
    const auto started = std::chrono::steady_clock::now();
    const WriteProgress progress = terminal ? WriteProgress(show_progress) : WriteProgress();
    const WrittenCarrier written = args.iso ? write_carrier_iso(layout, args.out, progress)
                                            : write_carrier_folder(layout, args.out, progress);
    if (written.written_before) {
      std::printf("%d/%d %s: written before, kept\n", carrier.number, plan.count(), written.path.c_str());
      continue;
    }
    if (terminal) std::fprintf(stderr, "\n");
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double bytes = double(args.iso ? fs::file_size(written.path) : layout.total_bytes());
    std::printf("%d/%d %s: %zu records, %zu files, %s GB, %.1f s, %.1f MB/s\n", carrier.number, plan.count(),
                written.path.c_str(), carrier.refs.size(), layout.files.size(), data_volume_gb(std::uint64_t(bytes)).c_str(),
                seconds, seconds > 0 ? bytes / 1e6 / seconds : 0.0);
  }
}

int check_carriers(const CarriersArguments& args) {
  std::vector<CheckedCarrier> checked;
  int errors = 0;
  for (const std::string& location : args.carriers) {
    checked.push_back(check_carrier(location));
    for (const Finding& finding : checked.back().findings) std::printf("%s: %s\n", finding.code.c_str(), finding.message.c_str());
    const std::size_t count = checked.back().findings.size();
    errors += static_cast<int>(count);
    if (count) std::printf("%s: INVALID, %zu error%s\n", location.c_str(), count, count == 1 ? "" : "s");
    else std::printf("%s: OK, %zu files\n", location.c_str(), checked.back().digests.size());
  }
  if (!args.bag.empty()) {
    const BagContents bag = read_bag(args.bag);
    const std::vector<Finding> findings = check_reproduces_bag(bag, checked);
    for (const Finding& finding : findings) std::printf("%s: %s\n", finding.code.c_str(), finding.message.c_str());
    errors += static_cast<int>(findings.size());
    if (findings.empty())
      std::printf("%s: reproduced whole by %zu carrier%s (%zu payload files)\n", args.bag.c_str(), checked.size(),
                  checked.size() == 1 ? "" : "s", bag.payload_files);
    else
      std::printf("%s: NOT reproduced by these carriers, %zu error%s\n", args.bag.c_str(), findings.size(),
                  findings.size() == 1 ? "" : "s");
  }
  return errors;
}

}  // namespace

void add_carriers_command(CLI::App& app) {
  auto args = std::make_shared<CarriersArguments>();
  CLI::App* carriers = app.add_subcommand(
      "carriers", "Split a deposit bag across numbered discs or disks (载体), write them, and check them read back");
  carriers->require_subcommand(1);
  const auto profile_option = [&](CLI::App* command) {
    command->add_option("--profile", args->profile,
                        "the profile whose carriers section applies (encoding, reserve, 年度/分类 columns); "
                        "default: UTF-8, 2% reserve, 日期 and 保管期限")
        ->check(CLI::ExistingFile);
  };
  const char* media_help =
      "cd (737,280,000 bytes), dvd (4,700,000,000), bd (25 GB), hdd (one carrier), or a size: 200M, 4.7G";

  CLI::App* plan = carriers->add_subcommand("plan", "Plan the carriers: which records go on which, in catalogue order");
  plan->add_option("BAG", args->source, "the deposit bag (WORK/deposit/<batch-id>)")->required();
  plan->add_option("--media", args->media, media_help)->required();
  plan->add_option("--out", args->out, "write the plan (JSON) to this file");
  profile_option(plan);
  plan->callback([args] {
    guarded([&] {
      const BagContents bag = read_bag(args->source);
      const CarrierPlan made = plan_carriers(bag, medium_of(args->media), load_carrier_settings(args->profile));
      if (!args->out.empty()) write_file_atomically(args->out, plan_json(made));
      std::printf("%s", plan_table(made).c_str());
      if (!args->out.empty()) std::printf("plan: %s\n", args->out.c_str());
    });
  });

  CLI::App* write = carriers->add_subcommand("write", "Write each carrier as a folder, or as an ISO 9660 image");
  write->add_option("PLAN_OR_BAG", args->source, "a plan from carriers plan, or the bag (then --media)")->required();
  write->add_option("--media", args->media, std::string(media_help) + "; with a bag");
  write->add_option("--out", args->out, "the folder the carriers are written into")->required();
  write->add_flag("--iso", args->iso, "ISO 9660 images with Joliet and Rock Ridge (<label>.iso), not folders");
  profile_option(write);
  write->callback([args] { guarded([&] { write_carriers(*args); }); });

  CLI::App* check = carriers->add_subcommand(
      "check", "Check carriers read back (folders, mounted discs or .iso images) against their manifests: exit 0 only "
               "when clean");
  check->add_option("CARRIER", args->carriers, "carrier folders, mounted discs or .iso images")->required();
  check->add_option("--bag", args->bag, "also check that these carriers together hold exactly this bag's payload");
  check->callback([args] {
    int errors = 0;
    guarded([&] { errors = check_carriers(*args); });
    if (errors > 0) throw CLI::RuntimeError(kExitVerifyFailed);
  });
}

}  // namespace lantai::cli
