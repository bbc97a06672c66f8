#include "stages/verify/package_contents.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "pipeline/threaded_digest.h"
#include "pipeline/utf8.h"
#include "stages/verify/verify_codes.h"

namespace lantai::verify {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kChunkBytes = 1 << 20;

struct ArchiveFree {
  void operator()(archive* handle) const { archive_read_free(handle); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveFree>;

// The package file as libarchive reads it: every byte handed over also feeds the package
// digests, when there are any, so what libarchive parses is exactly what is hashed.
struct Source {
  int fd = -1;
  std::vector<char> buffer = std::vector<char>(kChunkBytes);
  ThreadedDigestStream* digests = nullptr;
  std::uint64_t file_bytes = 0;
  std::uint64_t position = 0;
};

la_ssize_t read_bytes(archive* handle, void* data, const void** buffer) {
  auto& source = *static_cast<Source*>(data);
  for (;;) {
    const ssize_t n = ::read(source.fd, source.buffer.data(), source.buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      archive_set_error(handle, errno, "read failed");
      return -1;
    }
    if (source.digests) source.digests->update({source.buffer.data(), static_cast<std::size_t>(n)});
    source.position += static_cast<std::uint64_t>(n);
    *buffer = source.buffer.data();
    return n;
  }
}

// Only for the index: payload data is passed over without being read.
la_int64_t skip_bytes(archive*, void* data, la_int64_t request) {
  auto& source = *static_cast<Source*>(data);
  const std::uint64_t left = source.file_bytes - std::min(source.file_bytes, source.position);
  const auto skip = static_cast<la_int64_t>(std::min<std::uint64_t>(static_cast<std::uint64_t>(request), left));
  if (::lseek(source.fd, skip, SEEK_CUR) < 0) return 0;  // libarchive then reads through
  source.position += static_cast<std::uint64_t>(skip);
  return skip;
}

ArchivePtr open_reader(Source& source, bool may_skip) {
  ArchivePtr handle(archive_read_new());
  archive_read_support_format_tar(handle.get());
  archive_read_support_format_zip_streamable(handle.get());
  // Names in a plain ustar or GNU header are taken as UTF-8 (pax and flagged ZIP names are).
  archive_read_set_options(handle.get(), "tar:hdrcharset=UTF-8");
  archive_read_open2(handle.get(), &source, nullptr, read_bytes, may_skip ? skip_bytes : nullptr, nullptr);
  return handle;
}

std::string error_of(archive* handle) {
  const char* why = archive_error_string(handle);
  return why ? why : "damaged";
}

// Why an entry's name cannot be placed inside the top folder, or "" when it can.
std::string unsafe_name(const std::string& name) {
  if (name.empty()) return "an entry without a name";
  if (name.front() == '/') return "an absolute path; a package's entries lie below its top folder";
  if (name.find('\\') != std::string::npos) return "a backslash in the name, a folder separator to some tools";
  std::size_t start = 0;
  const std::size_t end_of_name = name.back() == '/' ? name.size() - 1 : name.size();
  while (start <= end_of_name) {
    std::size_t slash = name.find('/', start);
    if (slash == std::string::npos || slash > end_of_name) slash = end_of_name;
    const std::string_view part(name.data() + start, slash - start);
    if (part == "..") return "climbs out of its folder with '..'";
    if (part.empty() || part == ".") return "an empty or '.' part in the path";
    start = slash + 1;
  }
  return "";
}

}  // namespace

PackageContents::PackageContents(fs::path package, std::vector<DigestAlgorithm> package_algorithms,
                                 std::vector<Finding>& findings)
    : package_(std::move(package)),
      name_(package_.filename().string()),
      package_algorithms_(std::move(package_algorithms)) {
  read_index(findings);
}

PackageContents::~PackageContents() = default;

void PackageContents::read_index(std::vector<Finding>& findings) {
  auto unsafe = [&](const std::string& entry, const std::string& reason) {
    findings.push_back(kPackageUnsafe(name_ + ": " + entry + ": " + reason + "; left out, nothing written"));
  };
  Source source;
  source.fd = ::open(package_.c_str(), O_RDONLY | O_CLOEXEC);
  if (source.fd < 0) {
    findings.push_back(kMalformed(package_.string() + ": cannot be read: " +
                                  std::error_code(errno, std::generic_category()).message()));
    return;
  }
  std::error_code error;
  source.file_bytes = file_bytes_ = fs::file_size(package_, error);
  const ScopedUtf8Locale utf8;  // names out of libarchive as UTF-8, never the process locale's
  ArchivePtr handle = open_reader(source, true);
  archive* a = handle.get();
  std::uint64_t tag_bytes = 0;
  std::vector<char> chunk(kChunkBytes);
  for (;;) {
    archive_entry* entry = nullptr;
    const int status = archive_read_next_header(a, &entry);
    if (status == ARCHIVE_EOF) break;
    if (status < ARCHIVE_WARN) {
      findings.push_back(kMalformed(name_ + ": not a TAR or ZIP file, or damaged after " + std::to_string(headers_) +
                                    " entries: " + error_of(a)));
      break;
    }
    const std::uint64_t ordinal = headers_++;
    if (headers_ > kMaxPackageEntries) {
      unsafe("(the rest)", "more than " + std::to_string(kMaxPackageEntries) + " entries, beyond what lantai reads");
      break;
    }
    const char* raw_name = archive_entry_pathname_utf8(entry);
    if (!raw_name) {
      unsafe("entry " + std::to_string(ordinal + 1), "a name that is not UTF-8");
      continue;
    }
    const std::string name = raw_name;
    if (std::string why = unsafe_name(name); !why.empty()) {
      unsafe(name, why);
      continue;
    }
    const std::string first = name.substr(0, name.find('/'));
    if (top_.empty()) top_ = first;
    if (first != top_) {
      unsafe(name, "outside the package's top folder " + top_ + "/");
      continue;
    }
    const bool folder = archive_entry_filetype(entry) == AE_IFDIR;
    if (archive_entry_hardlink(entry) || archive_entry_symlink(entry) || archive_entry_filetype(entry) == AE_IFLNK) {
      unsafe(name, "a link; a package holds plain files and folders only");
      continue;
    }
    if (!folder && archive_entry_filetype(entry) != AE_IFREG) {
      unsafe(name, "a special file; a package holds plain files and folders only");
      continue;
    }
    std::string rel = name.size() > top_.size() ? name.substr(top_.size() + 1) : "";
    if (!rel.empty() && rel.back() == '/') rel.pop_back();
    if (rel.empty()) {
      if (!folder) unsafe(name, "the package's top must be a folder");
      continue;
    }
    if (auto found = entries_.find(rel); found != entries_.end() && (found->second.type != EntryType::folder || !folder ||
                                                                   found->second.ordinal != UINT64_MAX)) {
      unsafe(name, "given twice in the package; the first is kept");
      continue;
    }
    Entry placed{folder ? EntryType::folder : EntryType::file, 0, ordinal};
    if (!folder) {
      if (!archive_entry_size_is_set(entry) || archive_entry_size(entry) < 0) {
        unsafe(name, "declares no size");
        continue;
      }
      placed.size = static_cast<std::uint64_t>(archive_entry_size(entry));
      if (placed.size > file_bytes_) {
        unsafe(name, "claims " + std::to_string(placed.size) + " bytes, more than the whole package holds (" +
                         std::to_string(file_bytes_) + ")");
        continue;
      }
    }
    // Its folders, where the package does not list them itself.
    bool under_a_file = false;
    for (std::size_t slash = rel.find('/'); slash != std::string::npos; slash = rel.find('/', slash + 1)) {
      auto [parent, added] = entries_.try_emplace(rel.substr(0, slash), Entry{EntryType::folder, 0, UINT64_MAX});
      under_a_file = under_a_file || parent->second.type != EntryType::folder;
    }
    if (under_a_file) {
      unsafe(name, "lies under a file of the same name");
      continue;
    }
    entries_[rel] = placed;
    const bool tag_file = !folder && !rel.starts_with("data/");
    if (!tag_file || placed.size > kMaxTagFileBytes) continue;
    if (tag_bytes + placed.size > kMaxTagBytesInMemory) {
      unsafe(name, "the package's tag files come to more than " + std::to_string(kMaxTagBytesInMemory >> 20) +
                       " MiB, beyond what lantai reads");
      entries_.erase(rel);
      continue;
    }
    std::string bytes;
    for (;;) {
      const la_ssize_t n = archive_read_data(a, chunk.data(), chunk.size());
      if (n <= 0) break;
      if (bytes.size() + static_cast<std::size_t>(n) > placed.size) break;  // more than it declared
      bytes.append(chunk.data(), static_cast<std::size_t>(n));
    }
    tag_bytes += bytes.size();
    tags_[rel] = std::move(bytes);
  }
  ::close(source.fd);
  readable_ = !top_.empty();
  if (!readable_ && headers_ == 0 && findings.empty())
    findings.push_back(kMalformed(name_ + ": holds no bag; a package holds one top folder, the bag"));
}

EntryType PackageContents::type(const std::string& path) const {
  if (path.empty()) return EntryType::folder;
  const auto found = entries_.find(path);
  return found == entries_.end() ? EntryType::absent : found->second.type;
}

std::uint64_t PackageContents::size(const std::string& path) const {
  const auto found = entries_.find(path);
  return found == entries_.end() ? 0 : found->second.size;
}

std::string PackageContents::read(const std::string& path) const {
  const auto found = tags_.find(path);
  if (found == tags_.end()) throw std::runtime_error(path + ": not a tag file lantai read from the package");
  return found->second;
}

std::vector<ContentEntry> PackageContents::list(const std::string& folder, bool recursive, std::string&) const {
  std::vector<ContentEntry> listed;
  const std::string prefix = folder.empty() ? "" : folder + "/";
  for (auto it = entries_.lower_bound(prefix); it != entries_.end() && it->first.starts_with(prefix); ++it) {
    if (!recursive && it->first.find('/', prefix.size()) != std::string::npos) continue;
    listed.push_back({it->first, it->second.type, it->second.size});
  }
  return listed;
}

void PackageContents::hash(const std::vector<HashJob*>& jobs, const std::function<void(std::uint64_t)>& advanced) {
  std::map<std::uint64_t, HashJob*> by_ordinal;
  for (HashJob* job : jobs) {
    const auto found = entries_.find(job->path);
    if (found != entries_.end() && found->second.type == EntryType::file) by_ordinal[found->second.ordinal] = job;
    else job->error = "not a file in the package";
  }
  // The package's own digests on a thread of their own, beside the entries' on this one.
  ThreadedDigestStream package_digest(package_algorithms_);
  Source source;
  source.digests = &package_digest;
  source.fd = ::open(package_.c_str(), O_RDONLY | O_CLOEXEC);
  if (source.fd < 0) {
    for (auto& [ordinal, job] : by_ordinal) job->error = "the package cannot be read again";
    return;
  }
  ::posix_fadvise(source.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  source.file_bytes = file_bytes_;
  std::string failure;
  {
    const ScopedUtf8Locale utf8;
    // No skip callback: every byte of the package passes through the package digests.
    ArchivePtr handle = open_reader(source, false);
    archive* a = handle.get();
    std::vector<char> chunk(kChunkBytes);
    for (std::uint64_t ordinal = 0;; ++ordinal) {
      archive_entry* entry = nullptr;
      const int status = archive_read_next_header(a, &entry);
      if (status == ARCHIVE_EOF) break;
      if (status < ARCHIVE_WARN) {
        failure = error_of(a);
        break;
      }
      const auto found = by_ordinal.find(ordinal);
      if (found == by_ordinal.end()) {
        archive_read_data_skip(a);
        continue;
      }
      HashJob& job = *found->second;
      DigestStream digests(job.algorithms);
      for (;;) {
        const la_ssize_t n = archive_read_data(a, chunk.data(), chunk.size());
        if (n < 0) {
          job.error = error_of(a);
          break;
        }
        if (n == 0) break;
        digests.update({chunk.data(), static_cast<std::size_t>(n)});
        advanced(static_cast<std::uint64_t>(n));
      }
      if (job.error.empty()) job.found = digests.finish();
      by_ordinal.erase(found);
    }
  }
  // What libarchive did not need (the end blocks, a ZIP's central directory) is still
  // part of the file whose digest the centre takes.
  for (;;) {
    const ssize_t n = ::read(source.fd, source.buffer.data(), source.buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    package_digest.update({source.buffer.data(), static_cast<std::size_t>(n)});
    source.position += static_cast<std::uint64_t>(n);
  }
  ::close(source.fd);
  for (auto& [ordinal, job] : by_ordinal)
    job->error = failure.empty() ? "not found when the package was read again" : "the package is damaged: " + failure;
  if (!failure.empty() || source.position != file_bytes_) return;
  std::vector<std::string> hex = package_digest.finish();
  package_digests_.clear();
  for (std::size_t i = 0; i < package_algorithms_.size(); ++i)
    package_digests_.emplace_back(package_algorithms_[i], std::move(hex[i]));
}

void PackageContents::stream(const std::vector<std::string>& paths, const ChunkConsumer& consume) const {
  std::map<std::uint64_t, const std::string*> by_ordinal;
  for (const std::string& path : paths) {
    const auto found = entries_.find(path);
    if (found != entries_.end() && found->second.type == EntryType::file) by_ordinal[found->second.ordinal] = &path;
    else consume(path, {}, true);
  }
  Source source;
  source.fd = ::open(package_.c_str(), O_RDONLY | O_CLOEXEC);
  if (source.fd >= 0) {
    source.file_bytes = file_bytes_;
    const ScopedUtf8Locale utf8;
    ArchivePtr handle = open_reader(source, true);
    archive* a = handle.get();
    std::vector<char> chunk(kChunkBytes);
    for (std::uint64_t ordinal = 0; !by_ordinal.empty(); ++ordinal) {
      archive_entry* entry = nullptr;
      const int status = archive_read_next_header(a, &entry);
      if (status == ARCHIVE_EOF || status < ARCHIVE_WARN) break;
      const auto found = by_ordinal.find(ordinal);
      if (found == by_ordinal.end()) {
        archive_read_data_skip(a);
        continue;
      }
      for (;;) {
        const la_ssize_t n = archive_read_data(a, chunk.data(), chunk.size());
        if (n <= 0) break;
        consume(*found->second, {chunk.data(), static_cast<std::size_t>(n)}, false);
      }
      consume(*found->second, {}, true);
      by_ordinal.erase(found);
    }
    ::close(source.fd);
  }
  for (const auto& [ordinal, path] : by_ordinal) consume(*path, {}, true);  // damaged package
}

// Entry by entry, each streamed out of one read of the package and scanned as a file of
// its own: the package's size and entry count never meet ClamAV's limits, only each
// entry's size does (pipeline/virus_scanner.h).
std::vector<std::pair<std::string, VirusScanResult>> PackageContents::scan(const VirusScanner& scanner,
                                                                           std::string&) const {
  std::vector<std::string> files;
  for (const auto& [path, entry] : entries_)
    if (entry.type == EntryType::file) files.push_back(path);
  std::vector<std::pair<std::string, VirusScanResult>> flagged;
  std::unique_ptr<VirusScanner::StreamScan> current;
  stream(files, [&](const std::string& path, std::string_view chunk, bool end) {
    if (!current) current = scanner.scan_stream(path, size(path));
    if (!end) return current->add(chunk);
    VirusScanResult result = current->finish();
    current.reset();
    if (result.verdict != VirusScanResult::Verdict::clean) flagged.emplace_back(path, std::move(result));
  });
  return flagged;
}

}  // namespace lantai::verify
