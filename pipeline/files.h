// File helpers every stage uses to write outputs: atomically (temp file, fsync,
// rename) so that a crash never leaves a half-written output under its final name.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "pipeline/stage.h"

namespace lantai {

// Writes bytes to path atomically, creating parent folders. Throws std::runtime_error
// naming the path on failure.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

// Removes, below dir, the temp files a killed write_file_atomically left behind. A rerun
// calls it on WORK so a crash leaves no litter; finished outputs are never touched.
void remove_stale_temp_files(const std::filesystem::path& dir);

// Writes below work_dir and describes the output for the ledger.
StageOutput write_output(const std::filesystem::path& work_dir, const std::string& rel_path,
                         std::string_view bytes, std::string kind);

std::string read_file(const std::filesystem::path& path);  // throws std::runtime_error

// '/'-separated UTF-8 form of a path relative to base.
std::string relative_utf8(const std::filesystem::path& path, const std::filesystem::path& base);

// fsync a directory so a rename inside it is durable.
void sync_directory(const std::filesystem::path& dir);

}  // namespace lantai
