// The virus scan stage, first in every item chain: each file an item is made of (its
// original, or every part of a page scanned in parts) is scanned with the run's ClamAV
// engine before any other stage opens it. An infected file is quarantined with
// virus.found naming the signature; a file the engine could not scan whole within the
// profile's limits is quarantined with virus.not_scanned (the scan fails closed). The
// batch goes on either way. A recording over the file limit is scanned in windows (see
// VirusScanner) and the item says so with virus.scanned_in_windows.
//
// The engine is the run's (StageContext::virus_scanner, loaded once per run); with none
// (--no-virus-scan) the stage passes every item and its settings say scanning was off, so
// a later run that scans redoes the items from here.
#pragma once

#include "pipeline/stage.h"
#include "pipeline/virus_scanner.h"

namespace lantai::virus_scan {

inline constexpr FindingCode kVirusFound{
    "virus.found", Severity::reject,
    "ClamAV found a virus signature in an input file; the item was quarantined before any stage opened it"};
inline constexpr FindingCode kNotScanned{
    "virus.not_scanned", Severity::reject,
    "an input file could not be scanned whole (unreadable, or beyond the profile's clamav limits); it is "
    "quarantined rather than passed unscanned"};

inline constexpr FindingCode kScannedInWindows{
    "virus.scanned_in_windows", Severity::info,
    "a recording larger than clamav.max_file_size_mb was scanned in overlapping windows of that size, every byte "
    "scanned; the value is the number of windows, the threshold the window size in MiB"};

class VirusScanStage final : public ItemStage {
 public:
  StageInfo describe() const override;
  void setup(ProfileSection& section, const StageContext& context) override;
  Outcome process(const Item& item) const override;  // thread-safe

 private:
  const VirusScanner* scanner_ = nullptr;
};

}  // namespace lantai::virus_scan
