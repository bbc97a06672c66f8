// What the verifier reads a bag through, so that a bag folder and a package file (the
// bag as one TAR or ZIP, package_contents.h) are judged by the same rules
// (bag_verifier.h). Paths are '/'-separated UTF-8, relative to the bag's top folder.
//
// A folder is read where it lies, links never followed; its files are hashed in
// parallel. A package is read with libarchive without unpacking anything to disk.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/digest.h"
#include "pipeline/virus_scanner.h"
#include "stages/verify/tag_lines.h"

namespace lantai::verify {

// The largest tag file lantai reads whole; a larger one is refused, not read.
inline constexpr std::uint64_t kMaxTagFileBytes = 256ull << 20;

// other: a link or special file, or a path that passes through a link.
enum class EntryType { absent, file, folder, other };

struct ContentEntry {
  std::string path;
  EntryType type = EntryType::absent;
  std::uint64_t size = 0;  // a file's
};

// One file to read once for all the algorithms its manifests use.
struct HashJob {
  std::string path;       // the file read
  std::string listed_as;  // the manifests' name for it, where that is another Unicode normalisation
  std::uint64_t size = 0;
  std::vector<DigestAlgorithm> algorithms;
  std::vector<const Manifest*> listing;
  std::vector<std::string> found;  // one per algorithm once read
  std::string error;               // why it could not be read
};

class BagContents {
 public:
  virtual ~BagContents() = default;
  virtual EntryType type(const std::string& path) const = 0;
  virtual std::uint64_t size(const std::string& path) const = 0;  // a file's; 0 for anything else
  // A file's bytes; the caller checks its size first. Throws std::runtime_error.
  virtual std::string read(const std::string& path) const = 0;
  // The entries below folder ("" for the bag's top), recursively or not, in no set order;
  // problem says why the listing is incomplete, when it is.
  virtual std::vector<ContentEntry> list(const std::string& folder, bool recursive, std::string& problem) const = 0;
  // Reads each job's file once through its algorithms, setting found or error. advanced
  // is called with bytes read, from any thread, one call at a time.
  virtual void hash(const std::vector<HashJob*>& jobs, const std::function<void(std::uint64_t)>& advanced) = 0;
  // Each file of paths read once, start to end, one file after another: consume(path,
  // chunk, false) for each chunk in order, then consume(path, {}, true) at its end (also
  // for a file that cannot be read, after what could be). For what the files are (the
  // 四性 report's formats), not for their digests.
  using ChunkConsumer = std::function<void(const std::string& path, std::string_view chunk, bool end)>;
  virtual void stream(const std::vector<std::string>& paths, const ChunkConsumer& consume) const = 0;
  // Every file of the bag scanned with ClamAV: (path, result) for each not clean, and
  // problem when something could not be listed.
  virtual std::vector<std::pair<std::string, VirusScanResult>> scan(const VirusScanner& scanner,
                                                                    std::string& problem) const = 0;
};

// The bag folder at dir (which the caller has found to be a folder).
std::unique_ptr<BagContents> folder_contents(const std::filesystem::path& dir);

}  // namespace lantai::verify
