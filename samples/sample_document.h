// The texts of the demo archive: short original Chinese documents of the kinds a unit's
// 文书 archive holds (通知, 请示, 批复, 会议纪要 ...). All names, numbers and units are
// invented; 临江市 is not a real city. The fonds is 临江市档案局's own (全宗号 J012).
#pragma once

#include <string>
#include <vector>

namespace lantai::samples {

struct SampleDocument {
  std::string kind{};        // 文种: 通知, 请示, 批复 ...
  std::string title{};       // 题名
  std::string creator{};     // 责任者
  std::string doc_number{};  // 文号, e.g. 浙档发〔2021〕12号; empty when the document has none
  std::string date{};        // 日期, YYYYMMDD as catalogues record it
  std::string retention{};   // 保管期限 code used in the 档号: Y, D30 or D10
  std::string letterhead{};  // the red header line (红头), empty for none
  std::string addressee{};   // 主送机关, empty for none
  std::vector<std::string> body{};  // paragraphs of the first page
  std::string closing{};     // 特此通知。 ..., empty for none
  std::string signature{};   // 落款 unit; the seal carries the creator's name
  std::string remark{};      // 备注 in the catalogue
  std::string attachment_title{};      // heading of the continuation pages (附件)
  std::vector<std::string> clauses{};  // the attachment's own clauses, before the shared ones
};

// In the order the lot planner uses them: one per planned record, then extras.
const std::vector<SampleDocument>& sample_documents();

// Clauses of general archival rules, drawn on after a document's own clauses run out.
const std::vector<std::string>& shared_clauses();

// 保管期限 as the catalogue writes it: Y → 永久, D30 → 30年, D10 → 10年.
std::string retention_label(const std::string& code);

}  // namespace lantai::samples
