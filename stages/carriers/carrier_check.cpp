#include "stages/carriers/carrier_check.h"

#define LIBISOFS_WITHOUT_LIBBURN
#include <fcntl.h>
#include <libisofs/libisofs.h>
#include <unistd.h>

#include <functional>
#include <optional>
#include <memory>
#include <set>
#include <string_view>
#include <system_error>

#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "pipeline/utf8.h"
#include "stages/carriers/carrier_codes.h"
#include "stages/carriers/libisofs_session.h"
#include "stages/carriers/carrier_layout.h"

namespace lantai::carriers {
namespace fs = std::filesystem;

namespace {

using Sink = std::function<void(std::string_view)>;

// The files of a carrier, and their bytes on request.
class CarrierReader {
 public:
  virtual ~CarrierReader() = default;
  std::map<std::string, std::uint64_t> files;  // regular files: path → size
  std::vector<std::string> problems;           // what cannot be a carrier file, already phrased
  // Streams one listed file; throws std::runtime_error when it cannot be read.
  virtual void read(const std::string& path, const Sink& sink) = 0;
};

class FolderReader final : public CarrierReader {
 public:
  explicit FolderReader(fs::path root) : root_(std::move(root)) {
    std::error_code error;
    fs::recursive_directory_iterator walk(root_, fs::directory_options::none, error);
    if (error) throw std::runtime_error(root_.string() + ": cannot be read (" + error.message() + ")");
    for (; walk != fs::recursive_directory_iterator(); walk.increment(error)) {
      if (error) throw std::runtime_error(root_.string() + ": cannot be read (" + error.message() + ")");
      const fs::file_status status = walk->symlink_status(error);
      const std::string rel = relative_utf8(walk->path(), root_);
      if (fs::is_directory(status)) continue;
      if (!fs::is_regular_file(status)) {
        problems.push_back(rel + ": a link or special file; a carrier holds plain files only");
        continue;
      }
      if (!is_safe_relative_path(rel)) {
        problems.push_back(rel + ": a name no carrier file may have");
        continue;
      }
      files[rel] = walk->file_size(error);
    }
  }

  void read(const std::string& path, const Sink& sink) override {
    const fs::path file = root_ / utf8_path(path);
    const int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error(std::error_code(errno, std::generic_category()).message());
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    std::vector<char> buffer(1 << 20);
    for (;;) {
      const ssize_t n = ::read(fd, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        const int saved = errno;
        ::close(fd);
        throw std::runtime_error(std::error_code(saved, std::generic_category()).message());
      }
      if (n == 0) break;
      sink({buffer.data(), static_cast<std::size_t>(n)});
    }
    ::close(fd);
  }

 private:
  fs::path root_;
};


// An ISO 9660 image read with libisofs: Rock Ridge names where present, else Joliet.
class IsoReader final : public CarrierReader {
 public:
  explicit IsoReader(const fs::path& iso) {
    start_libisofs();
    IsoDataSource* source = nullptr;
    int result = iso_data_source_new_from_file(iso.c_str(), &source);
    if (result < 0) throw std::runtime_error(iso_error_to_msg(result));
    IsoReadOpts* options = nullptr;
    iso_read_opts_new(&options, 0);
    iso_image_new("check", &image_);
    IsoReadImageFeatures* features = nullptr;
    result = iso_image_import(image_, source, options, &features);
    iso_read_opts_free(options);
    iso_data_source_unref(source);
    if (features) iso_read_image_features_destroy(features);
    if (result < 0) throw std::runtime_error(std::string("not a readable ISO 9660 image (") + iso_error_to_msg(result) + ")");
    walk(iso_image_get_root(image_), "", 0);
  }
  ~IsoReader() override {
    if (image_) iso_image_unref(image_);
  }

  void read(const std::string& path, const Sink& sink) override {
    IsoStream* stream = iso_file_get_stream(nodes_.at(path));
    int result = iso_stream_open(stream);
    if (result < 0) throw std::runtime_error(iso_error_to_msg(result));
    std::vector<char> buffer(1 << 20);
    for (;;) {
      result = iso_stream_read(stream, buffer.data(), buffer.size());
      if (result < 0) {
        iso_stream_close(stream);
        throw std::runtime_error(iso_error_to_msg(result));
      }
      if (result == 0) break;
      sink({buffer.data(), static_cast<std::size_t>(result)});
    }
    iso_stream_close(stream);
  }

 private:
  void walk(IsoDir* dir, const std::string& prefix, int depth) {
    if (depth > 64) {
      problems.push_back(prefix + ": folders nested deeper than 64");
      return;
    }
    IsoDirIter* iter = nullptr;
    if (iso_dir_get_children(dir, &iter) != 1) return;
    IsoNode* node = nullptr;
    while (iso_dir_iter_next(iter, &node) == 1) {
      const std::string path = prefix + iso_node_get_name(node);
      if (!is_safe_relative_path(path)) {
        problems.push_back(path + ": a name no carrier file may have");
      } else if (iso_node_get_type(node) == LIBISO_DIR) {
        walk(reinterpret_cast<IsoDir*>(node), path + "/", depth + 1);
      } else if (iso_node_get_type(node) == LIBISO_FILE) {
        nodes_[path] = reinterpret_cast<IsoFile*>(node);
        files[path] = static_cast<std::uint64_t>(iso_file_get_size(reinterpret_cast<IsoFile*>(node)));
      } else {
        problems.push_back(path + ": a link or special file; a carrier holds plain files only");
      }
    }
    iso_dir_iter_free(iter);
  }

  IsoImage* image_ = nullptr;
  std::map<std::string, IsoFile*> nodes_;
};

bool is_iso(const fs::path& path) {
  std::error_code error;
  return fs::is_regular_file(path, error);
}

class Checker {
 public:
  explicit Checker(CheckedCarrier& out) : out_(out) {}

  void run(CarrierReader& reader) {
    for (const std::string& problem : reader.problems) report(kCarrierMalformed, problem);
    const auto notice = small_file(reader, kNoticeFile);
    std::map<std::string, std::string> md5, sha256;
    const bool md5_read = manifest(reader, kMd5Manifest, md5);
    const bool sha256_read = manifest(reader, kSha256Manifest, sha256);
    // One file at a time, in path order: an optical drive reads fastest without seeking.
    for (const auto& [path, size] : reader.files) hash(reader, path);
    if (notice) check_notice(*notice);
    if (!md5_read || !sha256_read) return;
    const std::set<std::string> own{kNoticeFile, kMd5Manifest, kSha256Manifest};
    std::set<std::string> named;
    for (const auto* manifest_entries : {&md5, &sha256})
      for (const auto& [path, digest] : *manifest_entries) named.insert(path);
    for (const std::string& path : named) {
      auto found = out_.digests.find(path);
      if (found == out_.digests.end()) {
        if (!unreadable_.count(path)) report(kCarrierMissingFile, path + ": missing");
        continue;
      }
      const auto compare = [&](const std::map<std::string, std::string>& listing, const std::string& actual,
                               const char* algorithm, const char* manifest_file) {
        auto entry = listing.find(path);
        if (entry == listing.end())
          report(kCarrierMalformed, path + ": not in " + manifest_file);
        else if (entry->second != actual)
          report(kCarrierChanged, path + ": " + algorithm + " " + actual + ", " + manifest_file + " says " + entry->second);
      };
      compare(md5, found->second.first, "MD5", kMd5Manifest);
      compare(sha256, found->second.second, "SHA-256", kSha256Manifest);
    }
    for (const auto& [path, size] : reader.files)
      if (!named.count(path) && !own.count(path)) report(kCarrierExtraFile, path + ": on the carrier but in no manifest");
  }

 private:
  void report(const FindingCode& code, const std::string& message) { out_.findings.push_back(code(message)); }

  void hash(CarrierReader& reader, const std::string& path) {
    DigestStream digests({DigestAlgorithm::md5, DigestAlgorithm::sha256});
    const bool keep = path == kCarrierCatalogueFile;
    try {
      reader.read(path, [&](std::string_view bytes) {
        digests.update(bytes);
        if (keep && out_.catalogue.size() < kMaxListingBytes) out_.catalogue.append(bytes);
      });
    } catch (const std::exception& failure) {
      report(kCarrierMalformed, path + ": cannot be read (" + failure.what() + ")");
      unreadable_.insert(path);
      return;
    }
    auto found = digests.finish();
    out_.digests[path] = {found[0], found[1]};
  }

  std::optional<std::string> small_file(CarrierReader& reader, const std::string& path) {
    auto found = reader.files.find(path);
    if (found == reader.files.end()) {
      report(kCarrierMalformed, path + ": missing; every carrier has one");
      return std::nullopt;
    }
    if (found->second > kMaxListingBytes) {
      report(kCarrierMalformed, path + ": larger than " + std::to_string(kMaxListingBytes >> 20) + " MiB");
      return std::nullopt;
    }
    std::string bytes;
    try {
      reader.read(path, [&](std::string_view chunk) { bytes.append(chunk); });
    } catch (const std::exception& failure) {
      report(kCarrierMalformed, path + ": cannot be read (" + failure.what() + ")");
      return std::nullopt;
    }
    return bytes;
  }

  bool manifest(CarrierReader& reader, const char* file, std::map<std::string, std::string>& entries) {
    auto text = small_file(reader, file);
    if (!text) return false;
    try {
      for (auto& [path, digest] : parse_manifest(*text, file))
        if (!entries.emplace(path, digest).second) report(kCarrierMalformed, std::string(file) + ": lists " + path + " twice");
    } catch (const CarrierError& failure) {
      report(kCarrierMalformed, failure.what());
      return false;
    }
    return true;
  }

  void check_notice(const std::string& notice) {
    std::set<std::pair<std::string, std::string>> stated;
    for (const auto& [file, algorithm, digest] : stated_digests(notice)) {
      auto found = out_.digests.find(file);
      if (found == out_.digests.end()) continue;  // the manifest itself is reported missing
      const std::string& actual = algorithm == "MD5" ? found->second.first : found->second.second;
      stated.insert({file, algorithm});
      if (actual != digest)
        report(kCarrierManifestChanged, file + ": " + algorithm + " " + actual + ", " + kNoticeFile + " says " + digest);
    }
    for (const char* file : {kMd5Manifest, kSha256Manifest})
      for (const char* algorithm : {"MD5", "SHA256"})
        if (out_.digests.count(file) && !stated.count({file, algorithm}))
          report(kCarrierMalformed, std::string(kNoticeFile) + ": states no " + algorithm + " of " + file);
  }

  CheckedCarrier& out_;
  std::set<std::string> unreadable_;
};

// A carrier's catalogue rows by 档号 (the bytes go through load_catalog, as a file).
std::map<std::string, std::vector<std::string>> catalogue_rows(const std::string& bytes, const std::string& where) {
  std::string template_name = (fs::temp_directory_path() / "lantai-carrier-catalogue-XXXXXX").string();
  char* name = template_name.data();
  const int fd = ::mkstemp(name);
  if (fd < 0) throw std::runtime_error("cannot make a temporary file to read " + where);
  const bool written = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
  ::close(fd);
  std::map<std::string, std::vector<std::string>> rows;
  try {
    if (!written) throw CatalogError("cannot be copied to a temporary file");
    Catalog catalog = load_catalog(name);
    for (CatalogRecord& record : catalog.records) rows[record.ref] = std::move(record.values);
  } catch (const CatalogError& failure) {
    ::unlink(name);
    throw std::runtime_error(where + ": " + failure.what());
  }
  ::unlink(name);
  return rows;
}

// The bag path of a carrier file: entity/<年度>/<分类>/<档号>/x → data/entity/<档号>/x;
// other/x → data/x; empty for the carrier's own files.
std::string bag_path_of(const std::string& path) {
  if (path.rfind("other/", 0) == 0) return "data/" + path.substr(6);
  if (path.rfind("entity/", 0) != 0) return {};
  std::size_t at = 7;
  for (int skip = 0; skip < 2; ++skip) {
    at = path.find('/', at);
    if (at == std::string::npos) return {};
    ++at;
  }
  return std::string(kEntityFolder) + path.substr(at);
}

}  // namespace

CheckedCarrier check_carrier(const fs::path& folder_or_iso) {
  CheckedCarrier out;
  out.location = folder_or_iso;
  std::error_code error;
  if (!fs::exists(folder_or_iso, error)) {
    out.findings.push_back(kCarrierMalformed(folder_or_iso.string() + ": no such folder or image"));
    return out;
  }
  std::unique_ptr<CarrierReader> reader;
  try {
    if (is_iso(folder_or_iso)) reader = std::make_unique<IsoReader>(folder_or_iso);
    else reader = std::make_unique<FolderReader>(folder_or_iso);
  } catch (const std::exception& failure) {
    out.findings.push_back(kCarrierMalformed(folder_or_iso.string() + ": " + failure.what()));
    return out;
  }
  Checker(out).run(*reader);
  return out;
}

std::optional<std::string> read_carrier_file(const fs::path& folder_or_iso, const std::string& path) {
  try {
    std::unique_ptr<CarrierReader> reader;
    if (is_iso(folder_or_iso)) reader = std::make_unique<IsoReader>(folder_or_iso);
    else reader = std::make_unique<FolderReader>(folder_or_iso);
    auto found = reader->files.find(path);
    if (found == reader->files.end() || found->second > kMaxListingBytes) return std::nullopt;
    std::string bytes;
    reader->read(path, [&](std::string_view chunk) { bytes.append(chunk); });
    return bytes;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::vector<Finding> check_reproduces_bag(const BagContents& bag, const std::vector<CheckedCarrier>& carriers) {
  std::vector<Finding> findings;
  std::map<std::string, const BagFile*> bag_files;
  for (const BagRecord& record : bag.records)
    for (const BagFile& file : record.files) bag_files[file.path] = &file;
  for (const BagFile& file : bag.other_files) bag_files[file.path] = &file;
  std::map<std::string, std::vector<std::string>> found;  // bag path → carriers holding it
  std::map<std::string, std::vector<std::pair<std::string, std::vector<std::string>>>> rows;  // 档号 → (carrier, row)
  for (const CheckedCarrier& carrier : carriers) {
    const std::string where = carrier.location.string();
    for (const auto& [path, digests] : carrier.digests) {
      const std::string bag_path = bag_path_of(path);
      if (bag_path.empty()) continue;
      found[bag_path].push_back(where);
      auto listed = bag_files.find(bag_path);
      if (listed == bag_files.end())
        findings.push_back(kBagFileDiffers(where + ": " + path + ": the bag has no " + bag_path));
      else if (digests.first != listed->second->md5 || digests.second != listed->second->sha256)
        findings.push_back(kBagFileDiffers(where + ": " + path + ": SHA-256 " + digests.second + ", the bag's " +
                                           bag_path + " has " + listed->second->sha256));
    }
    if (carrier.digests.count(kCarrierCatalogueFile)) {
      try {
        for (auto& [ref, values] : catalogue_rows(carrier.catalogue, where + "/" + kCarrierCatalogueFile))
          rows[ref].emplace_back(where, std::move(values));
      } catch (const std::exception& failure) {
        findings.push_back(kCatalogueRow(failure.what()));
      }
    }
  }
  const auto place = [&](const BagFile& file) {
    auto at = found.find(file.path);
    if (at == found.end()) {
      findings.push_back(kBagFileMissing(file.path + ": on none of the carriers"));
    } else if (at->second.size() > 1) {
      std::string list;
      for (const std::string& where : at->second) list += (list.empty() ? "" : ", ") + where;
      findings.push_back(kBagFileTwice(file.path + ": on " + std::to_string(at->second.size()) + " carriers (" + list + ")"));
    }
  };
  for (const BagRecord& record : bag.records) {
    for (const BagFile& file : record.files) place(file);
    if (!record.row) continue;
    auto at = rows.find(record.ref);
    if (at == rows.end())
      findings.push_back(kCatalogueRow(record.ref + ": its catalogue row is on none of the carriers"));
    else if (at->second.size() > 1)
      findings.push_back(kCatalogueRow(record.ref + ": its catalogue row is on " + std::to_string(at->second.size()) +
                                       " carriers"));
    else if (at->second.front().second != record.row->values)
      findings.push_back(kCatalogueRow(record.ref + ": its catalogue row on " + at->second.front().first +
                                       " differs from the bag's"));
  }
  for (const BagFile& file : bag.other_files) place(file);
  return findings;
}

}  // namespace lantai::carriers
