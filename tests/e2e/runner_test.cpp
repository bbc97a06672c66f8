// The runtime through the real stage interface: a failing stage quarantines its item,
// never the batch; reruns redo exactly what changed; Manual values survive; each item
// kind runs through its own chain; the memory budget holds; a WORK keeps its fonds.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "pipeline/files.h"
#include "pipeline/jpeg_codec.h"
#include "pipeline/runtime/ledger.h"
#include "pipeline/runtime/runner.h"
#include "pipeline/sealed_package.h"
#include "pipeline/bag_signature.h"
#include "stages/stage_sequence.h"
#include "stages/verify/verify_stage.h"
#include "tests/support/test_virus_db.h"

namespace lantai {
namespace {

namespace fs = std::filesystem;

constexpr const char* kRecord1 = "J012-WS·2021-Y-BGS-0001";
constexpr const char* kRecord2 = "J012-WS·2021-Y-BGS-0002";

// Counts its calls, and fails on purpose on one file, as a buggy stage would.
class ThrowingStage : public ItemStage {
 public:
  explicit ThrowingStage(std::string victim) : victim_(std::move(victim)) {}
  StageInfo describe() const override { return {"throwing", "Throws on one page.", "1", {}}; }
  void setup(ProfileSection&, const StageContext&) override {}
  Outcome process(const Item& item) const override {
    ++calls;
    if (item.rel_path == victim_) throw std::logic_error("deliberate failure");
    return {};
  }
  mutable std::atomic<int> calls{0};

 private:
  std::string victim_;
};

// A small lot: two records of two printed pages each, 200 dpi.
fs::path make_lot(const std::string& name) {
  fs::path lot = fs::temp_directory_path() / ("lantai-runner-" + name);
  fs::remove_all(lot);
  for (const std::string record : {kRecord1, kRecord2})
    for (int page = 1; page <= 2; ++page) {
      cv::Mat image(2339, 1654, CV_8UC1, cv::Scalar(250));
      cv::putText(image, "RECORD " + record.substr(record.size() - 1) + " PAGE " + std::to_string(page), {150, 400},
                  cv::FONT_HERSHEY_SIMPLEX, 3.0, cv::Scalar(0), 6);
      for (int line = 0; line < 8; ++line)
        cv::putText(image, "Archive line " + std::to_string(line * page), {150, 700 + line * 120},
                    cv::FONT_HERSHEY_SIMPLEX, 2.0, cv::Scalar(20), 4);
      cv::Mat skewed;
      cv::warpAffine(image, skewed, cv::getRotationMatrix2D({827, 1170}, 1.5 * page, 1.0), image.size(),
                     cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(250));
      write_file_atomically(lot / "scans" / fs::u8path(record) / ("000" + std::to_string(page) + ".jpg"),
                            encode_jpeg(skewed, 90, 200.0));
    }
  std::ofstream(lot / "catalogue.csv") << "档号,题名,页数\n"
                                       << kRecord1 << ",第一件,2\n"
                                       << kRecord2 << ",第二件,2\n";
  return lot;
}

RunOptions options_for(const fs::path& lot, const fs::path& profile = LANTAI_PROFILE) {
  RunOptions options;
  options.profile_file = profile;
  options.input_root = lot / "scans";
  options.catalog_file = lot / "catalogue.csv";
  options.work_dir = lot / "work";
  options.fonds_code = "J012";
  options.unit_name = "测试单位";
  options.jobs = 2;
  options.show_progress = false;
  options.virus_db = test_support::write_test_virus_db(lot / "virus-db");
  return options;
}

// The standard profile with one line changed (or added under a section).
fs::path changed_profile(const fs::path& lot, const std::string& from, const std::string& to) {
  std::string text = read_file(LANTAI_PROFILE);
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
  const fs::path file = lot / ("profile-" + std::to_string(std::hash<std::string>()(to)) + ".yaml");
  write_file_atomically(file, text);
  return file;
}

std::map<std::string, long long> items_per_stage(const RunSummary& summary) {
  std::map<std::string, long long> counts;
  for (const auto& stage : summary.stage_times) counts[stage.stage] = stage.items;
  return counts;
}

RunSummary run(const RunOptions& options) {
  StageSequence stages = make_stage_sequence();
  return run_batch(options, stages);
}

//! An exception in a stage becomes internal.exception on that page; the rest of the batch is deposited and verifies.
TEST(Runner, ThrowingStageQuarantinesOnlyItsPage) {
  fs::path lot = make_lot("throwing");
  StageSequence stages = make_stage_sequence();
  auto& pages = stages.chains.at(ItemKind::page);
  pages.insert(pages.begin() + 1, std::make_unique<ThrowingStage>(std::string(kRecord2) + "/0001.jpg"));
  RunSummary summary = run_batch(options_for(lot), stages);
  EXPECT_EQ(summary.items_in, 4);
  EXPECT_EQ(summary.items_quarantined, 1);
  EXPECT_EQ(summary.items_accepted, 3);
  EXPECT_EQ(summary.reject_counts["internal.exception"], 1);
  EXPECT_EQ(summary.records_deposited, 1);
  EXPECT_EQ(summary.records_withheld, 1);
  EXPECT_TRUE(summary.verified);
  const std::string findings = read_file(lot / "work" / "reports" / "findings.csv");
  EXPECT_NE(findings.find("internal.exception"), std::string::npos);
  EXPECT_NE(findings.find("deliberate failure"), std::string::npos);
}

//! A second run of a finished batch runs no stage on any item and gives the same payload.
TEST(Runner, RerunDoesNoItemTwice) {
  fs::path lot = make_lot("rerun");
  RunSummary one = run(options_for(lot));
  EXPECT_EQ(one.items_processed_now, 4);
  const std::string manifest = read_file(one.bag_dir / "manifest-sha256.txt");

  StageSequence second = make_stage_sequence();
  auto counting = std::make_unique<ThrowingStage>("none");
  ThrowingStage* counter = counting.get();
  auto& pages = second.chains.at(ItemKind::page);
  pages.insert(pages.end(), std::move(counting));  // a new stage at the end: only it has work to do
  RunSummary two = run_batch(options_for(lot), second);
  EXPECT_EQ(counter->calls, 4);
  EXPECT_EQ(items_per_stage(two)["decode"], 0);
  EXPECT_EQ(items_per_stage(two)["ocr"], 0);
  RunSummary three = run_batch(options_for(lot), second);
  EXPECT_EQ(three.items_processed_now, 0);
  EXPECT_EQ(counter->calls, 4);
  EXPECT_EQ(read_file(three.bag_dir / "manifest-sha256.txt"), manifest);
  EXPECT_TRUE(three.verified);
}

//! A page whose derivative was deleted from WORK is processed again from the stage that wrote it, and the bag is whole.
TEST(Runner, RedoesPageWhoseOutputWasLost) {
  fs::path lot = make_lot("lost");
  RunSummary one = run(options_for(lot));
  const std::string manifest = read_file(one.bag_dir / "manifest-sha256.txt");
  fs::remove(lot / "work" / "derivatives" / fs::u8path(kRecord1) / "0002.jpg");

  RunSummary two = run(options_for(lot));
  EXPECT_EQ(two.items_processed_now, 1);
  EXPECT_EQ(items_per_stage(two)["derivatives"], 1);
  EXPECT_TRUE(fs::exists(lot / "work" / "derivatives" / fs::u8path(kRecord1) / "0002.jpg"));
  EXPECT_EQ(read_file(two.bag_dir / "manifest-sha256.txt"), manifest);
  EXPECT_TRUE(two.verified);
}

//! Changing only an OCR setting reruns OCR alone: no page is decoded, straightened, stored or checked again.
TEST(Runner, ChangedOcrSettingRedoesOnlyOcr) {
  fs::path lot = make_lot("ocr-setting");
  RunSummary one = run(options_for(lot));
  const std::string derivative = read_file(lot / "work" / "derivatives" / fs::u8path(kRecord1) / "0001.jpg");
  RunSummary two =
      run(options_for(lot, changed_profile(lot, "page_segmentation_mode: 3", "page_segmentation_mode: 6")));
  const auto counts = items_per_stage(two);
  EXPECT_EQ(counts.at("decode"), 0);
  EXPECT_EQ(counts.at("deskew"), 0);
  EXPECT_EQ(counts.at("derivatives"), 0);
  EXPECT_EQ(counts.at("quality"), 0);
  EXPECT_EQ(counts.at("ocr"), 4);
  EXPECT_EQ(read_file(lot / "work" / "derivatives" / fs::u8path(kRecord1) / "0001.jpg"), derivative);
  EXPECT_NE(two.batch_id, one.batch_id) << "the profile is part of what the batch is";
  EXPECT_TRUE(two.verified);
  EXPECT_FALSE(fs::exists(one.bag_dir)) << "the superseded bag is removed";
}

//! With OCR left for later, pages are decoded, straightened, stored and checked but not read, and no bag is made; the next run reads them and nothing else, and its bag is the one a single run makes.
TEST(Runner, OcrLaterIsCaughtUpByTheNextRun) {
  fs::path lot = make_lot("ocr-later");
  RunOptions later = options_for(lot);
  later.deferred_stages = {"ocr"};
  RunSummary one = run(later);
  auto counts = items_per_stage(one);
  EXPECT_EQ(counts.at("decode"), 4);
  EXPECT_EQ(counts.at("quality"), 4);
  EXPECT_FALSE(counts.count("ocr"));
  EXPECT_FALSE(fs::exists(lot / "work" / "ocr"));
  EXPECT_FALSE(one.deposited);
  EXPECT_EQ(one.deferred_stages, std::vector<std::string>{"ocr"});

  RunSummary two = run(options_for(lot));
  counts = items_per_stage(two);
  EXPECT_EQ(counts.at("decode"), 0);
  EXPECT_EQ(counts.at("deskew"), 0);
  EXPECT_EQ(counts.at("derivatives"), 0);
  EXPECT_EQ(counts.at("quality"), 0);
  EXPECT_EQ(counts.at("ocr"), 4);
  ASSERT_TRUE(two.verified);

  RunOptions fresh = options_for(lot);
  fresh.work_dir = lot / "work-fresh";
  EXPECT_EQ(read_file(two.bag_dir / "manifest-sha256.txt"), read_file(run(fresh).bag_dir / "manifest-sha256.txt"));
}

//! Only the last stages of a chain can wait: what comes after a stage needs what it makes.
TEST(Runner, RefusesToLeaveAMiddleStageForLater) {
  fs::path lot = make_lot("defer-middle");
  RunOptions options = options_for(lot);
  options.deferred_stages = {"deskew"};
  try {
    run(options);
    FAIL() << "deskew was left for later with derivatives after it";
  } catch (const RunError& error) {
    EXPECT_EQ(error.exit_code, kExitBadArguments);
    EXPECT_NE(std::string(error.what()).find("deskew"), std::string::npos) << error.what();
  }
  options.deferred_stages = {"no_such_stage"};
  EXPECT_THROW(run(options), RunError);
}

//! A rerun started after the stored image gives the same OCR text as a fresh run with that profile (determinism).
TEST(Runner, ResumedOcrMatchesAFreshRun) {
  fs::path lot = make_lot("ocr-fresh");
  run(options_for(lot));
  const fs::path psm6 = changed_profile(lot, "page_segmentation_mode: 3", "page_segmentation_mode: 6");
  RunSummary resumed = run(options_for(lot, psm6));
  RunOptions fresh_options = options_for(lot, psm6);
  fresh_options.work_dir = lot / "work-fresh";
  RunSummary fresh = run(fresh_options);
  EXPECT_EQ(resumed.batch_id, fresh.batch_id);
  EXPECT_EQ(read_file(resumed.bag_dir / "manifest-sha256.txt"), read_file(fresh.bag_dir / "manifest-sha256.txt"));
}

//! Changing a deskew setting redoes deskew and every stage after it; decode runs again only because its pixels live nowhere but in the original.
TEST(Runner, ChangedDeskewSettingRedoesFromDeskewOn) {
  fs::path lot = make_lot("deskew-setting");
  run(options_for(lot));
  RunSummary two = run(options_for(lot, changed_profile(lot, "max_angle_deg: 15", "max_angle_deg: 12")));
  const auto counts = items_per_stage(two);
  EXPECT_EQ(counts.at("decode"), 4);
  EXPECT_EQ(counts.at("deskew"), 4);
  EXPECT_EQ(counts.at("derivatives"), 4);
  EXPECT_EQ(counts.at("ocr"), 4);
}

//! A skew set by hand redoes that page alone from deskew on, and survives a rerun and a changed deskew setting.
TEST(Runner, ManualSkewSurvivesReruns) {
  fs::path lot = make_lot("manual");
  run(options_for(lot));
  const std::string item_id = std::string(kRecord1) + "/0002.jpg#0";
  Ledger::open(lot / "work")->set_manual_value({item_id, "deskew", "skew_deg", "2.75", "检查员甲", "measured on the ruler", ""});

  RunSummary two = run(options_for(lot));
  auto counts = items_per_stage(two);
  EXPECT_EQ(two.items_processed_now, 1);
  EXPECT_EQ(counts.at("deskew"), 1);
  EXPECT_EQ(counts.at("ocr"), 1);
  RunSummary three = run(options_for(lot, changed_profile(lot, "max_angle_deg: 15", "max_angle_deg: 12")));
  EXPECT_EQ(items_per_stage(three).at("deskew"), 4);
  for (const ItemRow& row : Ledger::open(lot / "work")->items()) {
    if (row.item.item_id != item_id) {
      EXPECT_EQ(row.item.measurements.text("skew_source"), "auto");
      continue;
    }
    EXPECT_EQ(row.item.measurements.number("skew_deg"), 2.75);
    EXPECT_EQ(row.item.measurements.text("skew_source"), "manual");
  }
  EXPECT_TRUE(three.verified);
}

//! A page added before others renumbers them: they are redone under their new serials, and the bag holds every page once.
TEST(Runner, PageAddedLaterRenumbersItsRecord) {
  fs::path lot = make_lot("renumber");
  run(options_for(lot));
  const fs::path record = lot / "scans" / fs::u8path(kRecord1);
  cv::Mat cover(2339, 1654, CV_8UC1, cv::Scalar(250));  // a cover sheet, unlike the text pages
  cv::rectangle(cover, {200, 300}, {1450, 2000}, cv::Scalar(30), 12);
  cv::putText(cover, "COVER", {450, 1200}, cv::FONT_HERSHEY_SIMPLEX, 6.0, cv::Scalar(0), 14);
  write_file_atomically(record / "0000.jpg", encode_jpeg(cover, 90, 200.0));
  write_file_atomically(lot / "catalogue.csv", std::string("档号,题名,页数\n") + kRecord1 + ",第一件,3\n" + kRecord2 + ",第二件,2\n");
  RunSummary two = run(options_for(lot));
  EXPECT_EQ(two.items_processed_now, 3);  // the new page and the two after it
  EXPECT_EQ(two.records_deposited, 2);
  EXPECT_TRUE(two.verified);
  for (const char* serial : {"0001.jpg", "0002.jpg", "0003.jpg"})
    EXPECT_TRUE(fs::exists(two.bag_dir / "data/entity" / fs::u8path(kRecord1) / serial)) << serial;
  EXPECT_NE(read_file(two.bag_dir / "data/entity" / fs::u8path(kRecord1) / "0003.txt").find("PAGE 2"), std::string::npos);
}

//! A WORK started for one fonds and unit refuses a run with another, naming both.
TEST(Runner, RefusesAnotherFondsOrUnit) {
  fs::path lot = make_lot("fonds");
  run(options_for(lot));
  for (auto change : {+[](RunOptions& o) { o.fonds_code = "J013"; }, +[](RunOptions& o) { o.unit_name = "别的单位"; }}) {
    RunOptions options = options_for(lot);
    change(options);
    try {
      run(options);
      ADD_FAILURE() << "a WORK of J012/测试单位 took another fonds or unit";
    } catch (const RunError& error) {
      const std::string message = error.what();
      EXPECT_EQ(error.exit_code, kExitBadInput);
      EXPECT_NE(message.find("J012"), std::string::npos) << message;
      EXPECT_NE(message.find(options.fonds_code + " (" + options.unit_name + ")"), std::string::npos) << message;
    }
  }
}

//! The batch id depends on what the batch is made of, not where the lot lies: a lot moved elsewhere resumes in the same WORK.
TEST(Runner, BatchIdFollowsTheLotNotItsPlace) {
  fs::path lot = make_lot("moved");
  RunSummary one = run(options_for(lot));
  const fs::path elsewhere = fs::temp_directory_path() / "lantai-runner-moved-elsewhere";
  fs::remove_all(elsewhere);
  ASSERT_EQ(std::system(("cp -a '" + (lot / "scans").string() + "' '" + elsewhere.string() + "'").c_str()), 0);
  RunOptions moved = options_for(lot);
  moved.input_root = elsewhere;
  RunSummary two = run(moved);
  EXPECT_EQ(two.batch_id, one.batch_id);
  EXPECT_EQ(two.items_processed_now, 0);
  EXPECT_EQ(one.batch_id.rfind("J012-", 0), 0u);
}

// Items of a second kind: an ingest that calls every .dat file an audio/video item, and a
// chain that stores it streamed as its entity file.
class MixedIngest : public IngestStage {
 public:
  StageInfo describe() const override { return {"ingest", "Pages and .dat files.", "1", {}}; }
  void setup(ProfileSection& section, const StageContext&) override { section.finish(); }
  Outcome process(Lot& lot) const override {
    std::vector<fs::path> folders;
    for (const auto& entry : fs::directory_iterator(lot.input_root)) folders.push_back(entry.path());
    std::sort(folders.begin(), folders.end());
    for (const fs::path& folder : folders) {
      const std::string ref = folder.filename().string();
      lot.folders.push_back(ref);
      std::vector<fs::path> files;
      for (const auto& entry : fs::directory_iterator(folder)) files.push_back(entry.path());
      std::sort(files.begin(), files.end());
      int seq = 0;
      for (const fs::path& file : files)
        lot.items.push_back({ref + "/" + file.filename().string(), 0, ref, ++seq,
                             file.extension() == ".dat" ? ItemKind::av : ItemKind::page});
    }
    return {};
  }
};

constexpr OutputInfo kStoredAv{"av_file", OutputRole::entity, "the file as received"};

class StoreAv : public ItemStage {
 public:
  StageInfo describe() const override { return {"store_av", "Stores the file as it is.", "1", {}, {}, {}, {kStoredAv}}; }
  void setup(ProfileSection&, const StageContext& context) override { context_ = context; }
  Outcome process(const Item& item) const override {
    ++calls;
    OutputFile out(context_.work_dir, "av/" + item.record_ref + "/" + item.serial() + ".dat", "av_file");
    std::ifstream in(item.source, std::ios::binary);
    std::string chunk(4096, '\0');
    while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0)
      out.write({chunk.data(), static_cast<size_t>(in.gcount())});
    Outcome outcome;
    outcome.outputs.push_back(out.commit());
    return outcome;
  }
  mutable std::atomic<int> calls{0};

 private:
  StageContext context_;
};

//! Items of two kinds run through their own chains in one graph and one ledger, and deposit into one bag that verifies.
TEST(Runner, EachKindRunsThroughItsOwnChain) {
  fs::path lot = make_lot("kinds");
  write_file_atomically(lot / "scans" / fs::u8path(kRecord2) / "0003.dat", std::string(100'000, 'v'));
  write_file_atomically(lot / "catalogue.csv", std::string("档号,题名,页数\n") + kRecord1 + ",第一件,2\n" + kRecord2 + ",第二件,3\n");
  StageSequence stages = make_stage_sequence();
  stages.ingest = std::make_unique<MixedIngest>();
  auto store = std::make_unique<StoreAv>();
  StoreAv* store_av = store.get();
  stages.chains[ItemKind::av].clear();  // the runner under test, not the real av stage
  stages.chains[ItemKind::av].push_back(std::move(store));
  // Nor its profile section.
  std::string profile = read_file(LANTAI_PROFILE);
  const auto av_section = profile.find("\nav:\n");
  ASSERT_NE(av_section, std::string::npos);
  profile.erase(av_section + 1, profile.find("\n\n", av_section + 1) - av_section);
  // The test's ingest reads no settings either.
  const auto ingest_section = profile.find("\ningest:\n");
  ASSERT_NE(ingest_section, std::string::npos);
  profile.replace(ingest_section + 1, profile.find("\n\n", ingest_section + 1) - ingest_section, "ingest: {}\n");
  write_file_atomically(lot / "profile-without-av.yaml", profile);
  RunSummary summary = run_batch(options_for(lot, lot / "profile-without-av.yaml"), stages);
  EXPECT_EQ(store_av->calls, 1);
  EXPECT_EQ(items_per_stage(summary).at("decode"), 4);
  EXPECT_EQ(summary.records_deposited, 2);
  EXPECT_TRUE(summary.verified);
  EXPECT_EQ(read_file(summary.bag_dir / "data/entity" / fs::u8path(kRecord2) / "0003.dat"), std::string(100'000, 'v'));
  const std::string pages = read_file(lot / "work" / "reports" / "pages.csv");
  EXPECT_NE(pages.find("0003.dat,0," + std::string(kRecord2) + ",av,accepted"), std::string::npos) << pages;
}

//! The memory budget bounds the bytes of items in flight; a larger budget lets more in.
TEST(Runner, MemoryBudgetBoundsItemsInFlight) {
  fs::path lot = make_lot("budget");
  // A decoded page here is 1654x2339 px: about 35 MiB with its working copies.
  RunSummary tight = run(options_for(lot, changed_profile(lot, "memory_budget_mb: 1024", "memory_budget_mb: 64")));
  EXPECT_GT(tight.peak_bytes_in_flight, 0u);
  EXPECT_LE(tight.peak_bytes_in_flight, 64u << 20);
  EXPECT_TRUE(tight.verified);
  RunOptions roomy = options_for(lot);
  roomy.work_dir = lot / "work-roomy";
  EXPECT_GT(run(roomy).peak_bytes_in_flight, 64u << 20);
}

//! A profile may make a finding stricter or more lenient; an unknown code or severity there is refused.
TEST(Runner, ProfileChangesFindingSeverity) {
  fs::path lot = make_lot("severity");
  RunSummary strict = run(options_for(lot, changed_profile(lot, "severity: {}", "severity: {deskew.low_confidence: reject}")));
  EXPECT_TRUE(strict.verified);
  for (const char* bad : {"severity: {qc.blurry: warn}", "severity: {qc.blank: fatal}",
                          "severity: {internal.exception: info}"}) {
    RunOptions options = options_for(lot, changed_profile(lot, "severity: {}", bad));
    options.work_dir = lot / "work-bad";
    EXPECT_THROW(run(options), RunError) << bad;
  }
}

// Finds fault with every bag.
class FailingVerify : public BagStage {
 public:
  StageInfo describe() const override { return {"verify", "Fails every bag.", "1", {}, {kBroken}}; }
  void setup(ProfileSection& section, const StageContext&) override { section.finish(); }
  Outcome process(const Bag& bag) const override {
    Outcome outcome;
    outcome.add(kBroken(bag.dir.string() + ": broken"));
    return outcome;
  }
  static constexpr FindingCode kBroken{"verify.malformed", Severity::reject, "broken"};
};

//! A bag that does not verify leaves the run unverified, with the reason kept for the command to exit non-zero.
TEST(Runner, UnverifiedBagIsReported) {
  fs::path lot = make_lot("unverified");
  StageSequence stages = make_stage_sequence();
  stages.verify = std::make_unique<FailingVerify>();
  RunSummary summary = run_batch(options_for(lot), stages);
  EXPECT_TRUE(summary.deposited);
  EXPECT_FALSE(summary.verified);
  ASSERT_EQ(summary.verify_problems.size(), 1u);
  EXPECT_NE(summary.verify_problems[0].message.find("broken"), std::string::npos);
}

// The real verify stage, noting what the runtime asked of it.
class RecordingVerify : public BagStage {
 public:
  StageInfo describe() const override { return real_.describe(); }
  void setup(ProfileSection& section, const StageContext& context) override { real_.setup(section, context); }
  Outcome process(const Bag& bag) const override {
    sm3_required = bag.sm3_manifests;
    return real_.process(bag);
  }
  mutable bool sm3_required = false;

 private:
  verify::VerifyStage real_;
};

nlohmann::json four_properties_item(const fs::path& work, const std::string& id) {
  const auto report = nlohmann::json::parse(read_file(work / "reports" / "four-properties.json"));
  for (const auto& item : report["items"])
    if (item["item"] == id) return item;
  return {};
}

//! An EICAR page in the lot is quarantined with virus.found naming the signature and the batch goes on; the bag is
//! SM3-manifested (asked by the profile, so required by the self-check), SM2-signed and checked with the run's key.
TEST(Runner, InfectedPageQuarantinedSignedBagSelfChecked) {
  fs::path lot = make_lot("centre");
  const fs::path infected = lot / "scans" / fs::u8path(kRecord2) / "0002.jpg";
  write_file_atomically(infected, read_file(infected) + test_support::eicar_test_file());
  write_new_key_pair(lot / "keys");
  RunOptions options =
      options_for(lot, changed_profile(lot, "include_extras: true", "include_extras: true\n  sm3_manifest: true"));
  options.sign_key = lot / "keys" / "sm2-private.pem";
  StageSequence stages = make_stage_sequence();
  auto recording = std::make_unique<RecordingVerify>();
  const RecordingVerify& verify = *recording;
  stages.verify = std::move(recording);
  const RunSummary summary = run_batch(options, stages);

  EXPECT_EQ(summary.items_quarantined, 1);
  EXPECT_EQ(summary.reject_counts.at("virus.found"), 1);
  const std::string findings = read_file(lot / "work" / "reports" / "findings.csv");
  EXPECT_NE(findings.find(std::string(kRecord2) + "/0002.jpg: infected with " + test_support::kTestSignatureName),
            std::string::npos)
      << findings;
  EXPECT_EQ(summary.records_deposited, 1);  // the batch went on without the infected record
  EXPECT_TRUE(summary.verified);
  EXPECT_TRUE(verify.sm3_required);
  EXPECT_TRUE(fs::exists(summary.bag_dir / "manifest-sm3.txt"));
  EXPECT_TRUE(fs::exists(summary.bag_dir / kBagSignaturePath));
  EXPECT_NE(summary.virus_scan.find("1 signatures"), std::string::npos) << summary.virus_scan;
  EXPECT_TRUE(fs::is_directory(lot / "work" / "tmp" / "clamav"));  // ClamAV unpacks below WORK
  EXPECT_EQ(four_properties_item(lot / "work", "4-2")["verdict"], "pass");
  EXPECT_EQ(four_properties_item(lot / "work", "1-1")["verdict"], "pass");
  EXPECT_NE(four_properties_item(lot / "work", "1-1")["measured"].get<std::string>().find("SM2 signature checked"),
            std::string::npos);
  EXPECT_EQ(summary.four_properties_report, lot / "work" / "reports" / "four-properties.html");
}

//! With no signature database the run stops before anything is written, with one line that names the folder and the way out.
TEST(Runner, MissingVirusDatabaseStopsTheRun) {
  fs::path lot = make_lot("no-database");
  RunOptions options = options_for(lot);
  options.virus_db = lot / "no-such-database";
  try {
    run(options);
    ADD_FAILURE() << "the run went on without a virus database";
  } catch (const RunError& error) {
    EXPECT_EQ(error.exit_code, kExitEnvironment);
    const std::string message = error.what();
    EXPECT_NE(message.find((lot / "no-such-database").string()), std::string::npos) << message;
    EXPECT_NE(message.find("--no-virus-scan"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  EXPECT_FALSE(fs::exists(lot / "work"));
}

//! --no-virus-scan: the batch runs, and the self-check's 四性 report records 4-2 (and 4-1) as not done.
TEST(Runner, NoVirusScanIsRecordedAsNotDone) {
  fs::path lot = make_lot("no-scan");
  RunOptions options = options_for(lot);
  options.virus_scan = false;
  const RunSummary summary = run(options);
  EXPECT_TRUE(summary.verified);
  EXPECT_TRUE(summary.virus_scan.empty());
  EXPECT_EQ(four_properties_item(lot / "work", "4-2")["verdict"], "not done");
  EXPECT_EQ(four_properties_item(lot / "work", "4-1")["verdict"], "not done");
  EXPECT_NE(read_file(lot / "work" / "reports" / "four-properties.html").find("not done"), std::string::npos);
}

//! A run leaves the package file and package.json beside the bag and verifies it; with a seal key the verified package is sealed, package.json gains the sealed file's digests, and it unseals to the package byte for byte.
TEST(Runner, PackagesAndSeals) {
  const fs::path lot = make_lot("package");
  RunOptions options = options_for(lot);
  options.seal_key = lot / "seal.key";
  write_file_atomically(options.seal_key, std::string(32, 'c') + "\n");  // SM4, hex
  const RunSummary summary = run(options);
  ASSERT_TRUE(summary.verified);
  EXPECT_EQ(summary.package_file, summary.bag_dir.string() + ".tar");
  EXPECT_EQ(summary.package_json, summary.bag_dir.string() + ".package.json");
  EXPECT_EQ(summary.sealed_package, summary.bag_dir.string() + ".tar.sealed");
  const auto md5 = hex_digests_of_file(summary.package_file, {DigestAlgorithm::md5}).front();
  const auto figures = nlohmann::json::parse(read_file(summary.package_json));
  EXPECT_EQ(figures["digests"][0]["value"], md5);
  EXPECT_EQ(figures["sealed"]["cipher"], "SM4-GCM");
  EXPECT_EQ(figures["sealed"]["digests"][0]["value"],
            hex_digests_of_file(summary.sealed_package, {DigestAlgorithm::md5}).front());

  const fs::path restored = lot / "restored.tar";
  unseal_package(summary.sealed_package, restored, SealKey::load(options.seal_key, SealCipher::sm4_gcm));
  EXPECT_EQ(read_file(restored), read_file(summary.package_file));

  const auto ledger = Ledger::open(options.work_dir);
  std::set<std::string> kinds;
  for (const StageOutput& output : ledger->batch_outputs("deposit")) kinds.insert(output.kind);
  for (const char* kind : {"bag", "backup_form", "package", "package_json", "sealed_package"})
    EXPECT_TRUE(kinds.count(kind)) << kind;

  // A rerun without the key leaves no sealed file of an earlier package beside the new one.
  options.seal_key.clear();
  const RunSummary again = run(options);
  EXPECT_TRUE(again.verified);
  EXPECT_TRUE(again.sealed_package.empty());
  EXPECT_FALSE(fs::exists(summary.sealed_package));
  EXPECT_FALSE(nlohmann::json::parse(read_file(again.package_json)).contains("sealed"));
}

}  // namespace
}  // namespace lantai
