#include "stages/deposit/registration_forms_input.h"

#include <map>

#include "pipeline/catalog.h"

namespace lantai::deposit {

namespace {

// Catalogue columns (目录) the detail list prints; a catalogue without one prints it blank.
// A photo record (DA/T 50-2014) names its creator 摄影者 and its date 时间: each column is
// taken in this order, the first filled one printed.
constexpr const char* kCreatorColumns[] = {"责任者", "摄影者"};
constexpr const char* kDateColumns[] = {"日期", "时间"};
constexpr const char* kRetentionColumn = "保管期限";
constexpr const char* kClassificationColumn = "密级";

}  // namespace

forms::RecordEntry record_entry(const std::string& ref, const std::string& title, const CatalogRecord* entry,
                                const std::vector<std::string>& columns, const ItemCounts& items) {
  auto field = [&](const char* column) { return entry ? entry->field(columns, column) : std::string(); };
  auto first_field = [&](const auto& names) {
    for (const char* column : names)
      if (std::string value = field(column); !value.empty()) return value;
    return std::string();
  };
  return {ref, title, first_field(kCreatorColumns), first_field(kDateColumns), items, field(kRetentionColumn),
          field(kClassificationColumn)};
}

forms::RegistrationForms registration_forms_input(const BatchWork& batch, const BackupForm& form,
                                                  const PackageFile& package, const SealedFigures* sealed,
                                                  const VirusScanner* scanner) {
  forms::RegistrationForms input;
  input.fonds_code = form.fonds_code;
  input.unit_name = form.unit_name;
  input.batch_id = form.batch_id;
  input.date = form.bagging_date;
  input.profile_name = form.profile_name;
  input.record_count = form.record_count;
  input.items = form.items;
  input.quarantined = form.quarantined;
  input.withheld_record_count = form.withheld_record_count;
  input.payload_file_count = form.file_count;
  input.payload_bytes = form.total_bytes;
  if (scanner)
    input.virus_scan = "ClamAV " + scanner->engine_version() +
                       (scanner->database_version() ? "，病毒库 " + std::to_string(scanner->database_version()) : "");
  input.signature_key_sm3 = form.signature_key_sm3;
  // The package file: what the centre receives, and whose MD5 it recomputes.
  input.package = {package.path.filename().string(), package.bytes, form.file_count, package.digests, ""};
  if (sealed)
    input.sealed = {sealed->sealed.filename().string(), std::string(seal_cipher_name(sealed->cipher)),
                    sealed->sealed_bytes, sealed->sealed_digests};

  input.sequence = form.sequence;
  input.continues_batch = form.continues_batch;
  input.continues_package_digests = form.continues_package_digests;
  input.added_record_count = form.added_record_count;
  input.changed_record_count = form.changed_record_count;
  input.withdrawn_refs = form.withdrawn_refs;

  // The records the bag holds (an increment holds some of the batch's), by 档号.
  std::map<std::string, const CatalogRecord*> entries;
  for (const DepositRecord& record : batch.records) entries[record.entry.ref] = &record.entry;
  const std::vector<std::string>& columns = batch.catalog_columns;
  for (const BackupFormRecord& record : form.records) {
    const auto found = entries.find(record.ref);
    const CatalogRecord* entry = found == entries.end() ? nullptr : found->second;
    input.records.push_back(record_entry(record.ref, record.title, entry, columns, record.items));
  }
  // Sent online, the package is the one carrier; disc carriers, once made, are listed instead.
  input.carriers = {forms::online_carrier(input)};
  return input;
}

}  // namespace lantai::deposit
