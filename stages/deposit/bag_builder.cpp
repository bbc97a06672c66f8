#include "stages/deposit/bag_builder.h"

#include <algorithm>
#include <cassert>
#include <stdexcept>

#include "pipeline/files.h"

namespace lantai::deposit {
namespace fs = std::filesystem;

namespace {

fs::path utf8_path(std::string_view text) { return fs::path(std::u8string(text.begin(), text.end())); }

}  // namespace

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
