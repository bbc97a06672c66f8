// Virus scanning through libclamav, for the stages that scan (the inputs before they are
// processed, the bag before it is sealed, a bag the centre checks). The engine is loaded
// once from a ClamAV signature database (freshclam's /var/lib/clamav by default: *.cvd,
// *.cld, or any signature file ClamAV reads: .hdb, .ndb …) and compiled; scan() may then
// be called from many threads at once (a compiled engine is read-only).
//
// Limits: every scan runs within the engine's limits, set from the profile, so a hostile
// file (a zip bomb, a deep archive) cannot take more memory or time than they allow. A
// file that would need more is reported not_scanned (ClamAV's "exceeds max" heuristic is
// on), never passed as clean: the scan fails closed.
//
// Recordings are the one exception to the file limit: an audio or video file (told by its
// content, not its name) larger than clamav.max_file_size_mb is scanned in windows of the
// limit's size, each overlapping the next by kScanWindowOverlap, so every byte is scanned
// and a signature that crosses a window's edge is still seen whole. The result says how
// many windows it took, for the reports. Any other file over the limit stays not_scanned.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "pipeline/profile.h"

namespace lantai {

// The profile section the runtime reads these from (the engine serves several stages).
inline constexpr const char* kVirusScanSection = "clamav";
inline const TextParam kVirusDatabase{
    "database", "/var/lib/clamav",
    "folder of the ClamAV signature database (freshclam keeps it up to date); --virus-db overrides it"};
inline constexpr IntegerParam kVirusMaxFileSize{
    "max_file_size_mb",
    "MiB",
    1,
    4095,
    2048,
    "the largest file scanned whole; a larger recording is scanned in overlapping windows of this size, any "
    "other larger file is not_scanned (and reported so), never passed unread"};
inline constexpr IntegerParam kVirusMaxScanSize{
    "max_scan_size_mb",
    "MiB",
    1,
    4095,
    2048,
    "the most data read out of one file, archives and embedded objects unpacked included"};
inline constexpr IntegerParam kVirusMaxFiles{"max_files", "files", 1,
                                             1'000'000,   10'000,  "the most files unpacked from one archive"};
inline constexpr IntegerParam kVirusMaxRecursion{
    "max_recursion", "levels", 1, 64, 16, "archives within archives, at most this deep"};
inline constexpr IntegerParam kVirusMaxScanTime{
    "max_scan_time_s", "s", 1, 86'400, 600, "the longest one file may take to scan"};

struct VirusScanLimits {
  std::uint64_t max_file_size_bytes = 2048ull << 20;
  std::uint64_t max_scan_size_bytes = 2048ull << 20;
  std::uint32_t max_files = 10'000;
  std::uint32_t max_recursion = 16;
  std::uint32_t max_scan_time_s = 600;
};

// The database cannot be used: missing, empty or unreadable. The message is one line
// that says what to do.
class VirusDatabaseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// How much of one window the next scans again: longer than any body signature ClamAV
// ships (their byte patterns are a few KiB at most), a small share of a window.
inline constexpr std::uint64_t kScanWindowOverlap = 1ull << 20;

struct VirusScanResult {
  enum class Verdict { clean, infected, not_scanned };
  Verdict verdict = Verdict::clean;
  std::string signature;  // infected: the signature's name, e.g. "Win.Test.EICAR_HDB-1"
  std::string reason;     // not_scanned: why (unreadable, beyond the limits, an engine error)
  unsigned windows = 0;   // a recording over the file limit: scanned in this many windows; 0: whole
};

class VirusScanner {
 public:
  // Loads and compiles every signature in database_dir. ClamAV unpacks archives and
  // embedded objects into temp_dir (made when the database loads), so hostile content
  // stays below it; empty: the system's temp folder. Throws VirusDatabaseError.
  static std::unique_ptr<VirusScanner> load(const std::filesystem::path& database_dir, const VirusScanLimits& limits,
                                            const std::filesystem::path& temp_dir = {});
  ~VirusScanner();
  VirusScanner(const VirusScanner&) = delete;
  VirusScanner& operator=(const VirusScanner&) = delete;

  // Thread-safe.
  VirusScanResult scan(const std::filesystem::path& file) const;
  // Bytes that are not a file of their own (an entry of a package file), added in pieces
  // and scanned as a file: they go to an unnamed temporary file (O_TMPFILE) in the temp
  // folder, gone when the scan ends, so disk, not memory, holds them, one entry at a time.
  // size: what the entry declares; more is refused. Beyond max_file_size only a recording
  // (told by its first bytes) is copied on, and scanned in windows as a recording file is.
  class StreamScan {
   public:
    ~StreamScan();
    void add(std::string_view bytes);
    VirusScanResult finish();  // scans what was added; once

   private:
    friend class VirusScanner;
    StreamScan() = default;
    const VirusScanner* scanner_ = nullptr;
    std::string name_;
    int fd_ = -1;
    std::uint64_t copied_ = 0;
    std::uint64_t declared_ = 0;
    std::string head_;  // the first bytes, to tell a recording
    std::string problem_;  // why it cannot be scanned; set: the bytes are no longer copied
  };
  std::unique_ptr<StreamScan> scan_stream(const std::string& name, std::uint64_t size) const;
  // The windows a recording of this size is scanned in (1 when it is within the file limit).
  std::uint64_t window_bytes() const;

  const std::filesystem::path& database_dir() const { return database_dir_; }
  unsigned signature_count() const { return signature_count_; }
  unsigned database_version() const { return database_version_; }  // ClamAV's daily version; 0 for a local database
  std::string engine_version() const;                              // libclamav's, e.g. "1.4.6"
  const VirusScanLimits& limits() const { return limits_; }
  // One line for reports: engine, database, signatures, limits.
  std::string describe() const;

 private:
  VirusScanner() = default;
  VirusScanResult scan_in_windows(const std::filesystem::path& file, std::uint64_t size) const;
  VirusScanResult scan_in_windows(int fd, std::uint64_t size, const std::string& name_for_scan) const;
  struct Engine;
  std::unique_ptr<Engine> engine_;
  std::filesystem::path database_dir_;
  unsigned signature_count_ = 0;
  unsigned database_version_ = 0;
  VirusScanLimits limits_;
  std::filesystem::path temp_dir_;
};

// The limits as a profile section gives them.
VirusScanLimits virus_scan_limits(ProfileSection& section);

}  // namespace lantai
