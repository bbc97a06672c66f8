// A WORK ledger as a finished run leaves it, for acceptance tests: a batch identity and
// records ready for deposit, in a real SQLite ledger in a fresh folder.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/runtime/ledger.h"

namespace lantai::acceptance::testing {

inline std::string ref_of(int number) {
  std::string digits = std::to_string(number);
  return "J012-WS·2021-Y-BGS-" + std::string(4 - std::min<std::size_t>(4, digits.size()), '0') + digits;
}

struct Lot {
  std::filesystem::path work_dir;
  std::unique_ptr<Ledger> ledger;
  std::vector<std::string> refs;
};

// records ready for deposit, numbered from 1; a verified deposit when deposited is true.
inline Lot make_lot(const std::string& name, int records, bool deposited = true) {
  Lot lot;
  lot.work_dir = std::filesystem::temp_directory_path() / ("lantai-acceptance-" + name);
  std::filesystem::remove_all(lot.work_dir);
  lot.ledger = Ledger::open(lot.work_dir);
  lot.ledger->set_identity({"J012-0123456789ab", "J012", "示例市档案馆", "", "da-t31-2017-paper", "cafe"});
  std::vector<RecordRow> rows;
  for (int i = 1; i <= records; ++i) {
    RecordRow row;
    row.ref = ref_of(i);
    row.title = "关于第" + std::to_string(i) + "号文件的通知";
    row.catalog_pages = 3;
    row.items_found = 3;
    row.in_catalog = row.has_folder = row.deposited = true;
    rows.push_back(row);
    lot.refs.push_back(row.ref);
  }
  lot.ledger->replace_records(rows);
  if (deposited) lot.ledger->record_deposit("J012-0123456789ab", "deposit/J012-0123456789ab", "d41d8cd9", true);
  return lot;
}

}  // namespace lantai::acceptance::testing
