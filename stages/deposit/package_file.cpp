#include "stages/deposit/package_file.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <stdexcept>
#include <system_error>

#include <nlohmann/json.hpp>

#include "pipeline/files.h"
#include "pipeline/registration.h"
#include "pipeline/threaded_digest.h"
#include "pipeline/utf8.h"

namespace lantai::deposit {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kChunkBytes = 1 << 20;

struct ArchiveFree {
  void operator()(archive* handle) const { archive_write_free(handle); }
};
struct EntryFree {
  void operator()(archive_entry* entry) const { archive_entry_free(entry); }
};

// The archive's bytes on their way to the file: hashed as they are written.
// The digests run on a thread of their own, so reading, copying and writing keep one core.
struct Sink {
  explicit Sink(const std::vector<DigestAlgorithm>& algorithms) : digests(algorithms) {}
  int fd = -1;
  ThreadedDigestStream digests;
  std::uint64_t bytes = 0;
  std::string error;
};

la_ssize_t write_bytes(archive* handle, void* data, const void* buffer, std::size_t length) {
  auto& sink = *static_cast<Sink*>(data);
  const char* at = static_cast<const char*>(buffer);
  std::size_t left = length;
  while (left > 0) {
    const ssize_t n = ::write(sink.fd, at, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      sink.error = std::error_code(errno, std::generic_category()).message();
      archive_set_error(handle, errno, "%s", sink.error.c_str());
      return -1;
    }
    at += n;
    left -= static_cast<std::size_t>(n);
  }
  sink.digests.update({static_cast<const char*>(buffer), length});
  sink.bytes += length;
  return static_cast<la_ssize_t>(length);
}

struct BagEntry {
  std::string path;  // relative to the bag, '/'-separated; a folder's ends in '/'
  fs::path file;
  std::uint64_t size = 0;
  bool folder = false;
};

// Every file and folder of the bag, in byte order of their paths. The bag builder writes
// no links, so one found here means the bag was tampered with.
std::vector<BagEntry> bag_entries(const fs::path& bag_dir) {
  std::vector<BagEntry> entries;
  for (const auto& item : fs::recursive_directory_iterator(bag_dir)) {
    const fs::file_status status = item.symlink_status();
    BagEntry entry;
    entry.path = relative_utf8(item.path(), bag_dir);
    entry.file = item.path();
    if (fs::is_directory(status)) {
      entry.folder = true;
      entry.path += '/';
    } else if (fs::is_regular_file(status)) {
      entry.size = item.file_size();
    } else {
      throw std::runtime_error(entry.path + ": a link or special file in the bag; it cannot be packaged");
    }
    entries.push_back(std::move(entry));
  }
  std::sort(entries.begin(), entries.end(), [](const BagEntry& a, const BagEntry& b) { return a.path < b.path; });
  return entries;
}

void check(archive* handle, int status, const std::string& what) {
  if (status < ARCHIVE_OK) {
    const char* why = archive_error_string(handle);
    throw std::runtime_error(what + ": " + (why ? why : "libarchive error"));
  }
}

void copy_into(archive* handle, const BagEntry& entry, std::vector<char>& buffer) {
  const int fd = ::open(entry.file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    throw std::runtime_error(entry.path + ": cannot be read to package it: " +
                             std::error_code(errno, std::generic_category()).message());
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  std::uint64_t copied = 0;
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : 0;
      ::close(fd);
      if (error) throw std::runtime_error(entry.path + ": read failed: " + std::error_code(error, std::generic_category()).message());
      break;
    }
    if (archive_write_data(handle, buffer.data(), static_cast<std::size_t>(n)) != n) {
      ::close(fd);
      check(handle, ARCHIVE_FATAL, entry.path);
    }
    copied += static_cast<std::uint64_t>(n);
  }
  // The header already gave the size: a file that changed meanwhile would corrupt the archive.
  if (copied != entry.size)
    throw std::runtime_error(entry.path + ": changed size while it was packaged (" + std::to_string(entry.size) +
                             " then " + std::to_string(copied) + " bytes)");
}

}  // namespace

std::string_view extension_of(PackageFormat format) { return format == PackageFormat::zip ? ".zip" : ".tar"; }

PackageFile write_package(const fs::path& bag_dir, const fs::path& package_path, PackageFormat format,
                          std::time_t mtime, const std::vector<DigestAlgorithm>& algorithms) {
  const std::string top = bag_dir.filename().string();
  const std::vector<BagEntry> entries = bag_entries(bag_dir);
  const fs::path partial = package_path.string() + ".partial";
  std::error_code ignored;
  fs::remove(partial, ignored);

  Sink sink(algorithms);
  sink.fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (sink.fd < 0)
    throw std::runtime_error(partial.string() + ": cannot be written: " +
                             std::error_code(errno, std::generic_category()).message());
  try {
    const ScopedUtf8Locale utf8;  // names in and out of libarchive as UTF-8, never the process locale's
    std::unique_ptr<archive, ArchiveFree> handle(archive_write_new());
    archive* a = handle.get();
    if (format == PackageFormat::zip) {
      check(a, archive_write_set_format_zip(a), "zip");
      check(a, archive_write_set_options(a, "zip:compression=store,zip:hdrcharset=UTF-8"), "zip options");
    } else {
      check(a, archive_write_set_format_pax_restricted(a), "pax");
      check(a, archive_write_set_options(a, "pax:hdrcharset=UTF-8"), "pax options");
    }
    check(a, archive_write_open2(a, &sink, nullptr, write_bytes, nullptr, nullptr), partial.string());

    std::vector<char> buffer(kChunkBytes);
    std::unique_ptr<archive_entry, EntryFree> header(archive_entry_new());
    auto write_header = [&](const std::string& path, bool folder, std::uint64_t size) {
      archive_entry* e = header.get();
      archive_entry_clear(e);
      archive_entry_set_pathname_utf8(e, path.c_str());
      archive_entry_set_filetype(e, folder ? AE_IFDIR : AE_IFREG);
      archive_entry_set_perm(e, folder ? 0755 : 0644);
      archive_entry_set_uid(e, 0);
      archive_entry_set_gid(e, 0);
      archive_entry_set_size(e, static_cast<la_int64_t>(size));
      if (format == PackageFormat::tar) archive_entry_set_mtime(e, mtime, 0);
      check(a, archive_write_header(a, e), path);
    };
    write_header(top + "/", true, 0);
    for (const BagEntry& entry : entries) {
      write_header(top + "/" + entry.path, entry.folder, entry.size);
      if (!entry.folder) copy_into(a, entry, buffer);
      check(a, archive_write_finish_entry(a), entry.path);
    }
    check(a, archive_write_close(a), partial.string());
    if (::fsync(sink.fd) != 0) throw std::runtime_error(partial.string() + ": cannot be synced");
    if (::close(sink.fd) != 0) throw std::runtime_error(partial.string() + ": cannot be closed");
    sink.fd = -1;
    fs::rename(partial, package_path);
    sync_directory(package_path.parent_path());
  } catch (...) {
    if (sink.fd >= 0) ::close(sink.fd);
    fs::remove(partial, ignored);
    throw;
  }

  PackageFile package;
  package.path = package_path;
  package.bytes = sink.bytes;
  std::vector<std::string> hex = sink.digests.finish();
  for (std::size_t i = 0; i < algorithms.size(); ++i) package.digests.emplace_back(algorithms[i], std::move(hex[i]));
  return package;
}

std::string package_json(const PackageFile& package, const PackageFacts& facts) {
  using nlohmann::ordered_json;
  ordered_json digests = ordered_json::array();
  for (const auto& [algorithm, hex] : package.digests)
    digests.push_back({{"algorithm", std::string(form_algorithm_name(algorithm))}, {"value", hex}});
  ordered_json json;
  json["form"] = "lantai.package/1";
  json["file"] = package.path.filename().string();
  json["size_bytes"] = package.bytes;
  json["data_volume_gb"] = data_volume_gb(package.bytes);
  json["data_volume_unit"] = "GB = 10^9 bytes";
  json["digests"] = std::move(digests);
  json["batch_id"] = facts.batch_id;
  json["fonds_code"] = facts.fonds_code;
  json["unit_name"] = facts.unit_name;
  json["payload_oxum"] = facts.payload_oxum;
  json["record_count"] = facts.record_count;
  json["page_count"] = facts.page_count;
  return json.dump(2) + "\n";
}

}  // namespace lantai::deposit
