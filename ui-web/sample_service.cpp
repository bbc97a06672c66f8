#include "ui-web/sample_service.h"

#include <algorithm>
#include <optional>

#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "pipeline/runtime/review_state.h"

namespace lantai::review {
namespace fs = std::filesystem;
using nlohmann::json;
using namespace acceptance;

namespace {

constexpr const char* kReportsRoute = "/api/sample/reports/";

Answer error(int status, const std::string& message) { return {status, {{"error", message}}}; }

std::string required_text(int required_bp) { return required_bp == 10000 ? "100%" : format_rate(required_bp); }

std::string file_name(const std::string& rel_path) { return rel_path.substr(rel_path.rfind('/') + 1); }

json check_json(const SampleCheck& check) {
  return {{"id", check.id},       {"record", check.record_ref}, {"item", check.item},
          {"passed", check.passed}, {"note", check.note},     {"by", check.checked_by},
          {"at", check.checked_at}};
}

json sample_json(const StoredSample& sample) {
  return {{"number", sample.number},
          {"seed", std::to_string(sample.seed)},  // 64 bits: text, exact in any JSON reader
          {"rate", format_rate(sample.rate_bp)},
          {"record_unit", sample.record_unit},
          {"population", sample.population},
          {"population_sha256", sample.population_sha256},
          {"size", sample.refs.size()},
          {"drawn_by", sample.drawn_by},
          {"drawn_at", sample.drawn_at}};
}

json judgement_json(const Judgement& judgement) {
  json tallies = json::array();
  for (const ItemTally& tally : judgement.items)
    tallies.push_back({{"item", tally.item->code},
                       {"name", tally.item->name_zh},
                       {"method", to_string(tally.item->method)},
                       {"required", required_text(tally.required_bp)},
                       {"records", tally.records},
                       {"checked", tally.checked},
                       {"passed", tally.passed},
                       {"failed", tally.failed},
                       {"lot_failed", tally.lot_failed},
                       {"met", tally.met ? json(*tally.met) : json()}});
  json defects = json::array();
  for (const Defect& defect : judgement.defects)
    defects.push_back({{"item", defect.item},
                       {"record", defect.record_ref},
                       {"problem", defect.problem},
                       {"source", defect.source},
                       {"found_at", defect.found_at}});
  return {{"verdict", to_string(judgement.verdict)},
          {"verdict_zh", chinese_name(judgement.verdict)},
          {"tallies", tallies},
          {"pending", judgement.pending},
          {"defects", defects},
          {"records_ready_now", judgement.population_now}};
}

// What a change may send beside its own fields: a note (text, or absent) and the sample's
// number (absent or 0: the latest). Fills note and sample, or says what is wrong.
std::optional<std::string> read_note_and_sample(const json& request, std::string& note, int& sample) {
  if (auto it = request.find("note"); it != request.end() && !it->is_null()) {
    if (!it->is_string()) return "note must be text";
    note = it->get<std::string>();
  }
  if (auto it = request.find("sample"); it != request.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<long long>() < 0 || it->get<long long>() > 1'000'000)
      return "sample must be a sample's number";
    sample = it->get<int>();
  }
  return std::nullopt;
}

// Runs body over WORK's acceptance and the sample a request names: 404 when there is no
// batch, no sample drawn or no such number; 400 for what the library refuses in body (an
// unknown or machine item, a fail without a note, a note too long).
template <class Body>
Answer with_sample(Ledger& ledger, const fs::path& work_dir, int number, Body&& body) {
  std::optional<Acceptance> acceptance;
  StoredSample sample;
  try {
    acceptance.emplace(ledger, work_dir);
    sample = acceptance->sample(number);
  } catch (const AcceptanceError& problem) {
    return error(404, problem.what());
  }
  try {
    return body(*acceptance, sample);
  } catch (const AcceptanceError& problem) {
    return error(400, problem.what());
  }
}

}  // namespace

SampleService::SampleService(Ledger& ledger, fs::path work_dir) : ledger_(ledger), work_dir_(std::move(work_dir)) {}

json SampleService::view(const Acceptance& acceptance, const StoredSample& sample) const {
  const Judgement judgement = acceptance.judge(sample.number);
  const std::vector<SampleCheck> history = acceptance.history(sample.number);

  json items = json::array();
  int inspector_items = 0;
  for (const CheckItem& item : check_items()) {
    if (item.method == CheckMethod::inspector) ++inspector_items;
    items.push_back({{"code", item.code},
                     {"name", item.name_zh},
                     {"meaning", item.meaning},
                     {"method", to_string(item.method)},
                     {"required", required_text(item.rule == PassRule::every_record ? 10000
                                                                                    : acceptance.settings().min_pass_bp)}});
  }

  json records = json::array();
  for (const SampledRecord& record : acceptance.records_of(sample)) {
    json latest = json::object();
    int checked = 0, failed = 0;
    for (const SampleCheck& check : judgement.latest)
      if (check.record_ref == record.ref) {
        latest[check.item] = check_json(check);
        ++checked;
        if (!check.passed) ++failed;
      }
    const auto checks_made = std::count_if(history.begin(), history.end(),
                                           [&](const SampleCheck& check) { return check.record_ref == record.ref; });
    records.push_back({{"ref", record.ref},
                       {"title", record.title},
                       {"pages", record.pages},
                       {"checks", latest},
                       {"checks_on_record", checks_made},
                       {"result", failed ? "fail" : checked == inspector_items ? "pass" : "pending"}});
  }

  json sign_offs = json::array();
  bool signed_off = false;
  for (const SampleSignOff& sign_off : acceptance.sign_offs(sample.number)) {
    const bool stands = sign_off_stands(sign_off, history, judgement.verdict);
    signed_off = signed_off || stands;
    sign_offs.push_back({{"id", sign_off.id},
                         {"verdict", sign_off.verdict},
                         {"by", sign_off.signed_by},
                         {"at", sign_off.signed_at},
                         {"note", sign_off.note},
                         {"last_check_id", sign_off.last_check_id},
                         {"stands", stands}});
  }

  json reports = json::array();
  for (const AcceptanceReportFile& report : ledger_.acceptance_reports())
    if (report.sample == sample.number) {
      const std::string name = file_name(report.output.path);
      reports.push_back({{"name", name},
                         {"kind", report.output.kind},
                         {"path", report.output.path},
                         {"sha256", report.output.sha256},
                         {"size_bytes", report.output.size_bytes},
                         {"url", kReportsRoute + name + "?sample=" + std::to_string(sample.number)}});
    }

  json numbers = json::array();
  for (const StoredSample& each : acceptance.samples()) numbers.push_back(each.number);
  return {{"sample", sample_json(sample)},
          {"samples", numbers},
          {"items", items},
          {"records", records},
          {"judgement", judgement_json(judgement)},
          {"sign_offs", sign_offs},
          {"signed_off", signed_off},
          {"reports", reports}};
}

Answer SampleService::sample(int number) const {
  return with_sample(ledger_, work_dir_, number, [&](const Acceptance& acceptance, const StoredSample& sample) {
    return Answer{200, view(acceptance, sample)};
  });
}

Answer SampleService::check(const Reviewer& who, const std::string& ref, const json& request) {
  if (!request.is_object()) return error(400, "send {\"item\": ..., \"passed\": true|false, \"note\": ...}");
  if (!request.contains("item") || !request["item"].is_string()) return error(400, "item must be a check item's code");
  if (!request.contains("passed") || !request["passed"].is_boolean()) return error(400, "passed must be true or false");
  std::string note;
  int number = 0;
  if (auto problem = read_note_and_sample(request, note, number)) return error(400, *problem);
  std::lock_guard lock(change_mutex_);
  return with_sample(ledger_, work_dir_, number, [&](Acceptance& acceptance, const StoredSample& sample) {
    if (std::find(sample.refs.begin(), sample.refs.end(), ref) == sample.refs.end())
      return error(404, "record " + ref + " is not in sample " + std::to_string(sample.number));
    const SampleCheck made = acceptance.record_check(
        {sample.number, ref, request["item"].get<std::string>(), request["passed"].get<bool>(), note, who.name});
    json body = view(acceptance, sample);
    body["check"] = check_json(made);
    return Answer{200, body};
  });
}

Answer SampleService::sign_off(const Reviewer& who, const json& request) {
  if (who.role != kSupervisorRole) return error(403, "only a supervisor signs off an acceptance");
  if (!request.is_object()) return error(400, "send {\"note\": ...}");
  std::string note;
  int number = 0;
  if (auto problem = read_note_and_sample(request, note, number)) return error(400, *problem);
  std::lock_guard lock(change_mutex_);
  return with_sample(ledger_, work_dir_, number, [&](Acceptance& acceptance, const StoredSample& sample) {
    const Judgement judgement = acceptance.judge(sample.number);
    if (judgement.verdict == Verdict::pending)
      return error(409, "the verdict is pending, so there is nothing to sign yet: " + judgement.pending.front());
    const std::vector<SampleCheck> history = acceptance.history(sample.number);
    for (const SampleSignOff& earlier : acceptance.sign_offs(sample.number))
      if (sign_off_stands(earlier, history, judgement.verdict))
        return error(409, "already signed off by " + earlier.signed_by + " at " + earlier.signed_at +
                              ", and nothing has changed since");
    const SampleSignOff made = acceptance.sign_off({sample.number, who.name, note});
    json body = view(acceptance, sample);
    body["sign_off"] = {{"id", made.id}, {"verdict", made.verdict}, {"by", made.signed_by}, {"at", made.signed_at}};
    return Answer{200, body};
  });
}

Answer SampleService::write_reports(const json& request) {
  if (!request.is_object()) return error(400, "send {\"sample\": n} or {}");
  std::string unused_note;
  int number = 0;
  if (auto problem = read_note_and_sample(request, unused_note, number)) return error(400, *problem);
  std::lock_guard lock(change_mutex_);
  return with_sample(ledger_, work_dir_, number, [&](Acceptance& acceptance, const StoredSample& sample) {
    const WrittenReports written = acceptance.write_reports(sample.number);
    json files = json::array();
    for (const StageOutput& file : written.files) files.push_back(file.path);
    json body = view(acceptance, sample);
    body["written"] = files;
    return Answer{200, body};
  });
}

ReportDownload SampleService::report(int number, const std::string& name) const {
  int chosen = 0;
  try {
    chosen = Acceptance(ledger_, work_dir_).sample(number).number;
  } catch (const AcceptanceError& problem) {
    return {404, problem.what()};
  }
  // The request's name only picks among the files recorded for this sample.
  for (const AcceptanceReportFile& report : ledger_.acceptance_reports()) {
    if (report.sample != chosen || file_name(report.output.path) != name) continue;
    const auto file = inside_work(work_dir_, report.output.path);
    if (!file) return {404, "report " + name + " is recorded but not in WORK/reports: write the reports again"};
    std::string bytes = read_file(*file);
    if (hex_digest(DigestAlgorithm::sha256, bytes) != report.output.sha256)
      return {409, "report " + name + " has changed since it was written: write the reports again"};
    const bool pdf = report.output.kind.ends_with("_pdf");
    return {200, "", name, pdf ? "application/pdf" : "application/json; charset=utf-8", std::move(bytes)};
  }
  return {404, "sample " + std::to_string(chosen) + " has no report named " + name};
}

}  // namespace lantai::review
