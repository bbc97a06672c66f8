#include "pipeline/virus_scanner.h"

#include <clamav.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "pipeline/file_signature.h"

namespace lantai {
namespace fs = std::filesystem;

namespace {

// libclamav's process-wide set-up: once, before the first engine.
void initialise_libclamav() {
  static std::once_flag once;
  static cl_error_t status = CL_SUCCESS;
  std::call_once(once, [] {
    // Its messages would go to stderr, between our progress lines; what matters comes
    // back as a return code and is reported by the caller.
    cl_set_clcb_msg([](enum cl_msg, const char*, const char*, void*) {});
    status = cl_init(CL_INIT_DEFAULT);
  });
  if (status != CL_SUCCESS)
    throw VirusDatabaseError(std::string("virus scan: libclamav cannot start: ") + cl_strerror(status));
}

bool has_signature_files(const fs::path& dir) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error))
    if (entry.is_regular_file(error)) return true;
  return false;
}

std::string size_text(std::uint64_t bytes) {
  return bytes >= (1u << 20) ? std::to_string(bytes >> 20) + " MiB" : std::to_string(bytes) + " bytes";
}

VirusScanResult too_large(std::uint64_t size, const VirusScanLimits& limits) {
  VirusScanResult result;
  result.verdict = VirusScanResult::Verdict::not_scanned;
  result.reason = "larger (" + size_text(size) + ") than the profile's clamav.max_file_size_mb (" +
                  size_text(limits.max_file_size_bytes) + ")";
  return result;
}

cl_scan_options scan_options() {
  cl_scan_options options{};
  // Every format ClamAV can unpack (archives, PDF, OLE2, images …), but not the fuzzy hash
  // of images: it decodes every page's pixels, as much memory and time again as decode
  // itself, for signatures of a kind that only match pictures, not malware in them.
  options.parse = ~0u & ~static_cast<std::uint32_t>(CL_SCAN_PARSE_IMAGE_FUZZY_HASH);
  options.general = CL_SCAN_GENERAL_HEURISTICS;
  // A file beyond the limits is an alert (Heuristics.Limits.Exceeded), not a silent pass.
  options.heuristic = CL_SCAN_HEURISTIC_EXCEEDS_MAX;
  return options;
}

// What a scan's return says, as a result.
VirusScanResult verdict_of(cl_error_t status, const char* name) {
  VirusScanResult result;
  if (status == CL_CLEAN) return result;
  if (status == CL_VIRUS) {
    const std::string signature = name ? name : "";
    if (signature.empty() || signature.starts_with("Heuristics.Limits.Exceeded")) {
      result.verdict = VirusScanResult::Verdict::not_scanned;
      result.reason = "beyond the profile's clamav scan limits" + (signature.empty() ? "" : " (" + signature + ")");
    } else {
      result.verdict = VirusScanResult::Verdict::infected;
      result.signature = signature;
    }
    return result;
  }
  result.verdict = VirusScanResult::Verdict::not_scanned;
  result.reason = cl_strerror(status);
  return result;
}

// One window of an open file, as ClamAV's map reads it: offsets within the window.
struct FileWindow {
  int fd = -1;
  off_t start = 0;
};

off_t read_window(void* handle, void* buffer, size_t count, off_t offset) {
  const auto* window = static_cast<const FileWindow*>(handle);
  return ::pread(window->fd, buffer, count, window->start + offset);
}

}  // namespace

struct VirusScanner::Engine {
  cl_engine* engine = nullptr;
  ~Engine() {
    if (engine) cl_engine_free(engine);
  }
};

VirusScanner::~VirusScanner() = default;

std::unique_ptr<VirusScanner> VirusScanner::load(const fs::path& database_dir, const VirusScanLimits& limits,
                                                 const fs::path& temp_dir) {
  const std::string what_to_do =
      "; install clamav-freshclam and run freshclam, give another database with --virus-db DIR (or the "
      "profile's clamav.database), or --no-virus-scan to go on unscanned (the 四性 report then records 4-2 as "
      "not done)";
  std::error_code error;
  if (!fs::is_directory(database_dir, error) || !has_signature_files(database_dir))
    throw VirusDatabaseError("virus scan: no ClamAV signature database in " + database_dir.string() + what_to_do);
  initialise_libclamav();

  std::unique_ptr<VirusScanner> scanner(new VirusScanner);
  scanner->engine_ = std::make_unique<Engine>();
  scanner->database_dir_ = database_dir;
  scanner->limits_ = limits;
  scanner->temp_dir_ = temp_dir;
  cl_engine* engine = scanner->engine_->engine = cl_engine_new();
  if (!engine) throw VirusDatabaseError("virus scan: libclamav cannot make an engine (out of memory)");
  unsigned signatures = 0;
  cl_error_t status = cl_load(database_dir.c_str(), engine, &signatures, CL_DB_STDOPT);
  if (status != CL_SUCCESS)
    throw VirusDatabaseError("virus scan: the ClamAV signature database in " + database_dir.string() +
                             " cannot be loaded: " + cl_strerror(status) + what_to_do);
  if (signatures == 0)
    throw VirusDatabaseError("virus scan: the ClamAV signature database in " + database_dir.string() +
                             " holds no signatures" + what_to_do);
  const std::pair<cl_engine_field, long long> settings[] = {
      {CL_ENGINE_MAX_FILESIZE, static_cast<long long>(limits.max_file_size_bytes)},
      {CL_ENGINE_MAX_SCANSIZE, static_cast<long long>(limits.max_scan_size_bytes)},
      {CL_ENGINE_MAX_FILES, limits.max_files},
      {CL_ENGINE_MAX_RECURSION, limits.max_recursion},
      {CL_ENGINE_MAX_SCANTIME, static_cast<long long>(limits.max_scan_time_s) * 1000},  // ms
  };
  for (const auto& [field, value] : settings)
    if ((status = cl_engine_set_num(engine, field, value)) != CL_SUCCESS)
      throw VirusDatabaseError(std::string("virus scan: a scan limit cannot be set: ") + cl_strerror(status));
  if (!temp_dir.empty()) {
    fs::create_directories(temp_dir, error);
    if (error || (status = cl_engine_set_str(engine, CL_ENGINE_TMPDIR, temp_dir.c_str())) != CL_SUCCESS)
      throw VirusDatabaseError("virus scan: cannot use " + temp_dir.string() + " for ClamAV's temporary files");
  }
  if ((status = cl_engine_compile(engine)) != CL_SUCCESS)
    throw VirusDatabaseError("virus scan: the signatures in " + database_dir.string() +
                             " cannot be compiled: " + cl_strerror(status) + what_to_do);
  scanner->signature_count_ = signatures;
  int ignored = 0;
  scanner->database_version_ = static_cast<unsigned>(cl_engine_get_num(engine, CL_ENGINE_DB_VERSION, &ignored));
  return scanner;
}

VirusScanResult VirusScanner::scan(const fs::path& file) const {
  VirusScanResult result;
  std::error_code error;
  const auto size = fs::file_size(file, error);
  if (error) {
    result.verdict = VirusScanResult::Verdict::not_scanned;
    result.reason = "cannot be read: " + error.message();
    return result;
  }
  if (size > limits_.max_file_size_bytes) {
    if (file_signature_of(file) == FileSignature::audio_video) return scan_in_windows(file, size);
    // ClamAV would skip it; here that is said, not passed as clean.
    return too_large(size, limits_);
  }
  cl_scan_options options = scan_options();
  const char* name = nullptr;
  unsigned long scanned = 0;
  const cl_error_t status = cl_scanfile(file.c_str(), &name, &scanned, engine_->engine, &options);
  return verdict_of(status, name);
}

std::uint64_t VirusScanner::window_bytes() const {
  return std::min(limits_.max_file_size_bytes, limits_.max_scan_size_bytes);
}

VirusScanResult VirusScanner::scan_in_windows(const fs::path& file, std::uint64_t size) const {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    VirusScanResult result;
    result.verdict = VirusScanResult::Verdict::not_scanned;
    result.reason = std::string("cannot be read: ") + std::strerror(errno);
    return result;
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  return scan_in_windows(fd, size, file.string());
}

// Each window is its own ClamAV map over a range of the file, read through pread as the
// scan goes (never the whole window in memory); the windows overlap so nothing falls
// between two of them.
VirusScanResult VirusScanner::scan_in_windows(int fd, std::uint64_t size, const std::string& name_for_scan) const {
  VirusScanResult result;
  const std::uint64_t window = window_bytes();
  const std::uint64_t step = window - std::min(kScanWindowOverlap, window / 4);
  FileWindow handle;
  handle.fd = fd;
  for (std::uint64_t start = 0;; start += step) {
    const std::uint64_t length = std::min(window, size - start);
    handle.start = static_cast<off_t>(start);
    cl_fmap_t* map = cl_fmap_open_handle(&handle, 0, length, read_window, 1);
    if (!map) {
      result.verdict = VirusScanResult::Verdict::not_scanned;
      result.reason = "libclamav cannot map bytes " + std::to_string(start) + " on (out of memory)";
      return result;
    }
    cl_scan_options options = scan_options();
    const char* name = nullptr;
    unsigned long scanned = 0;
    const cl_error_t status = cl_scanmap_callback(map, name_for_scan.c_str(), &name, &scanned, engine_->engine, &options, nullptr);
    cl_fmap_close(map);
    const unsigned windows = result.windows + 1;
    result = verdict_of(status, name);
    result.windows = windows;
    if (result.verdict == VirusScanResult::Verdict::not_scanned)
      result.reason += " (in the window from byte " + std::to_string(start) + ")";
    if (result.verdict != VirusScanResult::Verdict::clean) return result;
    if (start + length >= size) return result;
  }
}

std::unique_ptr<VirusScanner::StreamScan> VirusScanner::scan_stream(const std::string& name, std::uint64_t size) const {
  std::unique_ptr<StreamScan> stream(new StreamScan);
  stream->scanner_ = this;
  stream->name_ = name;
  stream->declared_ = size;
  const fs::path dir = temp_dir_.empty() ? fs::temp_directory_path() : temp_dir_;
  stream->fd_ = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (stream->fd_ < 0) stream->problem_ = "no temporary file in " + dir.string() + ": " + std::strerror(errno);
  return stream;
}

VirusScanner::StreamScan::~StreamScan() {
  if (fd_ >= 0) ::close(fd_);
}

void VirusScanner::StreamScan::add(std::string_view bytes) {
  if (!problem_.empty()) return;
  if (head_.size() < kSignatureBytes) head_.append(bytes.substr(0, kSignatureBytes - head_.size()));
  copied_ += bytes.size();
  if (copied_ > declared_) {
    problem_ = "holds more (" + size_text(copied_) + ") than its entry declares (" + size_text(declared_) + ")";
    return;
  }
  // Beyond the file limit only a recording goes on (it is scanned in windows, as a
  // recording file is); anything else is refused as soon as its first bytes tell.
  const bool head_known = head_.size() >= kSignatureBytes || copied_ == declared_;
  if (declared_ > scanner_->limits_.max_file_size_bytes && head_known &&
      file_signature(head_) != FileSignature::audio_video) {
    problem_ = too_large(declared_, scanner_->limits_).reason;
    return;
  }
  for (std::size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      problem_ = std::string("cannot be copied out to scan: ") + std::strerror(n < 0 ? errno : ENOSPC);
      return;
    }
    done += static_cast<std::size_t>(n);
  }
}

VirusScanResult VirusScanner::StreamScan::finish() {
  VirusScanResult result;
  if (problem_.empty() && copied_ != declared_)  // a damaged package: what was not read was not scanned
    problem_ = "only " + size_text(copied_) + " of its " + size_text(declared_) + " could be read";
  if (problem_.empty() && ::lseek(fd_, 0, SEEK_SET) != 0) problem_ = "its temporary copy cannot be read back";
  if (!problem_.empty()) {
    result.verdict = VirusScanResult::Verdict::not_scanned;
    result.reason = problem_;
    return result;
  }
  if (copied_ > scanner_->limits_.max_file_size_bytes) {
    result = scanner_->scan_in_windows(fd_, copied_, name_);
  } else {
    cl_scan_options options = scan_options();
    const char* virus = nullptr;
    unsigned long scanned = 0;
    // The name is set by the scan: read it only after (not as an argument beside the call).
    const cl_error_t status = cl_scandesc(fd_, name_.c_str(), &virus, &scanned, scanner_->engine_->engine, &options);
    result = verdict_of(status, virus);
  }
  ::close(fd_);
  fd_ = -1;
  return result;
}

std::string VirusScanner::engine_version() const { return cl_retver(); }

std::string VirusScanner::describe() const {
  return "ClamAV " + engine_version() + ", database " + database_dir_.string() +
         (database_version_ ? " (version " + std::to_string(database_version_) + ")" : std::string()) + ", " +
         std::to_string(signature_count_) + " signatures; limits " + std::to_string(limits_.max_file_size_bytes >> 20) +
         " MiB a file, " + std::to_string(limits_.max_scan_size_bytes >> 20) + " MiB read, " +
         std::to_string(limits_.max_files) + " files, " + std::to_string(limits_.max_recursion) + " levels, " +
         std::to_string(limits_.max_scan_time_s) + " s; recordings over the file limit in overlapping windows of " +
         std::to_string(window_bytes() >> 20) + " MiB";
}

VirusScanLimits virus_scan_limits(ProfileSection& section) {
  VirusScanLimits limits;
  limits.max_file_size_bytes = static_cast<std::uint64_t>(section.get(kVirusMaxFileSize)) << 20;
  limits.max_scan_size_bytes = static_cast<std::uint64_t>(section.get(kVirusMaxScanSize)) << 20;
  limits.max_files = static_cast<std::uint32_t>(section.get(kVirusMaxFiles));
  limits.max_recursion = static_cast<std::uint32_t>(section.get(kVirusMaxRecursion));
  limits.max_scan_time_s = static_cast<std::uint32_t>(section.get(kVirusMaxScanTime));
  return limits;
}

}  // namespace lantai
