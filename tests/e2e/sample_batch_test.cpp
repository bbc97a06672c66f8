// The sample lot end to end: every planted fault reported, skew measured, a verified bag.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include <sstream>

#include "pipeline/digest.h"
#include "tests/e2e/e2e_support.h"

namespace lantai::e2e {
namespace {

namespace fs = std::filesystem;

nlohmann::json ground_truth() { return nlohmann::json::parse(slurp(e2e_dir() / "lot" / "ground-truth.json")); }

//! Every fault planted in the sample lot appears in findings.csv with its code and its file or record.
TEST(SampleBatch, EveryPlantedFaultIsReported) {
  auto findings = read_csv(e2e_dir() / "work" / "reports" / "findings.csv");
  auto truth = ground_truth();
  ASSERT_GE(truth["faults"].size(), 6u);
  for (const auto& fault : truth["faults"]) {
    const std::string code = fault["code"], file = fault["file"], record = fault.value("record", "");
    bool found = false;
    for (const auto& row : findings)
      if (row.at("code") == code && (row.at("file") == file || (file.empty() && row.at("record") == record)))
        found = true;
    EXPECT_TRUE(found) << code << " on " << file << " not reported";
  }
}

//! No clean page of the lot is quarantined: only planted faults reject.
TEST(SampleBatch, CleanPagesAreAccepted) {
  auto pages = read_csv(e2e_dir() / "work" / "reports" / "pages.csv");
  auto truth = ground_truth();
  ASSERT_EQ(pages.size(), truth["pages"].size());
  for (const auto& expected : truth["pages"]) {
    if (!expected["findings"].empty()) continue;
    for (const auto& row : pages) {
      if (row.at("file") == expected["file"] && row.at("frame") == std::to_string(expected["frame"].get<int>())) {
        EXPECT_EQ(row.at("status"), "accepted") << row.at("file") << ": " << row.at("findings");
      }
    }
  }
}

//! records.csv deposits exactly the records without a planted fault and says why the others are withheld.
TEST(SampleBatch, RecordsReportGivesEachRecordsFate) {
  auto records = read_csv(e2e_dir() / "work" / "reports" / "records.csv");
  auto truth = ground_truth();
  std::map<std::string, bool> faulty;
  for (const auto& record : truth["records"]) faulty[record["ref"]] = !record["findings"].empty();
  for (const auto& page : truth["pages"])
    if (!page["findings"].empty()) faulty[page["record"]] = true;
  ASSERT_EQ(records.size(), faulty.size());
  for (const auto& row : records) {
    ASSERT_TRUE(faulty.count(row.at("record"))) << row.at("record");
    EXPECT_EQ(row.at("status"), faulty[row.at("record")] ? "withheld" : "deposited") << row.at("record");
    EXPECT_EQ(row.at("reasons").empty(), !faulty[row.at("record")]) << row.at("record");
  }
}

//! The skew measured on each accepted page matches the angle the lot was scanned at.
TEST(SampleBatch, SkewMatchesGroundTruth) {
  auto pages = read_csv(e2e_dir() / "work" / "reports" / "pages.csv");
  auto truth = ground_truth();
  double total_error = 0, worst_error = 0;
  int measured = 0;
  for (const auto& expected : truth["pages"]) {
    for (const auto& row : pages) {
      if (row.at("file") != expected["file"] || row.at("frame") != std::to_string(expected["frame"].get<int>()) ||
          row.at("skew_deg").empty() || row.at("status") != "accepted")
        continue;
      double error = std::abs(std::stod(row.at("skew_deg")) - expected["skew_deg"].get<double>());
      total_error += error;
      worst_error = std::max(worst_error, error);
      ++measured;
    }
  }
  ASSERT_GE(measured, 10);
  EXPECT_LE(total_error / measured, 0.15);
  EXPECT_LE(worst_error, 0.5);
}

//! OCR reads the rendered Chinese text: most characters of every page come back.
TEST(SampleBatch, OcrReadsTheChineseText) {
  auto truth = ground_truth();
  double total = 0, worst = 1;
  int pages = 0;
  for (const auto& page : truth["pages"]) {
    if (!page["findings"].empty() || page["text_lines"].empty()) continue;
    std::string text;
    for (const auto& line : page["text_lines"]) text += line.get<std::string>();
    char serial[8];
    std::snprintf(serial, sizeof serial, "%04d", page["seq"].get<int>());
    const fs::path ocr = e2e_dir() / "work" / "ocr" / fs::u8path(page["record"].get<std::string>()) / (std::string(serial) + ".txt");
    ASSERT_TRUE(fs::exists(ocr)) << ocr;
    double recall = character_recall(text, slurp(ocr));
    total += recall;
    worst = std::min(worst, recall);
    ++pages;
  }
  ASSERT_GE(pages, 10);
  EXPECT_GE(total / pages, 0.85);
  EXPECT_GE(worst, 0.6);
}

//! The deposit bag verifies, holds catalogue and entity data, names fonds and unit, and records how pages were made.
TEST(SampleBatch, BagVerifiesAndHoldsTheRecords) {
  const fs::path bag = bag_of(e2e_dir() / "work");
  CommandResult result = run_command({lantai_bin().string(), "verify", bag.string()});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  result = run_command(
      {lantai_bin().string(), "verify", "--policy", "centre", "--virus-db", test_virus_db().string(), bag.string()});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find(": OK"), std::string::npos) << result.output;
  EXPECT_TRUE(fs::exists(bag / "bagit.txt"));
  EXPECT_TRUE(fs::exists(bag / "manifest-md5.txt"));
  EXPECT_TRUE(fs::exists(bag / "manifest-sha256.txt"));
  EXPECT_TRUE(fs::is_directory(bag / "data"));
  const std::string info = slurp(bag / "bag-info.txt");
  EXPECT_NE(info.find("J012"), std::string::npos);
  EXPECT_NE(info.find("示例市档案馆"), std::string::npos);
  EXPECT_NE(info.find("Payload-Oxum"), std::string::npos);
  const std::string history = slurp(bag / "metadata" / "processing-history.json");
  EXPECT_NE(history.find("\"deskew\""), std::string::npos);
  EXPECT_NE(history.find("min_resolution_dpi"), std::string::npos);
  const std::string manifest = slurp(bag / "manifest-sha256.txt");
  EXPECT_NE(manifest.find(".jpg"), std::string::npos);
  EXPECT_NE(manifest.find(".txt"), std::string::npos);
  // What each stage measured on each deposited page, as pages.csv has it.
  const auto measured = read_csv(bag / "metadata" / "page-measurements.csv");
  std::map<std::string, std::map<std::string, std::string>> reported;
  for (const auto& row : read_csv(e2e_dir() / "work" / "reports" / "pages.csv"))
    reported[row.at("file") + "#" + row.at("frame")] = row;
  std::size_t images = 0;
  for (const auto& entry : fs::recursive_directory_iterator(bag / "data" / "entity"))
    images += entry.path().extension() == ".jpg";
  EXPECT_EQ(measured.size(), images);
  for (const auto& row : measured) {
    const std::string page = row.at("original") + "#" + row.at("frame");
    ASSERT_TRUE(reported.count(page)) << page;
    for (const char* column : {"orientation_deg", "skew_deg", "crop_box", "ocr_confidence"})
      EXPECT_EQ(row.at(column), reported[page].at(column)) << page << " " << column;
  }
}

// Rewrites the lines of every tag manifest for rel_path to its present digest, as someone
// covering their tracks would: only the figures inside the file can then show the change.
void reseal_tag_file(const fs::path& bag, const std::string& rel_path) {
  for (const auto& [algorithm, name] : {std::pair{DigestAlgorithm::md5, "md5"}, std::pair{DigestAlgorithm::sha256, "sha256"},
                                        std::pair{DigestAlgorithm::sm3, "sm3"}}) {
    const fs::path manifest = bag / ("tagmanifest-" + std::string(name) + ".txt");
    if (!fs::exists(manifest)) continue;
    std::istringstream lines(slurp(manifest));
    std::string text, line;
    while (std::getline(lines, line)) {
      if (line.ends_with("  " + rel_path))
        line = fs::exists(bag / rel_path) ? hex_digest(algorithm, slurp(bag / rel_path)) + "  " + rel_path : "";
      if (!line.empty()) text += line + "\n";
    }
    std::ofstream(manifest, std::ios::binary | std::ios::trunc) << text;
  }
}

//! Changing one byte, removing a file or adding one, or changing the form, makes verify --policy centre fail and name the file.
TEST(SampleBatch, VerifyCatchesTampering) {
  const fs::path original = bag_of(e2e_dir() / "work");
  struct Case {
    const char* name;
    void (*tamper)(const fs::path& bag, fs::path& named);
  };
  const Case cases[] = {
      {"flipped byte",
       [](const fs::path& bag, fs::path& named) {
         for (const auto& entry : fs::recursive_directory_iterator(bag / "data"))
           if (entry.path().extension() == ".jpg") {
             named = entry.path();
             break;
           }
         std::fstream file(named, std::ios::in | std::ios::out | std::ios::binary);
         file.seekg(1000);
         char byte = 0;
         file.read(&byte, 1);
         byte = static_cast<char>(byte ^ 0x01);
         file.seekp(1000);
         file.write(&byte, 1);
       }},
      {"missing file",
       [](const fs::path& bag, fs::path& named) {
         for (const auto& entry : fs::recursive_directory_iterator(bag / "data"))
           if (entry.path().extension() == ".txt") {
             named = entry.path();
             break;
           }
         fs::remove(named);
       }},
      {"extra file",
       [](const fs::path& bag, fs::path& named) {
         named = bag / "data" / "extra-notes.txt";
         std::ofstream(named) << "not part of the deposit\n";
       }},
      {"form figure changed",
       [](const fs::path& bag, fs::path& named) {
         named = bag / "forms" / "backup-form.json";
         std::string form = slurp(named);
         const size_t at = form.find("\"page_count\": ");
         ASSERT_NE(at, std::string::npos);
         form.insert(at + 14, "1");  // ten times the pages, or more
         std::ofstream(named, std::ios::binary | std::ios::trunc) << form;
       }},
      {"form figure changed and the tag manifests resealed",
       [](const fs::path& bag, fs::path& named) {
         named = bag / "forms" / "backup-form.json";
         std::string form = slurp(named);
         const size_t at = form.find("\"page_count\": ");
         ASSERT_NE(at, std::string::npos);
         form.insert(at + 14, "1");
         std::ofstream(named, std::ios::binary | std::ios::trunc) << form;
         reseal_tag_file(bag, "forms/backup-form.json");
       }},
      {"form removed and the tag manifests resealed",
       [](const fs::path& bag, fs::path& named) {
         named = bag / "forms" / "backup-form.json";
         fs::remove(named);
         reseal_tag_file(bag, "forms/backup-form.json");
       }},
  };
  for (const Case& c : cases) {
    const fs::path copy = e2e_dir() / ("tampered-" + std::to_string(&c - cases));
    fs::remove_all(copy);
    fs::copy(original, copy, fs::copy_options::recursive);
    fs::path named;
    c.tamper(copy, named);
    CommandResult result = run_command(
        {lantai_bin().string(), "verify", "--policy", "centre", "--virus-db", test_virus_db().string(), copy.string()});
    EXPECT_EQ(result.exit_code, 1) << c.name << "\n" << result.output;
    EXPECT_NE(result.output.find(named.filename().string()), std::string::npos) << c.name << "\n" << result.output;
    fs::remove_all(copy);
  }
}

}  // namespace
}  // namespace lantai::e2e
