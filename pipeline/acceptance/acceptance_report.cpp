#include "pipeline/acceptance/acceptance_report.h"

#include <map>

#include <nlohmann/json.hpp>

#include "pipeline/acceptance/sampling.h"
#include "pipeline/format.h"
#include "pipeline/pdf_document.h"

namespace lantai::acceptance {

namespace {

using Json = nlohmann::ordered_json;
constexpr const char* kStandard = "DA/T 31-2017 纸质档案数字化规范 12.3";
constexpr double kDenseTablePt = 9;  // the check history and defect list: a 档号 on one line of its cell

// 2026-11-30T05:57:09Z → 2026-11-30 05:57 UTC, short enough for a table cell.
std::string printed_time(const std::string& iso) {
  if (iso.size() < 16 || iso[10] != 'T') return iso;
  return iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC";
}

std::string percent_of(int part, int whole) { return whole == 0 ? "—" : fixed(100.0 * part / whole, 1) + "%"; }

std::string required_text(const ItemTally& tally) {
  return tally.required_bp == 10000 ? "100%" : "≥" + format_rate(tally.required_bp);
}

std::string met_text(const ItemTally& tally) { return !tally.met ? "待检" : *tally.met ? "达标" : "未达标"; }

std::string method_text(const CheckItem& item) {
  return item.method == CheckMethod::machine ? "机检（全部）" : "人工抽检";
}

std::string item_name(const std::string& code) {
  const CheckItem* item = find_check_item(code);
  return item ? std::string(item->name_zh) : code;
}

std::string title_of(const ReportContext& context, const std::string& ref) {
  for (const SampledRecord& record : context.records)
    if (record.ref == ref) return record.title;
  return "";
}

Json batch_json(const ReportContext& context) {
  return {{"batch_id", context.batch.batch_id},
          {"fonds_code", context.batch.fonds_code},
          {"unit_name", context.batch.unit_name},
          {"profile", context.batch.profile_name},
          {"profile_sha256", context.batch.profile_sha256}};
}

Json sample_json(const ReportContext& context) {
  const StoredSample& sample = context.sample;
  Json records = Json::array();
  for (const SampledRecord& record : context.records)
    records.push_back({{"ref", record.ref}, {"title", record.title}, {"pages", record.pages}});
  return {{"number", sample.number},
          {"seed", std::to_string(sample.seed)},
          {"rate", format_rate(sample.rate_bp)},
          {"record_unit", sample.record_unit},
          {"population", sample.population},
          {"population_sha256", sample.population_sha256},
          {"size", sample.refs.size()},
          {"drawn_by", sample.drawn_by},
          {"drawn_at", sample.drawn_at},
          {"method", "sha256(seed + \"\\n\" + 档号), lowest first"},
          {"records", records}};
}

Json defects_json(const ReportContext& context) {
  Json defects = Json::array();
  int number = 0;
  for (const Defect& defect : context.judgement.defects)
    defects.push_back({{"number", ++number},
                       {"item", defect.item},
                       {"item_name", item_name(defect.item)},
                       {"record_ref", defect.record_ref},
                       {"title", title_of(context, defect.record_ref)},
                       {"problem", defect.problem},
                       {"source", defect.source},
                       {"found_at", defect.found_at}});
  return defects;
}

// A sampled record's results in one cell: 合格, 不合格：<items>, or 待检 n 项.
std::string record_result(const ReportContext& context, const std::string& ref) {
  int checked = 0, inspector_items = 0;
  std::string failed;
  for (const CheckItem& item : check_items())
    if (item.method == CheckMethod::inspector) ++inspector_items;
  for (const SampleCheck& check : context.judgement.latest) {
    if (check.record_ref != ref) continue;
    ++checked;
    if (!check.passed) failed += (failed.empty() ? "" : "、") + item_name(check.item);
  }
  if (!failed.empty()) return "不合格：" + failed;
  if (checked < inspector_items) return "待检 " + std::to_string(inspector_items - checked) + " 项";
  return "合格";
}

bool still_stands(const ReportContext& context, const SampleSignOff& sign_off) {
  return sign_off_stands(sign_off, context.checks, context.judgement.verdict);
}

std::string footer(const ReportContext& context) {
  return context.batch.fonds_code + " " + context.batch.unit_name + "  批次 " + context.batch.batch_id + "  第 " +
         std::to_string(context.sample.number) + " 次抽检";
}

std::vector<std::pair<std::string, std::string>> lot_fields(const ReportContext& context) {
  return {{"全宗号", context.batch.fonds_code},
          {"单位名称", context.batch.unit_name},
          {"批次", context.batch.batch_id},
          {"加工规范", context.batch.profile_name},
          {"验收依据", kStandard},
          {"报告时间", context.written_at}};
}

}  // namespace

std::string acceptance_report_json(const ReportContext& context) {
  const Judgement& judgement = context.judgement;
  Json items = Json::array();
  for (const ItemTally& tally : judgement.items)
    items.push_back({{"code", tally.item->code},
                     {"name", tally.item->name_zh},
                     {"method", to_string(tally.item->method)},
                     {"required", required_text(tally)},
                     {"records", tally.records},
                     {"checked", tally.checked},
                     {"passed", tally.passed},
                     {"failed", tally.failed},
                     {"lot_failed", tally.lot_failed},
                     {"pass_rate", percent_of(tally.passed, tally.records)},
                     {"met", tally.met ? Json(*tally.met) : Json(nullptr)}});
  Json checks = Json::array();
  for (const SampleCheck& check : context.checks)
    checks.push_back({{"id", check.id},
                      {"record_ref", check.record_ref},
                      {"item", check.item},
                      {"result", check.passed ? "pass" : "fail"},
                      {"note", check.note},
                      {"checked_by", check.checked_by},
                      {"checked_at", check.checked_at}});
  Json sign_offs = Json::array();
  for (const SampleSignOff& sign_off : context.sign_offs)
    sign_offs.push_back({{"verdict", sign_off.verdict},
                         {"signed_by", sign_off.signed_by},
                         {"signed_at", sign_off.signed_at},
                         {"note", sign_off.note},
                         {"last_check_id", sign_off.last_check_id},
                         {"stands", still_stands(context, sign_off)}});
  Json report = {{"document", "验收报告"},
                 {"standard", kStandard},
                 {"written_at", context.written_at},
                 {"batch", batch_json(context)},
                 {"settings",
                  {{"record_unit", context.settings.record_unit},
                   {"min_sample_rate", format_rate(context.settings.min_sample_bp)},
                   {"min_pass_rate", format_rate(context.settings.min_pass_bp)}}},
                 {"sample", sample_json(context)},
                 {"records_ready_now", judgement.population_now},
                 {"items", items},
                 {"verdict", to_string(judgement.verdict)},
                 {"verdict_zh", chinese_name(judgement.verdict)},
                 {"pending", judgement.pending},
                 {"defect_count", judgement.defects.size()},
                 {"sign_offs", sign_offs},
                 {"checks", checks}};
  return report.dump(2) + "\n";
}

std::string corrective_action_json(const ReportContext& context) {
  Json notice = {{"document", "整改意见书"},
                 {"standard", kStandard},
                 {"written_at", context.written_at},
                 {"batch", batch_json(context)},
                 {"sample", context.sample.number},
                 {"verdict", to_string(context.judgement.verdict)},
                 {"verdict_zh", chinese_name(context.judgement.verdict)},
                 {"defects", defects_json(context)}};
  return notice.dump(2) + "\n";
}

std::string acceptance_report_pdf(const ReportContext& context) {
  const StoredSample& sample = context.sample;
  const Judgement& judgement = context.judgement;
  const std::string& unit = sample.record_unit;
  PdfDocument document("数字化成果验收报告", footer(context));

  document.heading("一、基本情况");
  document.fields(lot_fields(context));

  document.heading("二、抽检情况");
  document.fields({{"抽检", "第 " + std::to_string(sample.number) + " 次"},
                   {"抽取人", sample.drawn_by + "  " + sample.drawn_at},
                   {"抽检比例", format_rate(sample.rate_bp) + "（不低于 " + format_rate(context.settings.min_sample_bp) + "）"},
                   {"总体", std::to_string(sample.population) + " " + unit + "（抽取时可移交的全部" + unit + "）"},
                   {"抽检数量", std::to_string(sample.refs.size()) + " " + unit + "（" +
                                    percent_of(static_cast<int>(sample.refs.size()), sample.population) + "）"},
                   {"随机种子", std::to_string(sample.seed)},
                   {"抽样方法", "各" + unit + "按 SHA-256(种子 + 换行 + 档号) 由小到大排序，取前若干" + unit + "，可复核"},
                   {"总体摘要", sample.population_sha256}});

  document.heading("三、检查结果");
  std::vector<std::vector<std::string>> rows;
  for (const ItemTally& tally : judgement.items)
    rows.push_back({std::string(tally.item->name_zh), method_text(*tally.item), required_text(tally),
                    std::to_string(tally.checked) + "/" + std::to_string(tally.records),
                    std::to_string(tally.passed), std::to_string(tally.failed) + (tally.lot_failed ? "（含全批）" : ""),
                    percent_of(tally.passed, tally.records), met_text(tally)});
  document.table({{"检查项目", 3.8}, {"方式", 2}, {"要求", 1.2}, {"已检", 1.3}, {"合格", 1}, {"不合格", 1.5},
                  {"合格率", 1.4}, {"结论", 1.1}},
                 rows);

  document.heading("四、抽检" + unit + "清单");
  rows.clear();
  int number = 0;
  for (const SampledRecord& record : context.records)
    rows.push_back({std::to_string(++number), record.ref, record.title, std::to_string(record.pages),
                    record_result(context, record.ref)});
  document.table({{"序号", 0.8}, {"档号", 4.2}, {"题名", 3.6}, {"页数", 0.9}, {"结果", 2.6}}, rows);

  document.heading("五、检查记录");
  rows.clear();
  for (const SampleCheck& check : context.checks)
    rows.push_back({printed_time(check.checked_at), check.checked_by, check.record_ref, item_name(check.item),
                    check.passed ? "合格" : "不合格", check.note});
  if (rows.empty()) document.paragraph("尚无检查记录。");
  else document.table({{"时间", 2.2}, {"检查人", 1.3}, {"档号", 3.7}, {"检查项目", 2.4}, {"结果", 1.1}, {"说明", 3.3}}, rows,
                      kDenseTablePt);

  document.heading("六、验收结论");
  document.paragraph("验收结论：" + std::string(chinese_name(judgement.verdict)), true);
  for (const std::string& reason : judgement.pending) document.paragraph("未完成：" + reason);
  if (judgement.verdict == Verdict::fail)
    document.paragraph("不合格项 " + std::to_string(judgement.defects.size()) + " 处，见整改意见书（corrective-action-" +
                       std::to_string(sample.number) + ".pdf）。");
  for (const SampleSignOff& sign_off : context.sign_offs)
    document.paragraph("签发：" + sign_off.signed_by + "  " + printed_time(sign_off.signed_at) + "（结论：" +
                       (sign_off.verdict == "pass" ? "合格" : "不合格") + "）" + (sign_off.note.empty() ? "" : " " + sign_off.note) +
                       (still_stands(context, sign_off) ? "" : "  — 签发后检查记录或结论已变化，需重新签发"));
  document.signature_lines({"验收人", "审核人"});
  return document.finish();
}

std::string corrective_action_pdf(const ReportContext& context) {
  const Judgement& judgement = context.judgement;
  PdfDocument document("数字化成果整改意见书", footer(context));
  document.fields(lot_fields(context));
  document.paragraph("经按 " + std::string(kStandard) + " 对第 " + std::to_string(context.sample.number) +
                     " 次抽检验收，本批次数字化成果不合格。请对下列问题逐项整改，整改后重新处理并提交验收，由验收方重新抽检。");

  document.heading("一、未达标项目");
  std::vector<std::vector<std::string>> rows;
  for (const ItemTally& tally : judgement.items)
    if (tally.met == false)
      rows.push_back({std::string(tally.item->name_zh), method_text(*tally.item), required_text(tally),
                      percent_of(tally.passed, tally.records) + (tally.lot_failed ? "（全批不合格）" : ""),
                      std::to_string(tally.failed)});
  document.table({{"检查项目", 3}, {"方式", 2}, {"要求", 1.3}, {"合格率", 2.4}, {"不合格数", 1.4}}, rows);

  document.heading("二、问题清单");
  rows.clear();
  int number = 0;
  for (const Defect& defect : judgement.defects)
    rows.push_back({std::to_string(++number), item_name(defect.item),
                    defect.record_ref.empty() ? "全批" : defect.record_ref, defect.problem,
                    defect.source + (defect.found_at.empty() ? "" : " " + printed_time(defect.found_at))});
  document.table({{"序号", 1}, {"检查项目", 3.4}, {"档号", 4.2}, {"问题", 4.4}, {"来源", 2.2}}, rows, kDenseTablePt);

  document.signature_lines({"验收人", "整改单位签收"});
  return document.finish();
}

}  // namespace lantai::acceptance
