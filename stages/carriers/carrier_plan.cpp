#include "stages/carriers/carrier_plan.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <map>

#include "pipeline/files.h"
#include "pipeline/registration.h"

namespace lantai::carriers {
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kPerFileAllowance = kSectorBytes;
constexpr std::uint64_t kPerRecordAllowance = 2 * kSectorBytes;

std::uint64_t sectors(std::uint64_t bytes) { return (bytes + kSectorBytes - 1) / kSectorBytes * kSectorBytes; }

std::uint64_t file_cost(const BagFile& file) {
  // Two manifest lines name the file: about its path and a digest each.
  return sectors(file.size) + kPerFileAllowance + 2 * (file.path.size() + 80);
}

std::uint64_t record_cost(const BagRecord& record) {
  std::uint64_t cost = kPerRecordAllowance;
  if (record.row)
    for (const std::string& value : record.row->values) cost += 2 * (value.size() + 32);  // XML entry and CSV row
  for (const BagFile& file : record.files) cost += file_cost(file);
  return cost;
}

std::string two_digits(int n) {
  char text[16];
  std::snprintf(text, sizeof text, "%02d", n);
  return text;
}

// ISO 9660 d-characters (A-Z, 0-9, _), at most 32, the number kept whole at the end.
std::string volume_id(const std::string& batch_id, int number, int count) {
  const std::string suffix = "_" + two_digits(number) + "OF" + two_digits(count);
  std::string id;
  for (char c : batch_id) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    id += (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? c : '_';
  }
  if (id.size() + suffix.size() > 32) id.resize(32 - suffix.size());
  return id + suffix;
}

std::string year_of(const std::string& value) {
  if (value.size() < 4) return {};
  for (std::size_t i = 0; i < 4; ++i)
    if (value[i] < '0' || value[i] > '9') return {};
  return value.substr(0, 4);
}

}  // namespace

std::string record_folder(const BagRecord& record, const Catalog& catalog, const CarrierSettings& settings) {
  std::string year, group;
  if (record.row) {
    year = year_of(record.row->field(catalog.columns, settings.year_column));
    group = record.row->field(catalog.columns, settings.class_column);
  }
  if (year.empty()) year = "未知年度";
  if (!is_safe_ref(group) || group.size() > 64) group = "未分类";
  return "entity/" + year + "/" + group + "/" + record.ref;
}

std::string carrier_path(const std::string& record_folder, const std::string& ref, const BagFile& file) {
  const std::string prefix = std::string(kEntityFolder) + ref + "/";
  return record_folder + "/" + file.path.substr(prefix.size());
}

std::string other_carrier_path(const BagFile& file) { return "other/" + file.path.substr(5); }

CarrierPlan plan_carriers(const BagContents& bag, const Medium& medium, const CarrierSettings& settings) {
  CarrierPlan plan;
  plan.bag = fs::absolute(bag.dir);
  plan.batch_id = bag.batch_id;
  plan.medium = medium;
  if (!medium.unlimited()) {
    const auto reserve = static_cast<std::uint64_t>(double(medium.capacity_bytes) * settings.reserve_percent / 100.0);
    if (medium.capacity_bytes <= reserve + kCarrierOverheadBytes)
      throw CarrierError("medium " + medium.name + ": " + std::to_string(medium.capacity_bytes) +
                         " bytes leave nothing once the reserve (" + std::to_string(reserve) + ") and " +
                         std::to_string(kCarrierOverheadBytes) + " bytes for the carrier's own files are kept");
    plan.usable_bytes = medium.capacity_bytes - reserve - kCarrierOverheadBytes;
  }
  const auto open_carrier = [&] { plan.carriers.push_back({static_cast<int>(plan.carriers.size()) + 1}); };
  open_carrier();
  for (const BagFile& file : bag.other_files) {  // with the first carrier
    plan.carriers.back().files += 1;
    plan.carriers.back().payload_bytes += file.size;
    plan.carriers.back().estimated_bytes += file_cost(file);
  }
  if (plan.usable_bytes && plan.carriers.back().estimated_bytes > plan.usable_bytes)
    throw CarrierError("the bag's files outside data/entity take " + std::to_string(plan.carriers.back().estimated_bytes) +
                       " bytes, more than one " + medium.name + " carrier holds");
  for (const BagRecord& record : bag.records) {
    const std::uint64_t cost = record_cost(record);
    if (plan.usable_bytes && cost > plan.usable_bytes)
      throw CarrierError("record " + record.ref + ": " + std::to_string(record.bytes()) + " bytes in " +
                         std::to_string(record.files.size()) + " files (" + std::to_string(cost) +
                         " on a disc) do not fit one " + medium.name + " carrier (" + std::to_string(plan.usable_bytes) +
                         " usable bytes); a record is never split: choose a larger medium");
    PlannedCarrier* carrier = &plan.carriers.back();
    if (plan.usable_bytes && carrier->estimated_bytes + cost > plan.usable_bytes && !carrier->refs.empty()) {
      open_carrier();
      carrier = &plan.carriers.back();
    }
    carrier->refs.push_back(record.ref);
    carrier->files += record.files.size();
    carrier->payload_bytes += record.bytes();
    carrier->estimated_bytes += cost;
  }
  for (PlannedCarrier& carrier : plan.carriers) {
    carrier.label = bag.batch_id + "-" + two_digits(carrier.number);
    carrier.volume_id = volume_id(bag.batch_id, carrier.number, plan.count());
  }
  return plan;
}

void check_plan_fits_bag(const CarrierPlan& plan, const BagContents& bag) {
  const auto stale = [&](const std::string& why) {
    return CarrierError("the plan for " + plan.batch_id + " does not fit the bag " + bag.dir.string() + " (" + why +
                        "); plan again with lantai carriers plan");
  };
  if (plan.batch_id != bag.batch_id) throw stale("the bag is batch " + bag.batch_id);
  std::map<std::string, int> planned;
  for (const PlannedCarrier& carrier : plan.carriers)
    for (const std::string& ref : carrier.refs)
      if (!planned.emplace(ref, carrier.number).second) throw stale("record " + ref + " is planned twice");
  for (const BagRecord& record : bag.records)
    if (!planned.erase(record.ref)) throw stale("record " + record.ref + " is on no carrier");
  if (!planned.empty()) throw stale("record " + planned.begin()->first + " is not in the bag");
}

std::string plan_json(const CarrierPlan& plan) {
  nlohmann::ordered_json json;
  json["format"] = "lantai carrier plan";
  json["version"] = 1;
  const std::u8string bag = plan.bag.u8string();
  json["bag"] = std::string(bag.begin(), bag.end());
  json["batch_id"] = plan.batch_id;
  json["medium"] = plan.medium.name;
  json["capacity_bytes"] = plan.medium.capacity_bytes;
  json["usable_bytes"] = plan.usable_bytes;
  json["carrier_count"] = plan.count();
  for (const PlannedCarrier& carrier : plan.carriers) {
    nlohmann::ordered_json entry;
    entry["number"] = carrier.number;
    entry["label"] = carrier.label;
    entry["volume_id"] = carrier.volume_id;
    entry["record_count"] = carrier.refs.size();
    entry["file_count"] = carrier.files;
    entry["payload_bytes"] = carrier.payload_bytes;
    entry["estimated_bytes"] = carrier.estimated_bytes;
    entry["records"] = carrier.refs;
    json["carriers"].push_back(std::move(entry));
  }
  return json.dump(2) + "\n";
}

CarrierPlan read_plan(const fs::path& file) {
  std::error_code error;
  if (fs::file_size(file, error) > (64ull << 20)) throw CarrierError(file.string() + ": too large for a carrier plan");
  try {
    const auto json = nlohmann::json::parse(read_file(file));
    if (json.at("format") != "lantai carrier plan" || json.at("version") != 1)
      throw CarrierError(file.string() + ": not a lantai carrier plan (format, version)");
    CarrierPlan plan;
    plan.bag = utf8_path(json.at("bag").get<std::string>());
    plan.batch_id = json.at("batch_id").get<std::string>();
    plan.medium = parse_medium(json.at("medium").get<std::string>());
    plan.usable_bytes = json.at("usable_bytes").get<std::uint64_t>();
    for (const auto& entry : json.at("carriers")) {
      PlannedCarrier carrier;
      carrier.number = entry.at("number").get<int>();
      carrier.label = entry.at("label").get<std::string>();
      carrier.volume_id = entry.at("volume_id").get<std::string>();
      carrier.refs = entry.at("records").get<std::vector<std::string>>();
      carrier.files = entry.at("file_count").get<std::size_t>();
      carrier.payload_bytes = entry.at("payload_bytes").get<std::uint64_t>();
      carrier.estimated_bytes = entry.at("estimated_bytes").get<std::uint64_t>();
      if (carrier.number != plan.count() + 1 || !is_safe_ref(carrier.label))
        throw CarrierError(file.string() + ": carrier " + std::to_string(plan.count() + 1) +
                           ": its number or label is not usable");
      plan.carriers.push_back(std::move(carrier));
    }
    if (plan.carriers.empty()) throw CarrierError(file.string() + ": the plan names no carrier");
    return plan;
  } catch (const nlohmann::json::exception& failure) {
    throw CarrierError(file.string() + ": not a lantai carrier plan (" + failure.what() + ")");
  } catch (const std::invalid_argument& failure) {
    throw CarrierError(file.string() + ": " + failure.what());
  }
}

std::string plan_table(const CarrierPlan& plan) {
  std::string text = "carrier label                      records  files   payload GB   on disc GB\n";
  char line[512];
  for (const PlannedCarrier& carrier : plan.carriers) {
    std::snprintf(line, sizeof line, "%2d/%-2d   %-26s %7zu %6zu %12s %12s\n", carrier.number, plan.count(),
                  carrier.label.c_str(), carrier.refs.size(), carrier.files,
                  data_volume_gb(carrier.payload_bytes).c_str(), data_volume_gb(carrier.estimated_bytes).c_str());
    text += line;
  }
  std::snprintf(line, sizeof line, "%d carrier%s of %s (%s usable bytes each)\n", plan.count(),
                plan.count() == 1 ? "" : "s", plan.medium.name.c_str(),
                plan.usable_bytes ? std::to_string(plan.usable_bytes).c_str() : "unlimited");
  return text + line;
}

}  // namespace lantai::carriers
