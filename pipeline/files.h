// File helpers every stage uses to write outputs: atomically (temp file, fsync,
// rename) so that a crash never leaves a half-written output under its final name.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "pipeline/digest.h"
#include "pipeline/stage.h"

namespace lantai {

// Writes bytes to path atomically, creating parent folders. Throws std::runtime_error
// naming the path on failure.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

// Removes, below dir, the temp files a killed write_file_atomically left behind. A rerun
// calls it on WORK so a crash leaves no litter; finished outputs are never touched.
void remove_stale_temp_files(const std::filesystem::path& dir);

// An output streamed to WORK: written to a temp file beside its final name, hashed
// (SHA-256) while it is written, then synced and renamed into place by commit(). It never
// holds the whole file in memory, so a 4 GB video is as safe as a page. Destroyed without
// commit(), it removes its temp file. One writer per object.
class OutputFile {
 public:
  // sha256 only, or every digest a bag's manifests use (md5, sha256, sm3) in the same pass.
  enum class Digests { sha256, manifests };
  // rel_path: '/'-separated UTF-8 below work_dir. Throws std::runtime_error naming the path.
  OutputFile(const std::filesystem::path& work_dir, std::string rel_path, std::string kind,
             Digests digests = Digests::sha256);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write(std::string_view bytes);
  // For a library that writes the file itself and seeks back as it goes (libtiff links
  // each page's directory to the next): it writes through this descriptor instead of
  // write(), and commit() reads the finished file once to hash it.
  int descriptor();
  StageOutput commit();  // durable under its final name; describes it for the ledger

 private:
  std::filesystem::path final_path_, temp_path_;
  std::string rel_path_, kind_;
  int fd_ = -1;
  bool written_by_library_ = false;
  std::uint64_t size_bytes_ = 0;
  Digests taken_;
  DigestStream digests_;
};

// Writes bytes below work_dir as one OutputFile and describes the output for the ledger.
StageOutput write_output(const std::filesystem::path& work_dir, const std::string& rel_path,
                         std::string_view bytes, std::string kind);

// A '/'-separated UTF-8 path as a filesystem path.
std::filesystem::path utf8_path(std::string_view text);

std::string read_file(const std::filesystem::path& path);  // throws std::runtime_error

// An output's bytes as the ledger recorded them, or nullopt when the file has changed
// since it was written (its SHA-256 differs). Throws std::runtime_error when unreadable.
std::optional<std::string> read_output(const std::filesystem::path& work_dir, const StageOutput& output);

// '/'-separated UTF-8 form of a path relative to base.
std::string relative_utf8(const std::filesystem::path& path, const std::filesystem::path& base);

// fsync a directory so a rename inside it is durable.
void sync_directory(const std::filesystem::path& dir);

}  // namespace lantai
