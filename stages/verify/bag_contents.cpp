#include "stages/verify/bag_contents.h"

#include <fcntl.h>
#include <tbb/parallel_for_each.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <system_error>

#include "pipeline/files.h"

namespace lantai::verify {
namespace fs = std::filesystem;

namespace {

// Streams the file through every digest; the final component is never followed if a link.
void hash_file(const fs::path& file, HashJob& job, const std::function<void(std::uint64_t)>& advanced) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    job.error = std::error_code(errno, std::generic_category()).message();
    return;
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  DigestStream digests(job.algorithms);
  std::vector<char> buffer(1 << 20);
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      job.error = std::error_code(errno, std::generic_category()).message();
      ::close(fd);
      return;
    }
    if (n == 0) break;
    digests.update({buffer.data(), static_cast<size_t>(n)});
    advanced(static_cast<std::uint64_t>(n));
  }
  ::close(fd);
  job.found = digests.finish();
}

EntryType type_of(const fs::file_status& status) {
  if (!fs::exists(status)) return EntryType::absent;
  if (fs::is_symlink(status)) return EntryType::other;
  if (fs::is_directory(status)) return EntryType::folder;
  if (fs::is_regular_file(status)) return EntryType::file;
  return EntryType::other;
}

class FolderContents final : public BagContents {
 public:
  explicit FolderContents(fs::path dir) : dir_(std::move(dir)) {}

  EntryType type(const std::string& path) const override {
    fs::path at = dir_;
    EntryType found = EntryType::folder;
    for (const auto& part : fs::path(std::u8string(path.begin(), path.end()))) {
      at /= part;
      std::error_code error;
      found = type_of(fs::symlink_status(at, error));
      if (found == EntryType::absent || found == EntryType::other) return found;
    }
    return found;
  }

  std::uint64_t size(const std::string& path) const override {
    std::error_code error;
    const std::uintmax_t bytes = fs::file_size(path_of(path), error);
    return error ? 0 : bytes;
  }

  std::string read(const std::string& path) const override { return read_file(path_of(path)); }

  std::vector<ContentEntry> list(const std::string& folder, bool recursive, std::string& problem) const override {
    std::vector<ContentEntry> entries;
    const fs::path start = folder.empty() ? dir_ : path_of(folder);
    auto add = [&](const fs::directory_entry& item) {
      std::error_code entry_error;
      ContentEntry entry{relative_utf8(item.path(), dir_), type_of(item.symlink_status(entry_error))};
      if (entry.type == EntryType::file) entry.size = item.file_size(entry_error);
      entries.push_back(std::move(entry));
    };
    std::error_code error;
    if (recursive) {
      fs::recursive_directory_iterator it(start, error), end;
      for (; !error && it != end; it.increment(error)) add(*it);
    } else {
      fs::directory_iterator it(start, error), end;
      for (; !error && it != end; it.increment(error)) add(*it);
    }
    if (error) problem = error.message();
    return entries;
  }

  void hash(const std::vector<HashJob*>& jobs, const std::function<void(std::uint64_t)>& advanced) override {
    tbb::parallel_for_each(jobs.begin(), jobs.end(), [&](HashJob* job) {
      try {
        hash_file(path_of(job->path), *job, advanced);
      } catch (const std::exception& error) {
        job->error = error.what();
      }
    });
  }

  void stream(const std::vector<std::string>& paths, const ChunkConsumer& consume) const override {
    std::vector<char> chunk(1 << 20);
    for (const std::string& path : paths) {
      if (type(path) == EntryType::file) {  // never through a link
        std::ifstream in(path_of(path), std::ios::binary);
        while (in) {
          in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
          if (in.gcount() > 0) consume(path, {chunk.data(), static_cast<std::size_t>(in.gcount())}, false);
        }
      }
      consume(path, {}, true);
    }
  }

  // Every plain file, payload and tag files alike, links not followed, in parallel.
  std::vector<std::pair<std::string, VirusScanResult>> scan(const VirusScanner& scanner,
                                                            std::string& problem) const override {
    std::vector<std::string> files;
    for (const ContentEntry& entry : list("", true, problem))
      if (entry.type == EntryType::file) files.push_back(entry.path);
    std::vector<std::pair<std::string, VirusScanResult>> flagged;
    std::mutex mutex;
    tbb::parallel_for_each(files.begin(), files.end(), [&](const std::string& file) {
      VirusScanResult result = scanner.scan(path_of(file));
      if (result.verdict == VirusScanResult::Verdict::clean) return;
      std::lock_guard lock(mutex);
      flagged.emplace_back(file, std::move(result));
    });
    return flagged;
  }

 private:
  fs::path path_of(const std::string& path) const { return dir_ / fs::path(std::u8string(path.begin(), path.end())); }

  fs::path dir_;
};

}  // namespace

std::unique_ptr<BagContents> folder_contents(const fs::path& dir) { return std::make_unique<FolderContents>(dir); }

}  // namespace lantai::verify
