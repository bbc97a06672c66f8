// Writes the files of one BagIt 1.0 bag below a folder and keeps what its manifests need:
// begin (construct), add payload and tag files, then write the payload manifests and,
// last, the tag manifests. Every file is written with write_file_atomically (synced).
// One builder per bag, used by one thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/digest.h"

namespace lantai::deposit {

// One lowercase hex digest per algorithm.
using Digests = std::map<DigestAlgorithm, std::string>;

// RFC 8493 §2.1.3: a path in a manifest has CR, LF and % percent-encoded.
std::string encode_manifest_path(std::string_view path);

class BagBuilder {
 public:
  // algorithms: the manifests to write, e.g. {md5, sha256}; sha256 must be among them.
  BagBuilder(std::filesystem::path bag_dir, std::vector<DigestAlgorithm> algorithms);

  // The digests of bytes for every manifest algorithm, computed from the bytes in memory.
  Digests digest(std::string_view bytes) const;

  // rel_path: '/'-separated, UTF-8, below data/. digests: from digest(bytes).
  void add_payload(const std::string& rel_path, std::string_view bytes, Digests digests);
  // Streams the file at source into the bag at rel_path (below data/), computing every
  // manifest's digest in the same one read; never holds the file in memory. Returns them.
  Digests copy_payload(const std::string& rel_path, const std::filesystem::path& source);
  // Puts the file at source into the bag at rel_path as a hard link, with the digests a
  // stage took as it wrote the file (every manifest algorithm), so it is neither copied nor
  // read; false when the filesystem cannot link it (the caller then copies it).
  bool link_payload(const std::string& rel_path, const std::filesystem::path& source, Digests digests,
                    std::uint64_t size_bytes);
  void add_tag_file(const std::string& rel_path, std::string_view bytes);

  // Writes manifest-<algorithm>.txt for each algorithm, lines sorted by path in byte
  // order; returns the bytes of manifest-sha256.txt (the package digest is over them).
  std::string write_payload_manifests();
  // Writes tagmanifest-<algorithm>.txt over every tag file added so far (manifests included).
  void write_tag_manifests();

  std::uint64_t payload_octets() const { return payload_octets_; }
  std::uint64_t payload_streams() const { return payload_.size(); }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::string manifest_text(const std::map<std::string, Digests>& files, DigestAlgorithm algorithm) const;

  std::filesystem::path dir_;
  std::vector<DigestAlgorithm> algorithms_;
  // By path: std::string compares as unsigned bytes (char_traits<char>), so map order is
  // the byte order the manifests are sorted in.
  std::map<std::string, Digests> payload_;
  std::map<std::string, Digests> tags_;
  std::uint64_t payload_octets_ = 0;
};

}  // namespace lantai::deposit
