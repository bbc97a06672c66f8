#include "stages/link/link_stage.h"

namespace lantai::link {

namespace {

constexpr FindingCode kMissingPage{"link.missing_page", Severity::reject, "the record folder has fewer pages than its 页数"};
constexpr FindingCode kExtraPage{"link.extra_page", Severity::reject, "the record folder has more pages than its 页数"};
constexpr FindingCode kOrphanFolder{"link.orphan_folder", Severity::reject, "an input folder with no catalogue entry"};
constexpr FindingCode kMissingRecord{"link.missing_record", Severity::reject, "a catalogue entry with no input folder"};

}  // namespace

StageInfo LinkStage::describe() const {
  return {"link",
          "Links each catalogue entry to its folder of pages and checks the page count.",
          "1",
          {},
          {kMissingPage, kExtraPage, kOrphanFolder, kMissingRecord}};
}

void LinkStage::setup(ProfileSection&, const StageContext&) {}

Outcome LinkStage::process(const RecordWork& record) const {
  Outcome outcome;
  if (record.entry && !record.has_folder) {
    outcome.add(kMissingRecord(record.ref + ": catalogue row " + std::to_string(record.entry->row) +
                                                        " has no folder of pages"));
    return outcome;
  }
  if (!record.entry && !record.catalog) return outcome;  // no catalogue: the folder is the record (a draft is made)
  if (!record.entry) {
    outcome.add(kOrphanFolder(record.ref + "/: folder of " + std::to_string(record.items.size()) +
                                                       " pages has no catalogue entry",
                             std::to_string(record.items.size())));
    return outcome;
  }
  if (!record.entry->page_count) return outcome;  // catalog.bad_page_count already says why
  const int expected = *record.entry->page_count;
  const int found = static_cast<int>(record.items.size());
  if (found < expected)
    outcome.add(kMissingPage(
                             record.ref + ": " + std::to_string(found) + " pages in the folder, 页数 says " +
                                 std::to_string(expected),
                             std::to_string(found), std::to_string(expected)));
  else if (found > expected)
    outcome.add(kExtraPage(
                             record.ref + ": " + std::to_string(found) + " pages in the folder, 页数 says " +
                                 std::to_string(expected),
                             std::to_string(found), std::to_string(expected)));
  return outcome;
}

}  // namespace lantai::link
