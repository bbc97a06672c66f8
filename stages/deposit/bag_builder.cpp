#include "stages/deposit/bag_builder.h"

#include <algorithm>
#include <cassert>
#include <fstream>
#include <stdexcept>

#include "pipeline/files.h"

namespace lantai::deposit {
namespace fs = std::filesystem;

std::string encode_manifest_path(std::string_view path) {
  std::string encoded;
  encoded.reserve(path.size());
  for (char c : path) {
    if (c == '%') encoded += "%25";
    else if (c == '\r') encoded += "%0D";
    else if (c == '\n') encoded += "%0A";
    else encoded.push_back(c);
  }
  return encoded;
}

BagBuilder::BagBuilder(fs::path bag_dir, std::vector<DigestAlgorithm> algorithms)
    : dir_(std::move(bag_dir)), algorithms_(std::move(algorithms)) {
  // The package digest and the WORK check both need SHA-256.
  assert(std::find(algorithms_.begin(), algorithms_.end(), DigestAlgorithm::sha256) != algorithms_.end());
}

Digests BagBuilder::digest(std::string_view bytes) const {
  Digests digests;
  for (DigestAlgorithm algorithm : algorithms_) digests[algorithm] = hex_digest(algorithm, bytes);
  return digests;
}

void BagBuilder::add_payload(const std::string& rel_path, std::string_view bytes, Digests digests) {
  // A programming error in the caller: the payload lives under data/.
  assert(rel_path.starts_with("data/"));
  if (payload_.count(rel_path))
    throw std::runtime_error("two payload files would share the bag path " + rel_path);
  write_file_atomically(dir_ / utf8_path(rel_path), bytes);
  payload_octets_ += bytes.size();
  payload_.emplace(rel_path, std::move(digests));
}

Digests BagBuilder::copy_payload(const std::string& rel_path, const fs::path& source) {
  assert(rel_path.starts_with("data/"));
  if (payload_.count(rel_path))
    throw std::runtime_error("two payload files would share the bag path " + rel_path);
  std::ifstream in(source, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + source.string());
  OutputFile out(dir_, rel_path, "payload");
  DigestStream digests(algorithms_);
  std::vector<char> buffer(1 << 20);
  std::uint64_t size = 0;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    if (n == 0) break;
    digests.update({buffer.data(), n});
    out.write({buffer.data(), n});
    size += n;
  }
  if (in.bad()) throw std::runtime_error("cannot read " + source.string());
  out.commit();
  Digests result;
  std::vector<std::string> hex = digests.finish();
  for (std::size_t i = 0; i < algorithms_.size(); ++i) result[algorithms_[i]] = std::move(hex[i]);
  payload_octets_ += size;
  payload_.emplace(rel_path, result);
  return result;
}

bool BagBuilder::link_payload(const std::string& rel_path, const fs::path& source, Digests digests,
                              std::uint64_t size_bytes) {
  assert(rel_path.starts_with("data/"));
  if (payload_.count(rel_path))
    throw std::runtime_error("two payload files would share the bag path " + rel_path);
  for (DigestAlgorithm algorithm : algorithms_)
    if (digests[algorithm].empty()) throw std::logic_error("link_payload without a " + std::string(to_string(algorithm)));
  const fs::path target = dir_ / utf8_path(rel_path);
  fs::create_directories(target.parent_path());
  std::error_code error;
  fs::create_hard_link(source, target, error);
  if (error) return false;
  payload_octets_ += size_bytes;
  payload_.emplace(rel_path, std::move(digests));
  return true;
}

void BagBuilder::add_tag_file(const std::string& rel_path, std::string_view bytes) {
  write_file_atomically(dir_ / utf8_path(rel_path), bytes);
  tags_[rel_path] = digest(bytes);
}

std::string BagBuilder::manifest_text(const std::map<std::string, Digests>& files,
                                      DigestAlgorithm algorithm) const {
  std::string text;
  for (const auto& [path, digests] : files) {
    text += digests.at(algorithm);
    text += "  ";
    text += encode_manifest_path(path);
    text += '\n';
  }
  return text;
}

std::string BagBuilder::write_payload_manifests() {
  std::string sha256_manifest;
  for (DigestAlgorithm algorithm : algorithms_) {
    std::string text = manifest_text(payload_, algorithm);
    add_tag_file("manifest-" + std::string(to_string(algorithm)) + ".txt", text);
    if (algorithm == DigestAlgorithm::sha256) sha256_manifest = std::move(text);
  }
  return sha256_manifest;
}

void BagBuilder::write_tag_manifests() {
  // Tag manifests list the other tag files, never themselves: built from one snapshot.
  const std::map<std::string, Digests> tags = tags_;
  for (DigestAlgorithm algorithm : algorithms_)
    write_file_atomically(dir_ / ("tagmanifest-" + std::string(to_string(algorithm)) + ".txt"),
                          manifest_text(tags, algorithm));
}

}  // namespace lantai::deposit
