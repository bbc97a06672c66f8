// The registration package as one file: deterministic TAR and ZIP of the bag, its digests
// taken as it is written and stated in package.json beside it.
#include "stages/deposit/package_file.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>

#include "pipeline/files.h"
#include "pipeline/registration.h"
#include "pipeline/utf8.h"
#include "stages/deposit/deposit_stage.h"
#include "tests/stages/deposit/synthetic_work.h"

namespace lantai::deposit {
namespace {

namespace fs = std::filesystem;
using namespace lantai::test_support;

struct ArchiveEntryRead {
  std::string path;
  int type = 0;
  int perm = 0;
  long long uid = -1, gid = -1;
  std::string uname, gname;
  long long mtime = 0;
  bool mtime_set = false;
  long long size = 0;
};

// Every entry of a package as libarchive reads it back.
std::vector<ArchiveEntryRead> read_entries(const fs::path& package) {
  std::vector<ArchiveEntryRead> entries;
  const ScopedUtf8Locale utf8;
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  archive_read_support_format_zip(a);
  EXPECT_EQ(archive_read_open_filename(a, package.c_str(), 1 << 16), ARCHIVE_OK) << archive_error_string(a);
  archive_entry* entry = nullptr;
  int status = ARCHIVE_OK;
  while ((status = archive_read_next_header(a, &entry)) == ARCHIVE_OK) {
    ArchiveEntryRead read;
    const char* name = archive_entry_pathname_utf8(entry);
    read.path = name ? name : "(not UTF-8)";
    read.type = archive_entry_filetype(entry);
    read.perm = archive_entry_perm(entry);
    read.uid = archive_entry_uid(entry);
    read.gid = archive_entry_gid(entry);
    read.uname = archive_entry_uname(entry) ? archive_entry_uname(entry) : "";
    read.gname = archive_entry_gname(entry) ? archive_entry_gname(entry) : "";
    read.mtime_set = archive_entry_mtime_is_set(entry);
    read.mtime = archive_entry_mtime(entry);
    read.size = archive_entry_size(entry);
    entries.push_back(std::move(read));
  }
  EXPECT_EQ(status, ARCHIVE_EOF) << archive_error_string(a);
  archive_read_free(a);
  return entries;
}

std::string command_output(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return output;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe)) output += buffer;
  ::pclose(pipe);
  return output;
}

class PackageFileTest : public ::testing::Test {
 protected:
  Outcome deposit(const std::string& section_yaml = "deposit:\n") {
    batch_ = make_synthetic_work(work_.path());
    Profile profile = load_profile(scratch_.path(), section_yaml);
    ProfileSection section = profile.section("deposit");
    DepositStage stage;
    stage.setup(section, StageContext{work_.path(), work_.path(), 1});
    return stage.process(batch_);
  }
  fs::path bag() const { return work_.path() / "deposit" / utf8_path(batch_.batch_id); }
  fs::path beside(const std::string& suffix) const {
    return work_.path() / "deposit" / utf8_path(batch_.batch_id + suffix);
  }

  TempDir work_{"package-work"};
  TempDir scratch_{"package-scratch"};
  BatchWork batch_;
};

//! The deposit writes <batch>.tar and <batch>.package.json beside the bag, records both as outputs, and md5sum of the file equals what package.json states.
TEST_F(PackageFileTest, WritesThePackageAndItsFiguresBesideTheBag) {
  const Outcome outcome = deposit();
  const fs::path tar = beside(".tar");
  ASSERT_TRUE(fs::is_regular_file(tar));
  EXPECT_FALSE(fs::exists(beside(".zip")));
  EXPECT_FALSE(fs::exists(beside(".tar.partial")));

  const auto json = nlohmann::json::parse(read_file(beside(".package.json")));
  EXPECT_EQ(json["file"], batch_.batch_id + ".tar");
  EXPECT_EQ(json["size_bytes"].get<std::uint64_t>(), fs::file_size(tar));
  EXPECT_EQ(json["data_volume_gb"], data_volume_gb(fs::file_size(tar)));
  EXPECT_EQ(json["batch_id"], batch_.batch_id);
  EXPECT_EQ(json["fonds_code"], "J012");
  EXPECT_EQ(json["unit_name"], "某某市档案馆");
  EXPECT_EQ(json["record_count"], 3);
  EXPECT_EQ(json["page_count"], 6);
  EXPECT_NE(read_file(bag() / "bag-info.txt").find("Payload-Oxum: " + json["payload_oxum"].get<std::string>() + "\n"),
            std::string::npos);
  ASSERT_EQ(json["digests"].size(), 2u);
  EXPECT_EQ(json["digests"][0]["algorithm"], "MD5");
  EXPECT_EQ(json["digests"][1]["algorithm"], "SHA-256");
  const auto found = hex_digests_of_file(tar, {DigestAlgorithm::md5, DigestAlgorithm::sha256});
  EXPECT_EQ(json["digests"][0]["value"], found[0]);
  EXPECT_EQ(json["digests"][1]["value"], found[1]);
  // The centre's own tool.
  EXPECT_EQ(command_output("md5sum '" + tar.string() + "'").substr(0, 32), found[0]);

  std::map<std::string, StageOutput> outputs;
  for (const StageOutput& output : outcome.outputs) outputs[output.kind] = output;
  ASSERT_TRUE(outputs.count("package"));
  EXPECT_EQ(outputs["package"].path, "deposit/" + batch_.batch_id + ".tar");
  EXPECT_EQ(outputs["package"].sha256, found[1]);
  EXPECT_EQ(outputs["package"].size_bytes, fs::file_size(tar));
  ASSERT_TRUE(outputs.count("package_json"));
  EXPECT_EQ(outputs["package_json"].path, "deposit/" + batch_.batch_id + ".package.json");
}

//! The same bag always gives the same bytes: packed twice, and once more under another time zone.
TEST_F(PackageFileTest, SameBagSameBytes) {
  deposit();
  const std::vector<DigestAlgorithm> md5{DigestAlgorithm::md5};
  for (PackageFormat format : {PackageFormat::tar, PackageFormat::zip}) {
    const fs::path first = scratch_.path() / ("first" + std::string(extension_of(format)));
    const fs::path second = scratch_.path() / ("second" + std::string(extension_of(format)));
    const PackageFile a = write_package(bag(), first, format, 1'700'000'000, md5);
    ::setenv("TZ", "Asia/Shanghai", 1);
    ::tzset();
    const PackageFile b = write_package(bag(), second, format, 1'700'000'000, md5);
    ::unsetenv("TZ");
    ::tzset();
    EXPECT_EQ(read_file(first), read_file(second)) << extension_of(format);
    EXPECT_EQ(a.digests, b.digests);
    EXPECT_EQ(a.bytes, fs::file_size(first));
    EXPECT_EQ(a.digests[0].second, hex_digests_of_file(first, md5).front());
  }
}

//! TAR entries: one top folder, byte order of paths with folders, owner 0/0 without names, 0755/0644, dated the Bagging-Date at 00:00 UTC, UTF-8 names intact.
TEST_F(PackageFileTest, TarEntriesAreFixed) {
  deposit();
  const auto entries = read_entries(beside(".tar"));
  ASSERT_GT(entries.size(), 10u);
  EXPECT_EQ(entries.front().path, batch_.batch_id + "/");
  std::vector<std::string> paths;
  for (const auto& entry : entries) paths.push_back(entry.path);
  EXPECT_TRUE(std::is_sorted(paths.begin(), paths.end()));
  const std::string top = batch_.batch_id + "/";
  EXPECT_NE(std::find(paths.begin(), paths.end(), top + "data/catalogue/目录.csv"), paths.end());
  EXPECT_NE(std::find(paths.begin(), paths.end(), top + "data/entity/" + kRef1 + "/"), paths.end());

  const std::string info = read_file(bag() / "bag-info.txt");
  const std::string day = info.substr(info.find("Bagging-Date: ") + 14, 10);
  std::tm tm{};
  ASSERT_EQ(std::sscanf(day.c_str(), "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday), 3);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const long long midnight = ::timegm(&tm);
  for (const auto& entry : entries) {
    EXPECT_TRUE(entry.path.starts_with(top)) << entry.path;
    EXPECT_EQ(entry.uid, 0) << entry.path;
    EXPECT_EQ(entry.gid, 0) << entry.path;
    EXPECT_EQ(entry.uname, "") << entry.path;
    EXPECT_EQ(entry.gname, "") << entry.path;
    EXPECT_EQ(entry.mtime, midnight) << entry.path;
    const bool folder = entry.type == AE_IFDIR;
    EXPECT_EQ(entry.perm, folder ? 0755 : 0644) << entry.path;
    if (!folder) {
      EXPECT_EQ(static_cast<std::uint64_t>(entry.size), fs::file_size(bag() / utf8_path(entry.path.substr(top.size()))));
    }
  }
  // Every bag file is in the package, and nothing else.
  const auto files = std::distance(fs::recursive_directory_iterator(bag()), fs::recursive_directory_iterator());
  EXPECT_EQ(entries.size(), static_cast<std::size_t>(files) + 1);
}

//! deposit.package: zip writes <batch>.zip (and removes the .tar of an earlier run): entries stored, flagged UTF-8, dated 1980-01-01, no UTC time field.
TEST_F(PackageFileTest, ZipVariant) {
  deposit();
  ASSERT_TRUE(fs::exists(beside(".tar")));
  deposit("deposit:\n  package: zip\n");
  const fs::path zip = beside(".zip");
  ASSERT_TRUE(fs::is_regular_file(zip));
  EXPECT_FALSE(fs::exists(beside(".tar")));
  const auto json = nlohmann::json::parse(read_file(beside(".package.json")));
  EXPECT_EQ(json["file"], batch_.batch_id + ".zip");
  EXPECT_EQ(json["digests"][0]["value"], hex_digests_of_file(zip, {DigestAlgorithm::md5}).front());

  const auto entries = read_entries(zip);
  ASSERT_GT(entries.size(), 10u);
  for (const auto& entry : entries) {
    EXPECT_TRUE(entry.path.starts_with(batch_.batch_id + "/")) << entry.path;
    EXPECT_NE(entry.path, "(not UTF-8)");
  }
  // Each local header: stored (method 0), the UTF-8 flag (bit 11), DOS date 1980-01-01 00:00.
  const std::string bytes = read_file(zip);
  std::size_t headers = 0;
  for (std::size_t at = bytes.find("PK\x03\x04"); at != std::string::npos; at = bytes.find("PK\x03\x04", at + 4)) {
    auto u16 = [&](std::size_t offset) {
      return static_cast<unsigned>(static_cast<unsigned char>(bytes[at + offset])) |
             static_cast<unsigned>(static_cast<unsigned char>(bytes[at + offset + 1])) << 8;
    };
    EXPECT_EQ(u16(8), 0u) << "compression method";
    EXPECT_NE(u16(6) & 0x0800u, 0u) << "UTF-8 flag";
    EXPECT_EQ(u16(10), 0u) << "DOS time";
    EXPECT_EQ(u16(12), 0x21u) << "DOS date 1980-01-01";
    headers += 1;
  }
  EXPECT_EQ(headers, entries.size());
  EXPECT_EQ(bytes.find(std::string("UT\x05\x00", 4)), std::string::npos) << "no extended timestamp field";
}

//! A link in the bag is refused by the packer, and no partial package is left.
TEST_F(PackageFileTest, RefusesALinkInTheBag) {
  deposit();
  fs::create_symlink("/etc/passwd", bag() / "data" / "link.txt");
  const fs::path out = scratch_.path() / "linked.tar";
  EXPECT_THROW(write_package(bag(), out, PackageFormat::tar, 0, {DigestAlgorithm::md5}), std::runtime_error);
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(fs::exists(out.string() + ".partial"));
}

}  // namespace
}  // namespace lantai::deposit
