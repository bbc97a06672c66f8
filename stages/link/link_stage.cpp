#include "stages/link/link_stage.h"

namespace lantai::link {

StageInfo LinkStage::describe() const {
  return {"link", "Links each catalogue entry to its folder of pages and checks the page count.", "1", {}};
}

void LinkStage::setup(ProfileSection&, const StageContext&) {}

Outcome LinkStage::process(RecordWork& record) const {
  Outcome outcome;
  if (record.entry && !record.has_folder) {
    outcome.add(make_finding("link.missing_record", record.ref + ": catalogue row " + std::to_string(record.entry->row) +
                                                        " has no folder of pages"));
    return outcome;
  }
  if (!record.entry) {
    outcome.add(make_finding("link.orphan_folder", record.ref + "/: folder of " + std::to_string(record.pages.size()) +
                                                       " pages has no catalogue entry",
                             std::to_string(record.pages.size())));
    return outcome;
  }
  if (!record.entry->page_count) return outcome;  // catalog.bad_page_count already says why
  const int expected = *record.entry->page_count;
  const int found = static_cast<int>(record.pages.size());
  if (found < expected)
    outcome.add(make_finding("link.missing_page",
                             record.ref + ": " + std::to_string(found) + " pages in the folder, 页数 says " +
                                 std::to_string(expected),
                             std::to_string(found), std::to_string(expected)));
  else if (found > expected)
    outcome.add(make_finding("link.extra_page",
                             record.ref + ": " + std::to_string(found) + " pages in the folder, 页数 says " +
                                 std::to_string(expected),
                             std::to_string(found), std::to_string(expected)));
  return outcome;
}

}  // namespace lantai::link
