#include "stages/deposit/deposit_stage.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <system_error>

#include <nlohmann/json.hpp>
#include <tbb/parallel_for_each.h>

#include "pipeline/catalog.h"
#include "pipeline/csv.h"
#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "pipeline/format.h"
#include "stages/deposit/backup_form.h"
#include "stages/deposit/bag_builder.h"
#include "stages/deposit/catalogue_csv.h"
#include "stages/deposit/registration_forms_input.h"

namespace lantai::deposit {
namespace fs = std::filesystem;

namespace {

constexpr const char* kStageVersion = "1";
constexpr const char* kCataloguePath = "data/catalogue/目录.csv";
constexpr const char* kEntityDir = "data/entity/";
constexpr const char* kProcessingHistoryPath = "metadata/processing-history.json";
constexpr const char* kPageMeasurementsPath = "metadata/page-measurements.csv";
constexpr const char* kAcceptanceDir = "metadata/acceptance/";
constexpr const char* kReviewDecisionsPath = "metadata/review-decisions.json";

constexpr OutputInfo kBagOutput{"bag", OutputRole::package, "the deposit bag, WORK/deposit/<batch id>"};
constexpr OutputInfo kFormOutput{"backup_form", OutputRole::work, "the backup form inside the bag"};
constexpr OutputInfo kPackageOutput{"package", OutputRole::work,
                                    "the registration package, WORK/deposit/<batch id>.tar (or .zip): the bag as one file"};
constexpr OutputInfo kPackageJsonOutput{"package_json", OutputRole::work,
                                        "the package file's size and digests, WORK/deposit/<batch id>.package.json"};
constexpr OutputInfo kSealedPackageOutput{
    "sealed_package", OutputRole::work,
    "with --seal-key: the package file encrypted whole, WORK/deposit/<batch id>.tar.sealed (its figures in .sealed.json)"};
constexpr OutputInfo kSignatureOutput{"bag_signature", OutputRole::work,
                                      "the bag's SM2 signature over its tag manifests, inside the bag"};
constexpr OutputInfo kRegistrationFormOutput{
    "registration_form", OutputRole::work,
    "a registration form to print, sign and stamp (PDF), or all of them as one workbook (XLSX), beside the bag"};

// A WORK-relative path from the ledger that stays below WORK.
bool stays_inside(const std::string& rel_path) {
  if (rel_path.empty() || rel_path.front() == '/') return false;
  size_t start = 0;
  while (start <= rel_path.size()) {
    size_t end = rel_path.find('/', start);
    if (end == std::string::npos) end = rel_path.size();
    std::string_view part(rel_path.data() + start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

std::string basename_of(const std::string& rel_path) {
  size_t slash = rel_path.rfind('/');
  return slash == std::string::npos ? rel_path : rel_path.substr(slash + 1);
}

void remove_folder(const fs::path& dir) {
  std::error_code error;
  fs::remove_all(dir, error);
  if (error) throw std::runtime_error("cannot remove " + dir.string() + ": " + error.message());
}

// Directory entries (new subfolders) are durable only once their parent is synced.
void sync_tree(const fs::path& root) {
  for (const auto& entry : fs::recursive_directory_iterator(root))
    if (entry.is_directory()) sync_directory(entry.path());
  sync_directory(root);
}

// The digests the ledger holds for an output, when they cover every manifest: a recording's,
// taken by the av stage in the same read as its decoding.
std::optional<Digests> recorded_digests(const StageOutput& output, const std::vector<DigestAlgorithm>& algorithms) {
  Digests digests{{DigestAlgorithm::md5, ascii_lower(output.md5)},
                  {DigestAlgorithm::sha256, ascii_lower(output.sha256)},
                  {DigestAlgorithm::sm3, ascii_lower(output.sm3)}};
  for (DigestAlgorithm algorithm : algorithms)
    if (digests[algorithm].empty()) return std::nullopt;
  return digests;
}

// Puts one WORK output into the bag. One with every manifest digest recorded (a recording,
// gigabytes) is linked in as it is, its size checked, and not read again: the bag's
// self-check reads it. Any other is copied, refusing bytes that are not what the ledger
// recorded: the digests are taken from the same bytes that are written.
void copy_checked(BagBuilder& bag, const fs::path& work_dir, const StageOutput& output,
                  const std::string& bag_path, const std::vector<DigestAlgorithm>& algorithms) {
  if (!stays_inside(output.path))
    throw std::runtime_error("the ledger names a WORK output '" + output.path +
                             "' outside the work folder; nothing was deposited");
  if (output.sha256.empty())
    throw std::runtime_error("WORK file " + output.path +
                             " has no recorded sha256, so it cannot be checked; nothing was deposited");
  const fs::path source = work_dir / utf8_path(output.path);
  if (std::optional<Digests> recorded = recorded_digests(output, algorithms)) {
    std::error_code error;
    const std::uint64_t size = fs::file_size(source, error);
    if (error)
      throw std::runtime_error("WORK file " + output.path + " is missing or unreadable (" + error.message() +
                               "); nothing was deposited");
    if (size != output.size_bytes)
      throw std::runtime_error("WORK file " + output.path + " is damaged: it holds " + std::to_string(size) +
                               " bytes, the ledger recorded " + std::to_string(output.size_bytes) +
                               "; it was changed after it was made, so nothing was deposited");
    if (bag.link_payload(bag_path, source, std::move(*recorded), size)) return;
  }
  Digests digests;
  try {
    digests = bag.copy_payload(bag_path, source);
  } catch (const std::exception& error) {
    throw std::runtime_error("WORK file " + output.path + " is missing or unreadable (" + error.what() +
                             "); nothing was deposited");
  }
  const std::string& found = digests.at(DigestAlgorithm::sha256);
  if (found != ascii_lower(output.sha256))
    throw std::runtime_error("WORK file " + output.path + " is damaged: its sha256 is " + found +
                             ", the ledger recorded " + output.sha256 +
                             "; it was changed after it was made, so nothing was deposited");
}

std::string bag_info_text(const BatchWork& batch, const BackupForm& form, std::uint64_t octets,
                          std::uint64_t streams) {
  const bool incremental = !form.continues_batch.empty();
  std::string text;
  auto field = [&](const char* label, const std::string& value) {
    text += label;
    text += ": ";
    text += one_line(value);  // a line break would start a new (bogus) label
    text += '\n';
  };
  field("Source-Organization", batch.unit_name);
  field("External-Identifier", form.batch_id);
  field("Bagging-Date", form.bagging_date);
  field("Payload-Oxum", std::to_string(octets) + "." + std::to_string(streams));
  field("Bag-Software-Agent", std::string("lantai (deposit stage ") + kStageVersion + ")");
  field("全宗号", batch.fonds_code);
  field("单位名称", batch.unit_name);
  field("Record-Count", std::to_string(form.record_count));
  field("Page-Count", std::to_string(form.items.pages));
  field("Photo-Count", std::to_string(form.items.photos));
  field("Recording-Count", std::to_string(form.items.recordings));
  field("Recording-Duration", hours_minutes_seconds(form.items.recording_seconds));
  field("Input-Item-Count", std::to_string(batch.items_in));  // pages, photos and recordings the lot held
  field("Quarantined-Page-Count", std::to_string(form.quarantined.pages));
  field("Quarantined-Photo-Count", std::to_string(form.quarantined.photos));
  field("Quarantined-Recording-Count", std::to_string(form.quarantined.recordings));
  field("Withheld-Record-Count", std::to_string(batch.records_withheld));
  field(kDepositTypeLabel, incremental ? "incremental" : "full");
  field(kDepositSequenceLabel, std::to_string(form.sequence));
  if (incremental) {
    field(kContinuesBatchLabel, form.continues_batch);
    for (const auto& [algorithm, hex] : form.continues_package_digests)
      field((kContinuesPackageLabel + std::string(form_algorithm_name(algorithm))).c_str(), hex);
    field("Added-Record-Count", std::to_string(form.added_record_count));
    field("Changed-Record-Count", std::to_string(form.changed_record_count));
    field("Withdrawn-Record-Count", std::to_string(form.withdrawn_refs.size()));
  }
  field("Processing-Profile", batch.profile_name);
  field("Processing-Profile-SHA256", batch.profile_sha256);
  return text;
}

// An acceptance report into the bag as a tag file, refusing one changed since it was written.
void add_acceptance_report(BagBuilder& bag, const fs::path& work_dir, const StageOutput& report) {
  const std::string name = basename_of(report.path);
  if (!stays_inside(report.path) || !is_safe_ref(name))
    throw std::runtime_error("the ledger names an acceptance report '" + report.path +
                             "' outside the work folder; nothing was deposited");
  std::optional<std::string> bytes;
  try {
    bytes = read_output(work_dir, report);
  } catch (const std::exception& error) {
    throw std::runtime_error("acceptance report " + report.path + " is missing or unreadable (" + error.what() +
                             "); write it again with lantai sample report");
  }
  if (!bytes)
    throw std::runtime_error("acceptance report " + report.path +
                             " was changed after it was written; write it again with lantai sample report");
  bag.add_tag_file(kAcceptanceDir + name, *bytes);
}

// Moves the finished bag under its final name. Each step is one rename, so at any moment
// the final name holds either a complete bag or nothing.
void move_into_place(const fs::path& partial, const fs::path& final_dir, const fs::path& replaced) {
  if (fs::exists(final_dir)) {
    remove_folder(replaced);
    fs::rename(final_dir, replaced);
  }
  fs::rename(partial, final_dir);
  sync_directory(final_dir.parent_path());
  remove_folder(replaced);
}

// When the deposited pages were processed: the first and last time a page's item stages
// finished (each page's own time is in page-measurements.csv).
nlohmann::ordered_json processed_span(const BatchWork& batch) {
  std::string first, last;
  for (const DepositRecord& record : batch.records)
    for (const RecordItem& page : record.items) {
      if (page.processed_at.empty()) continue;
      if (first.empty() || page.processed_at < first) first = page.processed_at;
      if (last.empty() || page.processed_at > last) last = page.processed_at;
    }
  return {{"from", first}, {"to", last}};
}

// The stages and settings that made the pages (ARCHITECTURE: the effective profile goes
// into the deposit), so a later reader can tell how each image was produced.
std::string processing_history_json(const BatchWork& batch, bool include_extras) {
  nlohmann::ordered_json stages = nlohmann::ordered_json::array();
  std::set<std::string> libraries;  // every stage's, once
  for (const StageRecord& stage : batch.processing) {
    // Which of its outputs this bag carries, so a reader can tell what each file is.
    nlohmann::ordered_json outputs = nlohmann::ordered_json::array();
    for (const OutputInfo& output : stage.info.outputs)
      if (output.role == OutputRole::entity || (output.role == OutputRole::extra && include_extras))
        outputs.push_back({{"kind", output.kind}, {"meaning", output.meaning}});
    nlohmann::ordered_json settings = nlohmann::ordered_json::array();
    for (const EffectiveValue& value : stage.settings)
      settings.push_back({{"key", value.key},
                          {"value", value.value},
                          {"from", value.source == "default" ? "stage default" : "profile"}});
    stages.push_back({{"stage", stage.info.id},
                      {"version", stage.info.version},
                      {"purpose", stage.info.purpose},
                      {"libraries", stage.info.libraries},
                      {"settings", settings},
                      {"deposited_outputs", outputs}});
    for (const std::string& library : stage.info.libraries) libraries.insert(library);
  }
  nlohmann::ordered_json history = {{"software", "lantai"},
                                    {"software_version", LANTAI_VERSION},
                                    {"libraries", libraries},
                                    {"written_at", now_text("%Y-%m-%dT%H:%M:%SZ", TimeZone::utc)},
                                    {"pages_processed", processed_span(batch)},
                                    {"profile", batch.profile_name},
                                    {"profile_sha256", batch.profile_sha256},
                                    {"page_measurements", kPageMeasurementsPath},
                                    {"review_decisions", kReviewDecisionsPath},
                                    {"stages", stages}};
  return history.dump(2) + "\n";
}

// The review's audit trail (DA/T 31-2017 12): every decision on this WORK's pages and
// records, oldest first, as the ledger keeps it: who, when, what, why, before and after.
std::string review_decisions_json(const BatchWork& batch) {
  nlohmann::ordered_json decisions = nlohmann::ordered_json::array();
  auto parsed = [](const std::string& text) {
    return text.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json::parse(text, nullptr, false);
  };
  for (const ReviewDecision& d : batch.review_decisions) {
    nlohmann::ordered_json entry = {{"id", d.id},         {"at", d.at},         {"by", d.by},
                                    {"role", d.role},     {"action", to_string(d.action)},
                                    {"record", d.record_ref}};
    if (!d.item_id.empty()) entry["item"] = d.item_id;
    if (!d.code.empty()) entry["code"] = d.code;
    if (d.signs) entry["signs"] = d.signs;
    entry["reason"] = d.reason;
    entry["before"] = parsed(d.before);
    entry["after"] = parsed(d.after);
    decisions.push_back(std::move(entry));
  }
  nlohmann::ordered_json trail = {{"software", "lantai"}, {"batch_id", batch.batch_id}, {"decisions", decisions}};
  return trail.dump(2) + "\n";
}

// What each stage measured on each deposited page and did with it (turn, skew, crop box,
// cleaned pixels, OCR confidence …): ISO/TR 13028 process metadata per image, beside the
// settings of processing-history.json. Columns in stage order, as the stages declare them.
std::string page_measurements_csv(const BatchWork& batch, const std::vector<const DepositRecord*>& records) {
  std::vector<std::string> header{"档号", "page", "original", "frame", "processed_at"};
  std::vector<std::string_view> names;
  for (const StageRecord& stage : batch.processing)
    for (const MeasurementInfo& measurement : stage.info.measurements) {
      header.emplace_back(measurement.name);
      names.push_back(measurement.name);
    }
  std::string csv = csv_line(header);
  for (const DepositRecord* record : records)
    for (const RecordItem& page : record->items) {
      std::vector<std::string> row{record->entry.ref, std::to_string(page.seq), page.rel_path,
                                   std::to_string(page.frame), page.processed_at};
      for (std::string_view name : names) {
        const auto& values = page.measurements.all();
        const auto value = values.find(name);
        row.push_back(value == values.end() ? "" : Measurements::format(value->second));
      }
      csv += csv_line(row);
    }
  return csv;
}

// A catalogue row as column → value, a short row's missing fields empty.
std::map<std::string, std::string> catalogue_row(const std::vector<std::string>& columns, const CatalogRecord& entry) {
  std::map<std::string, std::string> row;
  for (size_t c = 0; c < columns.size(); ++c) row[columns[c]] = c < entry.values.size() ? entry.values[c] : "";
  return row;
}

// The bag's day at 00:00 UTC, the package entries' date: from the bag, not the clock.
std::time_t start_of_day_utc(const std::string& yyyy_mm_dd) {
  std::tm day{};
  if (std::sscanf(yyyy_mm_dd.c_str(), "%4d-%2d-%2d", &day.tm_year, &day.tm_mon, &day.tm_mday) != 3) return 0;
  day.tm_year -= 1900;
  day.tm_mon -= 1;
  return ::timegm(&day);
}

// The package file beside the finished bag, then its figures beside it. A package of the
// other format, left by a run with another setting, would contradict package.json.
PackageFile write_package_beside(const fs::path& bag_dir, PackageFormat format, const BackupForm& form,
                                 const std::vector<DigestAlgorithm>& algorithms, std::string& json_text) {
  const std::string base = bag_dir.string();
  std::error_code ignored;
  // Sealed copies (lantai run --seal-key) belong to the package they were made from.
  for (PackageFormat any : {PackageFormat::tar, PackageFormat::zip}) {
    const std::string package = base + std::string(extension_of(any));
    if (any != format) fs::remove(package, ignored);
    fs::remove(package + ".sealed", ignored);
    fs::remove(package + ".sealed.json", ignored);
  }
  const fs::path json_path = base + kPackageJsonSuffix;
  fs::remove(json_path, ignored);  // never beside a package it does not describe
  PackageFile package = write_package(bag_dir, base + std::string(extension_of(format)), format,
                                      start_of_day_utc(form.bagging_date), algorithms);
  PackageFacts facts;
  facts.batch_id = form.batch_id;
  facts.fonds_code = form.fonds_code;
  facts.unit_name = form.unit_name;
  facts.payload_oxum = std::to_string(form.total_bytes) + "." + std::to_string(form.file_count);
  facts.record_count = form.record_count;
  facts.page_count = form.items.pages;
  json_text = package_json(package, facts);
  write_file_atomically(json_path, json_text);
  return package;
}

}  // namespace

StageInfo DepositStage::describe() const {
  return {"deposit",
          "packs the accepted records into one BagIt 1.0 bag with the backup form, for "
          "registration and backup (登记备份)",
          kStageVersion,
          {kSm3Manifest.info(), kIncludeExtras.info(), kPackage.info()},
          {kBagVirusFound, kBagNotScanned, kNothingNew},
          {},
          {kBagOutput, kFormOutput, kSignatureOutput, kPackageOutput, kPackageJsonOutput, kSealedPackageOutput,
           kRegistrationFormOutput}};
}

void DepositStage::setup(ProfileSection& section, const StageContext& context) {
  scanner_ = context.virus_scanner;
  signing_key_.reset();
  seal_key_.reset();
  if (!context.seal_key.empty()) {
    const auto cipher = seal_cipher_from_option(context.seal_cipher.empty() ? "sm4" : context.seal_cipher);
    if (!cipher) throw std::runtime_error("--seal-cipher '" + context.seal_cipher + "': sm4 or aes256");
    seal_key_.emplace(SealKey::load(context.seal_key, *cipher));
    section.record("seal_cipher", std::string(seal_cipher_name(*cipher)), "--seal-cipher");
  }
  if (!context.sign_key.empty()) {
    signing_key_ = Sm2Key::load_private(context.sign_key);
    section.record("sign_key_sm3", signing_key_->fingerprint(), "--sign-key");
  }
  earlier_.reset();
  if (!context.continues.empty()) {
    earlier_ = read_deposit(context.continues);
    section.record("continues", earlier_->batch_id, "--continues");
  }
  sm3_manifest_ = section.get(kSm3Manifest);
  include_extras_ = section.get(kIncludeExtras);
  package_format_ = section.get(kPackage) == "zip" ? PackageFormat::zip : PackageFormat::tar;
  section.finish();
}

// Every file below bag_dir, scanned in parallel; links are not followed (the builder
// writes none).
std::vector<Finding> DepositStage::scan_for_viruses(const fs::path& bag_dir) const {
  std::vector<Finding> findings;
  if (!scanner_) return findings;
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(bag_dir))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::mutex mutex;
  tbb::parallel_for_each(files.begin(), files.end(), [&](const fs::path& file) {
    const VirusScanResult result = scanner_->scan(file);
    if (result.verdict == VirusScanResult::Verdict::clean) return;
    const std::string rel = relative_utf8(file, bag_dir);
    std::lock_guard lock(mutex);
    if (result.verdict == VirusScanResult::Verdict::infected)
      findings.push_back(kBagVirusFound(rel + ": infected with " + result.signature +
                                            " (ClamAV), found in the bag before it was sealed; no bag was made",
                                        result.signature));
    else
      findings.push_back(kBagNotScanned(rel + ": not scanned for viruses: " + result.reason + "; no bag was made",
                                        result.reason));
  });
  std::sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) { return a.message < b.message; });
  return findings;
}

bool DepositStage::deposited(OutputRole role) const {
  return role == OutputRole::entity || (role == OutputRole::extra && include_extras_);
}

std::map<std::string, std::string> DepositStage::deposited_files(const DepositRecord& record) const {
  std::map<std::string, std::string> files;
  auto add = [&](const StageOutput& output) {
    if (deposited(output.role)) files[basename_of(output.path)] = ascii_lower(output.sha256);
  };
  for (const RecordItem& page : record.items)
    for (const StageOutput& output : page.outputs) add(output);
  for (const StageOutput& output : record.outputs) add(output);
  return files;
}

Outcome DepositStage::process(const BatchWork& batch) const {
  if (batch.work_dir.empty()) throw std::runtime_error("no work folder was given to the deposit stage");
  // An increment is named by its place in the chain, so it never replaces the deposit it
  // continues, even when the lot is the same (records freed by review since).
  const int sequence = earlier_ ? earlier_->sequence + 1 : 1;
  const std::string deposit_id = earlier_ ? batch.batch_id + "-" + std::to_string(sequence) : batch.batch_id;
  if (!is_safe_ref(deposit_id))
    throw std::runtime_error("batch id '" + deposit_id + "' cannot name a deposit folder");
  const fs::path deposit_root = batch.work_dir / "deposit";
  const fs::path final_dir = deposit_root / utf8_path(deposit_id);
  const fs::path partial = deposit_root / utf8_path(deposit_id + ".partial");
  const fs::path replaced = deposit_root / utf8_path(deposit_id + ".replaced");

  // What goes in: the records the centre does not hold as they are now (all of them for
  // a full deposit); an increment also withdraws what the catalogue no longer lists.
  Holdings holdings = earlier_ ? earlier_->holdings : Holdings{};
  Changes changes;
  std::vector<const DepositRecord*> included;
  for (const DepositRecord& record : batch.records) {
    const std::string& ref = record.entry.ref;
    const std::string fingerprint =
        record_fingerprint(catalogue_row(batch.catalog_columns, record.entry), deposited_files(record));
    const auto held = holdings.find(ref);
    if (held != holdings.end() && held->second.fingerprint == fingerprint) continue;
    if (earlier_) changes[ref] = held == holdings.end() ? Change::added : Change::changed;
    holdings[ref] = {fingerprint, deposit_id};
    included.push_back(&record);
  }
  if (earlier_) {
    const std::set<std::string> listed(batch.catalogue_refs.begin(), batch.catalogue_refs.end());
    for (auto held = holdings.begin(); held != holdings.end();) {
      if (listed.count(held->first)) {
        ++held;
        continue;
      }
      changes[held->first] = Change::withdrawn;
      held = holdings.erase(held);
    }
    if (changes.empty()) {
      Outcome nothing;
      nothing.findings.push_back(kNothingNew("no record was added, changed or withdrawn since deposit " +
                                                 earlier_->batch_id + "; no bag was made",
                                             earlier_->batch_id));
      return nothing;
    }
  }

  // Left by a crash: never complete, or already superseded.
  remove_folder(partial);
  remove_folder(replaced);
  fs::create_directories(partial);

  std::vector<DigestAlgorithm> algorithms{DigestAlgorithm::md5, DigestAlgorithm::sha256};
  if (sm3_manifest_) algorithms.push_back(DigestAlgorithm::sm3);

  BackupForm form;
  form.fonds_code = batch.fonds_code;
  form.unit_name = batch.unit_name;
  form.batch_id = deposit_id;
  form.sequence = sequence;
  if (earlier_) {
    form.continues_batch = earlier_->batch_id;
    form.continues_package_digests = earlier_->package_digests;
    for (const auto& [ref, change] : changes) {
      if (change == Change::added) ++form.added_record_count;
      if (change == Change::changed) ++form.changed_record_count;
      if (change == Change::withdrawn) form.withdrawn_refs.push_back(ref);
    }
  }
  form.bagging_date = now_text("%Y-%m-%d", TimeZone::local);
  form.profile_name = batch.profile_name;
  form.profile_sha256 = batch.profile_sha256;
  form.record_count = static_cast<std::int64_t>(included.size());
  form.quarantined = batch.quarantined;
  form.withheld_record_count = batch.records_withheld;
  if (signing_key_) form.signature_key_sm3 = signing_key_->fingerprint();
  std::string form_text;
  std::string signature_text;
  std::string payload_sha256;
  try {
    BagBuilder bag(partial, algorithms);
    bag.add_tag_file("bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");

    std::vector<std::vector<std::string>> rows;
    for (const DepositRecord* record : included) rows.push_back(record->entry.values);
    const std::string csv = catalogue_csv(batch.catalog_columns, rows);
    bag.add_payload(kCataloguePath, csv, bag.digest(csv));

    std::set<std::string> refs;
    for (const DepositRecord* included_record : included) {
      const DepositRecord& record = *included_record;
      const std::string& ref = record.entry.ref;
      if (!is_safe_ref(ref)) throw std::runtime_error("档号 '" + ref + "' cannot name a folder in the bag");
      if (!refs.insert(ref).second) throw std::runtime_error("档号 " + ref + " is given twice for one deposit");
      const std::string folder = kEntityDir + ref + "/";
      ItemCounts items;
      for (const RecordItem& page : record.items) {
        bool has_image = false;
        for (const StageOutput& output : page.outputs) {
          const bool image = output.role == OutputRole::entity;
          if (!deposited(output.role)) continue;
          const std::string name = basename_of(output.path);
          if (!is_safe_ref(name))
            throw std::runtime_error("WORK output '" + output.path + "' has no usable file name");
          copy_checked(bag, batch.work_dir, output, folder + name, algorithms);
          has_image = has_image || image;
        }
        if (!has_image)
          throw std::runtime_error("item " + page.item_id + " of " + ref +
                                   " has no entity file in WORK; nothing was deposited");
        items.add(page.kind, page.measurements.number(kDecodedSecondsMeasurement).value_or(0));
      }
      // What the record stages made of the whole record (its searchable PDF), beside its pages.
      for (const StageOutput& output : record.outputs) {
        if (!deposited(output.role)) continue;
        const std::string name = basename_of(output.path);
        if (!is_safe_ref(name)) throw std::runtime_error("WORK output '" + output.path + "' has no usable file name");
        copy_checked(bag, batch.work_dir, output, folder + name, algorithms);
      }
      form.records.push_back({ref, record.entry.field(batch.catalog_columns, kTitleColumn), items});
      form.items.add(items);
    }

    const std::string sha256_manifest = bag.write_payload_manifests();
    form.file_count = bag.payload_streams();
    form.total_bytes = bag.payload_octets();
    for (DigestAlgorithm algorithm : algorithms)
      form.payload_digests.emplace_back(algorithm, hex_digest(algorithm, sha256_manifest));
    payload_sha256 = hex_digest(DigestAlgorithm::sha256, sha256_manifest);
    bag.add_tag_file("bag-info.txt", bag_info_text(batch, form, bag.payload_octets(), bag.payload_streams()));
    form_text = backup_form_json(form);
    bag.add_tag_file(kBackupFormPath, form_text);
    bag.add_tag_file(kProcessingHistoryPath, processing_history_json(batch, include_extras_));
    bag.add_tag_file(kPageMeasurementsPath, page_measurements_csv(batch, included));
    bag.add_tag_file(kHoldingsPath, holdings_csv(holdings));
    if (earlier_) bag.add_tag_file(kChangesPath, changes_csv(changes));
    for (const StageOutput& report : batch.acceptance_reports) add_acceptance_report(bag, batch.work_dir, report);
    bag.add_tag_file(kReviewDecisionsPath, review_decisions_json(batch));
    if (std::vector<Finding> infected = scan_for_viruses(partial); !infected.empty()) {
      remove_folder(partial);
      Outcome refused;
      refused.findings = std::move(infected);
      return refused;
    }
    bag.write_tag_manifests();
    if (signing_key_) {
      signature_text = sign_bag(partial, *signing_key_);
      write_file_atomically(partial / kBagSignaturePath, signature_text);
    }
    sync_tree(partial);
  } catch (...) {
    std::error_code ignored;  // the original error is the one to report
    fs::remove_all(partial, ignored);
    throw;
  }
  move_into_place(partial, final_dir, replaced);
  std::string package_json_text;
  const PackageFile package = write_package_beside(final_dir, package_format_, form, algorithms, package_json_text);
  // Sealed for the journey (--seal-key), outside the package as DA/T 70 3-8 asks: the
  // figures of both sides beside it and in package.json, so the forms carry both.
  std::optional<SealedFigures> sealed;
  if (seal_key_) {
    sealed = seal_package(package.path, package.path.string() + ".sealed", *seal_key_);
    nlohmann::ordered_json figures = nlohmann::ordered_json::parse(sealed_json(*sealed));
    write_file_atomically(sealed->sealed.string() + ".json", figures.dump(2) + "\n");
    figures.erase("package");  // package.json states those itself
    nlohmann::ordered_json package_figures = nlohmann::ordered_json::parse(package_json_text);
    package_figures["sealed"] = std::move(figures);
    package_json_text = package_figures.dump(2) + "\n";
    write_file_atomically(final_dir.string() + kPackageJsonSuffix, package_json_text);
  }

  Outcome outcome;
  const std::string bag_rel = relative_utf8(final_dir, batch.work_dir);
  outcome.outputs.push_back({std::string(kBagOutput.kind), bag_rel, payload_sha256, form.total_bytes});
  outcome.outputs.push_back({std::string(kFormOutput.kind), bag_rel + "/" + kBackupFormPath,
                             hex_digest(DigestAlgorithm::sha256, form_text), form_text.size()});
  if (signing_key_)
    outcome.outputs.push_back({std::string(kSignatureOutput.kind), bag_rel + "/" + kBagSignaturePath,
                               hex_digest(DigestAlgorithm::sha256, signature_text), signature_text.size()});

  const auto sha256 = std::find_if(package.digests.begin(), package.digests.end(),
                                   [](const auto& digest) { return digest.first == DigestAlgorithm::sha256; });
  outcome.outputs.push_back({std::string(kPackageOutput.kind), relative_utf8(package.path, batch.work_dir),
                             sha256->second, package.bytes});
  outcome.outputs.push_back({std::string(kPackageJsonOutput.kind), bag_rel + kPackageJsonSuffix,
                             hex_digest(DigestAlgorithm::sha256, package_json_text), package_json_text.size()});
  if (sealed)
    for (const auto& [algorithm, hex] : sealed->sealed_digests)
      if (algorithm == DigestAlgorithm::sha256)
        outcome.outputs.push_back({std::string(kSealedPackageOutput.kind), relative_utf8(sealed->sealed, batch.work_dir),
                                   hex, sealed->sealed_bytes});

  // The registration forms beside the bag, for the unit to print, sign and stamp.
  const fs::path forms_dir = deposit_root / utf8_path(deposit_id + kFormsFolderSuffix);
  for (const forms::FormFile& file :
       forms::write_registration_forms(registration_forms_input(batch, form, package, sealed ? &*sealed : nullptr, scanner_), forms_dir))
    outcome.outputs.push_back({std::string(kRegistrationFormOutput.kind),
                               relative_utf8(forms_dir / utf8_path(file.name), batch.work_dir), file.sha256,
                               file.size_bytes});
  return outcome;
}

}  // namespace lantai::deposit
