#include "ui-web/review_service.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "pipeline/format.h"
#include "pipeline/jp2_codec.h"
#include "pipeline/jpeg_codec.h"
#include "pipeline/runtime/review_state.h"

namespace lantai::review {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxReasonBytes = 2000;
constexpr std::size_t kMaxOcrTextBytes = 200'000;
constexpr int kPreviewJpegQuality = 85;
// Info findings a stage raises to ask for a look, beside every warn and reject.
const std::set<std::string, std::less<>> kInfoForReview{"deskew.low_confidence"};
// What a page may be in the queue for besides a finding: its cleanup and its stitching.
constexpr const char* kCleanupMark = "cleanup";
constexpr const char* kStitchMark = "stitch";

Answer error(int status, const std::string& message) { return {status, {{"error", message}}}; }

json decision_json(const ReviewDecision& d) {
  json entry = {{"id", d.id},           {"at", d.at},        {"by", d.by},
                {"role", d.role},       {"action", to_string(d.action)},
                {"item", d.item_id},    {"record", d.record_ref},
                {"code", d.code},       {"reason", d.reason}, {"signs", d.signs}};
  entry["before"] = d.before.empty() ? json() : json::parse(d.before, nullptr, false);
  entry["after"] = d.after.empty() ? json() : json::parse(d.after, nullptr, false);
  return entry;
}

json measurement_json(const Measurements& measurements) {
  json values = json::object();
  for (const auto& [name, value] : measurements.all())
    std::visit([&](const auto& v) { values[name] = v; }, value);
  return values;
}

bool has_output(const RecordItem& item, std::string_view kind) {
  return std::any_of(item.outputs.begin(), item.outputs.end(), [&](const StageOutput& o) { return o.kind == kind; });
}

// What the processed pane shows of each kind of item: a page's derivative, a photo's
// access copy (upright, screen-sized), a video's contact sheet or a sound's waveform.
constexpr std::string_view kProcessedKinds[] = {"derivative", "photo_access", "contact_sheet", "waveform"};

std::string processed_kind(const RecordItem& item) {
  for (std::string_view kind : kProcessedKinds)
    if (has_output(item, kind)) return std::string(kind);
  return {};
}

// The stage that applies each correction's Manual value; an item whose chain lacks it
// (a photo is kept as scanned, a recording as it came) cannot be corrected so.
std::string_view correcting_stage(ReviewAction action) {
  switch (action) {
    case ReviewAction::rotate: return "orient";
    case ReviewAction::skew:
    case ReviewAction::crop: return "deskew";
    default: return {};
  }
}

// Why a page is in the review queue: its standing reject and warn findings, the info
// findings that ask for a look, a cleanup that changed pixels, a stitching.
std::vector<std::string> review_reasons(const ItemRow& row) {
  std::vector<std::string> reasons;
  auto add = [&](const std::string& reason) {
    if (std::find(reasons.begin(), reasons.end(), reason) == reasons.end()) reasons.push_back(reason);
  };
  for (const Finding& f : row.findings)
    if (f.stands() && (f.severity != Severity::info || kInfoForReview.count(f.code))) add(f.code);
  if (row.item.measurements.number("cleaned_px").value_or(0) > 0 && has_output(row.item, "cleanup_diff"))
    add(kCleanupMark);
  if (row.item.measurements.number("stitch_parts").value_or(0) > 1) add(kStitchMark);
  return reasons;
}

std::string page_status(const ItemRow& row, const std::vector<std::string>& reasons) {
  if (any_reject(row.findings)) return "quarantined";
  return reasons.empty() ? "accepted" : "flagged";
}

// How far each item strays from the rest of its batch over every quantity the stages
// measured (ScanTailor Advanced's deviation ordering, over all measurements at once): per
// measurement and per kind of item (pages with pages, photos with photos), the distance
// from the median in robust standard deviations (MAD scaled by 1.4826, or the standard
// deviation where most agree exactly); an item's score is its largest, named by that
// measurement. Numbers that name a kind or a setting (a turn of 90s, bits a sample) are
// left out: a page turned by orient is not odd for it.
struct Deviation {
  double score = 0;
  std::string measure;
  double value = 0, median = 0;
};

double median_of(std::vector<double> values) {
  const std::size_t middle = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle), values.end());
  return values[middle];
}

std::map<std::string, Deviation> deviations(const std::vector<ItemRow>& rows,
                                            const std::set<std::string, std::less<>>& categories) {
  std::map<std::pair<ItemKind, std::string>, std::vector<std::pair<const ItemRow*, double>>> by_measure;
  for (const ItemRow& row : rows)
    for (const auto& [name, value] : row.item.measurements.all())
      if (const double* number = std::get_if<double>(&value);
          number && std::isfinite(*number) && !categories.count(name))
        by_measure[{row.item.kind, name}].emplace_back(&row, *number);
  std::map<std::string, Deviation> result;
  for (const auto& [key, values] : by_measure) {
    const std::string& name = key.second;
    if (values.size() < 3) continue;
    std::vector<double> numbers;
    for (const auto& [row, value] : values) numbers.push_back(value);
    const double median = median_of(numbers);
    std::vector<double> distances;
    for (double value : numbers) distances.push_back(std::abs(value - median));
    double scale = 1.4826 * median_of(distances);
    if (scale <= 0) {
      double mean = 0, square = 0;
      for (double value : numbers) mean += value;
      mean /= static_cast<double>(numbers.size());
      for (double value : numbers) square += (value - mean) * (value - mean);
      scale = std::sqrt(square / static_cast<double>(numbers.size()));
    }
    if (scale <= 0) continue;  // every page measured the same
    for (const auto& [row, value] : values) {
      const double score = std::abs(value - median) / scale;
      Deviation& deviation = result[row->item.item_id];
      if (score > deviation.score) deviation = {score, name, value, median};
    }
  }
  return result;
}

struct QueueEntry {
  int rank = 0;
  double deviation = 0;
  json body;
};

// 0: quarantined; 1: a finding asks for a look; 2: only cleaned or stitched; 3: accepted.
int review_rank(const std::string& status, const std::vector<std::string>& reasons) {
  if (status == "quarantined") return 0;
  const bool finding = std::any_of(reasons.begin(), reasons.end(), [](const std::string& reason) {
    return reason != kCleanupMark && reason != kStitchMark;
  });
  return finding ? 1 : reasons.empty() ? 3 : 2;
}

std::map<std::string, std::vector<const ReviewDecision*>> decisions_by_item(const std::vector<ReviewDecision>& all) {
  std::map<std::string, std::vector<const ReviewDecision*>> by_item;
  for (const ReviewDecision& d : all)
    if (!d.item_id.empty()) by_item[d.item_id].push_back(&d);
  return by_item;
}

// The reason every decision is given with (who, when, what, why): text of bounded length.
std::optional<std::string> reason_of(const json& request, std::string& problem) {
  auto it = request.find("reason");
  std::string reason;
  if (it != request.end() && !it->is_null()) {
    if (!it->is_string()) {
      problem = "reason must be text";
      return std::nullopt;
    }
    reason = it->get<std::string>();
  }
  reason.erase(0, reason.find_first_not_of(" \t\r\n"));
  reason.erase(reason.find_last_not_of(" \t\r\n") + 1);
  if (reason.size() > kMaxReasonBytes) {
    problem = "reason is longer than " + std::to_string(kMaxReasonBytes) + " bytes";
    return std::nullopt;
  }
  if (reason.empty()) {
    problem = "a reason is required for every decision (\"reason\": why)";
    return std::nullopt;
  }
  return reason;
}

// Only an original the decode stage read within the profile's limits is decoded for a
// preview: a file it refused (a decompression bomb, damaged or mislabelled data) is not.
bool decoded_within_limits(const ItemRow& row) {
  return row.item.measurements.has("width_px") &&
         std::none_of(row.findings.begin(), row.findings.end(), [](const Finding& f) {
           return f.severity == Severity::reject && f.code.starts_with("decode.");
         });
}

cv::Mat decode_for_preview(const fs::path& file, int frame) {
  std::string extension = file.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(), ::tolower);
  if (extension == ".jp2" || extension == ".j2k" || extension == ".jpx") return decode_jp2(read_file(file));
  if (frame > 0) {
    std::vector<cv::Mat> frames;
    if (!cv::imreadmulti(file.string(), frames, frame, 1, cv::IMREAD_COLOR) || frames.empty()) return {};
    return frames.front();
  }
  return cv::imread(file.string(), cv::IMREAD_COLOR);
}

}  // namespace

std::optional<fs::path> inside_work(const fs::path& work_dir, const std::string& rel_path) {
  if (rel_path.empty()) return std::nullopt;
  std::error_code error;
  const fs::path root = fs::canonical(work_dir, error);
  if (error) return std::nullopt;
  const fs::path file = fs::canonical(work_dir / utf8_path(rel_path), error);
  if (error || !fs::is_regular_file(file, error)) return std::nullopt;
  const std::string root_text = root.string() + "/";
  if (file.string().compare(0, root_text.size(), root_text) != 0) return std::nullopt;
  return file;
}

ReviewService::ReviewService(fs::path work_dir, const StageSequence& stages)
    : work_dir_(std::move(work_dir)), ledger_(Ledger::open(work_dir_)), codes_(stages.finding_codes()) {
  for (const auto& [kind, chain] : stages.chains)
    for (const auto& stage : chain) chain_stages_[kind].insert(stage->describe().id);
  for (const StageInfo& info : stages.describe())
    for (const MeasurementInfo& measurement : info.measurements)
      if (measurement.category) categories_.insert(std::string(measurement.name));
}

bool ReviewService::corrects(ItemKind kind, ReviewAction action) const {
  const auto chain = chain_stages_.find(kind);
  return chain != chain_stages_.end() && chain->second.count(std::string(correcting_stage(action))) > 0;
}

const Catalog* ReviewService::catalog() const {
  std::call_once(catalog_once_, [this] {
    const auto identity = ledger_->identity();
    if (!identity || identity->catalog_file.empty()) return;
    try {
      catalog_ = load_catalog(identity->catalog_file);
    } catch (const std::exception&) {
      // moved or gone since the run: the page shows no catalogue entry
    }
  });
  return catalog_ ? &*catalog_ : nullptr;
}

json ReviewService::catalogue_entry(const std::string& ref) const {
  const Catalog* cat = catalog();
  const CatalogRecord* entry = cat ? cat->find(ref) : nullptr;
  if (!entry) return nullptr;
  json fields = json::array();
  for (std::size_t i = 0; i < cat->columns.size() && i < entry->values.size(); ++i)
    fields.push_back({{"name", cat->columns[i]}, {"value", entry->values[i]}});
  return {{"ref", entry->ref}, {"row", entry->row}, {"fields", fields}};
}

std::optional<std::pair<ItemRow, std::vector<ItemRow>>> ReviewService::find_page(const std::string& item_id) const {
  const std::string rel_path = split_item_id(item_id).first;
  std::vector<ItemRow> rows = ledger_->items(rel_path.substr(0, rel_path.find('/')));
  auto row = std::find_if(rows.begin(), rows.end(), [&](const ItemRow& r) { return r.item.item_id == item_id; });
  if (row == rows.end()) return std::nullopt;
  ItemRow page = *row;
  return std::pair{std::move(page), std::move(rows)};
}

json ReviewService::queue(const QueueQuery& query) const {
  const std::vector<ItemRow> rows = ledger_->items();
  const std::vector<ReviewDecision> all_decisions = ledger_->review_decisions();
  const ReviewState state = review_state(all_decisions);
  const auto by_item = decisions_by_item(all_decisions);
  const auto deviation = deviations(rows, categories_);
  const auto manual_values = ledger_->manual_values();

  json counts = {{"pages", rows.size()}, {"quarantined", 0}, {"flagged", 0}, {"records_withheld", 0},
                 {"awaiting_sign_off", state.awaiting_sign_off.size()}};
  std::map<std::string, int> by_code, by_record, records_by_code;
  json items = json::array();
  std::vector<QueueEntry> ordered;
  for (const ItemRow& row : rows) {
    const auto reasons = review_reasons(row);
    const std::string status = page_status(row, reasons);
    if (status != "accepted") {
      counts[status] = counts[status].get<int>() + 1;
      for (const auto& reason : reasons) by_code[reason]++;
      by_record[row.record_ref]++;
    }
    if (query.queue == "review" && status == "accepted") continue;
    if (!query.record.empty() && row.record_ref != query.record) continue;
    if (!query.code.empty() && std::find(reasons.begin(), reasons.end(), query.code) == reasons.end()) continue;
    json entry = {{"id", row.item.item_id},     {"record", row.record_ref}, {"seq", row.item.seq},
                  {"file", row.item.rel_path},  {"frame", row.item.frame},  {"status", status},
                  {"reasons", reasons}};
    json overridden = json::array(), accepted = json::array();
    const auto manual = manual_values.find(row.item.item_id);
    for (const Finding& f : row.findings) {
      if (!f.stands()) {
        overridden.push_back(f.code);
        continue;
      }
      const bool by_manual =
          manual != manual_values.end() &&
          std::any_of(manual->second.begin(), manual->second.end(), [&](const auto& value) {
            return value.first.ends_with("." + accept_manual_name(f.code));
          });
      if (by_manual || state.override_for(row.record_ref, f)) accepted.push_back(f.code);
    }
    entry["overridden"] = overridden;
    entry["accepted"] = accepted;  // since the last run; applied by the next
    const Deviation dev = deviation.count(row.item.item_id) ? deviation.at(row.item.item_id) : Deviation{};
    entry["deviation"] = {{"score", std::round(dev.score * 100) / 100}, {"measure", dev.measure},
                          {"value", dev.value}, {"median", dev.median}};
    if (auto it = by_item.find(row.item.item_id); it != by_item.end()) {
      entry["last_decision"] = decision_json(*it->second.back());
      entry["decisions"] = it->second.size();
    }
    ordered.push_back({review_rank(status, reasons), dev.score, std::move(entry)});
  }
  // Lot order puts what holds a record back first, then what a stage asked to be looked
  // at, then pages marked only for their cleanup or stitching: on a lot where every page
  // had specks cleaned, the faults are not buried among them.
  std::stable_sort(ordered.begin(), ordered.end(), [&](const QueueEntry& a, const QueueEntry& b) {
    return query.order == "deviation" ? a.deviation > b.deviation : a.rank < b.rank;
  });
  for (QueueEntry& entry : ordered) items.push_back(std::move(entry.body));

  json records = json::array();
  for (const RecordRow& row : ledger_->records()) {
    if (row.deposited) continue;
    counts["records_withheld"] = counts["records_withheld"].get<int>() + 1;
    for (const auto& reason : row.reasons) records_by_code[reason]++;
    if (query.queue != "records") continue;
    if (!query.record.empty() && row.ref != query.record) continue;
    if (!query.code.empty() && std::find(row.reasons.begin(), row.reasons.end(), query.code) == row.reasons.end())
      continue;
    json entry = {{"ref", row.ref},   {"title", row.title},         {"pages_found", row.items_found},
                  {"in_catalog", row.in_catalog}, {"has_folder", row.has_folder}, {"reasons", row.reasons}};
    entry["catalog_pages"] = row.catalog_pages ? json(*row.catalog_pages) : json();
    if (state.records_accepted.count(row.ref)) entry["decided"] = "record_accept";
    if (state.records_sent_back.count(row.ref)) entry["decided"] = "send_back";
    records.push_back(std::move(entry));
  }
  counts["by_code"] = by_code;
  counts["records_by_code"] = records_by_code;
  counts["by_record"] = by_record;
  json pending = json::array();
  for (const auto& [id, d] : state.awaiting_sign_off) pending.push_back(decision_json(d));
  return {{"query", {{"queue", query.queue}, {"order", query.order}, {"code", query.code}, {"record", query.record}}},
          {"counts", counts},
          {"items", query.queue == "records" ? json::array() : items},
          {"records", records},
          {"awaiting_sign_off", pending}};
}

Answer ReviewService::item(const std::string& item_id) const {
  const auto found = find_page(item_id);
  if (!found) return error(404, "no page with this id in the ledger");
  const ItemRow* row = &found->first;
  const std::vector<ItemRow>& rows = found->second;
  const RecordItem& page = row->item;
  const auto reasons = review_reasons(*row);

  const std::vector<ReviewDecision> all_decisions = ledger_->review_decisions();
  const ReviewState state = review_state(all_decisions);
  const auto manual_values = ledger_->manual_values();
  const auto item_manual = manual_values.find(item_id);
  // An acceptance made since the last run: the finding still stands in the ledger until
  // the next run applies it.
  auto accepted_for = [&](const StoredFinding& stored) -> std::string {
    if (!stored.finding.stands()) return {};
    if (item_manual != manual_values.end()) {
      auto it = item_manual->second.find(stored.stage + "." + accept_manual_name(stored.finding.code));
      if (it != item_manual->second.end()) return it->second;
    }
    if (stored.scope == FindingScope::record) return state.override_for(row->record_ref, stored.finding).value_or("");
    return {};
  };

  json findings = json::array();
  for (const StoredFinding& stored : ledger_->findings()) {
    if (stored.item_id != item_id) continue;
    const Finding& f = stored.finding;
    auto code = std::find_if(codes_.begin(), codes_.end(), [&](const FindingCode& c) { return c.code == f.code; });
    findings.push_back({{"code", f.code},
                        {"severity", to_string(f.severity)},
                        {"value", f.value},
                        {"threshold", f.threshold},
                        {"message", f.message},
                        {"stage", stored.stage},
                        {"scope", to_string(stored.scope)},
                        {"overridden_by", f.overridden_by},
                        {"accepted", accepted_for(stored)},
                        {"meaning", code == codes_.end() ? "" : std::string(code->meaning)}});
  }

  std::string ocr_text;
  for (const StageOutput& output : page.outputs)
    if (output.kind == "ocr_text")
      if (auto file = inside_work(work_dir_, output.path)) {
        ocr_text = read_file(*file);
        if (ocr_text.size() > kMaxOcrTextBytes) {
          std::size_t end = kMaxOcrTextBytes;
          while (end > 0 && (static_cast<unsigned char>(ocr_text[end]) & 0xC0) == 0x80) --end;  // whole characters
          ocr_text.resize(end);
        }
      }

  const json catalogue = catalogue_entry(row->record_ref);

  json record_pages = json::array();
  for (const ItemRow& other : rows) {
    if (other.record_ref != row->record_ref) continue;
    const auto other_reasons = review_reasons(other);
    record_pages.push_back({{"id", other.item.item_id},
                            {"seq", other.item.seq},
                            {"file", other.item.rel_path},
                            {"status", page_status(other, other_reasons)},
                            {"reasons", other_reasons}});
  }

  json manual = json::object();
  if (auto it = manual_values.find(item_id); it != manual_values.end())
    for (const auto& [name, value] : it->second) manual[name] = value;

  json decisions = json::array(), pending = json::array();
  for (const ReviewDecision& d : all_decisions)
    if (d.item_id == item_id) decisions.push_back(decision_json(d));
  for (const auto& [id, d] : state.awaiting_sign_off)
    if (d.item_id == item_id) pending.push_back(decision_json(d));

  json record_row = nullptr;
  for (const RecordRow& r : ledger_->records())
    if (r.ref == row->record_ref)
      record_row = {{"ref", r.ref}, {"title", r.title}, {"deposited", r.deposited}, {"reasons", r.reasons}};

  const auto identity = ledger_->identity();
  return {200,
          {{"id", item_id},
           {"kind", to_string(page.kind)},
           {"file", page.rel_path},
           {"frame", page.frame},
           {"record", row->record_ref},
           {"seq", page.seq},
           {"status", page_status(*row, reasons)},
           {"reasons", reasons},
           {"findings", findings},
           {"measurements", measurement_json(page.measurements)},
           {"manual", manual},
           {"ocr_text", ocr_text},
           {"catalogue", catalogue},
           {"record_info", record_row},
           {"record_pages", record_pages},
           {"decisions", decisions},
           {"awaiting_sign_off", pending},
           {"images",
            {{"original", identity && !identity->input_root.empty() && decoded_within_limits(*row)},
             {"processed", !processed_kind(page).empty()},
             {"processed_kind", processed_kind(page)},
             {"cleanup", has_output(page, "cleanup_diff")}}},
           {"corrections",
            {{"rotate", corrects(page.kind, ReviewAction::rotate)},
             {"skew", corrects(page.kind, ReviewAction::skew)},
             {"crop", corrects(page.kind, ReviewAction::crop)}}}}};
}

Answer ReviewService::record(const std::string& ref) const {
  for (const RecordRow& row : ledger_->records()) {
    if (row.ref != ref) continue;
    json pages = json::array();
    for (const ItemRow& item : ledger_->items(ref)) {
      const auto reasons = review_reasons(item);
      pages.push_back({{"id", item.item.item_id}, {"seq", item.item.seq}, {"status", page_status(item, reasons)},
                       {"reasons", reasons}});
    }
    json findings = json::array();
    for (const StoredFinding& stored : ledger_->findings())
      if (stored.record_ref == ref && stored.item_id.empty())
        findings.push_back({{"code", stored.finding.code},
                            {"severity", to_string(stored.finding.severity)},
                            {"value", stored.finding.value},
                            {"threshold", stored.finding.threshold},
                            {"message", stored.finding.message},
                            {"stage", stored.stage},
                            {"overridden_by", stored.finding.overridden_by}});
    json decisions = json::array();
    for (const ReviewDecision& d : ledger_->review_decisions())
      if (d.record_ref == ref && d.item_id.empty()) decisions.push_back(decision_json(d));
    return {200,
            {{"ref", ref},
             {"title", row.title},
             {"deposited", row.deposited},
             {"reasons", row.reasons},
             {"pages", pages},
             {"findings", findings},
             {"catalogue", catalogue_entry(ref)},
             {"decisions", decisions}}};
  }
  return error(404, "no record with this 档号 in the ledger");
}

Answer ReviewService::decide_item(const Reviewer& who, const std::string& item_id, const json& request) {
  if (!request.is_object() || !request.contains("action") || !request["action"].is_string())
    return error(400, "the body must be a JSON object with an action");
  ReviewAction action;
  if (!review_action_from_string(request["action"].get<std::string>(), action))
    return error(400, "unknown action '" + request["action"].get<std::string>() + "'");
  if (action == ReviewAction::record_accept || action == ReviewAction::send_back)
    return error(400, "a record decision: POST it to /api/records/<档号>/decision");

  const auto found = find_page(item_id);
  if (!found) return error(404, "no page with this id in the ledger");
  const ItemRow* row = &found->first;
  if (!correcting_stage(action).empty() && !corrects(row->item.kind, action))
    return error(409, std::string(to_string(action)) + " is not applied to a " + std::string(to_string(row->item.kind)) +
                          ": its chain has no " + std::string(correcting_stage(action)) +
                          " stage (photos are kept as scanned, recordings as they came)");

  ReviewDecision decision;
  decision.by = who.name;
  decision.role = who.role;
  decision.action = action;
  decision.item_id = item_id;
  decision.record_ref = row->record_ref;
  std::string problem;
  auto reason = reason_of(request, problem);
  if (!reason) return error(400, problem);
  decision.reason = *reason;

  const auto all_manual = ledger_->manual_values();
  auto current_manual = [&](const std::string& key) -> json {
    auto of_item = all_manual.find(item_id);
    if (of_item == all_manual.end()) return nullptr;
    auto it = of_item->second.find(key);
    return it == of_item->second.end() ? json() : json(it->second);
  };
  auto measured = [&](const char* name) -> json {
    auto value = row->item.measurements.number(name);
    return value ? json(*value) : json();
  };
  // One Manual value set (or, with an empty value, given back to Auto) by this decision.
  auto set_manual = [item_id](std::string stage, std::string name, std::string value) {
    return [=](const ReviewDecision&) { return std::vector<ManualValue>{{item_id, stage, name, value}}; };
  };
  Ledger::ManualValuesOf manual;
  bool effective = true;

  switch (action) {
    case ReviewAction::accept: {
      if (!request.contains("code") || !request["code"].is_string()) return error(400, "accept needs the finding's code");
      decision.code = request["code"].get<std::string>();
      std::optional<StoredFinding> found;
      for (StoredFinding& stored : ledger_->findings())
        if (stored.item_id == item_id && stored.finding.code == decision.code && stored.finding.stands())
          found = std::move(stored);
      if (!found) return error(409, "the page has no standing finding " + decision.code);
      if (decision.code == kInternalException.code || found->stage == "review" ||
          found->scope == FindingScope::batch)
        return error(409, decision.code + " cannot be accepted in review: it needs the stage fixed or the lot changed");
      decision.before = json{{"stage", found->stage},
                             {"scope", to_string(found->scope)},
                             {"severity", to_string(found->finding.severity)},
                             {"value", found->finding.value},
                             {"threshold", found->finding.threshold},
                             {"message", found->finding.message}}.dump();
      effective = who.role == kSupervisorRole;
      decision.after = json{{"overridden", effective}, {"awaiting_sign_off", !effective}}.dump();
      if (effective && found->scope == FindingScope::item) {
        const std::string stage = found->stage;
        manual = [item_id, stage, code = decision.code](const ReviewDecision& d) {
          return std::vector<ManualValue>{{item_id, stage, accept_manual_name(code), override_text(d)}};
        };
      }
      break;
    }
    case ReviewAction::sign_off: {
      if (who.role != kSupervisorRole) return error(403, "only a supervisor signs off an acceptance");
      if (!request.contains("decision") || !request["decision"].is_number_integer())
        return error(400, "sign_off needs the number of the acceptance it signs");
      const ReviewState state = review_state(ledger_->review_decisions());
      auto accepted = state.awaiting_sign_off.find(request["decision"].get<long long>());
      if (accepted == state.awaiting_sign_off.end() || accepted->second.item_id != item_id)
        return error(409, "no acceptance of this page with that number awaits sign-off");
      const ReviewDecision acceptance = accepted->second;
      decision.signs = acceptance.id;
      decision.code = acceptance.code;
      decision.before = json{{"decision", acceptance.id}, {"by", acceptance.by}, {"awaiting_sign_off", true}}.dump();
      decision.after = json{{"overridden", true}}.dump();
      const json before = json::parse(acceptance.before, nullptr, false);
      if (before.is_object() && before.value("scope", "") == "item") {
        const std::string stage = before.value("stage", "");
        manual = [item_id, stage, acceptance](const ReviewDecision& d) {
          return std::vector<ManualValue>{{item_id, stage, accept_manual_name(acceptance.code),
                                           override_text(acceptance) + ", signed off in decision " +
                                               std::to_string(d.id) + " (" + d.by + ")"}};
        };
      }
      break;
    }
    case ReviewAction::rotate: {
      const json value = request.value("rotation_deg", json("missing"));
      std::string text;
      if (value.is_number_integer() && (value.get<int>() == 0 || value.get<int>() == 90 || value.get<int>() == 180 ||
                                        value.get<int>() == 270))
        text = std::to_string(value.get<int>());
      else if (!value.is_null())
        return error(400, "rotation_deg must be 0, 90, 180 or 270 (clockwise), or null for the measured turn");
      decision.before = json{{"orient.rotation_deg", current_manual("orient.rotation_deg")},
                             {"measured_deg", measured("orientation_deg")}}.dump();
      decision.after = json{{"orient.rotation_deg", value}}.dump();
      manual = set_manual("orient", "rotation_deg", text);
      break;
    }
    case ReviewAction::skew: {
      const json value = request.value("skew_deg", json("missing"));
      std::string text;
      if (value.is_number() && std::isfinite(value.get<double>()) && std::abs(value.get<double>()) <= 45)
        text = fixed(value.get<double>(), 2);
      else if (!value.is_null())
        return error(400, "skew_deg must be a number of degrees within ±45 (positive: content turned "
                          "counter-clockwise), or null for the measured skew");
      decision.before = json{{"deskew.skew_deg", current_manual("deskew.skew_deg")},
                             {"measured_deg", measured("skew_deg")}}.dump();
      decision.after = json{{"deskew.skew_deg", text.empty() ? json() : json(std::stod(text))}}.dump();
      manual = set_manual("deskew", "skew_deg", text);
      break;
    }
    case ReviewAction::crop: {
      const json value = request.value("crop_box", json("missing"));
      std::string text;
      if (value.is_array() && value.size() == 4 &&
          std::all_of(value.begin(), value.end(), [](const json& v) {
            return v.is_number_integer() && v.get<long long>() >= 0 && v.get<long long>() <= 1'000'000;
          }) &&
          value[2].get<long long>() > 0 && value[3].get<long long>() > 0) {
        for (const json& v : value) text += (text.empty() ? "" : ",") + std::to_string(v.get<long long>());
      } else if (!value.is_null()) {
        return error(400, "crop_box must be [x, y, width, height] in whole px of the straightened page, or null");
      }
      decision.before = json{{"deskew.crop_box", current_manual("deskew.crop_box")},
                             {"measured", row->item.measurements.text("crop_box")}}.dump();
      decision.after = json{{"deskew.crop_box", text.empty() ? json() : json(text)}}.dump();
      manual = set_manual("deskew", "crop_box", text);
      break;
    }
    case ReviewAction::rescan: {
      const auto stored = ledger_->stored_items();
      auto it = stored.find(item_id);
      if (it == stored.end()) return error(404, "no page with this id in the ledger");
      decision.before = json{{"file", row->item.rel_path},
                             {"source_size_bytes", it->second.source.size_bytes},
                             {"source_mtime_ns", it->second.source.mtime_ns}}.dump();
      decision.after = json{{"awaiting", "a replacement file under the same name"}}.dump();
      break;
    }
    case ReviewAction::record_accept:
    case ReviewAction::send_back:
      break;  // refused above
  }
  const ReviewDecision made = ledger_->append_review_decision(decision, manual);
  return {200,
          {{"decision", decision_json(made)},
           {"effective", effective},
           {"message", effective ? "recorded; the next lantai run on this WORK applies it"
                                 : "recorded; it counts once a supervisor signs it off"}}};
}

Answer ReviewService::decide_record(const Reviewer& who, const std::string& ref, const json& request) {
  if (!request.is_object() || !request.contains("action") || !request["action"].is_string())
    return error(400, "the body must be a JSON object with an action");
  ReviewAction action;
  if (!review_action_from_string(request["action"].get<std::string>(), action) ||
      (action != ReviewAction::record_accept && action != ReviewAction::send_back))
    return error(400, "a record decision is record_accept or send_back");
  if (action == ReviewAction::record_accept && who.role != kSupervisorRole)
    return error(403, "only a supervisor accepts a record as it is");
  const std::vector<RecordRow> records = ledger_->records();
  auto row = std::find_if(records.begin(), records.end(), [&](const RecordRow& r) { return r.ref == ref; });
  if (row == records.end()) return error(404, "no record with this 档号 in the ledger");
  std::string problem;
  auto reason = reason_of(request, problem);
  if (!reason) return error(400, problem);
  ReviewDecision decision;
  decision.by = who.name;
  decision.role = who.role;
  decision.action = action;
  decision.record_ref = ref;
  decision.reason = *reason;
  decision.before = json{{"deposited", row->deposited}, {"withheld_for", row->reasons}}.dump();
  decision.after = action == ReviewAction::record_accept ? json{{"accepted_as_is", true}}.dump()
                                                         : json{{"sent_back", true}}.dump();
  const ReviewDecision made = ledger_->append_review_decision(decision);
  return {200,
          {{"decision", decision_json(made)},
           {"effective", true},
           {"message", "recorded; the next lantai run on this WORK applies it"}}};
}

json ReviewService::decisions() const {
  json all = json::array();
  for (const ReviewDecision& d : ledger_->review_decisions()) all.push_back(decision_json(d));
  return all;
}

std::optional<std::pair<fs::path, int>> ReviewService::image_file(const ItemRow& row, ImageVariant variant) const {
  const RecordItem& page = row.item;
  if (variant == ImageVariant::original) {
    const auto identity = ledger_->identity();
    if (!identity || identity->input_root.empty()) return std::nullopt;
    // The ledger's own path (never a request's), read from the lot the run was given.
    std::error_code error;
    const fs::path source = identity->input_root / utf8_path(page.rel_path);
    if (!fs::is_regular_file(source, error) || !decoded_within_limits(row)) return std::nullopt;
    return std::pair{source, page.frame};
  }
  const std::string kind = variant == ImageVariant::processed ? processed_kind(page) : "cleanup_diff";
  std::optional<fs::path> file;
  for (const StageOutput& output : page.outputs)
    if (output.kind == kind) file = inside_work(work_dir_, output.path);
  if (!file) return std::nullopt;
  return std::pair{*file, 0};
}

namespace {

// What names one state of an image file: the item, the variant, the file's size and time.
std::optional<std::string> image_key(const std::string& item_id, ImageVariant variant, const fs::path& file) {
  std::error_code error;
  const auto size = fs::file_size(file, error);
  if (error) return std::nullopt;
  const auto mtime = fs::last_write_time(file, error).time_since_epoch().count();
  if (error) return std::nullopt;
  return item_id + "\n" + std::to_string(static_cast<int>(variant)) + "\n" + std::to_string(size) + "\n" +
         std::to_string(mtime);
}

cv::Mat decode_as_bgr8(const fs::path& file, int frame) {
  cv::Mat pixels;
  try {
    pixels = decode_for_preview(file, frame);
  } catch (const std::exception&) {
    return {};  // unreadable: the page's findings say why
  }
  if (pixels.empty()) return {};
  if (pixels.depth() != CV_8U) pixels.convertTo(pixels, CV_8U, pixels.depth() == CV_16U ? 1.0 / 257 : 1.0);
  if (pixels.channels() == 4) cv::cvtColor(pixels, pixels, cv::COLOR_BGRA2BGR);
  return pixels;
}

int tile_levels(int width, int height) {
  int levels = 1;
  for (int side = std::max(width, height); side > kTileSize; side = (side + 1) / 2) ++levels;
  return levels;
}

}  // namespace

bool TileGrid::holds(int z, int x, int y) const {
  if (z < 0 || z >= levels || x < 0 || y < 0) return false;
  const long long span = static_cast<long long>(kTileSize) << z;  // full-resolution px a tile covers
  return x * span < width && y * span < height;
}

const cv::Mat& ReviewService::full_image(const std::string& item_id, ImageVariant variant) const {
  static const cv::Mat kNone;
  const auto found = find_page(item_id);
  if (!found) return kNone;
  const auto file = image_file(found->first, variant);
  if (!file) return kNone;
  const auto key = image_key(item_id, variant, file->first);
  if (!key) return kNone;
  if (*key != decoded_key_) {
    decoded_.release();  // the one before goes first: never two pages in memory
    decoded_key_.clear();
    decoded_ = decode_as_bgr8(file->first, file->second);
    if (decoded_.empty()) return kNone;
    decoded_key_ = *key;
  }
  return decoded_;
}

std::optional<TileGrid> ReviewService::tile_grid(const std::string& item_id, ImageVariant variant) const {
  std::lock_guard lock(image_mutex_);
  const cv::Mat& pixels = full_image(item_id, variant);
  if (pixels.empty()) return std::nullopt;
  return TileGrid{pixels.cols, pixels.rows, tile_levels(pixels.cols, pixels.rows)};
}

std::optional<std::string> ReviewService::tile(const std::string& item_id, ImageVariant variant, int z, int x,
                                               int y) const {
  std::lock_guard lock(image_mutex_);
  const cv::Mat& pixels = full_image(item_id, variant);
  if (pixels.empty()) return std::nullopt;
  const TileGrid grid{pixels.cols, pixels.rows, tile_levels(pixels.cols, pixels.rows)};
  if (!grid.holds(z, x, y)) return std::nullopt;
  const std::string key = decoded_key_ + "\n" + std::to_string(z) + "/" + std::to_string(x) + "/" + std::to_string(y);
  for (auto it = tiles_.begin(); it != tiles_.end(); ++it)
    if (it->first == key) {
      tiles_.splice(tiles_.begin(), tiles_, it);
      return it->second;
    }
  const int span = kTileSize << z;
  const cv::Rect region = cv::Rect(x * span, y * span, span, span) & cv::Rect(0, 0, pixels.cols, pixels.rows);
  cv::Mat tile = pixels(region);
  if (z > 0) {
    cv::Mat reduced;
    cv::resize(tile, reduced, cv::Size(std::max(1, (region.width + (1 << z) - 1) >> z),
                                       std::max(1, (region.height + (1 << z) - 1) >> z)),
               0, 0, cv::INTER_AREA);
    tile = reduced;
  }
  std::string jpeg = encode_jpeg(tile, kPreviewJpegQuality, std::nullopt);
  tiles_.emplace_front(key, jpeg);
  if (tiles_.size() > kTileCacheSize) tiles_.pop_back();
  return jpeg;
}

std::optional<std::string> ReviewService::image(const std::string& item_id, ImageVariant variant, int width) const {
  int served_width = kImageWidths[std::size(kImageWidths) - 1];
  for (int allowed : kImageWidths)
    if (width <= allowed) {
      served_width = allowed;
      break;
    }
  const auto found = find_page(item_id);
  if (!found) return std::nullopt;
  const auto file = image_file(found->first, variant);
  if (!file) return std::nullopt;
  const auto key = image_key(item_id, variant, file->first);
  if (!key) return std::nullopt;
  const std::string name = hex_digest(DigestAlgorithm::sha256, *key + "\n" + std::to_string(served_width));
  const fs::path cached = work_dir_ / "review" / "cache" / (name.substr(0, 40) + ".jpg");
  std::error_code error;
  if (fs::is_regular_file(cached, error)) return read_file(cached);

  std::lock_guard lock(image_mutex_);
  if (fs::is_regular_file(cached, error)) return read_file(cached);  // made while this request waited
  cv::Mat pixels = full_image(item_id, variant);
  if (pixels.empty()) return std::nullopt;
  if (pixels.cols > served_width) {
    cv::Mat reduced;
    const double scale = static_cast<double>(served_width) / pixels.cols;
    cv::resize(pixels, reduced, cv::Size(served_width, std::max(1, static_cast<int>(std::lround(pixels.rows * scale)))),
               0, 0, cv::INTER_AREA);
    pixels = reduced;
  }
  const std::string jpeg = encode_jpeg(pixels, kPreviewJpegQuality, std::nullopt);
  write_file_atomically(cached, jpeg);
  return jpeg;
}

}  // namespace lantai::review
