// The registration package as one file: the finished bag written as one deterministic
// archive, WORK/deposit/<batch_id>.tar (or .zip, deposit.package), whose MD5 the centre
// recomputes with any md5 tool and compares with the printed forms (DA/T 70-2018 1-14).
//
// The archive holds the bag under one top folder, <batch_id>/, and nothing else:
// - entries in byte order of their paths, folders included (a folder's path ends in '/',
//   so it comes right before what it holds);
// - owner and group 0, no user or group names; folders 0755, files 0644;
// - TAR: POSIX pax (restricted: a pax header only where ustar cannot say it, such as a
//   UTF-8 or long name), every entry dated the bag's Bagging-Date at 00:00 UTC, so the
//   same bag always gives the same bytes and extracted files still show the day;
// - ZIP: the UTF-8 name flag on every entry whose name is not plain ASCII (the bytes are
//   the same either way), each file's CRC in a data descriptor after it (taken as it
//   streams; its sizes are in its header too), entries stored, not deflated (the payload
//   is JPEG, TIFF, JPEG 2000 and video, already compressed: deflate would spend CPU for
//   nothing, and stored bytes do not depend on the zlib version); ZIP dates are local
//   time, which would make the bytes depend on the machine's time zone, so every entry
//   carries 1980-01-01 00:00, the earliest ZIP date, and no UTC time field.
// No compression of the whole archive either: DA/T 70-2018 3-8 wants none inside the
// package, and it would gain nothing on images.
//
// Streaming: each bag file is read once, in 1 MiB pieces, and the archive's bytes are
// hashed as they are written (MD5, SHA-256, and SM3 when asked), so memory stays flat
// whatever the batch. Written to <name>.partial, synced, then renamed.
//
// The package's own digest cannot be inside it, so it travels beside it:
// WORK/deposit/<batch_id>.package.json (package_json below).
#pragma once

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/digest.h"
#include "pipeline/holdings.h"  // kPackageJsonSuffix

namespace lantai::deposit {

enum class PackageFormat { tar, zip };
std::string_view extension_of(PackageFormat format);  // ".tar", ".zip"

// One package file and the digests of its bytes, as the printed forms carry them.
struct PackageFile {
  std::filesystem::path path;
  std::uint64_t bytes = 0;
  // Of the file's bytes, lowercase hex, in the order asked (MD5, SHA-256 [, SM3]).
  std::vector<std::pair<DigestAlgorithm, std::string>> digests;
};

// Writes the bag at bag_dir into package_path (its top folder named after bag_dir),
// through package_path + ".partial". mtime: the TAR entries' date (seconds since the
// epoch, UTC). Throws std::runtime_error naming the file when a bag file cannot be read,
// is a link or special file, or the package cannot be written; nothing is left then.
PackageFile write_package(const std::filesystem::path& bag_dir, const std::filesystem::path& package_path,
                          PackageFormat format, std::time_t mtime, const std::vector<DigestAlgorithm>& algorithms);

// What package.json says beside the package, besides its file and digests.
struct PackageFacts {
  std::string batch_id;
  std::string fonds_code;  // 全宗号
  std::string unit_name;   // 单位名称
  std::string payload_oxum;  // the bag's Payload-Oxum, octets.files
  std::int64_t record_count = 0;
  std::int64_t page_count = 0;
};


// The text of <package>.package.json: file name, bytes, GB to 3 decimals, digests named as
// the forms name them, and the facts. Keys stable, in a fixed order; lantai verify
// --policy centre PACKAGE reads it back (stages/verify/package_contents.h).
std::string package_json(const PackageFile& package, const PackageFacts& facts);

}  // namespace lantai::deposit
