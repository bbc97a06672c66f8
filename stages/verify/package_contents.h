// A package file (the bag as one TAR or ZIP, as the deposit writes it) read as a bag with
// libarchive, nothing unpacked to disk, for the verifier's shared rules (bag_contents.h).
//
// Two reads of the file:
// 1. the index: every entry's name, type and size, and the bytes of the tag files (every
//    file outside data/ up to kMaxTagFileBytes), payload data skipped by seeking;
// 2. hash(): one sequential read in which the raw bytes, as libarchive is handed them,
//    feed the package file's own digests (MD5, SHA-256, SM3: what package.json states),
//    and each entry's data feeds the digests its manifests ask for. So the digest the
//    centre compares and the entries it checks come from the same read.
//
// Hostile packages: an entry outside the top folder, with an absolute path, a '..', '.'
// or empty part, or a backslash; a link (symbolic or hard) or special file; an entry
// given twice; a file claiming more bytes than the package holds; more than
// kMaxPackageEntries entries or kMaxTagBytesInMemory of tag files: each is one
// verify.package_unsafe finding, and the entry is left out of the bag. Nothing is ever
// written to disk, and memory is bounded by those limits.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/digest.h"
#include "pipeline/finding.h"
#include "stages/verify/bag_contents.h"

namespace lantai::verify {

inline constexpr std::uint64_t kMaxPackageEntries = 2'000'000;
inline constexpr std::uint64_t kMaxTagBytesInMemory = 512ull << 20;

class PackageContents final : public BagContents {
 public:
  // Reads the index (the first read). Problems with the file or its entries go to
  // findings, one line each, named as the entry is named in the package.
  // package_algorithms: the package file's own digests to take during hash().
  PackageContents(std::filesystem::path package, std::vector<DigestAlgorithm> package_algorithms,
                  std::vector<Finding>& findings);
  ~PackageContents() override;

  bool readable() const { return readable_; }     // false: no bag can be read from it
  const std::string& top_folder() const { return top_; }
  std::uint64_t file_bytes() const { return file_bytes_; }
  // The package file's digests (hex, in the order asked), once hash() has read it whole;
  // empty before, or when the read failed.
  const std::vector<std::pair<DigestAlgorithm, std::string>>& package_digests() const { return package_digests_; }

  EntryType type(const std::string& path) const override;
  std::uint64_t size(const std::string& path) const override;
  std::string read(const std::string& path) const override;
  std::vector<ContentEntry> list(const std::string& folder, bool recursive, std::string& problem) const override;
  void hash(const std::vector<HashJob*>& jobs, const std::function<void(std::uint64_t)>& advanced) override;
  // One sequential read of the package, the entries not asked for passed over.
  void stream(const std::vector<std::string>& paths, const ChunkConsumer& consume) const override;
  // Every entry scanned as a file of its own, streamed out of one read of the package.
  std::vector<std::pair<std::string, VirusScanResult>> scan(const VirusScanner& scanner,
                                                            std::string& problem) const override;

 private:
  struct Entry {
    EntryType type = EntryType::absent;
    std::uint64_t size = 0;
    std::uint64_t ordinal = 0;  // its place in the package, counting every header
  };
  void read_index(std::vector<Finding>& findings);

  std::filesystem::path package_;
  std::string name_;  // the package's file name, for messages
  std::vector<DigestAlgorithm> package_algorithms_;
  bool readable_ = false;
  std::string top_;
  std::uint64_t file_bytes_ = 0;
  std::uint64_t headers_ = 0;
  std::map<std::string, Entry> entries_;      // by path below the top folder; folders without '/'
  std::map<std::string, std::string> tags_;   // tag file bytes, by path
  std::vector<std::pair<DigestAlgorithm, std::string>> package_digests_;
};

}  // namespace lantai::verify
