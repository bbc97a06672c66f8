// lantai carriers on the sample lot's bag, through the command: split over small carriers,
// written as folders and as ISO images, checked back against themselves and the bag.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "stages/carriers/bag_contents.h"
#include "tests/e2e/e2e_support.h"

namespace lantai::e2e {
namespace {

namespace fs = std::filesystem;

// A capacity that holds the bag's largest record but not its two smallest together: one
// record a carrier.
std::string one_record_capacity(const fs::path& bag_dir) {
  const carriers::BagContents bag = carriers::read_bag(bag_dir);
  std::vector<std::uint64_t> sizes;
  for (const carriers::BagRecord& record : bag.records) sizes.push_back(record.bytes());
  std::sort(sizes.begin(), sizes.end());
  EXPECT_GE(sizes.size(), 3u);
  EXPECT_GT(sizes[0] + sizes[1], sizes.back() * 11 / 10 + 100'000) << "the sample records are too unequal";
  return std::to_string(static_cast<std::uint64_t>((double(sizes.back()) * 1.1 + 1.2 * (1 << 20)) / 0.98));
}

// The carriers written into dir (the registration forms beside them left out).
std::vector<std::string> entries_of(const fs::path& dir) {
  std::vector<std::string> paths;
  for (const auto& entry : fs::directory_iterator(dir))
    if (!entry.path().string().ends_with("-forms")) paths.push_back(entry.path().string());
  std::sort(paths.begin(), paths.end());
  return paths;
}

//! The sample lot on small carriers: three carriers, one record each, every carrier clean as a folder and as an ISO image, together the whole bag; sha256sum -c agrees.
TEST(Carriers, SampleLotOnSmallCarriersReproducesTheBag) {
  const fs::path bag = bag_of(e2e_dir() / "work");
  const fs::path out = e2e_dir() / "carriers";
  fs::remove_all(out);
  const std::string media = one_record_capacity(bag);
  CommandResult plan = run_command({lantai_bin().string(), "carriers", "plan", bag.string(), "--media", media, "--out",
                                    (out / "plan.json").string(), "--profile", profile_file().string()});
  ASSERT_EQ(plan.exit_code, 0) << plan.output;
  EXPECT_NE(plan.output.find(" 3/3 "), std::string::npos) << plan.output;
  EXPECT_NE(plan.output.find("3 carriers of"), std::string::npos) << plan.output;
  EXPECT_NE(slurp(out / "plan.json").find("\"carrier_count\": 3"), std::string::npos);

  for (const bool iso : {false, true}) {
    SCOPED_TRACE(iso ? "iso" : "folders");
    const fs::path written = out / (iso ? "iso" : "folders");
    std::vector<std::string> write{lantai_bin().string(), "carriers", "write", (out / "plan.json").string(), "--out",
                                   written.string()};
    if (iso) write.push_back("--iso");
    CommandResult made = run_command(write);
    ASSERT_EQ(made.exit_code, 0) << made.output;
    EXPECT_NE(made.output.find("MB/s"), std::string::npos);
    std::vector<std::string> check{lantai_bin().string(), "carriers", "check", "--bag", bag.string()};
    const auto carriers = entries_of(written);
    ASSERT_EQ(carriers.size(), 3u);
    check.insert(check.end(), carriers.begin(), carriers.end());
    CommandResult checked = run_command(check);
    EXPECT_EQ(checked.exit_code, 0) << checked.output;
    EXPECT_NE(checked.output.find("reproduced whole by 3 carriers"), std::string::npos) << checked.output;

    // The forms list each carrier on the 续表 with its digests: an image's own MD5, as
    // md5sum gives it; a folder's by its manifest-sha256.txt.
    const std::string batch = relative_utf8(bag, bag.parent_path());
    CommandResult text = run_command({"pdftotext", "-raw", (written / (batch + "-forms") / "备份情况表续表.pdf").string(), "-"});
    ASSERT_EQ(text.exit_code, 0) << made.output;
    std::string continued = text.output;
    continued.erase(std::remove_if(continued.begin(), continued.end(), [](char c) { return c == ' ' || c == '\n'; }),
                    continued.end());
    for (int n = 1; n <= 3; ++n) EXPECT_NE(continued.find(batch + "-0" + std::to_string(n)), std::string::npos) << continued;
    const fs::path first = carriers.front();
    const std::string md5 = hex_digests_of_file(iso ? first : first / "manifest-sha256.txt", {DigestAlgorithm::md5}).front();
    EXPECT_NE(continued.find("MD5：" + md5), std::string::npos) << continued;
  }
  const fs::path first = entries_of(out / "folders").front();
  CommandResult sha256sum = run_command({"sh", "-c", "cd '" + first.string() + "' && sha256sum --quiet -c manifest-sha256.txt"});
  EXPECT_EQ(sha256sum.exit_code, 0) << sha256sum.output;
}

//! A byte flipped on one carrier: check names that file on one line and exits 1; the set no longer reproduces the bag.
TEST(Carriers, FlippedByteOnACarrierIsNamed) {
  const fs::path bag = bag_of(e2e_dir() / "work");
  const fs::path out = e2e_dir() / "carriers-flipped";
  fs::remove_all(out);
  CommandResult made = run_command({lantai_bin().string(), "carriers", "write", bag.string(), "--media", "hdd", "--out",
                                    out.string()});
  ASSERT_EQ(made.exit_code, 0) << made.output;
  const fs::path carrier = entries_of(out).front();
  fs::path victim;
  for (const auto& entry : fs::recursive_directory_iterator(carrier / "entity"))
    if (entry.path().extension() == ".jpg") victim = entry.path();
  ASSERT_FALSE(victim.empty());
  {
    std::fstream file(victim, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(500);
    const char byte = static_cast<char>(file.get());
    file.seekp(500);
    file.put(static_cast<char>(byte ^ 0x20));
  }
  const std::string rel = fs::relative(victim, carrier).string();
  CommandResult checked = run_command({lantai_bin().string(), "carriers", "check", "--bag", bag.string(), carrier.string()});
  EXPECT_EQ(checked.exit_code, 1) << checked.output;
  EXPECT_NE(checked.output.find("carriers.checksum_mismatch: " + rel + ": MD5"), std::string::npos) << checked.output;
  EXPECT_NE(checked.output.find("carriers.checksum_mismatch: " + rel + ": SHA-256"), std::string::npos) << checked.output;
  EXPECT_NE(checked.output.find("carriers.bag_file_differs: "), std::string::npos) << checked.output;
  EXPECT_NE(checked.output.find(carrier.string() + ": INVALID, 2 errors"), std::string::npos) << checked.output;
}

//! A carrier smaller than a record: one line naming the record, exit 3, nothing written.
TEST(Carriers, RecordLargerThanTheCarrierIsRefused) {
  const fs::path bag = bag_of(e2e_dir() / "work");
  const fs::path out = e2e_dir() / "carriers-refused";
  fs::remove_all(out);
  CommandResult refused = run_command({lantai_bin().string(), "carriers", "write", bag.string(), "--media", "1.5M",
                                       "--out", out.string()});
  EXPECT_EQ(refused.exit_code, 3) << refused.output;
  EXPECT_NE(refused.output.find("lantai: record J012-"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("never split"), std::string::npos) << refused.output;
  EXPECT_EQ(std::count(refused.output.begin(), refused.output.end(), '\n'), 1) << refused.output;
  EXPECT_FALSE(fs::exists(out));
  CommandResult bad_media = run_command({lantai_bin().string(), "carriers", "plan", bag.string(), "--media", "floppy"});
  EXPECT_EQ(bad_media.exit_code, 2) << bad_media.output;
  EXPECT_NE(bad_media.output.find("floppy"), std::string::npos) << bad_media.output;
}

}  // namespace
}  // namespace lantai::e2e
