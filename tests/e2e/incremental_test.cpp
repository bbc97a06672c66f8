// An incremental deposit through the lantai command: a lot deposited once, then changed
// (one record's catalogue row corrected, one record withdrawn, one added) and run again in
// the same WORK with --continues: the second bag holds exactly the added and changed
// records, names the first, and verify checks the chain.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "pipeline/digest.h"
#include "tests/e2e/e2e_support.h"

namespace lantai::e2e {
namespace {

namespace fs = std::filesystem;

void write_text(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
}

// The catalogue's lines (CRLF), its header first; rows start with their 档号.
std::vector<std::string> catalogue_lines(const fs::path& file) {
  std::vector<std::string> lines;
  const std::string text = slurp(file);
  for (size_t start = 0, end; (end = text.find("\r\n", start)) != std::string::npos; start = end + 2)
    lines.push_back(text.substr(start, end - start));
  return lines;
}

void write_catalogue(const fs::path& file, const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\r\n";
  write_text(file, text);
}

std::string ref_of(const std::string& line) { return line.substr(0, line.find(',')); }

std::set<std::string> refs_in(const fs::path& csv_file) {
  std::set<std::string> refs;
  for (const auto& row : read_csv(csv_file)) refs.insert(row.at("档号"));
  return refs;
}

std::string bag_info_value(const fs::path& bag, const std::string& label) {
  const std::string text = slurp(bag / "bag-info.txt");
  const size_t at = text.find("\n" + label + ": ");
  if (at == std::string::npos) return "";
  const size_t start = at + label.size() + 3;
  return text.substr(start, text.find('\n', start) - start);
}

CommandResult run_lot(const fs::path& lot, const fs::path& work, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{lantai_bin().string(), "run", "--profile", profile_file().string(), "--in",
                                (lot / "scans").string(), "--catalog", (lot / "catalogue.csv").string(), "--out",
                                work.string(), "--fonds", "J012", "--unit", "示例市档案馆", "--jobs", "2"};
  for (std::string& arg : virus_scan_args()) args.push_back(std::move(arg));
  for (std::string& arg : extra) args.push_back(std::move(arg));
  return run_command(args);
}

//! A second run with --continues deposits only what was added or changed, lists what was withdrawn, and chains.
TEST(IncrementalDeposit, HoldsExactlyTheChangedRecordsAndChainsToItsPredecessor) {
  const fs::path root = e2e_dir() / "incremental";
  fs::remove_all(root);
  const fs::path lot = root / "lot", work = root / "work", spare = root / "spare";
  ASSERT_EQ(run_command({lantai_bin().string(), "samples", "make", lot.string(), "--records", "9", "--pages", "2"}).exit_code, 0);

  // The first deposit: the lot without its last record.
  std::vector<std::string> lines = catalogue_lines(lot / "catalogue.csv");
  ASSERT_EQ(lines.size(), 10u);
  const std::string added_line = lines.back();
  const std::string added = ref_of(added_line);
  fs::create_directories(spare);
  fs::rename(lot / "scans" / fs::u8path(added), spare / fs::u8path(added));
  lines.pop_back();
  write_catalogue(lot / "catalogue.csv", lines);
  CommandResult first = run_lot(lot, work);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const fs::path bag_a = bag_of(work);
  const std::set<std::string> deposited = refs_in(bag_a / "data/catalogue/目录.csv");
  ASSERT_GE(deposited.size(), 3u) << first.output;
  EXPECT_EQ(bag_info_value(bag_a, "Deposit-Type"), "full");
  EXPECT_EQ(refs_in(bag_a / "metadata/holdings.csv"), deposited);

  // Then: one deposited record's catalogue row corrected (its last field, 备注), one
  // withdrawn, the last one added.
  auto it = deposited.begin();
  const std::string changed = *it++, withdrawn = *it++, unchanged = *it++;
  for (std::string& line : lines)
    if (ref_of(line) == changed) line.insert(line.back() == '"' ? line.size() - 1 : line.size(), "目录已更正");
  lines.erase(std::remove_if(lines.begin(), lines.end(), [&](const std::string& l) { return ref_of(l) == withdrawn; }),
              lines.end());
  lines.push_back(added_line);
  write_catalogue(lot / "catalogue.csv", lines);
  fs::remove_all(lot / "scans" / fs::u8path(withdrawn));
  fs::rename(spare / fs::u8path(added), lot / "scans" / fs::u8path(added));

  CommandResult second = run_lot(lot, work, {"--continues", bag_a.string()});
  ASSERT_EQ(second.exit_code, 0) << second.output;
  ASSERT_TRUE(fs::exists(bag_a / "bagit.txt")) << "the deposit it continues was kept";
  const std::string id_a = bag_info_value(bag_a, "External-Identifier");
  fs::path bag_b;
  for (const auto& entry : fs::directory_iterator(work / "deposit"))
    if (fs::exists(entry.path() / "bagit.txt") && entry.path() != bag_a) bag_b = entry.path();
  ASSERT_FALSE(bag_b.empty());

  EXPECT_EQ(refs_in(bag_b / "data/catalogue/目录.csv"), (std::set<std::string>{changed, added}));
  EXPECT_FALSE(fs::exists(bag_b / "data/entity" / fs::u8path(unchanged)));
  EXPECT_TRUE(fs::exists(bag_b / "data/entity" / fs::u8path(added)));
  std::map<std::string, std::string> changes;
  for (const auto& row : read_csv(bag_b / "metadata/changes.csv")) changes[row.at("档号")] = row.at("change");
  EXPECT_EQ(changes, (std::map<std::string, std::string>{{changed, "changed"}, {added, "added"}, {withdrawn, "withdrawn"}}));
  std::map<std::string, std::string> holders;
  for (const auto& row : read_csv(bag_b / "metadata/holdings.csv")) holders[row.at("档号")] = row.at("batch");
  const std::string id_b = bag_info_value(bag_b, "External-Identifier");
  EXPECT_EQ(holders, (std::map<std::string, std::string>{{unchanged, id_a}, {changed, id_b}, {added, id_b}}));

  EXPECT_EQ(bag_info_value(bag_b, "Deposit-Type"), "incremental");
  EXPECT_EQ(bag_info_value(bag_b, "Deposit-Sequence"), "2");
  EXPECT_EQ(bag_info_value(bag_b, "Continues-Batch"), id_a);
  // The earlier package file's MD5, as md5sum gives it and its forms printed it.
  EXPECT_EQ(bag_info_value(bag_b, "Continues-Package-MD5"),
            hex_digests_of_file(bag_a.string() + ".tar", {DigestAlgorithm::md5}).front());
  EXPECT_TRUE(fs::exists(bag_b.string() + ".tar"));
  EXPECT_NE(slurp(bag_b.string() + "-forms/" + "备份情况表.pdf").size(), 0u);
  EXPECT_NE(slurp(bag_b / "forms/backup-form.json").find("\"withdrawn_refs\""), std::string::npos);

  // The centre checks the chain against the bag it holds; against any other it fails.
  CommandResult chained = run_command({lantai_bin().string(), "verify", "--policy", "centre", "--no-virus-scan",
                                       "--previous", bag_a.string(), bag_b.string()});
  EXPECT_EQ(chained.exit_code, 0) << chained.output;
  CommandResult wrong = run_command({lantai_bin().string(), "verify", "--previous", bag_b.string(), bag_b.string()});
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.output.find("verify.chain_broken"), std::string::npos) << wrong.output;

  // Nothing changed since the increment: no third bag, and the reason given.
  CommandResult again = run_lot(lot, work, {"--continues", bag_b.string()});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.output.find("no record was added, changed or withdrawn"), std::string::npos) << again.output;
  EXPECT_TRUE(fs::exists(bag_b / "bagit.txt"));
}

}  // namespace
}  // namespace lantai::e2e
