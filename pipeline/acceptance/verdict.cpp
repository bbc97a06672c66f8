#include "pipeline/acceptance/verdict.h"

#include <algorithm>
#include <map>
#include <set>

#include "pipeline/acceptance/sampling.h"

namespace lantai::acceptance {

namespace {

// Machine items: each reject finding fails its item on its record, or on the lot.
void judge_machine_items(const JudgementInput& input, Judgement& judgement) {
  std::map<std::string_view, std::set<std::string>> failed_records;  // item → 档号
  std::set<std::string> known;
  for (const RecordRow& record : input.records) known.insert(record.ref);
  std::set<std::string> with_findings;
  for (const StoredFinding& stored : input.findings) {
    if (stored.finding.severity != Severity::reject) continue;
    const CheckItem& item = machine_item_of_stage(stored.stage);
    const std::string& ref = stored.record_ref;
    judgement.defects.push_back({std::string(item.code), ref, stored.finding.message, stored.finding.code, ""});
    if (!ref.empty() && known.count(ref)) {
      failed_records[item.code].insert(ref);
      with_findings.insert(ref);
    } else {
      failed_records[item.code].insert("");  // the lot as a whole
    }
  }
  // A record withheld for no reject finding (an entry with no images) is a linking defect.
  for (const RecordRow& record : input.records)
    if (!record.deposited && !with_findings.count(record.ref)) {
      failed_records["machine.linking"].insert(record.ref);
      judgement.defects.push_back({"machine.linking", record.ref,
                                   !record.in_catalog    ? "a folder of images with no catalogue entry"
                                   : !record.has_folder  ? "a catalogue entry with no folder of images"
                                                         : "withheld from the deposit",
                                   "assess", ""});
    }

  for (const CheckItem& item : check_items()) {
    if (item.method != CheckMethod::machine) continue;
    ItemTally tally{&item};
    tally.records = static_cast<int>(input.records.size());
    const auto& failed = failed_records[item.code];
    tally.lot_failed = failed.count("") > 0;
    tally.failed = static_cast<int>(failed.size()) - (tally.lot_failed ? 1 : 0);
    tally.passed = tally.records - tally.failed;
    tally.checked = tally.records;
    tally.met = tally.failed == 0 && !tally.lot_failed;
    if (item.code == "machine.package" && *tally.met) {
      if (!input.deposit) {
        tally.checked = 0;
        tally.passed = 0;
        tally.met.reset();
        judgement.pending.push_back("no deposit bag has been made and verified yet: run lantai run");
      } else if (!input.deposit->verified) {
        tally.met = false;
        tally.lot_failed = true;
        judgement.defects.push_back({"machine.package", "", "the deposit bag " + input.deposit->bag_path +
                                     " did not verify", "verify", ""});
      }
    }
    judgement.items.push_back(tally);
  }
}

void judge_inspector_items(const JudgementInput& input, Judgement& judgement) {
  std::map<std::pair<std::string, std::string>, const SampleCheck*> latest;  // (档号, item) → check
  for (const SampleCheck& check : input.checks) latest[{check.record_ref, check.item}] = &check;  // oldest first
  const int sampled = static_cast<int>(input.sample.refs.size());
  for (const CheckItem& item : check_items()) {
    if (item.method != CheckMethod::inspector) continue;
    ItemTally tally{&item};
    tally.required_bp = item.rule == PassRule::every_record ? 10000 : input.settings.min_pass_bp;
    tally.records = sampled;
    for (const std::string& ref : input.sample.refs) {
      auto it = latest.find({ref, std::string(item.code)});
      if (it == latest.end()) continue;
      const SampleCheck& check = *it->second;
      judgement.latest.push_back(check);
      ++tally.checked;
      if (check.passed) {
        ++tally.passed;
      } else {
        ++tally.failed;
        judgement.defects.push_back({std::string(item.code), ref, check.note, check.checked_by, check.checked_at});
      }
    }
    // Integer shares, so exactly the required rate passes: passed / records >= required.
    const auto reaches = [&](int passed) {
      return static_cast<long long>(passed) * 10000 >= static_cast<long long>(tally.required_bp) * tally.records;
    };
    if (!reaches(tally.records - tally.failed)) tally.met = false;  // even if every other check passes
    else if (tally.checked == tally.records) tally.met = reaches(tally.passed);
    if (!tally.met && tally.checked < tally.records)
      judgement.pending.push_back(std::to_string(tally.records - tally.checked) + " of " +
                                  std::to_string(tally.records) + " sampled records not yet checked for " +
                                  std::string(item.name_zh) + " (" + std::string(item.code) + ")");
    judgement.items.push_back(tally);
  }
}

}  // namespace

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::pass: return "pass";
    case Verdict::fail: return "fail";
    case Verdict::pending: return "pending";
  }
  return "pending";
}

std::string_view chinese_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::pass: return "合格";
    case Verdict::fail: return "不合格";
    case Verdict::pending: return "未完成";
  }
  return "未完成";
}

Judgement judge(const JudgementInput& input) {
  Judgement judgement;
  for (const RecordRow& record : input.records) judgement.population_now += record.deposited ? 1 : 0;
  judge_machine_items(input, judgement);
  judge_inspector_items(input, judgement);

  // Records freed by review since the draw may leave the sample short of the asked share.
  const std::size_t needed = sample_size(static_cast<std::size_t>(judgement.population_now), input.settings.min_sample_bp);
  if (input.sample.refs.size() < needed)
    judgement.pending.push_back("the sample holds " + std::to_string(input.sample.refs.size()) + " of the " +
                                std::to_string(judgement.population_now) + " records now ready for deposit, fewer than " +
                                format_rate(input.settings.min_sample_bp) + " (" + std::to_string(needed) +
                                "): draw a new sample");

  const bool any_failed = std::any_of(judgement.items.begin(), judgement.items.end(),
                                      [](const ItemTally& t) { return t.met == false; });
  judgement.verdict = any_failed ? Verdict::fail : judgement.pending.empty() ? Verdict::pass : Verdict::pending;
  return judgement;
}

bool sign_off_stands(const SampleSignOff& sign_off, const std::vector<SampleCheck>& checks, Verdict verdict) {
  const long long last_check = checks.empty() ? 0 : checks.back().id;
  return sign_off.last_check_id == last_check && sign_off.verdict == to_string(verdict);
}

}  // namespace lantai::acceptance
