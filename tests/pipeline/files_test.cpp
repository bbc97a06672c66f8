// Atomic writes leave either the old file or the new one, and no litter after a rerun.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "pipeline/digest.h"
#include "pipeline/files.h"

namespace lantai {
namespace {

namespace fs = std::filesystem;

//! write_output creates folders, writes the bytes and reports their sha256 and size.
TEST(Files, WriteOutputDescribesWhatItWrote) {
  fs::path work = fs::temp_directory_path() / "lantai-files-output";
  fs::remove_all(work);
  StageOutput output = write_output(work, "derivatives/J012-1/0001.jpg", "bytes", "derivative");
  EXPECT_EQ(read_file(work / "derivatives/J012-1/0001.jpg"), "bytes");
  EXPECT_EQ(output.sha256, hex_digest(DigestAlgorithm::sha256, "bytes"));
  EXPECT_EQ(output.size_bytes, 5u);
  EXPECT_EQ(output.path, "derivatives/J012-1/0001.jpg");
  write_output(work, "derivatives/J012-1/0001.jpg", "other", "derivative");
  EXPECT_EQ(read_file(work / "derivatives/J012-1/0001.jpg"), "other");
  EXPECT_EQ(std::distance(fs::directory_iterator(work / "derivatives/J012-1"), fs::directory_iterator()), 1);
}

//! An output streamed in pieces is hashed as written, appears under its name only on commit, and leaves nothing when abandoned.
TEST(Files, OutputFileStreamsAndCommitsAtomically) {
  fs::path work = fs::temp_directory_path() / "lantai-files-stream";
  fs::remove_all(work);
  const std::string piece(1 << 20, 'a');
  std::string whole;
  {
    OutputFile file(work, "av/J012-1/0001.dat", "av_file");
    for (int i = 0; i < 8; ++i) {
      file.write(piece);
      whole += piece;
    }
    EXPECT_FALSE(fs::exists(work / "av/J012-1/0001.dat")) << "visible before commit";
    const StageOutput output = file.commit();
    EXPECT_EQ(output.size_bytes, whole.size());
    EXPECT_EQ(output.sha256, hex_digest(DigestAlgorithm::sha256, whole));
    EXPECT_EQ(output.kind, "av_file");
  }
  EXPECT_EQ(fs::file_size(work / "av/J012-1/0001.dat"), whole.size());
  {
    OutputFile abandoned(work, "av/J012-1/0002.dat", "av_file");
    abandoned.write("half");
  }
  EXPECT_FALSE(fs::exists(work / "av/J012-1/0002.dat"));
  EXPECT_EQ(std::distance(fs::directory_iterator(work / "av/J012-1"), fs::directory_iterator()), 1);
}

//! Temp files a killed writer left are removed; finished outputs stay.
TEST(Files, RemovesStaleTempFilesOnly) {
  fs::path work = fs::temp_directory_path() / "lantai-files-stale";
  fs::remove_all(work);
  write_output(work, "ocr/A/0001.txt", "text", "ocr_text");
  std::ofstream(work / "ocr/A/0002.txt.lantai-tmp.123.0") << "half";
  remove_stale_temp_files(work / "ocr");
  EXPECT_TRUE(fs::exists(work / "ocr/A/0001.txt"));
  EXPECT_FALSE(fs::exists(work / "ocr/A/0002.txt.lantai-tmp.123.0"));
  EXPECT_NO_THROW(remove_stale_temp_files(work / "missing"));
}

//! A write into a folder that cannot be made fails with the path in the message.
TEST(Files, FailureNamesThePath) {
  try {
    write_file_atomically("/proc/lantai-cannot/x.txt", "x");
    FAIL() << "write into /proc succeeded";
  } catch (const std::exception& error) {
    EXPECT_NE(std::string(error.what()).find("/proc/lantai-cannot"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace lantai
