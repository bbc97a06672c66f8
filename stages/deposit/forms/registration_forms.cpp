#include "stages/deposit/forms/registration_forms.h"

#include <stdexcept>
#include <system_error>

#include "pipeline/files.h"
#include "pipeline/format.h"
#include "pipeline/registration.h"
#include "stages/deposit/forms/pdf_renderer.h"
#include "stages/deposit/forms/templates/templates.h"
#include "stages/deposit/forms/xlsx_renderer.h"

namespace lantai::deposit::forms {

namespace fs = std::filesystem;

namespace {

// What a record or a batch holds, each kind in its own unit: "12 页", "7 张",
// "2 件（0:12:30）", joined for a record of several kinds; "0 页" when it holds nothing.
std::string quantity_text(const ItemCounts& items) {
  std::string text;
  auto add = [&](std::int64_t count, const std::string& unit) {
    if (count == 0) return;
    text += (text.empty() ? "" : "，") + std::to_string(count) + " " + unit;
  };
  add(items.pages, "页");
  add(items.photos, "张");
  add(items.recordings, "件（" + hours_minutes_seconds(items.recording_seconds) + "）");
  return text.empty() ? "0 页" : text;
}

constexpr const char* kOnline = "在线传输";
constexpr const char* kNoBreakSpace = "\u00A0";  // keeps a figure and its unit on one line

// Each algorithm named on its line, its digest whole on the next.
std::string digest_lines(const DigestList& digests) {
  std::string text;
  for (const auto& [algorithm, hex] : digests)
    text += (text.empty() ? "" : "\n") + std::string(form_algorithm_name(algorithm)) + "：\n" + hex;
  return text;
}

std::string digest_of(const DigestList& digests, DigestAlgorithm wanted) {
  for (const auto& [algorithm, hex] : digests)
    if (algorithm == wanted) return hex;
  return {};
}

std::string signature_text(const std::string& key_sm3) {
  return key_sm3.empty() ? "未签名" : "SM2 签名，签名公钥指纹（SM3）：\n" + key_sm3;
}

// The deposit an increment continues, with the package MD5 the centre recorded for it.
std::string continues_text(const RegistrationForms& forms) {
  if (forms.continues_batch.empty()) return "无（完全备份）";
  const std::string md5 = digest_of(forms.continues_package_digests, DigestAlgorithm::md5);
  return forms.continues_batch + (md5.empty() ? "" : "\n数据包 MD5：" + md5);
}

// The sealed package's figures, after encryption; the package MD5 row gives them before.
std::string encryption_text(const SealedPackage& sealed) {
  if (sealed.name.empty()) return "未加密";
  return sealed.cipher + " 加密后：" + sealed.name + "（" + std::to_string(sealed.size_bytes) + " 字节）\n" +
         digest_lines(sealed.digests);
}

// What an increment changes: counts, and the 档号 withdrawn (the centre removes those).
std::string changes_text(const RegistrationForms& forms) {
  if (forms.continues_batch.empty()) return "";
  std::string text = "新增 " + std::to_string(forms.added_record_count) + " 件，变更 " +
                     std::to_string(forms.changed_record_count) + " 件，撤回 " +
                     std::to_string(forms.withdrawn_refs.size()) + " 件";
  for (size_t i = 0; i < forms.withdrawn_refs.size(); ++i) text += (i ? "、" : "：") + forms.withdrawn_refs[i];
  return text;
}

std::string delivery_of(const std::vector<Carrier>& carriers) {
  for (const Carrier& carrier : carriers)
    if (carrier.type != kOnline) return "离线（载体移交）";
  return kOnline;
}

std::string algorithm_names(const DigestList& digests) {
  std::string names;
  for (const auto& [algorithm, hex] : digests) names += (names.empty() ? "" : "、") + std::string(form_algorithm_name(algorithm));
  return names;
}

void remove_folder(const fs::path& dir) {
  std::error_code error;
  fs::remove_all(dir, error);
  if (error) throw std::runtime_error("cannot remove " + dir.string() + ": " + error.message());
}

}  // namespace

Carrier online_carrier(const RegistrationForms& forms) {
  Carrier carrier;
  carrier.number = forms.package.name;
  carrier.type = kOnline;
  if (!forms.records.empty())
    carrier.content = forms.records.front().ref + " 至\n" + forms.records.back().ref + "\n共 " +
                      std::to_string(forms.records.size()) + " 件";
  carrier.size_bytes = forms.package.size_bytes;
  carrier.file_count = forms.package.file_count;
  carrier.digests = forms.package.digests;
  carrier.signature_key_sm3 = forms.signature_key_sm3;
  carrier.made_on = forms.date;
  return carrier;
}

const std::vector<const FormTemplate*>& registration_form_templates() {
  static const std::vector<const FormTemplate*> forms{&backup_status_form(), &backup_status_continued_form(),
                                                      &carrier_catalogue_form(), &registration_detail_form(),
                                                      &handover_inspection_form()};
  return forms;
}

FormValues form_values(const RegistrationForms& forms) {
  FormValues values;
  const std::string package_md5 = digest_of(forms.package.digests, DigestAlgorithm::md5);
  values.fields = {
      {"fonds_code", FormValue::of(forms.fonds_code)},
      {"unit_name", FormValue::of(forms.unit_name)},
      {"batch_id", FormValue::of(forms.batch_id)},
      {"date", FormValue::of(forms.date)},
      {"profile_name", FormValue::of(forms.profile_name)},
      {"content", FormValue::of("档案数字化成果（目录数据、实体数据）")},
      {"backup_kind", FormValue::of(forms.continues_batch.empty()
                                        ? std::string("完全备份")
                                        : "增量备份（第 " + std::to_string(forms.sequence) + " 次）")},
      {"continues", FormValue::of(continues_text(forms))},
      {"encryption", FormValue::of(encryption_text(forms.sealed))},
      {"remarks", FormValue::of(changes_text(forms))},
      {"delivery", FormValue::of(delivery_of(forms.carriers))},
      {"record_count", FormValue::count(static_cast<std::uint64_t>(forms.record_count))},
      {"page_count", FormValue::count(static_cast<std::uint64_t>(forms.items.pages))},
      {"photo_count", FormValue::count(static_cast<std::uint64_t>(forms.items.photos))},
      {"recording_count", FormValue::count(static_cast<std::uint64_t>(forms.items.recordings))},
      {"recording_duration", FormValue::of(hours_minutes_seconds(forms.items.recording_seconds))},
      {"quarantined_page_count", FormValue::count(static_cast<std::uint64_t>(forms.quarantined.pages))},
      {"quarantined_photo_count", FormValue::count(static_cast<std::uint64_t>(forms.quarantined.photos))},
      {"quarantined_recording_count", FormValue::count(static_cast<std::uint64_t>(forms.quarantined.recordings))},
      {"withheld_record_count", FormValue::count(static_cast<std::uint64_t>(forms.withheld_record_count))},
      {"payload_file_count", FormValue::count(forms.payload_file_count)},
      {"payload_bytes", FormValue::count(forms.payload_bytes)},
      {"data_volume_gb", FormValue::decimal(data_volume_gb(forms.payload_bytes))},
      {"carrier_count", FormValue::count(forms.carriers.size())},
      {"package_name", FormValue::of(forms.package.name)},
      {"package_md5", FormValue::of(package_md5)},
      {"authentication_summary",
       FormValue::of("数据包及各载体的摘要（" + algorithm_names(forms.package.digests) + "）见续表")},
      {"signature", FormValue::of(signature_text(forms.signature_key_sm3))},
      {"authentication_note",
       FormValue::of("唯一性认证信息：各载体的摘要按所列算法计算（MD5、SHA-256、SM3 即 GB/T 32905）；数据包的摘要" +
                     (forms.package.digests_of.empty() ? std::string("按数据包文件本身计算") : "取自其 " + forms.package.digests_of) +
                     "；签名的载体另列 SM2 签名公钥的指纹（公钥的 SM3 摘要）。")},
  };

  std::vector<FormRow>& carriers = values.tables["carriers"];
  for (const Carrier& carrier : forms.carriers) {
    std::string authentication = digest_lines(carrier.digests);
    if (!carrier.signature_key_sm3.empty())
      authentication += "\nSM2 签名公钥指纹（SM3）：\n" + carrier.signature_key_sm3;
    carriers.push_back({{"serial", FormValue::count(carriers.size() + 1)},
                        {"number", FormValue::of(carrier.number)},
                        {"type", FormValue::of(carrier.type)},
                        {"content", FormValue::of(carrier.content)},
                        {"file_count", FormValue::count(carrier.file_count)},
                        {"size_bytes", FormValue::count(carrier.size_bytes)},
                        {"data_volume_gb", FormValue::decimal(data_volume_gb(carrier.size_bytes))},
                        {"made_on", FormValue::of(carrier.made_on)},
                        {"authentication", FormValue::of(authentication)}});
  }

  std::vector<FormRow>& records = values.tables["records"];
  for (const RecordEntry& record : forms.records)
    records.push_back({{"serial", FormValue::count(records.size() + 1)},
                       {"ref", FormValue::of(record.ref)},
                       {"title", FormValue::of(record.title)},
                       {"creator", FormValue::of(record.creator)},
                       {"date", FormValue::of(record.date)},
                       {"quantity", FormValue::of(quantity_text(record.items))},
                       {"retention", FormValue::of(record.retention)},
                       {"classification", FormValue::of(record.classification)}});

  // The unit's own check of what it hands over; the centre writes its results beside them.
  const std::string carrier_check =
      delivery_of(forms.carriers) == kOnline ? "在线传输，无实体载体" : "载体 " + std::to_string(forms.carriers.size()) + " 个，见备份载体目录";
  values.tables["inspection"] = {
      {{"item", FormValue::of("病毒检测")},
       {"unit_result", FormValue::of(forms.virus_scan.empty() ? "未检测"
                                                              : "已检测，未发现病毒（" + forms.virus_scan + "）")}},
      {{"item", FormValue::of("载体检验")}, {"unit_result", FormValue::of(carrier_check)}},
      {{"item", FormValue::of("MD5 校验")}, {"unit_result", FormValue::of("数据包 MD5：\n" + package_md5)}},
      {{"item", FormValue::of("数据量核对")},
       {"unit_result", FormValue::of("档案条目 " + std::to_string(forms.record_count) + " 件，" +
                                     quantity_text(forms.items) + "，文件 " +
                                     std::to_string(forms.payload_file_count) + " 个，数据量 " +
                                     data_volume_gb(forms.payload_bytes) + kNoBreakSpace + "GB（" +
                                     std::to_string(forms.payload_bytes) + kNoBreakSpace + "字节）")}},
      {{"item", FormValue::of("数字签名")}, {"unit_result", FormValue::of(signature_text(forms.signature_key_sm3))}},
  };
  return values;
}

std::vector<FormFile> write_registration_forms(const RegistrationForms& forms, const fs::path& folder) {
  const FormValues values = form_values(forms);
  const fs::path dir = fs::absolute(folder);
  const fs::path partial = dir.string() + ".partial";
  const fs::path replaced = dir.string() + ".replaced";
  remove_folder(partial);
  remove_folder(replaced);
  fs::create_directories(partial);
  std::vector<FormFile> files;
  try {
    for (const FormTemplate* form : registration_form_templates()) {
      const std::string name = std::string(form->name) + ".pdf";
      const std::string pdf = render_pdf(*form, values);
      write_file_atomically(partial / utf8_path(name), pdf);
      files.push_back({name, hex_digest(DigestAlgorithm::sha256, pdf), pdf.size()});
    }
    const fs::path workbook = partial / utf8_path(kWorkbookName);
    write_workbook(registration_form_templates(), values, workbook);
    files.push_back({kWorkbookName, hex_digests_of_file(workbook, {DigestAlgorithm::sha256}).front(),
                     fs::file_size(workbook)});
    sync_directory(partial);
  } catch (...) {
    std::error_code ignored;  // the original error is the one to report
    fs::remove_all(partial, ignored);
    throw;
  }
  // Each step one rename: dir holds one run's forms whole, or none.
  if (fs::exists(dir)) fs::rename(dir, replaced);
  fs::rename(partial, dir);
  sync_directory(dir.parent_path());
  remove_folder(replaced);
  return files;
}

}  // namespace lantai::deposit::forms
