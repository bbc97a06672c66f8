#include "stages/virus_scan/virus_scan_stage.h"

namespace lantai::virus_scan {

StageInfo VirusScanStage::describe() const {
  return {"virus_scan",
          "scans each input file for viruses (ClamAV) before any stage opens it; an infected file is quarantined",
          "2",  // 2: a recording over the file limit scanned in windows
          {},
          {kVirusFound, kNotScanned, kScannedInWindows}};
}

void VirusScanStage::setup(ProfileSection& section, const StageContext& context) {
  scanner_ = context.virus_scanner;
  // Whether the run scanned is part of what an item's later stages rest on: a run that
  // scans after one that did not scans (and so redoes) every item.
  section.record("scanning", scanner_ ? "on" : "off", "command line");
  section.finish();
}

Outcome VirusScanStage::process(const Item& item) const {
  Outcome outcome;
  if (!scanner_) return outcome;
  auto scan = [&](const std::string& rel_path, const std::filesystem::path& file) {
    const VirusScanResult result = scanner_->scan(file);
    if (result.verdict == VirusScanResult::Verdict::infected)
      outcome.add(kVirusFound(rel_path + ": infected with " + result.signature + " (ClamAV); quarantined unopened",
                              result.signature));
    else if (result.verdict == VirusScanResult::Verdict::not_scanned)
      outcome.add(kNotScanned(rel_path + ": not scanned for viruses: " + result.reason, result.reason));
    else if (result.windows > 0)
      outcome.add(kScannedInWindows(rel_path + ": larger than clamav.max_file_size_mb, scanned in " +
                                        std::to_string(result.windows) + " overlapping windows of " +
                                        std::to_string(scanner_->window_bytes() >> 20) + " MiB",
                                    std::to_string(result.windows), std::to_string(scanner_->window_bytes() >> 20)));
  };
  if (item.parts.empty()) {
    scan(item.rel_path, item.source);
  } else {
    for (const Item::Part& part : item.parts) scan(part.rel_path, part.source);
  }
  return outcome;
}

}  // namespace lantai::virus_scan
