// Writes a carrier's layout as a folder, or as an ISO 9660 image with Joliet and Rock
// Ridge made by libisofs (which writes no UDF: an image for a Blu-ray drive that insists
// on UDF needs another tool). Either way each bag file is read once, streamed through MD5
// and SHA-256 as it is copied, and must hash to the bag's manifests: a bag changed since
// it was verified makes no carrier.
//
// Crash safety as the deposit's: a carrier is built under <label>.partial (or
// <label>.iso.partial), synced, and renamed into place when whole. A carrier under its
// final name is whole, so one holding this very carrier (the same manifest) is kept and a
// rerun after a failure goes on with the next; another one is never overwritten.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>

#include "stages/carriers/carrier_layout.h"

namespace lantai::carriers {

// Called with bytes copied so far and the total, for a progress display.
using WriteProgress = std::function<void(std::uint64_t done, std::uint64_t total)>;

struct WrittenCarrier {
  std::filesystem::path path;
  bool written_before = false;  // found whole from an earlier run, kept
};

// Writes out_dir/<label>/. Throws CarrierError naming the file when a bag file
// differs from its manifests or the carrier exists already, std::runtime_error when the
// output cannot be written (disk full, not writable).
WrittenCarrier write_carrier_folder(const CarrierLayout& layout, const std::filesystem::path& out_dir,
                                    const WriteProgress& progress = {});

// Writes out_dir/<label>.iso (volume id from the plan). Throws as above.
WrittenCarrier write_carrier_iso(const CarrierLayout& layout, const std::filesystem::path& out_dir,
                                 const WriteProgress& progress = {});

}  // namespace lantai::carriers
