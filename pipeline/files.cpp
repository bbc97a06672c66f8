#include "pipeline/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "pipeline/digest.h"

namespace lantai {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const fs::path& path, const char* what) {
  throw std::runtime_error("cannot " + std::string(what) + " " + path.string() + ": " +
                           std::strerror(errno));
}

constexpr std::string_view kTempMarker = ".lantai-tmp.";

// Unique per process and call, so parallel writers never share a temp file.
std::string temp_suffix() {
  static std::atomic<unsigned long> counter{0};
  return std::string(kTempMarker) + std::to_string(::getpid()) + "." + std::to_string(counter++);
}

}  // namespace

void sync_directory(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) fail(dir, "open folder");
  ::fsync(fd);
  ::close(fd);
}

namespace {

// A new temp file beside path, its parent folders created.
int create_temp(const fs::path& path, fs::path& temp) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  temp = path;
  temp += temp_suffix();
  int fd = ::open(temp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail(temp, "create");
  return fd;
}

bool write_all(int fd, std::string_view bytes) {
  const char* data = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    left -= static_cast<size_t>(n);
  }
  return true;
}

// Syncs and closes fd, then renames temp to path durably; removes temp on any failure.
void publish(int fd, const fs::path& temp, const fs::path& path) {
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(temp.c_str());
    fail(path, "flush");
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    fail(path, "rename into place");
  }
  sync_directory(path.has_parent_path() ? path.parent_path() : fs::path("."));
}

}  // namespace

void write_file_atomically(const fs::path& path, std::string_view bytes) {
  fs::path temp;
  int fd = create_temp(path, temp);
  if (!write_all(fd, bytes)) {
    ::close(fd);
    ::unlink(temp.c_str());
    fail(path, "write");
  }
  publish(fd, temp, path);
}

OutputFile::OutputFile(const fs::path& work_dir, std::string rel_path, std::string kind, Digests digests)
    : final_path_(work_dir / utf8_path(rel_path)),
      rel_path_(std::move(rel_path)),
      kind_(std::move(kind)),
      taken_(digests),
      digests_(digests == Digests::manifests
                   ? std::vector{DigestAlgorithm::sha256, DigestAlgorithm::md5, DigestAlgorithm::sm3}
                   : std::vector{DigestAlgorithm::sha256}) {
  fd_ = create_temp(final_path_, temp_path_);
}

OutputFile::~OutputFile() {
  if (fd_ < 0) return;
  ::close(fd_);
  ::unlink(temp_path_.c_str());
}

void OutputFile::write(std::string_view bytes) {
  if (fd_ < 0) throw std::logic_error("OutputFile::write after commit");
  if (!write_all(fd_, bytes)) fail(final_path_, "write");
  digests_.update(bytes);
  size_bytes_ += bytes.size();
}

int OutputFile::descriptor() {
  if (fd_ < 0) throw std::logic_error("OutputFile::descriptor after commit");
  if (size_bytes_ > 0) throw std::logic_error("OutputFile::descriptor after write");
  written_by_library_ = true;
  return fd_;
}

StageOutput OutputFile::commit() {
  if (fd_ < 0) throw std::logic_error("OutputFile::commit twice");
  if (written_by_library_) {
    std::string chunk(1 << 20, '\0');
    for (off_t at = 0;;) {
      const ssize_t n = ::pread(fd_, chunk.data(), chunk.size(), at);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail(final_path_, "read back");
      if (n == 0) break;
      digests_.update(std::string_view(chunk.data(), static_cast<size_t>(n)));
      size_bytes_ += static_cast<std::uint64_t>(n);
      at += n;
    }
  }
  const int fd = fd_;
  fd_ = -1;
  publish(fd, temp_path_, final_path_);
  std::vector<std::string> hex = digests_.finish();
  StageOutput output{kind_, rel_path_, std::move(hex[0]), size_bytes_};
  if (taken_ == Digests::manifests) {
    output.md5 = std::move(hex[1]);
    output.sm3 = std::move(hex[2]);
  }
  return output;
}

void remove_stale_temp_files(const fs::path& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) return;
  for (auto it = fs::recursive_directory_iterator(dir, error); !error && it != fs::recursive_directory_iterator();
       it.increment(error))
    if (it->is_regular_file(error) && it->path().filename().string().find(kTempMarker) != std::string::npos)
      fs::remove(it->path(), error);
}

StageOutput write_output(const fs::path& work_dir, const std::string& rel_path,
                         std::string_view bytes, std::string kind) {
  OutputFile file(work_dir, rel_path, std::move(kind));
  file.write(bytes);
  return file.commit();
}

fs::path utf8_path(std::string_view text) { return fs::path(std::u8string(text.begin(), text.end())); }

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "open");
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) fail(path, "read");
  return std::move(out).str();
}

std::string relative_utf8(const fs::path& path, const fs::path& base) {
  std::u8string text = path.lexically_relative(base).generic_u8string();
  return std::string(text.begin(), text.end());
}

std::optional<std::string> read_output(const std::filesystem::path& work_dir, const StageOutput& output) {
  std::string bytes = read_file(work_dir / utf8_path(output.path));
  if (hex_digest(DigestAlgorithm::sha256, bytes) != output.sha256) return std::nullopt;
  return bytes;
}

}  // namespace lantai
