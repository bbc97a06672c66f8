#include "pipeline/acceptance/acceptance.h"

#include <algorithm>
#include <map>
#include <random>

#include "pipeline/files.h"
#include "pipeline/format.h"

namespace lantai::acceptance {

namespace fs = std::filesystem;

namespace {

constexpr const char* kReportsDir = "reports";
// What a person writes into the record (from a web form too): a name and a note, bounded.
constexpr std::size_t kMaxNameBytes = 200;
constexpr std::size_t kMaxNoteBytes = 4000;

// The name as recorded (one line), refusing an empty or overlong one.
std::string person(const std::string& name, const char* who) {
  std::string line = one_line(name);
  if (line.find_first_not_of(' ') == std::string::npos) throw AcceptanceError(std::string(who) + " must be named");
  if (line.size() > kMaxNameBytes)
    throw AcceptanceError(std::string(who) + "'s name is longer than " + std::to_string(kMaxNameBytes) + " bytes");
  return line;
}

void check_note(const std::string& note) {
  if (note.size() > kMaxNoteBytes)
    throw AcceptanceError("a note is longer than " + std::to_string(kMaxNoteBytes) + " bytes; say it shorter");
}

std::uint64_t random_seed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32 | device()) >> 11;  // 53 bits: exact in any JSON reader
}

std::vector<std::string> ready_for_deposit(const std::vector<RecordRow>& records) {
  std::vector<std::string> refs;
  for (const RecordRow& record : records)
    if (record.deposited) refs.push_back(record.ref);
  return refs;
}

}  // namespace

Acceptance::Acceptance(Ledger& ledger, fs::path work_dir) : ledger_(ledger), work_dir_(std::move(work_dir)) {
  auto identity = ledger_.identity();
  if (!identity)
    throw AcceptanceError(work_dir_.string() + " holds no batch yet: run lantai run on it before sampling");
  batch_ = *identity;
  settings_ = stored_acceptance_settings(ledger_);
}

DrawResult Acceptance::draw(const DrawRequest& request) {
  const int rate_bp = request.rate_bp.value_or(settings_.min_sample_bp);
  if (rate_bp < settings_.min_sample_bp)
    throw AcceptanceError("sampling rate " + format_rate(rate_bp) + " is below the " +
                          format_rate(settings_.min_sample_bp) + " the profile asks (DA/T 31-2017 12.3: at least 5%)");
  if (rate_bp > 10000) throw AcceptanceError("sampling rate " + format_rate(rate_bp) + " is more than 100%");
  const std::vector<std::string> population = ready_for_deposit(ledger_.records());
  if (population.empty())
    throw AcceptanceError("no record of " + work_dir_.string() +
                          " is ready for deposit, so there is nothing to sample: run lantai run, and review what it withheld");
  StoredSample sample;
  sample.seed = request.seed.value_or(random_seed());
  sample.rate_bp = rate_bp;
  sample.record_unit = settings_.record_unit;
  sample.population = static_cast<int>(population.size());
  sample.population_sha256 = population_digest(population);
  sample.drawn_by = person(request.drawn_by, "who draws a sample");
  sample.refs = acceptance::draw(population, sample.seed, rate_bp);
  for (const StoredSample& earlier : ledger_.samples())
    if (earlier.seed == sample.seed && earlier.rate_bp == sample.rate_bp &&
        earlier.population_sha256 == sample.population_sha256 && earlier.refs == sample.refs)
      return {earlier, false};
  sample.number = ledger_.add_sample(sample);
  return {this->sample(sample.number), true};
}

std::vector<StoredSample> Acceptance::samples() const { return ledger_.samples(); }

StoredSample Acceptance::sample(int number) const {
  std::vector<StoredSample> all = ledger_.samples();
  if (all.empty()) throw AcceptanceError("no sample has been drawn in " + work_dir_.string() + ": run lantai sample WORK");
  if (number == 0) return all.back();
  for (StoredSample& sample : all)
    if (sample.number == number) return std::move(sample);
  throw AcceptanceError("there is no sample " + std::to_string(number) + " (samples 1 to " +
                        std::to_string(all.back().number) + " were drawn)");
}

std::vector<SampledRecord> Acceptance::records_of(const StoredSample& sample) const {
  std::map<std::string, RecordRow> rows;
  for (RecordRow& row : ledger_.records()) rows.emplace(row.ref, std::move(row));
  std::vector<SampledRecord> records;
  for (const std::string& ref : sample.refs) {
    SampledRecord record{ref, "", 0};
    if (auto it = rows.find(ref); it != rows.end()) {
      record.title = it->second.title;
      record.pages = it->second.catalog_pages.value_or(it->second.items_found);
    }
    records.push_back(std::move(record));
  }
  return records;
}

SampleCheck Acceptance::record_check(const CheckRequest& request) {
  const StoredSample sample = this->sample(request.sample);
  if (std::find(sample.refs.begin(), sample.refs.end(), request.record_ref) == sample.refs.end())
    throw AcceptanceError("record " + request.record_ref + " is not in sample " + std::to_string(sample.number));
  const CheckItem* item = find_check_item(request.item);
  if (!item) {
    std::string known;
    for (const CheckItem& each : check_items())
      if (each.method == CheckMethod::inspector) known += (known.empty() ? "" : ", ") + std::string(each.code);
    throw AcceptanceError("unknown check item '" + request.item + "' (an inspector checks " + known + ")");
  }
  if (item->method != CheckMethod::inspector)
    throw AcceptanceError("check item " + request.item + " is checked by lantai on every record, not by an inspector");
  const std::string by = person(request.checked_by, "the inspector who checks");
  check_note(request.note);
  if (!request.passed && request.note.find_first_not_of(" \t\r\n") == std::string::npos)
    throw AcceptanceError("a failed check must say what is wrong (a note): it goes into the corrective-action notice");
  SampleCheck check{0, sample.number, request.record_ref, request.item, request.passed, request.note, by, ""};
  check.id = ledger_.add_sample_check(check);
  for (const SampleCheck& stored : ledger_.sample_checks(sample.number))
    if (stored.id == check.id) return stored;
  return check;
}

std::vector<SampleCheck> Acceptance::history(int number) const {
  return ledger_.sample_checks(sample(number).number);
}

SampleSignOff Acceptance::sign_off(const SignOffRequest& request) {
  const StoredSample sample = this->sample(request.sample);
  const std::string by = person(request.signed_by, "who signs off");
  check_note(request.note);
  const JudgementInput input = input_of(sample);
  const Judgement judgement = acceptance::judge(input);
  if (judgement.verdict == Verdict::pending)
    throw AcceptanceError("sample " + std::to_string(sample.number) + " cannot be signed off while its verdict is pending: " +
                          judgement.pending.front());
  SampleSignOff sign_off{0, sample.number, std::string(to_string(judgement.verdict)),
                         input.checks.empty() ? 0 : input.checks.back().id, by, request.note, ""};
  sign_off.id = ledger_.add_sample_sign_off(sign_off);
  return ledger_.sample_sign_offs(sample.number).back();
}

std::vector<SampleSignOff> Acceptance::sign_offs(int number) const {
  return ledger_.sample_sign_offs(sample(number).number);
}

JudgementInput Acceptance::input_of(const StoredSample& sample) const {
  return {sample,
          ledger_.sample_checks(sample.number),
          ledger_.records(),
          ledger_.findings(),
          ledger_.latest_deposit(),
          settings_};
}

Judgement Acceptance::judge(int number) const { return acceptance::judge(input_of(sample(number))); }

WrittenReports Acceptance::write_reports(int number) {
  const StoredSample sample = this->sample(number);
  JudgementInput input = input_of(sample);
  ReportContext context{batch_,
                        sample,
                        records_of(sample),
                        input.checks,
                        ledger_.sample_sign_offs(sample.number),
                        acceptance::judge(input),
                        settings_,
                        now_text("%Y-%m-%dT%H:%M:%SZ", TimeZone::utc)};
  const std::string stem = std::string(kReportsDir) + "/";
  const std::string n = std::to_string(sample.number);
  WrittenReports written{context.judgement, {}};
  written.files.push_back(write_output(work_dir_, stem + "acceptance-" + n + ".json",
                                       acceptance_report_json(context), "acceptance_report_json"));
  written.files.push_back(write_output(work_dir_, stem + "acceptance-" + n + ".pdf", acceptance_report_pdf(context),
                                       "acceptance_report_pdf"));
  const fs::path notice_json = work_dir_ / kReportsDir / ("corrective-action-" + n + ".json");
  const fs::path notice_pdf = work_dir_ / kReportsDir / ("corrective-action-" + n + ".pdf");
  if (context.judgement.verdict == Verdict::fail) {
    written.files.push_back(write_output(work_dir_, stem + "corrective-action-" + n + ".json",
                                         corrective_action_json(context), "corrective_action_json"));
    written.files.push_back(write_output(work_dir_, stem + "corrective-action-" + n + ".pdf",
                                         corrective_action_pdf(context), "corrective_action_pdf"));
  } else {
    // A notice the checks no longer bear out (an inspector's corrected verdict) is withdrawn;
    // its grounds stay in the checks' history.
    fs::remove(notice_json);
    fs::remove(notice_pdf);
  }
  ledger_.replace_acceptance_reports(sample.number, written.files);
  return written;
}

}  // namespace lantai::acceptance
