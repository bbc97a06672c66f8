// The check items of acceptance (数据验收, DA/T 31-2017 12), in one place: what is
// checked, by whom, and the pass rate each must reach. docs/acceptance.md lists them
// (a test keeps the two in step).
//
// Machine items are checked by lantai itself on every record of the lot (100%), from the
// reject findings the stages left in the ledger: each must pass on every record. Inspector
// items are checked by a person on the sampled records; catalogue entry ↔ images must
// pass on every sampled record, the others on the profile's min_pass_percent of them.
#pragma once

#include <string_view>
#include <vector>

namespace lantai::acceptance {

enum class CheckMethod { machine, inspector };
enum class PassRule {
  every_record,      // 100%
  min_pass_percent,  // the profile's acceptance.min_pass_percent (95% by the standard)
};

struct CheckItem {
  std::string_view code;     // stable key: "inspector.entry_images"
  std::string_view name_zh;  // as the reports print it: 目录数据与数字图像对应
  std::string_view meaning;  // what is checked, one sentence
  CheckMethod method;
  PassRule rule;
  // Machine items: the stages whose reject findings fail the item on their record (or on
  // the lot, for a finding on no record).
  std::vector<std::string_view> stages;
};

// Every item, machine items first, in the order the reports list them.
const std::vector<CheckItem>& check_items();
const CheckItem* find_check_item(std::string_view code);  // null when unknown
// The machine item a stage's reject findings count against; the last machine item
// (other automatic checks) for a stage no item names.
const CheckItem& machine_item_of_stage(std::string_view stage);

std::string_view to_string(CheckMethod method);  // "machine", "inspector"

}  // namespace lantai::acceptance
