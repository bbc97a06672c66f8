#include "stages/carriers/carrier_writer.h"

#define LIBISOFS_WITHOUT_LIBBURN
#include <fcntl.h>
#include <libisofs/libisofs.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <system_error>

#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "stages/carriers/carrier_check.h"
#include "stages/carriers/libisofs_session.h"

namespace lantai::carriers {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kCopyBuffer = 1 << 20;

std::string errno_text() { return std::error_code(errno, std::generic_category()).message(); }

// A bag file read once, hashed as it is read, and held to the bag's manifests. It reads
// ahead in 1 MiB blocks, since libisofs asks for 2048 bytes at a time.
class VerifiedSource {
 public:
  explicit VerifiedSource(const CarrierFile& file) : file_(file) {}
  ~VerifiedSource() { close_file(); }

  void open() {
    close_file();
    fd_ = ::open(file_.source.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd_ < 0) throw CarrierError(file_.source.string() + ": cannot be read (" + errno_text() + ")");
    ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
    digests_ = std::make_unique<DigestStream>(std::vector{DigestAlgorithm::md5, DigestAlgorithm::sha256});
    ahead_.resize(kCopyBuffer);
    ahead_at_ = ahead_end_ = 0;
    read_ = 0;
  }

  // Up to count bytes; fewer only at the end of the file.
  std::size_t read(char* buffer, std::size_t count) {
    std::size_t got = 0;
    while (got < count && (ahead_at_ < ahead_end_ || read_ahead())) {
      const std::size_t n = std::min(count - got, ahead_end_ - ahead_at_);
      std::memcpy(buffer + got, ahead_.data() + ahead_at_, n);
      ahead_at_ += n;
      got += n;
    }
    return got;
  }

  // Throws when the bytes read differ from what the bag's manifests say.
  void finish() {
    close_file();
    const std::vector<std::string> found = digests_->finish();
    if (read_ != file_.size || found[0] != file_.md5 || found[1] != file_.sha256)
      throw CarrierError(file_.source.string() + ": differs from the bag's manifests (" + std::to_string(read_) +
                         " bytes, SHA-256 " + found[1] + ", the manifest says " + file_.sha256 +
                         "); the bag changed after it was made: run lantai verify on it. No carrier was made");
  }

 private:
  // The next block, hashed as it arrives; false at the end of the file.
  bool read_ahead() {
    ssize_t n;
    do n = ::read(fd_, ahead_.data(), ahead_.size());
    while (n < 0 && errno == EINTR);
    if (n < 0) throw CarrierError(file_.source.string() + ": read failed (" + errno_text() + ")");
    ahead_at_ = 0;
    ahead_end_ = static_cast<std::size_t>(n);
    digests_->update({ahead_.data(), ahead_end_});
    read_ += ahead_end_;
    return n > 0;
  }
  void close_file() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    std::vector<char>().swap(ahead_);  // an image has thousands of sources; only the open one holds a block
  }
  const CarrierFile& file_;
  int fd_ = -1;
  std::unique_ptr<DigestStream> digests_;
  std::vector<char> ahead_;
  std::size_t ahead_at_ = 0, ahead_end_ = 0;
  std::uint64_t read_ = 0;
};

void write_all(int fd, const char* data, std::size_t size, const fs::path& target) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(target.string() + ": write failed (" + errno_text() + ")");
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

// A new file below dir; O_EXCL and O_NOFOLLOW: nothing already there is written through.
int create_file(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(path.string() + ": cannot be created (" + errno_text() + ")");
  return fd;
}

// True when final_path holds this very carrier already: its manifest has the same bytes.
bool written_before(const fs::path& final_path, const CarrierLayout& layout) {
  std::error_code error;
  if (!fs::exists(fs::symlink_status(final_path, error))) return false;
  for (const CarrierFile& file : layout.files)
    if (file.path == kSha256Manifest && read_carrier_file(final_path, kSha256Manifest) == file.bytes) return true;
  throw CarrierError(final_path.string() +
                     ": already exists and holds another carrier; a carrier is never overwritten (move it away first)");
}

// Removes a .partial on every way out but success.
struct PartialGuard {
  fs::path path;
  bool done = false;
  ~PartialGuard() {
    std::error_code error;
    if (!done) fs::remove_all(path, error);
  }
};

void sync_and_rename(const fs::path& partial, const fs::path& final_path) {
  const int fd = ::open(partial.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::syncfs(fd) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error(partial.string() + ": cannot be synced (" + errno_text() + ")");
  }
  ::close(fd);
  std::error_code error;
  fs::rename(partial, final_path, error);
  if (error) throw std::runtime_error(final_path.string() + ": cannot be put in place (" + error.message() + ")");
  sync_directory(final_path.parent_path());
}

// ---- ISO 9660 through libisofs ----

// libisofs declares struct iso_stream only for C (its member is named `class`); this is
// the same layout, as libisofs.h advises for C++.
struct StreamObject {
  IsoStreamIface* iface;
  int refcount;
  void* data;
};

struct VerifiedStreamData {
  const CarrierFile* file;
  VerifiedSource source;
  std::string* error;           // the first failure of any stream, reported after writing
  const WriteProgress* progress;
  std::uint64_t* done;
  std::uint64_t total;
  ino_t serial;  // the stream's one id: the ISO 9660 and Joliet trees share its data only when it stays the same
};

VerifiedStreamData& data_of(IsoStream* stream) {
  return *static_cast<VerifiedStreamData*>(reinterpret_cast<StreamObject*>(stream)->data);
}

void keep_first_error(VerifiedStreamData& data, const std::exception& failure) {
  if (data.error->empty()) *data.error = failure.what();
}

int stream_open(IsoStream* stream) {
  VerifiedStreamData& data = data_of(stream);
  try {
    data.source.open();
    return 1;
  } catch (const std::exception& failure) {
    keep_first_error(data, failure);
    return static_cast<int>(ISO_FILE_ERROR);
  }
}

int stream_close(IsoStream* stream) {
  VerifiedStreamData& data = data_of(stream);
  try {
    data.source.finish();
  } catch (const std::exception& failure) {
    keep_first_error(data, failure);
  }
  return 1;
}

off_t stream_size(IsoStream* stream) { return static_cast<off_t>(data_of(stream).file->size); }

int stream_read(IsoStream* stream, void* buffer, size_t count) {
  VerifiedStreamData& data = data_of(stream);
  try {
    const std::size_t got = data.source.read(static_cast<char*>(buffer), count);
    *data.done += got;
    if (*data.progress) (*data.progress)(*data.done, data.total);
    return static_cast<int>(got);
  } catch (const std::exception& failure) {
    keep_first_error(data, failure);
    return static_cast<int>(ISO_FILE_READ_ERROR);
  }
}

int stream_repeatable(IsoStream*) { return 1; }

void stream_id(IsoStream* stream, unsigned int* fs_id, dev_t* dev_id, ino_t* ino_id) {
  *fs_id = 0;  // no file system of its own: a serial number, as libisofs asks
  *dev_id = 0;
  *ino_id = data_of(stream).serial;
}

void stream_free(IsoStream* stream) { delete &data_of(stream); }

int stream_update_size(IsoStream*) { return 1; }

IsoStreamIface verified_stream_class = {1, {'u', 's', 'e', 'r'}, stream_open, stream_close, stream_size, stream_read,
                                        stream_repeatable, stream_id, stream_free, stream_update_size};

IsoStream* verified_stream(const CarrierFile& file, std::string& error, const WriteProgress& progress,
                           std::uint64_t& done, std::uint64_t total) {
  // libisofs frees the object with free(): it must come from malloc.
  auto* object = static_cast<StreamObject*>(std::malloc(sizeof(StreamObject)));
  if (!object) throw std::bad_alloc();
  object->iface = &verified_stream_class;
  object->refcount = 1;
  object->data = new VerifiedStreamData{&file, VerifiedSource(file), &error, &progress, &done, total, serial_id++};
  return reinterpret_cast<IsoStream*>(object);
}

IsoStream* memory_stream(const std::string& bytes) {
  auto* buffer = static_cast<unsigned char*>(std::malloc(bytes.empty() ? 1 : bytes.size()));
  if (!buffer) throw std::bad_alloc();
  std::memcpy(buffer, bytes.data(), bytes.size());
  IsoStream* stream = nullptr;
  if (iso_memory_stream_new(buffer, bytes.size(), &stream) < 0) {
    std::free(buffer);
    throw std::bad_alloc();
  }
  return stream;
}


std::string iso_error(int code) { return iso_error_to_msg(code); }

struct ImageHandle {
  IsoImage* image = nullptr;
  ~ImageHandle() {
    if (image) iso_image_unref(image);
  }
};

}  // namespace

WrittenCarrier write_carrier_folder(const CarrierLayout& layout, const fs::path& out_dir, const WriteProgress& progress) {
  const fs::path final_dir = out_dir / utf8_path(layout.carrier.label);
  if (written_before(final_dir, layout)) return {final_dir, true};
  PartialGuard partial{out_dir / utf8_path(layout.carrier.label + ".partial")};
  std::error_code error;
  fs::remove_all(partial.path, error);
  fs::create_directories(out_dir, error);
  if (!fs::create_directory(partial.path, error) || error)
    throw std::runtime_error(partial.path.string() + ": cannot be created (" + error.message() + ")");
  const std::uint64_t total = layout.total_bytes();
  std::uint64_t done = 0;
  std::vector<char> buffer(kCopyBuffer);
  for (const CarrierFile& file : layout.files) {
    const fs::path target = partial.path / utf8_path(file.path);  // a checked relative path (lay_out_carrier)
    fs::create_directories(target.parent_path(), error);
    if (error) throw std::runtime_error(target.parent_path().string() + ": cannot be created (" + error.message() + ")");
    const int out = create_file(target);
    try {
      if (file.source.empty()) {
        write_all(out, file.bytes.data(), file.bytes.size(), target);
      } else {
        VerifiedSource source(file);
        source.open();
        for (std::size_t got; (got = source.read(buffer.data(), buffer.size())) > 0;) {
          write_all(out, buffer.data(), got, target);
          done += got;
          if (progress) progress(done, total);
        }
        source.finish();
      }
    } catch (...) {
      ::close(out);
      throw;
    }
    if (::close(out) != 0) throw std::runtime_error(target.string() + ": write failed (" + errno_text() + ")");
  }
  sync_and_rename(partial.path, final_dir);
  partial.done = true;
  return {final_dir};
}

WrittenCarrier write_carrier_iso(const CarrierLayout& layout, const fs::path& out_dir, const WriteProgress& progress) {
  start_libisofs();
  const fs::path final_file = out_dir / utf8_path(layout.carrier.label + ".iso");
  if (written_before(final_file, layout)) return {final_file, true};
  ImageHandle handle;
  const std::string& volume_id = layout.carrier.volume_id;
  int result = iso_image_new(volume_id.c_str(), &handle.image);
  if (result < 0) throw std::runtime_error("libisofs: " + iso_error(result));
  iso_image_set_application_id(handle.image, "LANTAI");
  iso_image_set_data_preparer_id(handle.image, "LANTAI CARRIERS");

  std::string stream_error;
  std::uint64_t done = 0;
  const std::uint64_t total = layout.total_bytes();
  std::map<std::string, IsoDir*> dirs{{"", iso_image_get_root(handle.image)}};
  const auto dir_of = [&](const std::string& path) {
    std::size_t slash = 0;
    IsoDir* parent = dirs[""];
    while ((slash = path.find('/', slash)) != std::string::npos) {
      const std::string prefix = path.substr(0, slash);
      auto found = dirs.find(prefix);
      if (found == dirs.end()) {
        IsoDir* dir = nullptr;
        const std::string name = prefix.substr(prefix.rfind('/') + 1);
        result = iso_image_add_new_dir(handle.image, parent, name.c_str(), &dir);
        if (result < 0) throw std::runtime_error(prefix + ": libisofs: " + iso_error(result));
        iso_node_set_permissions(reinterpret_cast<IsoNode*>(dir), 0555);
        found = dirs.emplace(prefix, dir).first;
      }
      parent = found->second;
      ++slash;
    }
    return parent;
  };
  for (const CarrierFile& file : layout.files) {
    IsoDir* dir = dir_of(file.path);
    IsoStream* stream = file.source.empty() ? memory_stream(file.bytes)
                                            : verified_stream(file, stream_error, progress, done, total);
    IsoFile* node = nullptr;
    const std::string name = file.path.substr(file.path.rfind('/') + 1);
    result = iso_image_add_new_file(handle.image, dir, name.c_str(), stream, &node);
    if (result < 0) {
      iso_stream_unref(stream);
      throw std::runtime_error(file.path + ": libisofs: " + iso_error(result));
    }
    iso_node_set_permissions(reinterpret_cast<IsoNode*>(node), 0444);
  }

  IsoWriteOpts* options = nullptr;
  if (iso_write_opts_new(&options, 0) < 0) throw std::runtime_error("libisofs: cannot make write options");
  iso_write_opts_set_iso_level(options, 3);  // files of 4 GiB and more, on an hdd carrier
  iso_write_opts_set_rockridge(options, 1);
  iso_write_opts_set_joliet(options, 1);
  iso_write_opts_set_joliet_longer_paths(options, 1);
  iso_write_opts_set_joliet_long_names(options, 1);
  iso_write_opts_set_always_gmt(options, 1);
  iso_write_opts_set_fifo_size(options, 16384);  // 32 MiB between libisofs's thread and this one
  burn_source* burn = nullptr;
  result = iso_image_create_burn_source(handle.image, options, &burn);
  iso_write_opts_free(options);
  if (result < 0) throw std::runtime_error("libisofs: " + iso_error(result));

  PartialGuard partial{out_dir / utf8_path(layout.carrier.label + ".iso.partial")};
  std::error_code error;
  fs::remove(partial.path, error);
  fs::create_directories(out_dir, error);
  int out = -1;
  std::string failure;
  try {
    out = create_file(partial.path);
    // libisofs hands out whole requests only (one longer than what is left returns
    // nothing), so the image's size decides each request: 1 MiB while that much is left,
    // then what remains. Large requests and a large ring buffer keep the two threads from
    // handing over every few sectors, which costs dearly on a busy machine.
    std::vector<unsigned char> buffer(512 * kSectorBytes);
    const off_t size = burn->get_size(burn);
    for (off_t left = size; left > 0;) {
      const int want = static_cast<int>(std::min<off_t>(left, static_cast<off_t>(buffer.size())));
      const int got = burn->read_xt(burn, buffer.data(), want);
      if (got != want) {
        failure = "libisofs could not make the image (" + std::to_string(size - left) + " of " +
                  std::to_string(size) + " bytes made)";
        break;
      }
      write_all(out, reinterpret_cast<const char*>(buffer.data()), static_cast<std::size_t>(got), partial.path);
      left -= got;
    }
  } catch (const std::exception& caught) {
    failure = caught.what();
  }
  if (!failure.empty()) burn->cancel(burn);
  burn->free_data(burn);
  std::free(burn);
  if (out >= 0 && ::fsync(out) != 0 && failure.empty()) failure = partial.path.string() + ": cannot be synced";
  if (out >= 0) ::close(out);
  if (!stream_error.empty()) throw CarrierError(stream_error);
  if (!failure.empty()) throw std::runtime_error(failure);
  fs::rename(partial.path, final_file, error);
  if (error) throw std::runtime_error(final_file.string() + ": cannot be put in place (" + error.message() + ")");
  partial.done = true;
  sync_directory(out_dir);
  return {final_file};
}

}  // namespace lantai::carriers
