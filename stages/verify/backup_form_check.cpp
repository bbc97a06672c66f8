#include "stages/verify/backup_form_check.h"

#include "stages/verify/verify_codes.h"

#include "pipeline/registration.h"

#include <cctype>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "pipeline/bag_signature.h"
#include "pipeline/catalog.h"
#include "pipeline/digest.h"

namespace lantai::verify {

namespace {

using nlohmann::json;

class FormChecker {
 public:
  FormChecker(const json& form, const BagFacts& facts) : form_(form), facts_(facts) {}

  std::vector<Finding> run() {
    check_payload_digests();
    check_number("file_count", facts_.payload_streams, "files under data/");
    check_number("total_bytes", facts_.payload_octets, "bytes under data/");
    if (form_.contains("data_volume_gb")) {
      const json& volume = form_["data_volume_gb"];
      std::string stated = volume.is_string() ? volume.get<std::string>() : volume.dump();
      std::string found = data_volume_gb(facts_.payload_octets);
      if (stated != found) fail("data_volume_gb is " + stated + ", data/ holds " + found + " GB", found, stated);
    }
    check_records();
    check_identity("fonds_code", "全宗号");
    check_identity("unit_name", "单位名称");
    check_identity("batch_id", "External-Identifier");
    check_identity("bagging_date", "Bagging-Date");
    check_signature_key();
    return std::move(findings_);
  }

 private:
  // A form that names the key the bag is signed with: the bag's signature names it too.
  void check_signature_key() {
    if (!form_.contains("signature")) return;
    const json& signature = form_["signature"];
    const std::string stated =
        signature.is_object() && signature.contains("public_key_sm3") && signature["public_key_sm3"].is_string()
            ? signature["public_key_sm3"].get<std::string>()
            : std::string();
    const std::string& found = facts_.signature_key_sm3;
    if (found.empty())
      fail(std::string("names a signing key, but the bag has no ") + kBagSignaturePath, "", stated);
    else if (stated != found)
      fail("signature.public_key_sm3 is " + stated + ", the bag is signed with " + found, found, stated);
  }

  void fail(const std::string& reason, std::string value = {}, std::string threshold = {}) {
    findings_.push_back(kFormMismatch(std::string(kBackupFormPath) + ": " + reason,
                                     std::move(value), std::move(threshold)));
  }

  std::optional<std::uint64_t> whole_number(const char* key) {
    if (!form_.contains(key) || !form_[key].is_number_unsigned()) {
      fail(std::string("has no whole-number ") + key);
      return std::nullopt;
    }
    return form_[key].get<std::uint64_t>();
  }

  void check_number(const char* key, std::uint64_t found, const char* what) {
    auto stated = whole_number(key);
    if (stated && *stated != found)
      fail(std::string(key) + " is " + std::to_string(*stated) + ", the bag has " + std::to_string(found) + " " +
               what,
           std::to_string(found), std::to_string(*stated));
  }

  // A figure the form states and bag-info.txt also states: they must agree.
  void check_against_bag_info(const char* key, std::uint64_t stated, const char* label) {
    if (!facts_.bag_info) return;
    auto value = facts_.bag_info->get(label);
    if (value && *value != std::to_string(stated))
      fail(std::string(key) + " is " + std::to_string(stated) + ", bag-info.txt " + label + " is " + *value, *value,
           std::to_string(stated));
  }

  void check_identity(const char* key, const char* label) {
    if (!form_.contains(key) || !form_[key].is_string()) {
      fail(std::string("has no ") + key);
      return;
    }
    std::string stated = form_[key].get<std::string>();
    if (!facts_.bag_info) return;
    auto value = facts_.bag_info->get(label);
    if (value && *value != stated)
      fail(std::string(key) + " is '" + stated + "', bag-info.txt " + label + " is '" + *value + "'", *value, stated);
  }

  // The payload digest, which the form keeps under its package_digest* keys.
  void check_payload_digests() {
    if (form_.contains("package_digest_of") &&
        form_["package_digest_of"] != json(kPayloadDigestOf)) {
      fail("package_digest_of is " + form_["package_digest_of"].dump() + "; lantai's payload digest is over " +
           kPayloadDigestOf);
      return;
    }
    if (!form_.contains("package_digests") || !form_["package_digests"].is_array()) {
      fail("has no package_digests");
      return;
    }
    if (!facts_.sha256_manifest) {
      fail(std::string("the payload digest cannot be checked: the bag has no ") + kPayloadDigestOf);
      return;
    }
    bool has_md5 = false;
    for (const json& entry : form_["package_digests"]) {
      if (!entry.is_object() || !entry.contains("algorithm") || !entry["algorithm"].is_string() ||
          !entry.contains("value") || !entry["value"].is_string()) {
        fail("a package_digests entry is not {algorithm, value}");
        continue;
      }
      const std::string name = entry["algorithm"].get<std::string>();
      const std::string stated = entry["value"].get<std::string>();
      auto algorithm = algorithm_from_form_name(name);
      if (!algorithm) {
        fail("payload digest algorithm '" + name + "' is not MD5, SHA-256 or SM3");
        continue;
      }
      has_md5 = has_md5 || *algorithm == DigestAlgorithm::md5;
      std::string found = hex_digest(*algorithm, *facts_.sha256_manifest);
      std::string stated_lower = stated;
      for (char& c : stated_lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (found != stated_lower)
        fail(name + " payload digest (package_digests) is " + stated + ", " + kPayloadDigestOf + " gives " + found, found, stated);
    }
    // The centre compares the MD5 (DA/T 70-2018 item 1-14).
    if (!has_md5) fail("has no MD5 payload digest in package_digests");
  }

  void check_records() {
    auto record_count = whole_number("record_count");
    auto page_count = whole_number("page_count");
    if (!form_.contains("records") || !form_["records"].is_array()) {
      fail("has no records list");
      return;
    }
    // Pages, photos and recordings are counted apart; forms made before photos and
    // recordings had their own counts state pages alone.
    struct Count {
      const char* key;
      const char* label;
      std::uint64_t sum = 0;
    };
    Count counts[] = {{"page_count", "Page-Count"}, {"photo_count", "Photo-Count"}, {"recording_count", "Recording-Count"}};
    const json& records = form_["records"];
    bool counts_known = true;
    for (const json& record : records) {
      if (!record.is_object() || !record.contains("ref") || !record["ref"].is_string() ||
          !record.contains("page_count") || !record["page_count"].is_number_unsigned()) {
        fail("a records entry is not {ref, title, page_count}");
        counts_known = false;
        continue;
      }
      std::uint64_t items = 0;
      for (Count& count : counts)
        if (record.contains(count.key) && record[count.key].is_number_unsigned()) {
          count.sum += record[count.key].get<std::uint64_t>();
          items += record[count.key].get<std::uint64_t>();
        }
      if (items == 0) continue;  // no files, so no folder: empty folders do not travel
      const std::string ref = record["ref"].get<std::string>();
      const std::string folder = "data/entity/" + ref;
      if (!is_safe_ref(ref) || !facts_.is_folder(folder))
        fail("record " + ref + " has no folder " + folder + " in the bag");
    }
    if (record_count) {
      if (*record_count != records.size())
        fail("record_count is " + std::to_string(*record_count) + ", its records list has " +
                 std::to_string(records.size()),
             std::to_string(records.size()), std::to_string(*record_count));
      check_against_bag_info("record_count", *record_count, "Record-Count");
    }
    for (const Count& count : counts) {
      std::optional<std::uint64_t> stated = count.key == std::string("page_count") ? page_count : std::nullopt;
      if (!stated && form_.contains(count.key) && form_[count.key].is_number_unsigned())
        stated = form_[count.key].get<std::uint64_t>();
      if (!stated) continue;
      if (counts_known && *stated != count.sum)
        fail(std::string(count.key) + " is " + std::to_string(*stated) + ", its records add up to " +
                 std::to_string(count.sum),
             std::to_string(count.sum), std::to_string(*stated));
      check_against_bag_info(count.key, *stated, count.label);
    }
  }

  const json& form_;
  const BagFacts& facts_;
  std::vector<Finding> findings_;
};

}  // namespace

std::vector<Finding> check_backup_form(std::string_view form_text, const BagFacts& facts) {
  json form = json::parse(form_text, nullptr, false);
  if (form.is_discarded() || !form.is_object())
    return {kFormMismatch(
                         std::string(kBackupFormPath) + ": not a JSON object, so nothing on it can be checked")};
  return FormChecker(form, facts).run();
}

}  // namespace lantai::verify
