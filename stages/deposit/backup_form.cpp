#include "stages/deposit/backup_form.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "pipeline/bag_signature.h"
#include "pipeline/holdings.h"

namespace lantai::deposit {

std::string duration_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", seconds);
  return text;
}

std::string backup_form_json(const BackupForm& form) {
  using nlohmann::ordered_json;
  ordered_json digests = ordered_json::array();
  for (const auto& [algorithm, hex] : form.payload_digests)
    digests.push_back({{"algorithm", std::string(form_algorithm_name(algorithm))}, {"value", hex}});
  ordered_json records = ordered_json::array();
  for (const auto& record : form.records)
    records.push_back({{"ref", record.ref},
                       {"title", record.title},
                       {"page_count", record.items.pages},
                       {"photo_count", record.items.photos},
                       {"recording_count", record.items.recordings},
                       {"recording_duration_s", duration_text(record.items.recording_seconds)}});

  ordered_json json;
  json["form"] = "lantai.backup-form/1";
  json["title"] = kBackupFormTitle;
  json["fonds_code"] = form.fonds_code;
  json["unit_name"] = form.unit_name;
  json["batch_id"] = form.batch_id;
  json["bagging_date"] = form.bagging_date;
  json["carrier_type"] = "online";
  json["record_count"] = form.record_count;
  json["page_count"] = form.items.pages;
  json["photo_count"] = form.items.photos;
  json["recording_count"] = form.items.recordings;
  json["recording_duration_s"] = duration_text(form.items.recording_seconds);
  json["quarantined_page_count"] = form.quarantined.pages;
  json["quarantined_photo_count"] = form.quarantined.photos;
  json["quarantined_recording_count"] = form.quarantined.recordings;
  json["withheld_record_count"] = form.withheld_record_count;
  json["file_count"] = form.file_count;
  json["total_bytes"] = form.total_bytes;
  json["data_volume_gb"] = data_volume_gb(form.total_bytes);
  json["data_volume_unit"] = "GB = 10^9 bytes";
  json["package_digest_of"] = kPayloadDigestOf;  // the key the centre's readers know
  json["package_digests"] = std::move(digests);
  if (!form.signature_key_sm3.empty())
    json["signature"] = {{"algorithm", kBagSignatureAlgorithm},
                         {"file", kBagSignaturePath},
                         {"public_key_sm3", form.signature_key_sm3}};
  json["deposit_type"] = form.continues_batch.empty() ? "full" : "incremental";
  json["deposit_sequence"] = form.sequence;
  if (!form.continues_batch.empty()) {
    ordered_json earlier = ordered_json::array();
    for (const auto& [algorithm, hex] : form.continues_package_digests)
      earlier.push_back({{"algorithm", std::string(form_algorithm_name(algorithm))}, {"value", hex}});
    json["continues"] = {{"batch_id", form.continues_batch}, {"package_digests", std::move(earlier)}};
    json["changes"] = {{"added_record_count", form.added_record_count},
                       {"changed_record_count", form.changed_record_count},
                       {"withdrawn_refs", form.withdrawn_refs}};
  }
  json["holdings"] = kHoldingsPath;
  json["profile"] = {{"name", form.profile_name}, {"sha256", form.profile_sha256}};
  json["records"] = std::move(records);
  return json.dump(2) + "\n";
}

}  // namespace lantai::deposit
