// What verify_bag judges a bag against, and how it reports progress.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>

namespace lantai {
class Sm2Key;
class VirusScanner;
}

namespace lantai::verify {

enum class Policy {
  rfc8493,  // any BagIt 0.97 or 1.0 bag from any tool
  centre,   // RFC 8493 plus the registration centre's deposit rules
};

struct VerifyOptions {
  Policy policy = Policy::rfc8493;
  bool fast = false;         // completeness and Payload-Oxum only; no file is hashed
  bool require_sm3 = false;  // centre policy: manifest-sm3.txt and tagmanifest-sm3.txt required
  // Every file of the bag (payload and tag files) scanned with it; null: not scanned.
  const VirusScanner* virus_scanner = nullptr;
  // The bag's SM2 signature (bag-signature-sm2.txt) must verify with this public key, and
  // cover every tag file; null: a signature is reported as not checked.
  const Sm2Key* trusted_key = nullptr;
  // An earlier deposit bag: the bag must be an increment that continues it (chain_check.h).
  std::filesystem::path previous;
  // A package file checked with the centre policy: the package.json whose size and
  // digests it must match; empty for <package>.package.json beside it.
  std::filesystem::path package_form;
  // Called from the hashing threads, one call at a time, after each file and every few
  // megabytes: bytes hashed so far and in all. Must not throw.
  std::function<void(std::uint64_t done_bytes, std::uint64_t total_bytes)> progress;
};

}  // namespace lantai::verify
