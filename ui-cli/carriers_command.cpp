// lantai carriers plan BAG --media cd|dvd|bd|hdd|SIZE [--out PLAN] [--profile FILE]
// lantai carriers write PLAN|BAG [--media ...] --out DIR [--iso] [--profile FILE]
// lantai carriers check [--bag BAG] DIR|ISO...
// A deposit bag onto numbered carriers (discs or disks), and carriers read back.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <nlohmann/json.hpp>

#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "pipeline/format.h"
#include "pipeline/holdings.h"
#include "pipeline/profile.h"
#include "pipeline/registration.h"
#include "pipeline/runtime/runner.h"
#include "stages/carriers/carrier_check.h"
#include "stages/carriers/carrier_layout.h"
#include "stages/carriers/carrier_writer.h"
#include "stages/deposit/forms/registration_forms.h"
#include "stages/deposit/registration_forms_input.h"
#include "ui-cli/commands.h"

namespace lantai::cli {

namespace {

// The counts a backup form (or one of its records) states, keys prefixed as given
// ("quarantined_"); a form made before photos and recordings were counted apart has pages only.
ItemCounts item_counts(const nlohmann::json& object, const std::string& prefix) {
  ItemCounts counts;
  counts.pages = object.value(prefix + "page_count", std::int64_t{0});
  counts.photos = object.value(prefix + "photo_count", std::int64_t{0});
  counts.recordings = object.value(prefix + "recording_count", std::int64_t{0});
  const std::string seconds = object.value(prefix + "recording_duration_s", std::string("0"));
  counts.recording_seconds = std::strtod(seconds.c_str(), nullptr);
  return counts;
}


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

// The medium as the forms name a carrier's type (载体类型).
std::string carrier_type(const Medium& medium) {
  if (medium.name == "cd") return "光盘 CD-R";
  if (medium.name == "dvd") return "光盘 DVD±R";
  if (medium.name == "bd") return "光盘 BD-R";
  if (medium.name == "hdd") return "硬盘";
  return "其他载体";  // a capacity given by size: the medium itself is not known
}

namespace forms = lantai::deposit::forms;
using forms::DigestList;

DigestList named_digests(const nlohmann::json& list) {
  DigestList digests;
  if (list.is_array())
    for (const auto& entry : list)
      if (entry.is_object() && entry.value("algorithm", "").size() && entry.value("value", "").size())
        if (auto algorithm = algorithm_from_form_name(entry.value("algorithm", "")))
          digests.emplace_back(*algorithm, entry.value("value", ""));
  return digests;
}

// The registration forms for the carriers just written (the deposit's own list the package
// sent online): the batch's figures from the bag's backup form and package.json, each
// carrier one row of the 续表 and the 备份载体目录 with its digests: of the ISO image, or of a
// folder carrier's manifest-sha256.txt (which fixes every file on it).
fs::path write_carrier_forms(const CarrierPlan& plan, const BagContents& bag, bool iso,
                             const std::vector<std::pair<const PlannedCarrier*, fs::path>>& written,
                             const fs::path& out) {
  const nlohmann::json form = nlohmann::json::parse(read_file(bag.dir / "forms/backup-form.json"), nullptr, false);
  if (!form.is_object()) throw CarrierError((bag.dir / "forms/backup-form.json").string() + ": not a backup form");
  forms::RegistrationForms input;
  input.fonds_code = form.value("fonds_code", bag.fonds);
  input.unit_name = form.value("unit_name", bag.unit);
  input.batch_id = form.value("batch_id", bag.batch_id);
  input.date = form.value("bagging_date", "");
  input.profile_name = form.contains("profile") ? form["profile"].value("name", "") : "";
  input.record_count = form.value("record_count", std::int64_t{0});
  input.items = item_counts(form, "");
  input.quarantined = item_counts(form, "quarantined_");
  input.withheld_record_count = form.value("withheld_record_count", std::int64_t{0});
  input.payload_file_count = bag.payload_files;
  input.payload_bytes = bag.payload_bytes;
  if (form.contains("signature")) input.signature_key_sm3 = form["signature"].value("public_key_sm3", "");
  const fs::path package_json = bag.dir.string() + kPackageJsonSuffix;
  if (fs::exists(package_json)) {
    const nlohmann::json package = nlohmann::json::parse(read_file(package_json), nullptr, false);
    if (package.is_object())
      input.package = {package.value("file", ""), package.value("size_bytes", std::uint64_t{0}), bag.payload_files,
                       named_digests(package.value("digests", nlohmann::json::array())), ""};
  } else {
    input.package = {input.batch_id, bag.payload_bytes, bag.payload_files,
                     named_digests(form.value("package_digests", nlohmann::json::array())), "manifest-sha256.txt"};
  }
  const std::vector<std::string>& columns = bag.catalog.columns;
  for (const BagRecord& record : bag.records) {
    ItemCounts files;
    files.pages = static_cast<std::int64_t>(record.files.size());
    input.records.push_back(deposit::record_entry(
        record.ref, record.row ? record.row->field(columns, "题名") : std::string(), record.row, columns, files));
  }
  // Pages, photos and recordings as the backup form counts them (not files with their OCR texts).
  if (form.contains("records") && form["records"].is_array())
    for (const auto& entry : form["records"])
      for (auto& record : input.records)
        if (entry.is_object() && record.ref == entry.value("ref", "")) record.items = item_counts(entry, "");

  for (const auto& [carrier, path] : written) {
    forms::Carrier row;
    row.number = carrier->label;
    row.type = carrier_type(plan.medium);
    if (!carrier->refs.empty())
      row.content = carrier->refs.front() + " 至\n" + carrier->refs.back() + "\n共 " +
                    std::to_string(carrier->refs.size()) + " 件";
    const fs::path fixed = iso ? path : path / kSha256Manifest;
    const auto digests = hex_digests_of_file(fixed, {DigestAlgorithm::md5, DigestAlgorithm::sha256});
    row.digests = {{DigestAlgorithm::md5, digests[0]}, {DigestAlgorithm::sha256, digests[1]}};
    row.size_bytes = iso ? fs::file_size(path) : carrier->payload_bytes;
    row.file_count = carrier->files;
    row.signature_key_sm3 = input.signature_key_sm3;
    row.made_on = now_text("%Y-%m-%d", TimeZone::local);
    input.carriers.push_back(std::move(row));
  }
  const fs::path dir = fs::path(out) / utf8_path(input.batch_id + "-forms");
  forms::write_registration_forms(input, dir);
  return dir;
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
  std::vector<std::pair<const PlannedCarrier*, fs::path>> written_carriers;
  for (const PlannedCarrier& carrier : plan.carriers) {
    const CarrierLayout layout = lay_out_carrier(plan, carrier, bag, settings);
    const auto started = std::chrono::steady_clock::now();
    const WriteProgress progress = terminal ? WriteProgress(show_progress) : WriteProgress();
    const WrittenCarrier written = args.iso ? write_carrier_iso(layout, args.out, progress)
                                            : write_carrier_folder(layout, args.out, progress);
    written_carriers.emplace_back(&carrier, written.path);
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
  const fs::path forms_dir = write_carrier_forms(plan, bag, args.iso, written_carriers, args.out);
  std::printf("forms: %s (登记备份表格 listing these carriers, to print, sign and stamp)\n", forms_dir.c_str());
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
